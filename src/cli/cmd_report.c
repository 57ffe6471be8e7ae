/* cmd_report.c - `ptprof report FILE`: any pprof profile as its top
 * functions, or converted to folded stacks, a flame graph or speedscope;
 * with --diff-base OLD, FILE compared with OLD function by function.
 *
 * Files are read whole (at most PPROF_READ_MAX bytes each) before anything
 * is written, so a bad file fails with one line on stderr and no output.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "output/diff_text.h"
#include "output/flamegraph.h"
#include "output/pprof_read.h"
#include "output/speedscope.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/numparse.h"
#include "util/outfile.h"
#include "util/xalloc.h"

const struct cli_option report_options[] = {
	{ OPT_FORMAT, "format", 'f', "FMT", "text folded flamegraph speedscope",
	  "what to print (default text: the top functions)" },
	{ OPT_OUTPUT, "output", 'o', "FILE", NULL, "where to write (default standard output)" },
	{ OPT_TOP, "top", 0, "N", NULL, "text: how many functions (default 20; 0 for all)" },
	{ OPT_THREADS, "threads", 0, NULL, NULL,
	  "folded/flamegraph: a root frame per thread, from the thread labels" },
	{ OPT_SAMPLE_INDEX, "sample-index", 0, "NAME", NULL,
	  "which sample type: its name (inuse_space, alloc_objects, ...) or number from 0" },
	{ OPT_DIFF_BASE, "diff-base", 0, "OLD", NULL,
	  "text: FILE compared with the older profile OLD, functions ranked by change" },
	{ OPT_QUIET, "quiet", 'q', NULL, NULL, "nothing on stderr but errors" },
	{ OPT_HELP, "help", 'h', NULL, NULL, "show this help" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

enum report_format { RF_TEXT, RF_FOLDED, RF_FLAMEGRAPH, RF_SPEEDSCOPE };

static const char *const format_names[] = { "text", "folded", "flamegraph", "speedscope" };

struct report_args {
	enum report_format format;
	const char *output;
	size_t top;
	bool top_set;
	bool threads;
	const char *sample_index; /* NULL: the profile's default */
	const char *diff_base;    /* OLD; NULL: no comparison */
};

static int on_option(void *ctx, const struct cli_option *opt, const char *arg)
{
	struct report_args *a = ctx;
	uint64_t v;

	switch (opt->id) {
	case OPT_FORMAT:
		for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
			if (strcmp(arg, format_names[i]) == 0) {
				a->format = (enum report_format)i;
				return 0;
			}
		return pt_usage_error("report: unknown format '%s' (text, folded, flamegraph "
				      "or speedscope)", arg);
	case OPT_OUTPUT:
		a->output = arg;
		return 0;
	case OPT_TOP:
		if (parse_uint(arg, 0, UINT32_MAX, &v) < 0)
			return pt_usage_error("report: --top needs a number of functions (0 for "
					      "all), not '%s'", arg);
		a->top = (size_t)v;
		a->top_set = true;
		return 0;
	case OPT_THREADS:
		a->threads = true;
		return 0;
	case OPT_SAMPLE_INDEX:
		if (!*arg)
			return pt_usage_error("report: --sample-index needs a sample type's name "
					      "(inuse_space, cpu, ...) or number");
		a->sample_index = arg;
		return 0;
	case OPT_DIFF_BASE:
		if (!*arg)
			return pt_usage_error("report: --diff-base needs the older profile's file");
		a->diff_base = arg;
		return 0;
	case OPT_QUIET:
		pt_verbosity = 0;
		return 0;
	default:
		return 0;
	}
}

/* The whole of path ("-": standard input) into *buf, at most
 * PPROF_READ_MAX bytes.  0, or EXIT_FAILED after saying why. */
