/* pprof.h - building and writing a pprof profile (profile.proto).
 *
 * Samples are added as machine stacks; locations, functions and mappings
 * are derived through the symcache, each once.  Written gzipped, with
 * string_table[0] == "", dense non-zero ids, the main executable as
 * mapping 1, and every mapping marked as symbolized so readers do not try
 * to symbolize again.
 */
#ifndef PTPROF_PPROF_H
#define PTPROF_PPROF_H

#include <stdint.h>
#include <stdio.h>

#include "stack/symcache.h"
#include "stack/unwind.h"

struct pprof_label {
	const char *key;
	const char *str;          /* NULL: a numeric label */
	int64_t num;
};

struct pprof;

struct pprof *pprof_new(struct symcache *sc);
void pprof_free(struct pprof *p);
/* Samples added from now on are resolved through sc (another process's
 * cache: the same address is other code there, so each cache keeps its
 * own locations; going back to a cache used before reuses them). */
void pprof_use_symcache(struct pprof *p, struct symcache *sc);

void pprof_add_sample_type(struct pprof *p, const char *type, const char *unit);
void pprof_set_period(struct pprof *p, const char *type, const char *unit, int64_t period);
void pprof_set_time(struct pprof *p, int64_t time_ns, int64_t duration_ns);
void pprof_add_comment(struct pprof *p, const char *text);
/* The sample type readers show by default (default_sample_type). */
void pprof_set_default_type(struct pprof *p, const char *type);

/* values: one per sample type added so far. */
void pprof_add_sample(struct pprof *p, const struct stack_frame *frames, size_t n,
		      const int64_t *values, const struct pprof_label *labels, size_t nlabels);

/* Serialize and gzip to f.  0, or -1 with errno set. */
int pprof_write(struct pprof *p, FILE *f);

#endif
