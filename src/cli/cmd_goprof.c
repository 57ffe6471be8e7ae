/* cmd_goprof.c - `ptprof heap | allocs | mutex | block`: a Go program's
 * own profiles, read from its memory, and `--watch` to follow the heap.
 *
 * Nothing is attached and no thread is stopped: the runtime's records
 * are read with process_vm_readv (the permission ptrace needs) while the
 * program runs.  Everything is read before anything is written, so a
 * failure leaves no file.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "output/goprof_out.h"
#include "profile/goprof.h"
#include "profile/snapshot.h"
#include "stack/symbolize.h"
#include "target/procfs.h"
#include "target/signals.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/numparse.h"
#include "util/outfile.h"
#include "util/xalloc.h"

const struct cli_option goprof_options[] = {
	{ OPT_PID, "pid", 'p', "PID", NULL, "the Go program to read" },
	{ OPT_OUTPUT, "output", 'o', "FILE", NULL,
	  "where to write; - is standard output (default ptprof-PID-KIND.pb.gz, or "
	  "standard output for text)" },
	{ OPT_FORMAT, "format", 'f', "FMT", "pprof text",
	  "pprof (default; .txt as -o suffix means text) or text: the top functions" },
	{ OPT_TOP, "top", 0, "N", NULL, "text: how many functions (default 20; 0 for all)" },
	{ OPT_WATCH, "watch", 0, "INTERVAL", NULL,
	  "heap, allocs: a line per INTERVAL (in-use heap, objects, goroutines, RSS, top "
	  "function), then growth per minute" },
	{ OPT_DURATION, "duration", 'd', "TIME", NULL,
	  "with --watch: stop after TIME (default: at Ctrl-C)" },
	{ OPT_QUIET, "quiet", 'q', NULL, NULL, "nothing on stderr but errors" },
	{ OPT_VERBOSE, "verbose", 'v', NULL, NULL, "say how the records were read" },
	{ OPT_HELP, "help", 'h', NULL, NULL, "show this help" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

enum gp_format { GF_NONE, GF_PPROF, GF_TEXT };

struct goprof_args {
	const char *sub;
	struct common_args c;     /* -p, -q, -v: as every subcommand takes them */
	const char *output;
	enum gp_format format;
	size_t top;
	bool top_set;
	uint64_t watch_ns, duration_ns;
};

#define MIN_WATCH_NS 100000000ULL

static int on_option(void *ctx, const struct cli_option *opt, const char *arg)
{
	struct goprof_args *a = ctx;
	uint64_t v;

	int r = cli_common_option(a->sub, &a->c, opt, arg);

	if (r >= 0)
		return r;
	switch (opt->id) {
	case OPT_OUTPUT:
		a->output = arg;
		return 0;
	case OPT_FORMAT:
		if (strcmp(arg, "pprof") == 0)
			a->format = GF_PPROF;
		else if (strcmp(arg, "text") == 0)
			a->format = GF_TEXT;
		else
			return pt_usage_error("%s: unknown format '%s' (pprof or text)", a->sub, arg);
		return 0;
	case OPT_TOP:
		if (parse_uint(arg, 0, UINT32_MAX, &v) < 0)
			return pt_usage_error("%s: --top needs a number of functions (0 for all), "
					      "not '%s'", a->sub, arg);
		a->top = (size_t)v;
		a->top_set = true;
		return 0;
	case OPT_WATCH:
		if (parse_duration_ns(arg, &v) < 0 || v < MIN_WATCH_NS)
			return pt_usage_error("%s: --watch needs an interval of at least 100ms "
					      "(10s, 1m, 500ms), not '%s'", a->sub, arg);
		a->watch_ns = v;
		return 0;
	case OPT_DURATION:
		if (parse_duration_ns(arg, &v) < 0 || v == 0)
			return pt_usage_error("%s: -d needs a duration like 30, 30s, 500ms or 2m, "
					      "not '%s'", a->sub, arg);
		a->duration_ns = v;
		return 0;
	default:
		return 0;
	}
}

