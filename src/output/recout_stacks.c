/* recout_stacks.c - a recording symbolized into named stacks, and the name
 * each frame shows: the ground the folded, text and picture writers stand on. */
#include <inttypes.h>
#include <stdlib.h>

#include "output/recout.h"
#include "util/xalloc.h"

void recout_frame_name(const struct symbol *sym, const struct sym_frame *sf, char *buf,
		       size_t size)
{
	if (sf->function)
		snprintf(buf, size, "%s", sf->function);
	else if (sym->module)
		snprintf(buf, size, "%s+0x%" PRIx64, sym->module->name, sym->module_offset);
	else
		snprintf(buf, size, "??");
}

static enum frame_kind kind_of(const struct symbol *sym)
{
	if (sym->module && sym->module->kernel)
		return FK_KERNEL;
	if (!sym->module || sym->module->jit)
		return FK_OTHER;
	return sym->module->main ? FK_MAIN : FK_SHARED;
}

void recout_stacks(struct stacks *out, const struct recording *rec, struct recsyms *rs,
		   const struct recout_opts *o, const uint64_t *counts)
{
	uint32_t *ids = NULL;
	size_t cap = 0;
	char name[512];

	out->unit = "samples";
	out->ns_per_unit = o->rate_hz ? 1000000000ULL / o->rate_hz : 0;
	if (rec->nprocs > 1)
		snprintf(name, sizeof(name), "ptprof record: %zu processes from pid %d \"%s\", "
			 "%s mode at %u Hz", rec->nprocs, (int)o->pid, o->comm ? o->comm : "",
			 o->mode == MODE_WALL ? "wall" : "cpu", o->rate_hz);
	else
		snprintf(name, sizeof(name), "ptprof record: pid %d \"%s\", %s mode at %u Hz",
			 (int)o->pid, o->comm ? o->comm : "", o->mode == MODE_WALL ? "wall" : "cpu",
			 o->rate_hz);
	out->title = stacks_str(out, name);
	for (size_t i = 0; i < rec->agg.n; i++) {
		const struct agg_entry *e = rec->agg.entries[i];
		uint64_t count = counts ? counts[i] : e->count;
		size_t n = 0;
		if (!count)
			continue;
		struct symcache *sc = recsyms_get(rs, rec, e->proc);
		const struct rec_proc *rp = rec->procs[e->proc];
		/* --processes: the process, then (--threads) the thread, as
		 * root frames; the writers then draw no thread frame of their own. */
		if (o->processes) {
			snprintf(name, sizeof(name), "%s/%d", rp->comm, (int)rp->pid);
			XGROW(ids, cap, n);
			ids[n++] = stacks_frame(out, name, "", "", 0, FK_OTHER, false);
			if (o->threads) {
				snprintf(name, sizeof(name), "%s/%d",
					 aggregate_thread_name(&rec->agg, e->tid), (int)e->tid);
				XGROW(ids, cap, n);
				ids[n++] = stacks_frame(out, name, "", "", 0, FK_OTHER, false);
			}
		}
		for (size_t k = e->nframes; k-- > 0;) {
			const struct symbol *sym = symcache_get(sc, e->frames[k].pc, e->frames[k].is_return);
			for (size_t j = sym->nframes; j-- > 0;) {
				const struct sym_frame *sf = &sym->frames[j];
				recout_frame_name(sym, sf, name, sizeof(name));
				XGROW(ids, cap, n);
				ids[n++] = stacks_frame(out, name, sym->module ? sym->module->name : "",
							sf->file, sf->line, kind_of(sym), sf->inlined);
			}
		}
		if (!n)
			continue;
		uint32_t t = stacks_thread(out, aggregate_thread_name(&rec->agg, e->tid), e->tid);
		stacks_add(out, ids, n, count, t);
	}
	free(ids);
}
