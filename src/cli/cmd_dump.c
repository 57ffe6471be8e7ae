/* cmd_dump.c - `ptprof dump`: every thread's stack now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "output/dumpout.h"
#include "profile/snapshot.h"
#include "target/signals.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/outfile.h"

const struct cli_option dump_options[] = {
	{ OPT_FORMAT, "format", 'f', "FMT", "text json pprof", "output format (default text)" },
	{ OPT_OUTPUT, "output", 'o', "FILE", NULL, "write to FILE (default standard output)" },
	{ OPT_GROUP, "group", 'g', NULL, NULL,
	  "print threads with identical stack and state once, with count and names" },
	{ OPT_LOCKS, "locks", 0, NULL, NULL,
	  "lock waits: which mutex each thread waits on, who holds it, and deadlocks" },
	{ OPT_SYSTEM, "system", 0, NULL, NULL,
	  "Go programs: the runtime's own goroutines and frames too" },
	{ OPT_OS_THREADS, "os-threads", 0, NULL, NULL,
	  "Go programs: show the threads' stacks instead of the goroutines" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

enum dump_format { FMT_TEXT, FMT_JSON, FMT_PPROF };

struct dump_args {
	struct common_args c;
	enum dump_format format;
	const char *output;
	bool group;
	bool locks;
	bool system;
	bool os_threads;
};

static int on_option(void *ctx, const struct cli_option *opt, const char *arg)
{
	struct dump_args *a = ctx;
	int r = cli_common_option("dump", &a->c, opt, arg);

	if (r >= 0)
		return r;
	switch (opt->id) {
	case OPT_FORMAT:
		if (strcmp(arg, "text") == 0)
			a->format = FMT_TEXT;
		else if (strcmp(arg, "json") == 0)
			a->format = FMT_JSON;
		else if (strcmp(arg, "pprof") == 0)
			a->format = FMT_PPROF;
		else
			return pt_usage_error("dump: unknown format '%s' (text, json or pprof)", arg);
		break;
	case OPT_OUTPUT:
		a->output = arg;
		break;
	case OPT_GROUP:
		a->group = true;
		break;
	case OPT_LOCKS:
		a->locks = true;
		break;
	case OPT_SYSTEM:
		a->system = true;
		break;
	case OPT_OS_THREADS:
		a->os_threads = true;
		break;
	default:
		break;
	}
	return 0;
}

static int write_output(struct dump_args *a, struct snapshot *s, const struct gosnap *gs)
{
	struct outfile out;
	struct dump_view v = { .group = a->group, .go = gs, .system = a->system };
	struct lock_wait *waits = NULL;
	struct deadlock *deadlocks = NULL;
	int ret;

	if (a->locks) {
		waits = locks_analyze(s);
		v.waits = waits;
		v.ndeadlocks = locks_deadlocks(s, waits, &deadlocks);
		v.deadlocks = deadlocks;
	}
	ret = outfile_open(&out, a->output);
	if (ret)
		goto out;
	switch (a->format) {
	case FMT_TEXT:
		dump_write_text(out.f, s, &v);
		break;
	case FMT_JSON:
		dump_write_json(out.f, s, &v);
		break;
	case FMT_PPROF:
		if (!a->output && isatty(fileno(stdout))) {
			pt_error("dump: a pprof profile is binary; use -o FILE or a pipe");
			outfile_abort(&out);
			ret = EXIT_USAGE;
			goto out;
		}
		if (dump_write_pprof(out.f, s, &v) < 0) {
			pt_perror("write %s", a->output ? a->output : "standard output");
			outfile_abort(&out);
			ret = EXIT_FAILED;
			goto out;
		}
		break;
	}
	ret = outfile_commit(&out);
	if (!ret && a->output && gs)
		pt_info("wrote %zu goroutines of process %d to %s", gs->n, (int)s->pid, a->output);
	else if (!ret && a->output)
		pt_info("wrote %zu threads of process %d to %s", s->n, (int)s->pid, a->output);
out:
	locks_free_deadlocks(deadlocks, v.ndeadlocks);
	free(waits);
	return ret;
}

int cmd_dump(const struct subcommand *self, int argc, char **argv)
{
	struct dump_args a = { .c = COMMON_ARGS_DEFAULTS, .format = FMT_TEXT };
	struct snapshot s;
	struct gosnap gs = { 0 };
	const struct gosnap *go = NULL;
	bool partial = false;
	int first, ret;

	ret = cli_parse(self, argc, argv, on_option, &a, &first);
	if (ret)
		goto out_args;
	if (first < argc) {
		ret = pt_usage_error("dump: unexpected argument '%s'", argv[first]);
		goto out_args;
	}
	if (!a.c.pid) {
		ret = pt_usage_error("dump: which process? give -p PID");
		goto out_args;
	}
	struct snapshot_opts so = {
		.tids = a.c.tids, .ntids = a.c.ntids, .stack_bytes = a.c.stack_bytes,
		.max_frames = a.c.max_frames, .debug_dir = a.c.debug_dir,
		.inlines = a.c.inlines, .lines = a.c.lines,
	};
	signals_install();
	ret = snapshot_take(&s, a.c.pid, &so);
	tracer_report_counts(s.n);
	if (signals_stop_requested()) {
		snapshot_free(&s);
		signals_finish();
	}
	if (ret)
		goto out_snap;
	if (s.n == 0) {
		pt_error("no thread of process %d to dump%s", (int)a.c.pid,
			 a.c.tids ? " (check the -t thread ids)" : "");
		ret = EXIT_FAILED;
		goto out_snap;
	}
	/* A Go program: its goroutines, unless the threads were asked for. */
	if (!a.os_threads) {
		switch (gosnap_take(&gs, &s, a.c.stack_bytes, a.c.max_frames)) {
		case GOSNAP_OK:
			go = &gs;
			break;
		case GOSNAP_UNAVAILABLE:
			pt_error("%s", gs.why);
			partial = true;
			break;
		case GOSNAP_NOT_GO:
			break;
		}
	}
	ret = write_output(&a, &s, go);
	if (!ret && go && go->incomplete) {
		pt_info("%zu of %zu goroutines have no complete stack%s", go->incomplete, go->n,
			a.format == FMT_TEXT ? " (the reason is printed with each)" : "");
		ret = EXIT_PARTIAL;
	} else if (!ret && !go && s.incomplete) {
		pt_info("%zu of %zu threads have no complete stack%s", s.incomplete, s.n,
			a.format == FMT_TEXT ? " (the reason is printed with each)" : "");
		ret = EXIT_PARTIAL;
	}
	if (!ret && partial)
		ret = EXIT_PARTIAL;
	gosnap_free(&gs);
out_snap:
	snapshot_free(&s);
out_args:
	common_args_free(&a.c);
	return ret < 0 ? 0 : ret;
}