static enum goprof_kind kind_of(const char *name)
{
	if (strcmp(name, "allocs") == 0)
		return GOPROF_ALLOCS;
	if (strcmp(name, "mutex") == 0)
		return GOPROF_MUTEX;
	if (strcmp(name, "block") == 0)
		return GOPROF_BLOCK;
	return GOPROF_HEAP;
}

/* The process must exist and be a user process; its comm into comm.
 * No ptrace check: nothing is attached. */
static int check_process(const char *sub, pid_t pid, char *comm, size_t size)
{
	char buf[1024];
	struct proc_stat st;
	if (procfs_read(pid, 0, "stat", buf, sizeof(buf)) < 0 || procfs_parse_stat(buf, &st) < 0) {
		pt_error("%s: no process %d", sub, (int)pid);
		return EXIT_FAILED;
	}
	snprintf(comm, size, "%s", st.comm);
	if (st.flags & PROC_PF_KTHREAD) {
		pt_error("%s: %d is a kernel thread (%s): it has no Go runtime to read", sub,
			 (int)pid, st.comm);
		return EXIT_FAILED;
	}
	if (st.state == 'Z' || st.state == 'X') {
		pt_error("%s: process %d is a zombie: it has exited and waits for its parent %d "
			 "to reap it; its memory is gone", sub, (int)pid, (int)st.ppid);
		return EXIT_FAILED;
	}
	return 0;
}

static int load_modules(pid_t pid, struct maps *maps, struct modules **ms)
{
	uint64_t hash;
	if (procfs_read_maps(pid, maps, &hash) < 0)
		return tracer_maps_failed(pid);
	*ms = modules_open(pid, maps, NULL);
	return 0;
}

static void not_go(const char *sub, pid_t pid, const char *comm)
{
	pt_error("%s: process %d (%s) is not a Go program: %s profiles come from the "
		 "program's own records, which only Go's runtime keeps; for C, C++ or Rust use "
		 "heaptrack or the allocator's profiler (jemalloc, tcmalloc), and ptprof record "
		 "for CPU and wall time", sub, (int)pid, comm, sub);
}

static int write_profile(const struct goprof_args *a, const struct goprof *p, struct symcache *sc,
			 const char *comm, int64_t rss)
{
	struct outfile out;
	char def[64];
	const char *path = a->output;
	int ret;

	if (!path && a->format == GF_PPROF) {
		snprintf(def, sizeof(def), "ptprof-%d-%s.pb.gz", (int)a->c.pid, a->sub);
		path = def;
	}
	if (a->format == GF_PPROF && (!path || strcmp(path, "-") == 0) && isatty(fileno(stdout))) {
		pt_error("%s: a pprof profile is binary; use -o FILE or a pipe", a->sub);
		return EXIT_USAGE;
	}
	ret = outfile_open(&out, path);
	if (ret)
		return ret;
	if (a->format == GF_TEXT) {
		struct goprof_text_opts o = { a->c.pid, comm, rss, a->top_set ? a->top : 20 };
		goprof_write_text(out.f, p, sc, &o);
	} else if (goprof_write_pprof(out.f, p, sc) < 0) {
		pt_perror("%s: write %s", a->sub, path && strcmp(path, "-") ? path : "standard output");
		outfile_abort(&out);
		return EXIT_FAILED;
	}
	ret = outfile_commit(&out);
	if (!ret && path && strcmp(path, "-") != 0)
		pt_info("wrote the %s profile of process %d (%zu records) to %s", a->sub,
			(int)a->c.pid, p->n, path);
	return ret;
}

/* --- --watch ------------------------------------------------------------ */

struct reading {
	double t;                 /* seconds since the first */
	double inuse, objects, goroutines, rss;
};

/* Least-squares slope per second of y over t, NAN with fewer than 2. */
static double slope(const struct reading *r, size_t n, size_t field)
{
	double st = 0, sy = 0, stt = 0, sty = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		double y = ((const double *)&r[i].inuse)[field];
		if (y < 0)
			continue;
		st += r[i].t;
		sy += y;
		stt += r[i].t * r[i].t;
		sty += r[i].t * y;
		k++;
	}
	double d = (double)k * stt - st * st;
	if (k < 2 || d <= 0)
		return NAN;
	return ((double)k * sty - st * sy) / d;
}

