/* mapgroup.c - mappings to runs of one file at one bias. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack/mapgroup.h"
#include "util/xalloc.h"

struct builder {
	const struct maps *maps;
	mapgroup_load_fn load;
	void *ctx;
	uint64_t page;
	struct map_groups g;
	size_t files_cap, runs_cap;
	struct file_flags {
		bool might_code;  /* opened only if it may hold code */
		bool tried;       /* load asked */
	} *flags;                 /* per file */
	size_t flags_cap;
};

/* A file-backed mapping, or the vDSO; other bracketed names ([heap],
 * [stack], [vvar], ...) hold no file. */
static bool is_candidate(const struct map_entry *e)
{
	return e->path && e->end > e->start &&
	       (e->path[0] != '[' || strcmp(e->path, "[vdso]") == 0);
}

static bool same_file(const struct map_entry *a, const struct map_entry *b)
{
	return a->inode == b->inode && a->dev_major == b->dev_major &&
	       a->dev_minor == b->dev_minor && strcmp(a->path, b->path) == 0;
}

static bool is_exec(const struct map_entry *e)
{
	return e->perms[2] == 'x';
}

/* The file of candidate entry i; last is the previous answer (mappings
 * of one file are usually side by side). */
static size_t file_index(struct builder *b, const struct map_entry *e, size_t last)
{
	if (last < b->g.nfiles && same_file(b->g.files[last].first, e))
		return last;
	for (size_t f = 0; f < b->g.nfiles; f++)
		if (same_file(b->g.files[f].first, e))
			return f;
	XGROW(b->g.files, b->files_cap, b->g.nfiles);
	XGROW(b->flags, b->flags_cap, b->g.nfiles);
	b->g.files[b->g.nfiles] = (struct map_file){ .first = e, .home = SIZE_MAX };
	b->flags[b->g.nfiles] = (struct file_flags){ false, false };
	return b->g.nfiles++;
}

/* Which files may hold code: one of their mappings is executable, or an
 * anonymous executable mapping sits between two of them (text copied to
 * huge pages).  Only those files are opened. */
static void find_files(struct builder *b, size_t *fof)
{
	size_t prev = SIZE_MAX, last = SIZE_MAX;
	bool anon_x = false;

	for (size_t i = 0; i < b->maps->n; i++) {
		const struct map_entry *e = &b->maps->v[i];
		fof[i] = SIZE_MAX;
		if (!is_candidate(e)) {
			if (!e->path)
				anon_x |= is_exec(e);
			else
				prev = SIZE_MAX;
			continue;
		}
		size_t f = file_index(b, e, last);
		fof[i] = last = f;
		if (is_exec(e) || (prev != SIZE_MAX && fof[prev] == f && anon_x))
			b->flags[f].might_code = true;
		prev = i;
		anon_x = false;
	}
}

/* Ask for the program headers once; false if the file is unusable. */
static bool load_file(struct builder *b, size_t f)
{
	struct map_file *mf = &b->g.files[f];
	if (b->flags[f].tried)
		return mf->loads != NULL;
	b->flags[f].tried = true;
	struct seg_load *loads = NULL;
	size_t n = 0;
	if (!b->load(b->ctx, f, mf->first, &loads, &n)) {
		free(loads);
		return false;
	}
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t k = 0; k < n; k++) {
		uint64_t end;
		if (__builtin_add_overflow(loads[k].vaddr, loads[k].memsz, &end))
			continue;
		if ((loads[k].vaddr & ~(b->page - 1)) < lo)
			lo = loads[k].vaddr & ~(b->page - 1);
		if (end > hi)
			hi = end;
	}
	if (lo >= hi) {
		free(loads);
		return false;
	}
	mf->loads = loads;
	mf->nloads = n;
	mf->span_lo = lo;
	mf->span_hi = hi;
	return true;
}

struct cur_run {
	bool open, code, gap_x;
	struct map_run r;
};

/* The bias of a mapping at start of file offset off: the PT_LOAD whose
 * file bytes hold off says which vaddr it is.  Where two segments share a
 * page (the end of one, the start of the next), either may be the one
 * mapped: the one that keeps the bias of the run so far (*prefer) wins. */
static bool entry_bias(const struct builder *b, const struct map_file *mf, uint64_t start,
		       uint64_t off, const uint64_t *prefer, uint64_t *bias)
{
	bool found = false;
	for (size_t k = 0; k < mf->nloads; k++) {
		const struct seg_load *l = &mf->loads[k];
		uint64_t pofs = l->offset & ~(b->page - 1), fend;
		if (!l->filesz || __builtin_add_overflow(l->offset, l->filesz, &fend))
			continue;
		if (off < pofs || off >= fend)
			continue;
		uint64_t v = start - ((l->vaddr & ~(b->page - 1)) + (off - pofs));
		if (!found || (prefer && v == *prefer))
			*bias = v;
		found = true;
	}
	return found;
}

