/* main.c - subcommand dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "stack/debugcache.h"
#include "stack/debuginfod.h"
#include "util/error.h"

static const struct cli_option *const dump_sets[] = { cli_common_options, dump_options, NULL };
static const struct cli_option *const record_sets[] = { cli_common_options, record_options,
							 cli_children_options, NULL };
static const struct cli_option *const top_sets[] = { cli_common_options, top_options,
						      cli_children_options, NULL };
static const struct cli_option *const report_sets[] = { report_options, NULL };
static const struct cli_option *const goprof_sets[] = { goprof_options, cli_debuginfod_options,
							 NULL };
static const struct cli_option *const serve_sets[] = { serve_options, cli_debuginfod_options, NULL };

const struct subcommand subcommands[] = {
	{ "dump", "[OPTIONS] [--children] -p PID[,PID...]",
	  "Print every thread's stack now, like a SIGQUIT dump, without changing the process.",
	  dump_sets, cmd_dump },
	{ "record", "[OPTIONS] (-p PID | -- COMMAND [ARG...])",
	  "Sample stacks over time into a CPU or wall-clock profile (pprof, flame graph, ...).",
	  record_sets, cmd_record },
	{ "top", "[OPTIONS] (-p PID | -- COMMAND [ARG...])",
	  "A live view of the hottest functions and thread states, refreshed every second.",
	  top_sets, cmd_top },
	{ "heap", "[OPTIONS] -p PID",
	  "A Go program's heap profile (in-use memory by allocation site), read from outside.",
	  goprof_sets, cmd_goprof },
	{ "allocs", "[OPTIONS] -p PID",
	  "A Go program's allocations since it started, by allocation site, read from outside.",
	  goprof_sets, cmd_goprof },
	{ "mutex", "[OPTIONS] -p PID",
	  "A Go program's mutex contention profile, read from outside.",
	  goprof_sets, cmd_goprof },
	{ "block", "[OPTIONS] -p PID",
	  "A Go program's blocking profile (channel, select, lock waits), read from outside.",
	  goprof_sets, cmd_goprof },
	{ "serve", "[OPTIONS] [--listen ADDR:PORT] -p PID[,PID...]",
	  "Serve Go's /debug/pprof endpoints (CPU, goroutines, heap...) for any process.",
	  serve_sets, cmd_serve },
	{ "report", "[OPTIONS] FILE",
	  "Read a pprof profile (any producer's): top functions, or convert it.",
	  report_sets, cmd_report },
};
const size_t nsubcommands = sizeof(subcommands) / sizeof(subcommands[0]);

static void usage(FILE *f)
{
	fprintf(f, "Usage: ptprof SUBCOMMAND [OPTIONS]\n"
		   "       ptprof --version | --help | help SUBCOMMAND\n\n"
		   "Sample the stacks of a running process from outside, with ptrace.\n\n"
		   "Subcommands:\n");
	for (size_t i = 0; i < nsubcommands; i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\nExit status: 0 done; 1 some threads or frames unreadable; "
		   "2 failed; 64 bad usage.\n"
		   "See 'ptprof help SUBCOMMAND' and ptprof(1).\n");
}

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < nsubcommands; i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct subcommand *sub;
	int ret;

	/* A stuck-process tool must not wait on the network for debug files:
	 * only --debuginfod asks the servers, and only once threads run. */
	debuginfod_take_env();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("ptprof %s\n", PTPROF_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--list-options") == 0) {
		cli_list_options(stdout, subcommands, nsubcommands);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		sub = find(argv[2]);
		if (!sub)
			return pt_usage_error("no subcommand '%s'", argv[2]);
		cli_print_help(stdout, sub);
		return 0;
	}
	sub = find(argv[1]);
	if (!sub)
		return pt_usage_error("no subcommand '%s'", argv[1]);
	ret = sub->run(sub, argc - 1, argv + 1);
	debuginfod_report();
	debugcache_report();
	return ret;
}