static void print_growth(FILE *f, const struct reading *r, size_t n)
{
	static const char *const names[] = { "in-use space", "in-use objects", "goroutines",
					     "RSS" };
	char b[32];
	if (n < 2) {
		fprintf(f, "(one reading: no growth to tell)\n");
		return;
	}
	fprintf(f, "Growth per minute over %.0f s (%zu readings, least squares):\n", r[n - 1].t, n);
	for (size_t k = 0; k < 4; k++) {
		double s = slope(r, n, k) * 60;
		if (isnan(s)) {
			fprintf(f, "  %-15s unknown\n", names[k]);
			continue;
		}
		if (k == 0 || k == 3) {
			goprof_fmt_bytes(b, sizeof(b), s);
			fprintf(f, "  %-15s %s%s/min (%+.0f bytes/min)\n", names[k], s >= 0 ? "+" : "",
				b, s);
		} else {
			fprintf(f, "  %-15s %+.1f/min\n", names[k], s);
		}
	}
}

/* Sleep until deadline (monotonic ns), waking early for Ctrl-C. */
static void sleep_until(uint64_t deadline)
{
	for (;;) {
		uint64_t now = monotonic_ns();
		if (now >= deadline || signals_stop_requested())
			return;
		uint64_t left = deadline - now;
		if (left > 100000000ULL)
			left = 100000000ULL;
		struct timespec ts = { 0, (long)left };
		nanosleep(&ts, NULL);
	}
}

static int watch(const struct goprof_args *a, struct goprof_src *src, struct symcache *sc,
		 const char *comm, struct goprof *last)
{
	struct reading *r = NULL;
	size_t n = 0, cap = 0;
	uint64_t t0 = monotonic_ns();
	char why[512], when[16], top[256], b1[32], b2[32];
	int ret = 0;

	signals_install();
	for (uint64_t tick = 0;; tick++) {
		uint64_t due = t0 + tick * a->watch_ns;
		if (a->duration_ns && due - t0 > a->duration_ns)
			break;
		sleep_until(due);
		if (signals_stop_requested())
			break;
		struct goprof p;
		if (goprof_take(src, GOPROF_HEAP, &p, why, sizeof(why)) < 0) {
			pt_error("%s: %s", a->sub, why);
			ret = EXIT_FAILED;
			break;
		}
		if (n == 0) {
			printf("Watching the Go heap of process %d \"%s\" every %.3g s%s\n",
			       (int)a->c.pid, comm, (double)a->watch_ns / 1e9,
			       a->duration_ns ? "" : " (Ctrl-C to stop)");
			printf("%-8s %12s %12s %10s %12s  %s\n", "time", "inuse_space", "inuse_objs",
			       "goroutines", "rss", "top in-use function");
		}
		XGROW(r, cap, n + 1);
		struct reading *x = &r[n++];
		x->t = (double)(monotonic_ns() - t0) / 1e9;
		x->inuse = (double)p.total[3];
		x->objects = (double)p.total[2];
		x->goroutines = (double)goprof_goroutines(src);
		x->rss = (double)goprof_rss(a->c.pid);
		time_t now = time(NULL);
		struct tm tm;
		strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&now, &tm));
		double share;
		goprof_fmt_bytes(b1, sizeof(b1), x->inuse);
		goprof_fmt_bytes(b2, sizeof(b2), x->rss);
		p.default_type = 3;   /* in use, for allocs too */
		const char *tf = goprof_top_function(&p, sc, top, sizeof(top), &share);
		char gor[24] = "?";
		if (x->goroutines >= 0)
			snprintf(gor, sizeof(gor), "%.0f", x->goroutines);
		printf("%-8s %12s %12.0f %10s %12s  ", when, b1, x->objects, gor,
		       x->rss >= 0 ? b2 : "?");
		if (tf)
			printf("%s (%.0f%%)\n", tf, share * 100);
		else
			printf("-\n");
		fflush(stdout);
		goprof_free(last);
		*last = p;
	}
	if (n) {
		printf("\n");
		print_growth(stdout, r, n);
		fflush(stdout);
	}
	free(r);
	signals_finish();
	return ret;
}

