/* window.c - see window.h. */
#include <stdlib.h>
#include <string.h>

#include "output/recout.h"
#include "profile/recsyms.h"
#include "profile/snapshot.h"
#include "serve/window.h"
#include "util/xalloc.h"

struct segment *segment_new(enum sample_mode mode, unsigned rate_hz, struct symshare *share)
{
	struct segment *s = xcalloc(1, sizeof(*s));
	s->mode = mode;
	s->rate_hz = rate_hz;
	s->refs = 1;
	recsyms_init(&s->rs, true, true);
	symshare_free(s->rs.share);
	s->rs.share = share;
	return s;
}

void segment_unref(struct segment *s)
{
	if (!s || --s->refs)
		return;
	s->rs.share = NULL;  /* the caller's */
	recsyms_free(&s->rs);
	recording_free(&s->rec);
	free(s);
}

void segment_warm(struct segment *s)
{
	const struct aggregate *a = &s->rec.agg;
	for (; s->warmed < a->n; s->warmed++) {
		const struct agg_entry *e = a->entries[s->warmed];
		struct symcache *sc = recsyms_get(&s->rs, &s->rec, e->proc);
		for (uint32_t k = 0; sc && k < e->nframes; k++)
			symcache_get(sc, e->frames[k].pc, e->frames[k].is_return);
	}
}

void window_init(struct window *w, pid_t pid, enum sample_mode mode, unsigned seconds,
		 uint64_t start_ns)
{
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->mode = mode;
	w->start_ns = start_ns;
	w->end_ns = start_ns + (uint64_t)seconds * 1000000000ULL;
	w->start_real_ns = realtime_ns() - (monotonic_ns() - start_ns);
}

void window_join(struct window *w, struct segment *seg)
{
	const struct aggregate *a = &seg->rec.agg;
	XGROW(w->parts, w->parts_cap, w->nparts);
	struct window_part *p = &w->parts[w->nparts++];
	p->seg = seg;
	seg->refs++;
	p->nbase = a->n;
	p->base = xcalloc(a->n ? a->n : 1, sizeof(*p->base));
	for (size_t i = 0; i < a->n; i++)
		p->base[i] = a->entries[i]->count;
}

/* A recording made of what the parts counted for w's process since they
 * joined: the segments' processes side by side, entries copied with their
 * difference as count (frames still the segments'). */
static void build_view(const struct window *w, struct recording *v)
{
	memset(v, 0, sizeof(*v));
	for (size_t k = 0; k < w->nparts; k++) {
		const struct window_part *p = &w->parts[k];
		const struct recording *rec = &p->seg->rec;
		uint32_t off = (uint32_t)v->nprocs;
		for (size_t i = 0; i < rec->nprocs; i++) {
			XGROW(v->procs, v->procs_cap, v->nprocs);
			v->procs[v->nprocs++] = rec->procs[i];
		}
		for (size_t i = 0; i < rec->agg.n; i++) {
			const struct agg_entry *e = rec->agg.entries[i];
			uint64_t before = i < p->nbase ? p->base[i] : 0;
			if (e->proc >= rec->nprocs || rec->procs[e->proc]->pid != w->pid ||
			    e->count <= before)
				continue;
			struct agg_entry *c = xmalloc(sizeof(*c));
			*c = *e;
			c->count = e->count - before;
			c->proc = e->proc + off;
			XGROW(v->agg.entries, v->agg.cap, v->agg.n);
			v->agg.entries[v->agg.n++] = c;
			v->agg.total += c->count;
		}
		/* Names only: each thread's run time is the segment's, not the
		 * window's, so the writer counts period x samples. */
		for (size_t i = 0; i < rec->agg.nthreads; i++)
			aggregate_thread(&v->agg, rec->agg.threads[i].tid, rec->agg.threads[i].name);
	}
	v->st.start_time_ns = w->start_real_ns;
	v->st.duration_ns = w->end_ns - w->start_ns;
}

static void free_view(struct recording *v)
{
	for (size_t i = 0; i < v->agg.n; i++)
		free(v->agg.entries[i]);  /* the frames are the segment's */
	free(v->agg.entries);
	free(v->agg.slots);
	free(v->agg.threads);
	u64map_free(&v->agg.thread_index);
	free(v->procs);
}

/* Symbols for the view: each process's cache is its segment's (warm),
 * lent, at the view's index of that process. */
static void borrow_syms(const struct window *w, const struct recording *v, struct recsyms *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->inlines = rs->lines = true;
	rs->v = xcalloc(v->nprocs ? v->nprocs : 1, sizeof(*rs->v));
	for (size_t k = 0; k < w->nparts; k++) {
		struct segment *seg = w->parts[k].seg;
		for (size_t i = 0; i < seg->rec.nprocs; i++) {
			recsyms_get(&seg->rs, &seg->rec, (uint32_t)i);
			rs->v[rs->n++] = seg->rs.v[i];
		}
	}
}

void window_profile(const struct window *w, struct reply *r)
{
	struct recording v;
	struct recsyms rs;
	unsigned rate = w->nparts ? w->parts[0].seg->rate_hz : 99;
	struct recout_opts o = { .mode = w->mode, .rate_hz = rate, .pid = w->pid };

	build_view(w, &v);
	borrow_syms(w, &v, &rs);
	FILE *f = reply_stream(r, CT_BINARY, "profile");
	if (recout_pprof(f, &v, &rs, &o) < 0)
		reply_error(r, 500, "could not encode the profile");
	else
		reply_stream_end(r);
	free(rs.v);  /* the caches are the segments' */
	free_view(&v);
}

void window_free(struct window *w)
{
	for (size_t i = 0; i < w->nparts; i++) {
		free(w->parts[i].base);
		segment_unref(w->parts[i].seg);
	}
	free(w->parts);
	memset(w, 0, sizeof(*w));
}
