/* cmd_dump.c - `ptprof dump`: every thread's stack now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "output/dumpout.h"
#include "profile/snapset.h"
#include "profile/snapshot.h"
#include "target/signals.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/outfile.h"
#include "util/xalloc.h"

const struct cli_option dump_options[] = {
	{ OPT_FORMAT, "format", 'f', "FMT", "text json pprof", "output format (default text)" },
	{ OPT_OUTPUT, "output", 'o', "FILE", NULL, "write to FILE (default standard output)" },
	{ OPT_GROUP, "group", 'g', NULL, NULL,
	  "print threads with identical stack and state once, with count and names" },
	{ OPT_LOCKS, "locks", 0, NULL, NULL,
	  "lock waits: which mutex each thread waits on, who holds it, and deadlocks" },
	{ OPT_SYSTEM, "system", 0, NULL, NULL,
	  "Go programs: the runtime's own goroutines and frames too" },
	{ OPT_STOP_ALL, "stop-all", 0, NULL, NULL,
	  "stop every thread, even those asleep in the kernel (else read in place)" },
	{ OPT_OS_THREADS, "os-threads", 0, NULL, NULL,
	  "Go programs: show the threads' stacks instead of the goroutines" },
	{ OPT_CHILDREN, "children", 0, NULL, NULL, "also every descendant of each process" },
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
	bool stop_all;
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
	case OPT_STOP_ALL:
		a->stop_all = true;
		break;
	case OPT_OS_THREADS:
		a->os_threads = true;
		break;
	default:
		break;
	}
	return 0;
}

/* Where the dump goes, in the format asked for: one process (ss NULL, v
 * its view) or several (v one view per snapshot of ss). */
static int write_output(struct dump_args *a, struct snapshot *s, const struct snapset *ss,
			const struct dump_view *v)
{
	struct outfile out;
	int ret = outfile_open(&out, a->output);

	if (ret)
		return ret;
	switch (a->format) {
	case FMT_TEXT:
		if (ss)
			dump_write_text_set(out.f, ss, v);
		else
			dump_write_text(out.f, s, v);
		break;
	case FMT_JSON:
		if (ss)
			dump_write_json_set(out.f, ss, v);
		else
			dump_write_json(out.f, s, v);
		break;
	case FMT_PPROF:
		if (!a->output && isatty(fileno(stdout))) {
			pt_error("dump: a pprof profile is binary; use -o FILE or a pipe");
			outfile_abort(&out);
			return EXIT_USAGE;
		}
		if ((ss ? dump_write_pprof_set(out.f, ss, v) : dump_write_pprof(out.f, s, v)) < 0) {
			pt_perror("write %s", a->output ? a->output : "standard output");
			outfile_abort(&out);
			return EXIT_FAILED;
		}
		break;
	}
	return outfile_commit(&out);
}

/* --locks: who waits for whom, within one process. */
static void analyze_locks(struct dump_args *a, struct snapshot *s, struct dump_view *v)
{
	struct deadlock *deadlocks = NULL;
	if (!a->locks)
		return;
	v->waits = locks_analyze(s);
	v->ndeadlocks = locks_deadlocks(s, v->waits, &deadlocks);
	v->deadlocks = deadlocks;
}

static void free_locks(struct dump_view *v)
{
	locks_free_deadlocks((struct deadlock *)v->deadlocks, v->ndeadlocks);
	free((struct lock_wait *)v->waits);
}

/* A Go program's goroutines, unless the threads were asked for.  false
 * when it is Go but its goroutines could not be read (said why). */
static bool take_goroutines(struct dump_args *a, struct snapshot *s, struct gosnap *gs,
			    struct dump_view *v)
{
	if (a->os_threads)
		return true;
	switch (gosnap_take(gs, s, a->c.stack_bytes, a->c.max_frames)) {
	case GOSNAP_OK:
		v->go = gs;
		break;
	case GOSNAP_UNAVAILABLE:
		if (v->several)
			pt_error("process %d: %s", (int)s->pid, gs->why);
		else
			pt_error("%s", gs->why);
		return false;
	case GOSNAP_NOT_GO:
		break;
	}
	return true;
}

static int dump_one(struct dump_args *a, const struct snapshot_opts *so)
{
	struct snapshot s;
	struct gosnap gs = { 0 };
	struct dump_view v = { .group = a->group, .system = a->system };
	bool partial = false;
	int ret;

	ret = snapshot_take(&s, a->c.pid, so);
	tracer_report_counts(s.n);
	if (signals_stop_requested()) {
		snapshot_free(&s);
		signals_finish();
	}
	if (ret)
		goto out_snap;
	if (s.n == 0) {
		pt_error("no thread of process %d to dump%s", (int)a->c.pid,
			 a->c.tids ? " (check the -t thread ids)" : "");
		ret = EXIT_FAILED;
		goto out_snap;
	}
	partial = !take_goroutines(a, &s, &gs, &v);
	analyze_locks(a, &s, &v);
	ret = write_output(a, &s, NULL, &v);
	if (!ret && a->output && v.go)
		pt_info("wrote %zu goroutines of process %d to %s", gs.n, (int)s.pid, a->output);
	else if (!ret && a->output)
		pt_info("wrote %zu threads of process %d to %s", s.n, (int)s.pid, a->output);
	if (!ret && v.go && v.go->incomplete) {
		pt_info("%zu of %zu goroutines have no complete stack%s", v.go->incomplete, v.go->n,
			a->format == FMT_TEXT ? " (the reason is printed with each)" : "");
		ret = EXIT_PARTIAL;
	} else if (!ret && !v.go && s.incomplete) {
		pt_info("%zu of %zu threads have no complete stack%s", s.incomplete, s.n,
			a->format == FMT_TEXT ? " (the reason is printed with each)" : "");
		ret = EXIT_PARTIAL;
	}
	if (!ret && partial)
		ret = EXIT_PARTIAL;
	free_locks(&v);
	gosnap_free(&gs);
out_snap:
	snapshot_free(&s);
	return ret;
}

