/* cli.c - getopt_long driven by the option tables in cli.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stack/debuginfod.h"
#include "util/error.h"
#include "util/numparse.h"
#include "util/xalloc.h"

/* Debug info from debuginfod servers: every subcommand that symbolizes. */
#define DEBUGINFOD_ROWS \
	{ OPT_DEBUGINFOD, "debuginfod", 0, NULL, NULL, \
	  "fetch missing debug info from the servers in DEBUGINFOD_URLS, once every " \
	  "thread runs again (also PTPROF_DEBUGINFOD=1)" }, \
	{ OPT_DEBUGINFOD_TIMEOUT, "debuginfod-timeout", 0, "TIME", NULL, \
	  "total time --debuginfod may spend fetching (default 10s)" }

const struct cli_option cli_debuginfod_options[] = {
	DEBUGINFOD_ROWS,
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

const struct cli_option cli_common_options[] = {
	{ OPT_PID, "pid", 'p', "PID[,PID...]", NULL, "the process (all its threads unless -t)" },
	{ OPT_TID, "tid", 't', "TID[,TID...]", NULL, "only these threads" },
	CLI_STACK_ROWS,
	DEBUGINFOD_ROWS,
	{ OPT_QUIET, "quiet", 'q', NULL, NULL, "no progress or summary on stderr" },
	{ OPT_VERBOSE, "verbose", 'v', NULL, NULL, "say why threads or frames were skipped" },
	{ OPT_HELP, "help", 'h', NULL, NULL, "show this help" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

static size_t count_options(const struct subcommand *sub)
{
	size_t n = 0;
	for (const struct cli_option *const *set = sub->option_sets; *set; set++)
		for (const struct cli_option *o = *set; o->id != OPT_END; o++)
			n++;
	return n;
}

int cli_parse(const struct subcommand *sub, int argc, char **argv,
	      cli_option_fn fn, void *ctx, int *first_arg)
{
	size_t n = count_options(sub), i = 0;
	struct option *longopts = xcalloc(n + 1, sizeof(*longopts));
	const struct cli_option **byindex = xcalloc(n + 1, sizeof(*byindex));
	char shortopts[128] = "+:";  /* stop at the first non-option; report missing args */
	size_t sl = strlen(shortopts);
	int ret = 0;

	for (const struct cli_option *const *set = sub->option_sets; *set; set++) {
		for (const struct cli_option *o = *set; o->id != OPT_END; o++, i++) {
			longopts[i].name = o->long_name;
			longopts[i].has_arg = o->arg ? required_argument : no_argument;
			longopts[i].val = (int)o->id;
			byindex[i] = o;
			if (o->short_name && sl + 3 < sizeof(shortopts)) {
				shortopts[sl++] = o->short_name;
				if (o->arg)
					shortopts[sl++] = ':';
			}
		}
	}
	shortopts[sl] = '\0';

	optind = 1;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt)
				ret = pt_usage_error("%s: unknown option '-%c'", sub->name, optopt);
			else
				ret = pt_usage_error("%s: unknown option '%s'", sub->name,
						     argv[optind - 1]);
			goto out;
		}
		if (c == ':') {
			ret = pt_usage_error("%s: option '%s' needs a value", sub->name,
					     argv[optind - 1]);
			goto out;
		}
		const struct cli_option *opt = NULL;
		for (size_t k = 0; k < n; k++)
			if ((int)byindex[k]->id == c)
				opt = byindex[k];
		if (!opt)
			continue;
		if (opt->id == OPT_HELP) {
			cli_print_help(stdout, sub);
			ret = -1;
			goto out;
		}
		ret = fn(ctx, opt, optarg);
		if (ret)
			goto out;
	}
	*first_arg = optind;
out:
	free(byindex);
	free(longopts);
	return ret;
}

void cli_print_help(FILE *f, const struct subcommand *sub)
{
	fprintf(f, "Usage: ptprof %s %s\n%s\n\nOptions:\n", sub->name, sub->usage, sub->summary);
	for (const struct cli_option *const *set = sub->option_sets; *set; set++) {
		for (const struct cli_option *o = *set; o->id != OPT_END; o++) {
			char left[64];
			if (o->short_name)
				snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name,
					 o->long_name, o->arg ? " " : "", o->arg ? o->arg : "");
			else
				snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
					 o->arg ? " " : "", o->arg ? o->arg : "");
			fprintf(f, "  %-28s %s", left, o->help);
			if (o->values)
				fprintf(f, " (%s)", o->values);
			fputc('\n', f);
		}
	}
}

