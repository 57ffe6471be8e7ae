/* cmd_record.c - `ptprof record`: a CPU or wall-clock profile over time. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/sampler_cli.h"
#include "output/recout.h"
#include "profile/sampler.h"
#include "stack/symbolize.h"
#include "target/launch.h"
#include "target/signals.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/outfile.h"
#include "util/xalloc.h"

const struct cli_option record_options[] = {
	{ OPT_DURATION, "duration", 'd', "TIME", NULL,
	  "stop after TIME (30, 30s, 500ms, 2m); default: until Ctrl-C or the target exits" },
	{ OPT_RATE, "rate", 'r', "HZ", NULL, "samples per second (default 99)" },
	{ OPT_FREQ, "freq", 'F', "HZ", NULL, "the same as --rate" },
	{ OPT_MODE, "mode", 'm', "MODE", "cpu wall",
	  "cpu: threads on a CPU (default); wall: every thread, whatever its state" },
	{ OPT_OUTPUT, "output", 'o', "FILE", NULL,
	  "where to write; - is standard output (default ptprof-PID.pb.gz)" },
	{ OPT_FORMAT, "format", 'f', "FMT", "pprof folded flamegraph speedscope text",
	  "output format (default from the -o suffix, else pprof)" },
	{ OPT_THREADS, "threads", 0, NULL, NULL,
	  "folded/flamegraph/text: a root frame per thread (name/tid)" },
	{ OPT_PROCESSES, "processes", 0, NULL, NULL,
	  "folded/flamegraph/text: a root frame per process (name/pid)" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

enum rec_format { RF_NONE, RF_PPROF, RF_FOLDED, RF_FLAMEGRAPH, RF_SPEEDSCOPE, RF_TEXT };

struct record_args {
	struct common_args c;
	struct sampler_opts s;
	enum rec_format format;
	const char *output;
	bool threads, processes;
};

static int parse_format(const char *arg, enum rec_format *out)
{
	if (strcmp(arg, "pprof") == 0)
		*out = RF_PPROF;
	else if (strcmp(arg, "folded") == 0)
		*out = RF_FOLDED;
	else if (strcmp(arg, "text") == 0)
		*out = RF_TEXT;
	else if (strcmp(arg, "flamegraph") == 0)
		*out = RF_FLAMEGRAPH;
	else if (strcmp(arg, "speedscope") == 0)
		*out = RF_SPEEDSCOPE;
	else
		return pt_usage_error("record: unknown format '%s' (pprof, folded, flamegraph, "
				      "speedscope or text)", arg);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The format a file name asks for, as CLI.md lists the suffixes. */
static int format_from_name(const char *path, enum rec_format *out)
{
	if (ends_with(path, ".svg"))
		*out = RF_FLAMEGRAPH;
	else if (ends_with(path, ".json"))
		*out = RF_SPEEDSCOPE;
	else if (ends_with(path, ".folded") || ends_with(path, ".collapsed"))
		*out = RF_FOLDED;
	else if (ends_with(path, ".txt"))
		*out = RF_TEXT;
	else
		*out = RF_PPROF;
	return 0;
}

static int on_option(void *ctx, const struct cli_option *opt, const char *arg)
{
	struct record_args *a = ctx;
	int r = cli_common_option("record", &a->c, opt, arg);

	if (r < 0)
		r = sampler_cli_option("record", &a->s, opt, arg);
	if (r >= 0)
		return r;
	switch (opt->id) {
	case OPT_OUTPUT:
		a->output = arg;
		break;
	case OPT_FORMAT:
		return parse_format(arg, &a->format);
	case OPT_THREADS:
		a->threads = true;
		break;
	case OPT_PROCESSES:
		a->processes = true;
		break;

	default:
		break;
	}
	return 0;
}

static const char *end_reason(const struct sampler_stats *st)
{
	switch (st->end) {
	case END_SIGNAL: return "interrupted";
	case END_TARGET_EXIT: return "the target exited";
	default: return "duration elapsed";
	}
}

static void summary(const struct record_args *a, const struct recording *rec, const char *path)
{
	const struct sampler_stats *st = &rec->st;
	if (rec->nprocs > 1 || st->procs_skipped)
		pt_info("recorded %.1f s (%s): %llu samples from %zu threads in %zu process%s "
			"(%zu exited meanwhile, %zu skipped), %llu ticks",
			(double)st->duration_ns / 1e9, end_reason(st),
			(unsigned long long)st->samples, st->threads_seen, st->procs_seen,
			st->procs_seen == 1 ? "" : "es",
			st->procs_exited, st->procs_skipped, (unsigned long long)st->ticks);
	else
		pt_info("recorded %.1f s (%s): %llu samples from %zu threads, %llu ticks",
			(double)st->duration_ns / 1e9, end_reason(st),
			(unsigned long long)st->samples, st->threads_seen,
			(unsigned long long)st->ticks);
	if (st->lost_exited || st->lost_unwind || st->truncated || st->ticks_missed)
		pt_info("lost: %llu samples (thread exited), %llu (no stack); %llu stacks "
			"incomplete; %llu ticks missed (ptprof too slow for the rate)",
			(unsigned long long)st->lost_exited, (unsigned long long)st->lost_unwind,
			(unsigned long long)st->truncated, (unsigned long long)st->ticks_missed);
	if (st->in_place)
		pt_verbose("%llu of the samples read in place, the thread asleep in the kernel "
			   "and never stopped; %llu stopped", (unsigned long long)st->in_place,
			   (unsigned long long)st->stopped);
	if (!path)
		return;
	switch (a->format) {
	case RF_PPROF:
		pt_info("wrote %s; look at it with: go tool pprof -http=: %s", path, path);
		break;
	case RF_FOLDED:
		pt_info("wrote %s; draw it with: flamegraph.pl %s > flame.svg", path, path);
		break;
	case RF_FLAMEGRAPH:
		pt_info("wrote %s; open it in a web browser", path);
		break;
	case RF_SPEEDSCOPE:
		pt_info("wrote %s; open it at https://www.speedscope.app or with speedscope %s",
			path, path);
		break;
	default:
		pt_info("wrote %s", path);
		break;
	}
}

