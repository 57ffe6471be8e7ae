/* recsyms.h - the symbols of a recording: one symbol cache per process,
 * over that process's modules, all sharing one symshare (a file mapped by
 * several processes is symbolized once).
 *
 * A cache is rebuilt when the sampler replaced its process's modules (a
 * library loaded meanwhile): the old one points into freed modules.
 */
#ifndef PTPROF_RECSYMS_H
#define PTPROF_RECSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/sampler.h"
#include "stack/symbolize.h"
#include "stack/symcache.h"
#include "stack/symshare.h"

struct recsyms {
	bool inlines, lines;
	struct symshare *share;
	struct recsym_proc {
		struct symbolizer sym;
		struct symcache *sc;
		const struct modules *ms; /* what sc was built over */
		unsigned gen;
	} **v;                    /* each apart: its sc points at its sym */
	size_t n;
};

void recsyms_init(struct recsyms *rs, bool inlines, bool lines);
/* The symbol cache for process proc of rec. */
struct symcache *recsyms_get(struct recsyms *rs, const struct recording *rec, uint32_t proc);
void recsyms_free(struct recsyms *rs);

#endif