int cmd_goprof(const struct subcommand *self, int argc, char **argv)
{
	struct goprof_args a = { .sub = self->name, .top = 20 };
	enum goprof_kind kind = kind_of(self->name);
	struct maps maps = { 0 };
	struct modules *ms = NULL;
	struct goprof_src src;
	struct goprof p = { 0 };
	struct symcache *sc = NULL;
	char comm[PROC_COMM_MAX], why[512];
	int first, ret;

	ret = cli_parse(self, argc, argv, on_option, &a, &first);
	if (ret)
		goto out;
	if (first < argc) {
		ret = pt_usage_error("%s: unexpected argument '%s'", a.sub, argv[first]);
		goto out;
	}
	if (!a.c.pid) {
		ret = pt_usage_error("%s: which process? give -p PID", a.sub);
		goto out;
	}
	if ((ret = cli_one_pid(a.sub, &a.c)) != 0)
		goto out;
	if (a.watch_ns && kind != GOPROF_HEAP && kind != GOPROF_ALLOCS) {
		ret = pt_usage_error("%s: --watch follows the heap: use it with heap or allocs",
				     a.sub);
		goto out;
	}
	if (a.duration_ns && !a.watch_ns) {
		ret = pt_usage_error("%s: -d is for --watch (a profile is read at once)", a.sub);
		goto out;
	}
	if (a.format == GF_NONE) {
		size_t l = a.output ? strlen(a.output) : 0;
		a.format = l > 4 && strcmp(a.output + l - 4, ".txt") == 0 ? GF_TEXT : GF_PPROF;
	}
	if (a.top_set && a.format != GF_TEXT) {
		ret = pt_usage_error("%s: --top is for -f text", a.sub);
		goto out;
	}
	ret = check_process(a.sub, a.c.pid, comm, sizeof(comm));
	if (ret)
		goto out;
	ret = load_modules(a.c.pid, &maps, &ms);
	if (ret)
		goto out_maps;
	uint64_t t_open = monotonic_ns();
	switch (goprof_open(&src, a.c.pid, ms, why, sizeof(why))) {
	case GOPROF_NOT_GO:
		not_go(a.sub, a.c.pid, comm);
		ret = EXIT_FAILED;
		goto out_src;
	case GOPROF_UNAVAILABLE:
		pt_error("%s: %s", a.sub, why);
		ret = EXIT_FAILED;
		goto out_src;
	case GOPROF_OK:
		break;
	}
	pt_verbose("%s: the runtime's variables and layout found in %.1f ms", a.sub,
		   (double)(monotonic_ns() - t_open) / 1e6);
	struct symbolizer sym = { .ms = ms, .inlines = true, .lines = true };
	sc = symcache_new(symbolize_resolve, &sym);

	if (a.watch_ns) {
		ret = watch(&a, &src, sc, comm, &p);
		if (!ret && a.output && p.n)
			ret = write_profile(&a, &p, sc, comm, goprof_rss(a.c.pid));
		goto out_prof;
	}
	if (goprof_take(&src, kind, &p, why, sizeof(why)) < 0) {
		pt_error("%s: %s", a.sub, why);
		ret = EXIT_FAILED;
		goto out_sc;
	}
	pt_verbose("%s: %zu records (%" PRIu64 " KiB of buckets) read in %.1f ms, %u walk%s%s",
		   a.sub, p.data.n, p.data.bytes >> 10, (double)p.read_ns / 1e6, p.data.tries,
		   p.data.tries == 1 ? "" : "s",
		   p.data.settled ? "" : " (still changing: kept the last)");
	uint64_t t_write = monotonic_ns();
	ret = write_profile(&a, &p, sc, comm, goprof_rss(a.c.pid));
	pt_verbose("%s: symbolized and written in %.1f ms (%zu distinct addresses)", a.sub,
		   (double)(monotonic_ns() - t_write) / 1e6, symcache_size(sc));
out_prof:
	goprof_free(&p);
out_sc:
	symcache_free(sc);
out_src:
	goprof_close(&src);
	modules_free(ms);
out_maps:
	maps_free(&maps);
out:
	common_args_free(&a.c);
	return ret < 0 ? 0 : ret;
}
