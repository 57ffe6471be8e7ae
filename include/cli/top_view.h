/* top_view.h - what `ptprof top` shows: its model, and drawing it.
 *
 * A view holds the facts of one refresh: who is watched and how, the
 * time, the sample counts, a census of the target's thread states, and a
 * row per function with its self and total share over the last interval
 * and since the start.  Rows come from two struct stacks (the interval's
 * and the whole recording's) and are sorted by the last interval's self
 * share.  A view owns copies of every string (control characters made
 * '?'), so it outlives the stacks it was built from and can be drawn
 * again, at another size, by another thread.
 *
 * Drawing does no I/O but on the FILE it is given: a full screen for a
 * terminal (every line cut to the width, no more lines than the height,
 * escape sequences only there) or a plain report for a file or pipe
 * (whole names, no escape sequence at all).
 */
#ifndef PTPROF_TOP_VIEW_H
#define PTPROF_TOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "profile/sampler.h"
#include "profile/stacks.h"
#include "target/procfs.h"

/* The target's threads by the state letter /proc gives. */
struct top_census {
	bool gone;                /* the process is no more */
	unsigned total;
	unsigned running;         /* R */
	unsigned sleeping;        /* S, I */
	unsigned disk;            /* D */
	unsigned stopped;         /* T, t (see top_census_count) */
	unsigned zombie;          /* Z, X */
	unsigned other;           /* anything else (P, W, ...) */
};
/* Count one thread in state `state`.  't' counts as stopped: ptprof takes
 * the census between ticks, when it holds no thread, so a tracing stop
 * then is a job-control stop seen through ptrace (a traced thread stopped
 * by SIGSTOP reads 't', not 'T'). */
void top_census_count(struct top_census *c, char state);
/* Add another process's census to c (c stays gone only if both are). */
void top_census_add(struct top_census *c, const struct top_census *more);

struct top_row {
	char *func, *module;      /* module "" when unknown */
	uint64_t self_last, total_last; /* samples in the last interval */
	uint64_t self_all, total_all;   /* samples since the start */
};

struct top_view {
	pid_t pid;
	char comm[PROC_COMM_MAX];
	enum sample_mode mode;
	unsigned rate_hz;
	time_t now;               /* wall clock at the refresh */
	uint64_t elapsed_ns;      /* since the first tick */
	uint64_t last_ns;         /* length of the last interval */
	uint64_t samples_last, samples_all;
	struct top_census census;
	bool quit_key;            /* q is read: the screen says so */
	struct top_row *rows;
	size_t nrows;
};

/* Set the header facts (comm copied and cleaned). */
void top_view_header(struct top_view *v, pid_t pid, const char *comm, enum sample_mode mode,
		     unsigned rate_hz);
/* Replace v's rows with one per function of `all` or `last`, sorted by
 * last self, then last total, then self and total since the start, then
 * name. */
void top_view_rows(struct top_view *v, const struct stacks *last, const struct stacks *all);
void top_view_free(struct top_view *v);

/* The whole screen from the top left corner, for a terminal of
 * rows x cols: at most `limit` functions (0: as many as fit). */
void top_view_screen(FILE *f, const struct top_view *v, int rows, int cols, size_t limit);
/* One plain report: the header lines, at most `limit` functions (0: all),
 * then a blank line. */
void top_view_report(FILE *f, const struct top_view *v, size_t limit);

#endif