static int write_profile(struct record_args *a, struct recording *rec, const char *path)
{
	struct recsyms rs;
	struct recout_opts ro = { a->s.mode, a->s.rate_hz, a->threads, a->processes, a->s.pid,
				  rec->nprocs ? rec->procs[0]->comm : "" };
	struct outfile out;
	int ret;

	recsyms_init(&rs, a->c.inlines, a->c.lines);
	ret = outfile_open(&out, path);
	if (ret)
		goto out;
	switch (a->format) {
	case RF_FOLDED:
		recout_folded(out.f, rec, &rs, &ro);
		break;
	case RF_TEXT:
		recout_text(out.f, rec, &rs, &ro);
		break;
	case RF_FLAMEGRAPH:
	case RF_SPEEDSCOPE:
		if ((a->format == RF_FLAMEGRAPH ? recout_flamegraph : recout_speedscope)(
			    out.f, rec, &rs, &ro) < 0) {
			pt_perror("write %s", path ? path : "standard output");
			outfile_abort(&out);
			ret = EXIT_FAILED;
			goto out;
		}
		break;
	default:
		if (recout_pprof(out.f, rec, &rs, &ro) < 0) {
			pt_perror("write %s", path ? path : "standard output");
			outfile_abort(&out);
			ret = EXIT_FAILED;
			goto out;
		}
		break;
	}
	ret = outfile_commit(&out);
	if (rec->nprocs > 1) {
		uint64_t hits, puts;
		symshare_counts(rs.share, &hits, &puts);
		pt_verbose("symbols: %llu resolved, %llu more taken from another process "
			   "mapping the same file", (unsigned long long)puts,
			   (unsigned long long)hits);
	}
out:
	recsyms_free(&rs);
	return ret;
}

int cmd_record(const struct subcommand *self, int argc, char **argv)
{
	struct record_args a = {
		.c = COMMON_ARGS_DEFAULTS,
		.s = { .mode = MODE_CPU, .rate_hz = 99 },
	};
	struct recording rec;
	char *default_path = NULL;
	const char *path;
	bool child_done = false;
	int child_status = 0, first, ret;

	ret = cli_parse(self, argc, argv, on_option, &a, &first);
	if (ret)
		goto out_args;
	bool command = first < argc;
	if (command && strcmp(argv[first - 1], "--") != 0) {
		ret = pt_usage_error("record: unexpected argument '%s' (a command goes after --)",
				     argv[first]);
		goto out_args;
	}
	if (!command && first > 1 && strcmp(argv[first - 1], "--") == 0) {
		ret = pt_usage_error("record: no command after --");
		goto out_args;
	}
	sampler_cli_common(&a.s, &a.c, command);
	if (command == (a.s.pid != 0)) {
		ret = pt_usage_error(command ? "record: give -p PID or -- COMMAND, not both"
					     : "record: which process? give -p PID or -- COMMAND");
		goto out_args;
	}
	if (a.format == RF_NONE) {
		a.format = RF_PPROF;
		if (a.output && strcmp(a.output, "-") != 0 &&
		    (ret = format_from_name(a.output, &a.format)) != 0)
			goto out_args;
	}
	if (a.output && strcmp(a.output, "-") == 0 && a.format == RF_PPROF &&
	    isatty(fileno(stdout))) {
		ret = pt_usage_error("record: a pprof profile is binary; use -o FILE or a pipe");
		goto out_args;
	}

	signals_install();
	if (command) {
		a.s.child = launch_command(argv + first);
		if (a.s.child < 0) {
			ret = 127;
			goto out_args;
		}
		a.s.pid = a.s.child;
	}
	if (a.output) {
		path = strcmp(a.output, "-") ? a.output : NULL;
	} else {
		default_path = xasprintf("ptprof-%d.pb.gz", (int)a.s.pid);
		path = a.format == RF_PPROF ? default_path : NULL;
	}
	a.s.progress = pt_verbosity > 0 && isatty(fileno(stderr));
	ret = sampler_run(&a.s, &rec);
	if (!ret)
		ret = write_profile(&a, &rec, path);
	if (!ret)
		summary(&a, &rec, path);
	if (!ret && rec.st.procs_skipped)
		ret = EXIT_PARTIAL;
	tracer_report_counts(rec.st.stopped);
	child_done = rec.st.child_done;
	child_status = rec.st.child_status;
	recording_free(&rec);
	if (command) {
		/* ptprof was told to stop: the command it started stops too. */
		if (!child_done && signals_stop_requested())
			kill(a.s.child, pt_stop_signal);
		if (!child_done) {
			int st;
			while (waitpid(a.s.child, &st, 0) < 0 && errno == EINTR)
				;
			child_status = st;
		}
		if (!ret)
			ret = launch_exit_code(child_status);
	} else if (signals_stop_requested() && !ret) {
		ret = 0;  /* an early end by Ctrl-C is a normal end */
	}
out_args:
	free(default_path);
	common_args_free(&a.c);
	return ret < 0 ? 0 : ret;
}
