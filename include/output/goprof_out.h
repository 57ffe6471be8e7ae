/* goprof_out.h - a Go runtime profile (heap, allocs, mutex, block) as
 * pprof, as runtime/pprof writes it, or as a text table of its top
 * functions.
 *
 * pprof: the sample types, period and default type runtime/pprof uses
 * for that profile, the "bytes" label on heap samples, the stacks'
 * locations symbolized through the given cache, inlined frames
 * expanded.  Text: the
 * totals, the process's RSS, and the functions where the value was
 * recorded (the innermost frame), by the profile's default type.
 */
#ifndef PTPROF_GOPROF_OUT_H
#define PTPROF_GOPROF_OUT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "profile/goprof.h"
#include "stack/symcache.h"

/* 0, or -1 with errno set. */
int goprof_write_pprof(FILE *f, const struct goprof *p, struct symcache *sc);

struct goprof_text_opts {
	pid_t pid;
	const char *comm;
	int64_t rss;              /* bytes, -1 unknown */
	size_t top;               /* functions listed, 0 all */
};

void goprof_write_text(FILE *f, const struct goprof *p, struct symcache *sc,
		       const struct goprof_text_opts *o);

/* The function with the largest flat value of the default type, its
 * share of the total (0..1), or NULL when the profile is empty. */
const char *goprof_top_function(const struct goprof *p, struct symcache *sc, char *buf,
				size_t size, double *share);

/* "12.3 MiB", "512 B". */
void goprof_fmt_bytes(char *buf, size_t size, double bytes);

#endif