static int read_input(const char *path, const char *name, unsigned char **buf, size_t *len)
{
	int fd = 0, ret = EXIT_FAILED;
	size_t cap = 0, n = 0;
	struct stat st;
	unsigned char *b = NULL;

	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			pt_perror("report: %s", name);
			return EXIT_FAILED;
		}
	}
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			pt_error("report: %s: is a directory, not a profile", name);
			goto out;
		}
		/* A regular file's size is known: refuse a huge one unread. */
		if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > PPROF_READ_MAX) {
			pt_error("report: %s: %" PRIu64 " MiB, larger than the %u MiB a profile "
				 "may have", name, (uint64_t)st.st_size >> 20, PPROF_READ_MAX >> 20);
			goto out;
		}
		if (S_ISREG(st.st_mode))
			cap = (size_t)st.st_size + 1;  /* + 1: EOF is seen in one read */
	}
	cap = cap ? cap : 1 << 16;
	b = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			/* Past the bound by one byte is enough to tell. */
			cap = cap * 2 > (size_t)PPROF_READ_MAX + 1 ? (size_t)PPROF_READ_MAX + 1 : cap * 2;
			b = xrealloc(b, cap);
		}
		ssize_t got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			pt_perror("report: read %s", name);
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > PPROF_READ_MAX) {
			pt_error("report: %s: larger than the %u MiB a profile may have", name,
				 PPROF_READ_MAX >> 20);
			goto out;
		}
	}
	*buf = b;
	*len = n;
	b = NULL;
	ret = 0;
out:
	free(b);
	if (fd > 0)
		close(fd);
	return ret;
}

/* "1.99 s" for time values, else the count and its unit. */
static void print_total(FILE *f, const struct stacks *s)
{
	bool time = s->ns_per_unit && strstr(s->unit, "seconds");
	if (time)
		fprintf(f, "Total: %.2f s", (double)s->total * (double)s->ns_per_unit / 1e9);
	else if (*s->unit && strcmp(s->unit, "count") != 0)
		fprintf(f, "Total: %" PRIu64 " %s", s->total, s->unit);
	else
		fprintf(f, "Total: %" PRIu64, s->total);
	fprintf(f, " in %zu sample record%s", s->nsamples, s->nsamples == 1 ? "" : "s");
	if (s->nthreads)
		fprintf(f, " from %zu thread%s", s->nthreads, s->nthreads == 1 ? "" : "s");
	fputc('\n', f);
}

static void print_text(FILE *f, const char *name, const char *title, const struct stacks *s,
		       size_t top)
{
	size_t nfuncs;
	free(stacks_top(s, &nfuncs));
	fputs("File: ", f);
	fputs_escaped(f, name);
	fprintf(f, "\n%s\n", title);
	print_total(f, s);
	fprintf(f, "\nTop functions (flat: value with the function innermost; cum: anywhere "
		   "on the stack)\n");
	stacks_print_top(f, s, top);
	if (top && nfuncs > top)
		fprintf(f, "(%zu more functions; --top 0 shows all)\n", nfuncs - top);
}

static int write_output(const struct report_args *a, const char *name, struct stacks *s)
{
	struct outfile out;
	const char *title = s->title;
	const char *where = a->output && strcmp(a->output, "-") ? a->output : "standard output";
	char *long_title = xasprintf("%s: %s", name, title);
	int ret, wr = 0;

	s->title = stacks_str(s, long_title);  /* pictures name the file */
	ret = outfile_open(&out, a->output);
	if (ret)
		goto out;
	switch (a->format) {
	case RF_TEXT:
		print_text(out.f, name, title, s, a->top);
		break;
	case RF_FOLDED:
		stacks_print_folded(out.f, s, a->threads);
		break;
	case RF_FLAMEGRAPH: {
		struct flamegraph_opts fo = { a->threads, NULL };
		wr = flamegraph_write(out.f, s, &fo);
		break;
	}
	case RF_SPEEDSCOPE:
		wr = speedscope_write(out.f, s);
		break;
	}
	if (wr < 0) {
		pt_perror("report: write %s as %s", where, format_names[a->format]);
		outfile_abort(&out);
		ret = EXIT_FAILED;
		goto out;
	}
	ret = outfile_commit(&out);
	if (!ret && a->output && strcmp(a->output, "-"))
		pt_info("wrote %s", a->output);
out:
	free(long_title);
	return ret;
}

