/* cli.h - option tables and their parser.
 *
 * Each subcommand describes its options once, in a table.  The same table
 * drives getopt_long, --help, and `ptprof --list-options` (the listing the
 * man-page and completion checks compare against), so they cannot drift.
 */
#ifndef PTPROF_CLI_H
#define PTPROF_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

enum opt_id {
	OPT_END = 0,
	OPT_PID = 'p',
	OPT_TID = 't',
	OPT_FORMAT = 'f',
	OPT_OUTPUT = 'o',
	OPT_GROUP = 'g',
	OPT_QUIET = 'q',
	OPT_VERBOSE = 'v',
	OPT_HELP = 'h',
	OPT_NO_INLINE = 256,
	OPT_NO_LINES,
	OPT_STACK_BYTES,
	OPT_MAX_FRAMES,
	OPT_DEBUG_DIR,
	OPT_DEBUGINFOD,
	OPT_DEBUGINFOD_TIMEOUT,
	OPT_DURATION = 'd',
	OPT_RATE = 'r',
	OPT_FREQ = 'F',
	OPT_MODE = 'm',
	OPT_THREADS = 300,
	OPT_LOCKS,
	OPT_TOP,
	OPT_INTERVAL,
	OPT_SYSTEM,
	OPT_OS_THREADS,
	OPT_WATCH,
	OPT_CHILDREN,
	OPT_NO_CHILDREN,
	OPT_PROCESSES,
	OPT_STOP_ALL,
	OPT_SAMPLE_INDEX = 400,
	OPT_DIFF_BASE,
	OPT_LISTEN = 500,
	OPT_TOKEN_FILE,
	OPT_MAX_SECONDS,
};

struct cli_option {
	enum opt_id id;
	const char *long_name;
	char short_name;          /* 0 if none */
	const char *arg;          /* argument name, NULL for a flag */
	const char *values;       /* space-separated choices, or NULL */
	const char *help;
};

struct subcommand {
	const char *name;
	const char *usage;        /* after "ptprof NAME " */
	const char *summary;
	const struct cli_option *const *option_sets; /* NULL-terminated */
	int (*run)(const struct subcommand *self, int argc, char **argv);
};

/* Parse argv against a subcommand's tables.  For each option found, calls
 * fn(ctx, option, arg); a non-zero return stops parsing and is returned.
 * --help prints the subcommand's help to stdout and returns -1.
 * Errors print one line and return EXIT_USAGE.  On success returns 0
 * and sets *first_arg to the index of the first non-option argument. */
typedef int (*cli_option_fn)(void *ctx, const struct cli_option *opt, const char *arg);
int cli_parse(const struct subcommand *sub, int argc, char **argv,
	      cli_option_fn fn, void *ctx, int *first_arg);

void cli_print_help(FILE *f, const struct subcommand *sub);
/* One line per option: "SUBCOMMAND --long -s ARG VALUES" ("-" if none). */
void cli_list_options(FILE *f, const struct subcommand *subs, size_t n);

/* How stacks are read and named, rows of cli_common_options that a
 * subcommand with a table of its own (serve) puts in it too; parsed by
 * cli_common_option. */
#define CLI_STACK_ROWS \
	{ OPT_NO_INLINE, "no-inline", 0, NULL, NULL, "do not expand inlined frames" }, \
	{ OPT_NO_LINES, "no-lines", 0, NULL, NULL, "function names only, no file:line" }, \
	{ OPT_STACK_BYTES, "stack-bytes", 0, "N", NULL, \
	  "stack bytes copied per thread-sample (default 64K; K/M suffixes)" }, \
	{ OPT_MAX_FRAMES, "max-frames", 0, "N", NULL, "deepest stack unwound (default 256)" }, \
	{ OPT_DEBUG_DIR, "debug-dir", 0, "DIR", NULL, \
	  "also look for separate debug files in DIR (laid out like /usr/lib/debug)" }

/* The option sets shared by subcommands. */
extern const struct cli_option cli_common_options[];
/* --children and --no-children, for the subcommands that sample. */
extern const struct cli_option cli_children_options[];
/* --debuginfod and --debuginfod-timeout (in cli_common_options too), for
 * subcommands without the common set; parsed by cli_common_option. */
extern const struct cli_option cli_debuginfod_options[];

/* Values of cli_common_options. */
struct common_args {
	pid_t pid;                /* the first of -p */
	int *pids;                /* -p, each once, in the order given */
	size_t npids;
	int *tids;                /* -t; NULL: every thread */
	size_t ntids;
	bool inlines, lines;
	size_t stack_bytes, max_frames;
	const char *debug_dir;
	int children;             /* 1 --children, 0 --no-children, -1 unsaid */
};
#define COMMON_ARGS_DEFAULTS \
	{ .inlines = true, .lines = true, .stack_bytes = 64 * 1024, .max_frames = 256, \
	  .children = -1 }

/* Take opt if it is a common option: 0 when taken, EXIT_USAGE after
 * saying what is wrong with arg, -1 when opt is not a common one. */
int cli_common_option(const char *sub, struct common_args *c, const struct cli_option *opt,
		      const char *arg);
/* For subcommands that take one process: EXIT_USAGE after saying so when
 * -p listed more than one, else 0. */
int cli_one_pid(const char *sub, const struct common_args *c);
void common_args_free(struct common_args *c);

#endif