/* [a, b) at bias lies within the file's PT_LOADs: a hole or an anonymous
 * mapping there is the file's own (a gap between segments, text moved to
 * huge pages). */
static bool in_span(const struct map_file *mf, uint64_t bias, uint64_t a, uint64_t b)
{
	uint64_t va = a - bias, vb = b - bias;
	return va <= vb && va >= mf->span_lo && vb <= mf->span_hi;
}

/* Where [start, end) stops being the file's at bias: past its last
 * PT_LOAD (page-rounded) a mapping holds nothing of it (a whole file
 * mapped, a "[vdso]" of gigabytes). */
static uint64_t span_end(const struct builder *b, const struct map_file *mf, uint64_t bias,
			 uint64_t start, uint64_t end)
{
	uint64_t vstart = start - bias, vtop;
	if (vstart >= mf->span_hi ||
	    __builtin_add_overflow(mf->span_hi, b->page - 1, &vtop))
		return start;
	vtop &= ~(b->page - 1);
	return end - start <= vtop - vstart ? end : start + (vtop - vstart);
}

static void close_run(struct builder *b, struct cur_run *c)
{
	if (c->open && c->code) {
		XGROW(b->g.runs, b->runs_cap, b->g.nruns);
		b->g.runs[b->g.nruns++] = c->r;
	}
	c->open = false;
	c->gap_x = false;
}

static void build_runs(struct builder *b, const size_t *fof)
{
	struct cur_run c = { 0 };
	uint64_t floor = 0;   /* nothing may start below the last accepted end */

	for (size_t i = 0; i < b->maps->n; i++) {
		const struct map_entry *e = &b->maps->v[i];
		size_t f = fof[i];
		if (f == SIZE_MAX) {
			if (!e->path)
				c.gap_x |= is_exec(e);
			else
				close_run(b, &c);
			continue;
		}
		if (!b->flags[f].might_code || !load_file(b, f)) {
			close_run(b, &c);
			continue;
		}
		/* Repeated or overlapping entries: only the part above what
		 * is already taken counts. */
		uint64_t start = e->start < floor ? floor : e->start;
		if (start >= e->end)
			continue;
		uint64_t off, bias = 0;
		bool have = !__builtin_add_overflow(e->offset, start - e->start, &off) &&
			    entry_bias(b, &b->g.files[f], start, off,
				       c.open && c.r.file == f ? &c.r.bias : NULL, &bias);
		const struct map_file *mf = &b->g.files[f];
		bool join = c.open && c.r.file == f && (!have || bias == c.r.bias) &&
			    (start == c.r.end || in_span(mf, c.r.bias, c.r.end, start));
		if (!join && !have) {
			close_run(b, &c);
			continue;
		}
		uint64_t end = span_end(b, mf, join ? c.r.bias : bias, start, e->end);
		if (end <= start) {
			close_run(b, &c);
			continue;
		}
		if (join) {
			if (start != c.r.end)
				c.code |= c.gap_x;
			c.r.end = end;
			c.code |= is_exec(e);
		} else {
			close_run(b, &c);
			c = (struct cur_run){ .open = true, .code = is_exec(e),
					      .r = { f, start, end, off, bias } };
		}
		c.gap_x = false;
		floor = end;
	}
	close_run(b, &c);
}

static void pick_homes(struct map_groups *g)
{
	for (size_t k = 0; k < g->nruns; k++) {
		struct map_file *mf = &g->files[g->runs[k].file];
		/* Runs are in address order: the first of equal offsets wins. */
		if (mf->home == SIZE_MAX || g->runs[k].offset < g->runs[mf->home].offset)
			mf->home = k;
	}
}

void mapgroup_build(const struct maps *maps, mapgroup_load_fn load, void *ctx,
		    struct map_groups *out)
{
	struct builder b = { .maps = maps, .load = load, .ctx = ctx };
	long page = sysconf(_SC_PAGESIZE);
	size_t *fof = xcalloc(maps->n ? maps->n : 1, sizeof(*fof));

	b.page = page > 0 && (page & (page - 1)) == 0 ? (uint64_t)page : 4096;
	find_files(&b, fof);
	build_runs(&b, fof);
	pick_homes(&b.g);
	free(fof);
	free(b.flags);
	*out = b.g;
}

void mapgroup_free(struct map_groups *g)
{
	for (size_t f = 0; f < g->nfiles; f++)
		free(g->files[f].loads);
	free(g->files);
	free(g->runs);
	memset(g, 0, sizeof(*g));
}
