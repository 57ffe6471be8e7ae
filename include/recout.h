/* recout.h - a recording written as pprof, folded stacks or a text report.
 *
 * Writers get the finished recording (every thread already detached) and
 * a symbol cache over its modules; they only format.
 */
#ifndef PTPROF_RECOUT_H
#define PTPROF_RECOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "sampler.h"
#include "symcache.h"

struct recout_opts {
	enum sample_mode mode;
	unsigned rate_hz;
	bool threads;             /* folded/text: a root frame per thread */
	pid_t pid;
	const char *comm;
};

/* 0, or -1 with errno. */
int recout_pprof(FILE *f, const struct recording *rec, struct symcache *sc,
		 const struct recout_opts *o);
void recout_folded(FILE *f, const struct recording *rec, struct symcache *sc,
		   const struct recout_opts *o);
void recout_text(FILE *f, const struct recording *rec, struct symcache *sc,
		 const struct recout_opts *o);

/* The name a frame shows: function, else module+0xoffset, else "??". */
void recout_frame_name(const struct symbol *sym, const struct sym_frame *sf, char *buf,
		       size_t size);

#endif