/* "21 processes, 84 threads" and what was left out, on stderr. */
static void summarize(struct dump_args *a, const struct snapset *ss, size_t incomplete,
		      size_t goroutines)
{
	char more[160] = "";
	size_t len = 0;
	if (goroutines)
		len += (size_t)snprintf(more + len, sizeof(more) - len, ", %zu goroutines", goroutines);
	if (incomplete && len < sizeof(more))
		len += (size_t)snprintf(more + len, sizeof(more) - len,
					", %zu without a complete stack%s", incomplete,
					a->format == FMT_TEXT ? " (the reason is printed with each)" : "");
	if (ss->nskipped && len < sizeof(more))
		len += (size_t)snprintf(more + len, sizeof(more) - len, "; %zu skipped (said above)",
					ss->nskipped);
	if (ss->exited && len < sizeof(more))
		snprintf(more + len, sizeof(more) - len, "; %zu exited before they could be dumped",
			 ss->exited);
	pt_info("%s %zu process%s, %zu threads%s%s%s", a->output ? "wrote" : "dumped", ss->n,
		ss->n == 1 ? "" : "es", snapset_threads(ss), more, a->output ? " to " : "",
		a->output ? a->output : "");
}

static int dump_several(struct dump_args *a, const struct snapshot_opts *so)
{
	struct snapset ss;
	struct dump_view *v = NULL;
	struct gosnap *gs = NULL;
	size_t incomplete = 0, goroutines = 0, ngo = 0;
	bool partial = false;
	int ret;

	ret = snapset_take(&ss, a->c.pids, a->c.npids, a->c.children == 1, so);
	tracer_report_counts(snapset_threads(&ss));
	if (signals_stop_requested()) {
		snapset_free(&ss);
		signals_finish();
	}
	if (ret)
		goto out;
	v = xcalloc(ss.n, sizeof(*v));
	gs = xcalloc(ss.n, sizeof(*gs));
	for (size_t i = 0; i < ss.n; i++) {
		struct snapshot *s = ss.v[i];
		v[i] = (struct dump_view){ .group = a->group, .system = a->system, .several = true };
		if (!take_goroutines(a, s, &gs[i], &v[i]))
			partial = true;
		analyze_locks(a, s, &v[i]);
		if (v[i].go) {
			ngo++;
			goroutines += v[i].go->n;
			incomplete += v[i].go->incomplete;
		} else {
			incomplete += s->incomplete;
		}
	}
	if (a->format == FMT_PPROF && ngo && ngo < ss.n)
		pt_info("a profile has one sample type: the Go programs among these processes are "
			"shown by thread; dump them alone for their goroutines");
	ret = write_output(a, NULL, &ss, v);
	if (!ret) {
		uint64_t resolved, shared;
		summarize(a, &ss, incomplete, goroutines);
		snapset_symbol_counts(&ss, &resolved, &shared);
		pt_verbose("symbols: %llu resolved, %llu shared across processes",
			   (unsigned long long)resolved, (unsigned long long)shared);
		if (incomplete || partial || ss.nskipped)
			ret = EXIT_PARTIAL;
	}
	for (size_t i = 0; i < ss.n; i++) {
		free_locks(&v[i]);
		gosnap_free(&gs[i]);
	}
	free(gs);
	free(v);
out:
	snapset_free(&ss);
	return ret;
}

int cmd_dump(const struct subcommand *self, int argc, char **argv)
{
	struct dump_args a = { .c = COMMON_ARGS_DEFAULTS, .format = FMT_TEXT };
	int first, ret;

	xalloc_burst();
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
	bool several = a.c.npids > 1 || a.c.children == 1;
	if (several && a.c.tids) {
		ret = pt_usage_error("dump: -t names threads of one process; with several "
				     "processes (a -p list or --children) leave it out");
		goto out_args;
	}
	struct snapshot_opts so = {
		.tids = a.c.tids, .ntids = a.c.ntids, .stack_bytes = a.c.stack_bytes,
		.max_frames = a.c.max_frames, .debug_dir = a.c.debug_dir,
		.inlines = a.c.inlines, .lines = a.c.lines, .stop_all = a.stop_all,
	};
	signals_install();
	ret = several ? dump_several(&a, &so) : dump_one(&a, &so);
out_args:
	common_args_free(&a.c);
	return ret < 0 ? 0 : ret;
}
