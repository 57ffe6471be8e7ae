/* recsyms.c - see recsyms.h. */
#include <stdlib.h>
#include <string.h>

#include "profile/recsyms.h"
#include "util/xalloc.h"

void recsyms_init(struct recsyms *rs, bool inlines, bool lines)
{
	memset(rs, 0, sizeof(*rs));
	rs->inlines = inlines;
	rs->lines = lines;
	rs->share = symshare_new();
}

struct symcache *recsyms_get(struct recsyms *rs, const struct recording *rec, uint32_t proc)
{
	if (proc >= rec->nprocs)
		return NULL;
	if (proc >= rs->n) {
		rs->v = xreallocarray(rs->v, rec->nprocs, sizeof(*rs->v));
		for (size_t i = rs->n; i < rec->nprocs; i++)
			rs->v[i] = xcalloc(1, sizeof(**rs->v));
		rs->n = rec->nprocs;
	}
	struct recsym_proc *r = rs->v[proc];
	const struct rec_proc *rp = rec->procs[proc];
	if (r->sc && r->ms == rp->ms && r->gen == rp->modules_gen)
		return r->sc;
	if (r->sc)
		symcache_free(r->sc);
	r->sym = (struct symbolizer){ .ms = rp->ms, .jit = rp->jit, .inlines = rs->inlines,
				      .lines = rs->lines, .share = rs->share };
	r->sc = symcache_new(symbolize_resolve, &r->sym);
	r->ms = rp->ms;
	r->gen = rp->modules_gen;
	return r->sc;
}

void recsyms_free(struct recsyms *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		if (rs->v[i]->sc)
			symcache_free(rs->v[i]->sc);
		free(rs->v[i]);
	}
	free(rs->v);
	symshare_free(rs->share);
	memset(rs, 0, sizeof(*rs));
}
