/* recout.h - a recording written as pprof, folded stacks, a text report, a
 * flame graph or speedscope.
 *
 * Writers get the finished recording (every thread already detached) and
 * its symbols (one cache per process); they only format.  recout_stacks and
 * recout_frame_name (recout_stacks.c) are the base the others build on;
 * they call nothing back.
 */
#ifndef PTPROF_RECOUT_H
#define PTPROF_RECOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "profile/recsyms.h"
#include "profile/sampler.h"
#include "profile/stacks.h"
#include "stack/symcache.h"

struct recout_opts {
	enum sample_mode mode;
	unsigned rate_hz;
	bool threads;             /* folded/text: a root frame per thread */
	bool processes;           /* a root frame per process ("comm/pid") */
	pid_t pid;                /* the first process, for the title */
	const char *comm;
};

/* 0, or -1 with errno. */
int recout_pprof(FILE *f, const struct recording *rec, struct recsyms *rs,
		 const struct recout_opts *o);
void recout_folded(FILE *f, const struct recording *rec, struct recsyms *rs,
		   const struct recout_opts *o);
void recout_text(FILE *f, const struct recording *rec, struct recsyms *rs,
		 const struct recout_opts *o);

/* The recording as named stacks (appended to *out), each entry counted
 * counts[i] times instead of its own count when counts is given (top's
 * view of one interval). */
void recout_stacks(struct stacks *out, const struct recording *rec, struct recsyms *rs,
		   const struct recout_opts *o, const uint64_t *counts);
/* Flame graph (SVG) and speedscope (JSON) of a recording. */
int recout_flamegraph(FILE *f, const struct recording *rec, struct recsyms *rs,
		      const struct recout_opts *o);
int recout_speedscope(FILE *f, const struct recording *rec, struct recsyms *rs,
		      const struct recout_opts *o);

/* The name a frame shows: function, else module+0xoffset, else "??". */
void recout_frame_name(const struct symbol *sym, const struct sym_frame *sf, char *buf,
		       size_t size);

#endif