/* path's profile into *s, with the sample type sample_index names (NULL:
 * the profile's default), its name into *type.  0, or EXIT_FAILED after
 * saying why. */
static int load(const char *path, const char *name, const char *sample_index,
		struct stacks *s, const char **type)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[512];
	int ret = read_input(path, name, &buf, &len);

	if (ret)
		return ret;
	if (pprof_read_sample(buf, len, sample_index, s, type, err, sizeof(err)) < 0) {
		pt_error("report: %s: %s", name, err);
		ret = EXIT_FAILED;
	}
	free(buf);  /* the stacks own copies of everything */
	return ret;
}

/* --diff-base: both profiles read with the same sample type, then one
 * text table.  Without --sample-index that is the type NEW shows by
 * default, found by name in OLD: two profiles of one program may not
 * name the same default. */
static int report_diff(const struct report_args *a, const char *path)
{
	const char *old_name = strcmp(a->diff_base, "-") ? a->diff_base : "standard input";
	const char *new_name = strcmp(path, "-") ? path : "standard input";
	struct stacks before = { 0 }, after = { 0 };
	struct diff_side sb = { old_name, NULL, &before }, sa = { new_name, NULL, &after };
	struct outfile out;
	int ret;

	ret = load(path, new_name, a->sample_index, &after, &sa.type);
	if (ret)
		goto out;
	ret = load(a->diff_base, old_name, a->sample_index ? a->sample_index : sa.type,
		   &before, &sb.type);
	if (ret)
		goto out_after;
	/* Values are subtracted: they must count the same thing. */
	if (strcmp(before.unit, after.unit) != 0) {
		pt_error("report: %s counts %s in %s, %s counts %s in %s: one cannot be "
			 "subtracted from the other (--sample-index picks the type)", old_name, sb.type,
			 *before.unit ? before.unit : "no unit", new_name, sa.type,
			 *after.unit ? after.unit : "no unit");
		ret = EXIT_FAILED;
		goto out_before;
	}
	ret = outfile_open(&out, a->output);
	if (ret)
		goto out_before;
	diff_text_write(out.f, &sb, &sa, a->top);
	ret = outfile_commit(&out);
	if (!ret && a->output && strcmp(a->output, "-"))
		pt_info("wrote %s", a->output);
out_before:
	stacks_free(&before);
out_after:
	stacks_free(&after);
out:
	return ret;
}

int cmd_report(const struct subcommand *self, int argc, char **argv)
{
	struct report_args a = { .format = RF_TEXT, .top = 20 };
	struct stacks s = { 0 };
	int first, ret;

	ret = cli_parse(self, argc, argv, on_option, &a, &first);
	if (ret)
		goto out;
	if (first >= argc) {
		ret = pt_usage_error("report: which profile? give a pprof FILE (or - for "
				     "standard input)");
		goto out;
	}
	if (first + 1 < argc) {
		ret = pt_usage_error("report: one FILE only, not also '%s'", argv[first + 1]);
		goto out;
	}
	if (a.top_set && a.format != RF_TEXT) {
		ret = pt_usage_error("report: --top is for the text format, not %s",
				     format_names[a.format]);
		goto out;
	}
	if (a.threads && a.format != RF_FOLDED && a.format != RF_FLAMEGRAPH) {
		ret = pt_usage_error("report: --threads is for -f folded or flamegraph");
		goto out;
	}
	const char *path = argv[first];
	if (a.diff_base) {
		if (a.format != RF_TEXT) {
			ret = pt_usage_error("report: --diff-base prints a text table, not %s",
					     format_names[a.format]);
			goto out;
		}
		if (strcmp(a.diff_base, "-") == 0 && strcmp(path, "-") == 0) {
			ret = pt_usage_error("report: standard input can be OLD or FILE, not both");
			goto out;
		}
		ret = report_diff(&a, path);
		goto out;
	}
	const char *name = strcmp(path, "-") ? path : "standard input";
	ret = load(path, name, a.sample_index, &s, NULL);
	if (ret)
		goto out;
	ret = write_output(&a, name, &s);
	stacks_free(&s);
out:
	return ret < 0 ? 0 : ret;
}