void cli_list_options(FILE *f, const struct subcommand *subs, size_t n)
{
	for (size_t s = 0; s < n; s++) {
		if (!subs[s].option_sets)
			continue;
		for (const struct cli_option *const *set = subs[s].option_sets; *set; set++) {
			for (const struct cli_option *o = *set; o->id != OPT_END; o++) {
				fprintf(f, "%s --%s ", subs[s].name, o->long_name);
				if (o->short_name)
					fprintf(f, "-%c ", o->short_name);
				else
					fputs("- ", f);
				fprintf(f, "%s %s\n", o->arg ? o->arg : "-",
					o->values ? o->values : "-");
			}
		}
	}
}

/* record and top: processes followed as they appear (parsed by
 * cli_common_option). */
const struct cli_option cli_children_options[] = {
	{ OPT_CHILDREN, "children", 0, NULL, NULL,
	  "also every descendant of the processes, as they appear (default with -- COMMAND)" },
	{ OPT_NO_CHILDREN, "no-children", 0, NULL, NULL,
	  "-- COMMAND: the command's own process only" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

int cli_common_option(const char *sub, struct common_args *c, const struct cli_option *opt,
		      const char *arg)
{
	uint64_t v;

	switch (opt->id) {
	case OPT_PID: {
		int *pids = NULL;
		size_t n = 0;
		if (parse_tid_list(arg, &pids, &n) < 0)
			return pt_usage_error("%s: -p needs a process id or a list like 12,13 "
					      "(pgrep -d, NAME), not '%s'", sub, arg);
		free(c->pids);
		c->pids = pids;
		c->npids = n;
		c->pid = (pid_t)pids[0];
		return 0;
	}
	case OPT_TID:
		free(c->tids);
		c->tids = NULL;
		if (parse_tid_list(arg, &c->tids, &c->ntids) < 0)
			return pt_usage_error("%s: -t needs thread ids like 12,13 - not '%s'", sub, arg);
		return 0;
	case OPT_NO_INLINE:
		c->inlines = false;
		return 0;
	case OPT_NO_LINES:
		c->lines = false;
		return 0;
	case OPT_STACK_BYTES:
		if (parse_size(arg, 256, 64ULL << 20, &v) < 0)
			return pt_usage_error("%s: --stack-bytes needs a size from 256 to 64M "
					      "like 64K, not '%s'", sub, arg);
		c->stack_bytes = (size_t)v;
		return 0;
	case OPT_MAX_FRAMES:
		if (parse_uint(arg, 1, 4096, &v) < 0)
			return pt_usage_error("%s: --max-frames needs a number from 1 to 4096, "
					      "not '%s'", sub, arg);
		c->max_frames = (size_t)v;
		return 0;
	case OPT_DEBUG_DIR:
		c->debug_dir = arg;
		return 0;
	case OPT_DEBUGINFOD:
		debuginfod_enable(true);
		return 0;
	case OPT_DEBUGINFOD_TIMEOUT:
		if (parse_duration_ns(arg, &v) < 0 || v == 0 || v > 3600ULL * 1000000000ULL)
			return pt_usage_error("%s: --debuginfod-timeout needs a time from 1ms to 1h "
					      "like 10s or 500ms, not '%s'", sub, arg);
		debuginfod_set_budget(v);
		return 0;
	case OPT_CHILDREN:
		c->children = 1;
		return 0;
	case OPT_NO_CHILDREN:
		c->children = 0;
		return 0;
	case OPT_QUIET:
		pt_verbosity = 0;
		return 0;
	case OPT_VERBOSE:
		pt_verbosity = 2;
		return 0;
	default:
		return -1;
	}
}

int cli_one_pid(const char *sub, const struct common_args *c)
{
	if (c->npids > 1)
		return pt_usage_error("%s: one process at a time; -p got %zu", sub, c->npids);
	return 0;
}

void common_args_free(struct common_args *c)
{
	free(c->tids);
	free(c->pids);
	c->tids = NULL;
	c->pids = NULL;
}
