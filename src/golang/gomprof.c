/* gomprof.c - the runtime's profile buckets, read and taken as
 * runtime.MemProfile / BlockProfile / MutexProfile would take them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "golang/goelf.h"
#include "golang/gomprof.h"
#include "target/memchunks.h"
#include "target/memread.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

enum {
	W_BUCKET, W_MEMREC, W_MEMCYC, W_BLOCKREC, W_MUTEX,
	W_MBUCKETS, W_BBUCKETS, W_XBUCKETS, W_CYCLE, W_MEMRATE, W_MEMOFF,
	W_BLOCKRATE, W_MUTEXRATE, W_TICKS, W_LOCK_ACTIVE, W_LOCK_FUTURE, W_LOCK_BLOCK,
	W_SCHED, W_N
};

/* runtime.bucketType values (mprof.go, unchanged since Go 1.0). */
#define BT_MEM 1
#define BT_BLOCK 2
#define BT_MUTEX 3

#define MAX_BUCKETS (1u << 22)
#define CHUNK (256u << 10)
#define TRIES 10

static bool scalar(const struct go_dwarf_want *w, const char *path, struct go_scalar *s)
{
	struct go_field f;
	if (!go_dwarf_member(w, path, true, &f))
		return false;
	s->addr = w->addr + f.off;
	s->size = f.size;
	return true;
}

/* A mutex variable's futex word.  elem: which element of an array of
 * mutexes (each key_off into an element of size elem_size). */
static void lock_word(const struct go_dwarf_want *var, const struct go_field *key,
		      uint64_t elem_size, unsigned elem, struct go_scalar *s)
{
	if (!var->found || !key->size || (elem + 1) * elem_size > var->size)
		return;
	s->addr = var->addr + elem * elem_size + key->off;
	s->size = key->size;
}

int go_prof_layout_read(Dwarf *dw, struct go_prof_layout *L, const char **missing)
{
	struct go_dwarf_want w[W_N] = {
		[W_BUCKET] = { "runtime.bucket", true },
		[W_MEMREC] = { "runtime.memRecord", true },
		[W_MEMCYC] = { "runtime.memRecordCycle", true },
		[W_BLOCKREC] = { "runtime.blockRecord", true },
		[W_MUTEX] = { "runtime.mutex", true },
		[W_MBUCKETS] = { "runtime.mbuckets", false },
		[W_BBUCKETS] = { "runtime.bbuckets", false },
		[W_XBUCKETS] = { "runtime.xbuckets", false },
		[W_CYCLE] = { "runtime.mProfCycle", false },
		[W_MEMRATE] = { "runtime.MemProfileRate", false },
		[W_MEMOFF] = { "runtime.disableMemoryProfiling", false },
		[W_BLOCKRATE] = { "runtime.blockprofilerate", false },
		[W_MUTEXRATE] = { "runtime.mutexprofilerate", false },
		[W_TICKS] = { "runtime.ticks", false },
		[W_LOCK_ACTIVE] = { "runtime.profMemActiveLock", false },
		[W_LOCK_FUTURE] = { "runtime.profMemFutureLock", false },
		[W_LOCK_BLOCK] = { "runtime.profBlockLock", false },
		[W_SCHED] = { "runtime.sched", false },
	};
	struct go_field f, key = { 0, 0 };
	const char *miss = NULL;

	memset(L, 0, sizeof(*L));
	L->lock_held_mask = UINT64_MAX;
	if (!dw) {
		miss = "DWARF";
		goto out;
	}
	go_dwarf_find(dw, w, W_N);

	if (!w[W_BUCKET].found || w[W_BUCKET].size > 4096)
		miss = "type runtime.bucket";
	L->bucket_size = (uint32_t)w[W_BUCKET].size;
	if (!go_dwarf_member(&w[W_BUCKET], "allnext", true, &L->b_allnext) ||
	    L->b_allnext.size != 8)
		miss = miss ? miss : "runtime.bucket.allnext";
	if (!go_dwarf_member(&w[W_BUCKET], "nstk", true, &L->b_nstk))
		miss = miss ? miss : "runtime.bucket.nstk";
	go_dwarf_member(&w[W_BUCKET], "typ", true, &L->b_typ);

	scalar(&w[W_MBUCKETS], "", &L->mbuckets);
	scalar(&w[W_BBUCKETS], "", &L->bbuckets);
	scalar(&w[W_XBUCKETS], "", &L->xbuckets);
	scalar(&w[W_CYCLE], "value", &L->cycle);
	scalar(&w[W_MEMRATE], "", &L->mem_rate);
	scalar(&w[W_MEMOFF], "", &L->mem_disabled);
	scalar(&w[W_BLOCKRATE], "", &L->block_rate);
	scalar(&w[W_MUTEXRATE], "", &L->mutex_rate);
	scalar(&w[W_TICKS], "val", &L->ticks);
	scalar(&w[W_SCHED], "ngsys", &L->ngsys);

	/* memRecord: active, then future[3], each a memRecordCycle. */
	if (w[W_MEMREC].found && w[W_MEMCYC].found &&
	    go_dwarf_member(&w[W_MEMREC], "active", false, &f)) {
		L->mem_size = (uint32_t)w[W_MEMREC].size;
		L->cyc_size = (uint32_t)w[W_MEMCYC].size;
		L->active_off = f.off;
		if (go_dwarf_member(&w[W_MEMREC], "future", false, &f) &&
		    f.size == 3 * L->cyc_size) {
			L->future_off = f.off;
			go_dwarf_member(&w[W_MEMCYC], "allocs", true, &L->c_allocs);
			go_dwarf_member(&w[W_MEMCYC], "frees", true, &L->c_frees);
			go_dwarf_member(&w[W_MEMCYC], "alloc_bytes", true, &L->c_alloc_bytes);
			go_dwarf_member(&w[W_MEMCYC], "free_bytes", true, &L->c_free_bytes);
		}
	}
	if (w[W_BLOCKREC].found) {
		L->block_size = (uint32_t)w[W_BLOCKREC].size;
		go_dwarf_member(&w[W_BLOCKREC], "count", true, &L->br_count);
		go_dwarf_member(&w[W_BLOCKREC], "cycles", true, &L->br_cycles);
	}
	if (go_dwarf_member(&w[W_MUTEX], "key", true, &key)) {
		lock_word(&w[W_LOCK_ACTIVE], &key, w[W_MUTEX].size, 0, &L->lock_active);
		for (unsigned i = 0; i < 3; i++)
			lock_word(&w[W_LOCK_FUTURE], &key, w[W_MUTEX].size, i, &L->lock_future[i]);
		lock_word(&w[W_LOCK_BLOCK], &key, w[W_MUTEX].size, 0, &L->lock_block);
	}
out:
	if (missing)
		*missing = miss;
	return miss ? -1 : 0;
}

/* --- without DWARF ------------------------------------------------------ */

static bool sym(Elf *elf, const char *name, uint32_t off, uint32_t size, struct go_scalar *s)
{
	uint64_t v;
	if (!goelf_symbol(elf, name, &v) || !v)
		return false;
	s->addr = v + off;
	s->size = size;
	return true;
}

int go_prof_layout_builtin(Elf *elf, int major, int minor, struct go_prof_layout *L,
			   const char **missing)
{
	GElf_Ehdr eh;
	const char *miss = NULL;

	memset(L, 0, sizeof(*L));
	L->lock_held_mask = UINT64_MAX;
	if (major != 1 || minor < 19 || minor > 25) {
		miss = "a Go version whose layout is known without DWARF (1.19 to 1.25)";
		goto out;
	}
	if (!gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		miss = "a 64-bit little-endian build";
		goto out;
	}
	/* runtime.bucket{next, allnext, typ, hash, size, nstk} (1.20+ adds a
	 * zero-size NotInHeap first), memRecord{active, future[3]} of
	 * memRecordCycle{allocs, frees, alloc_bytes, free_bytes},
	 * blockRecord{count, cycles}: every field a word. */
	L->bucket_size = 48;
	L->b_allnext = (struct go_field){ 8, 8 };
	L->b_typ = (struct go_field){ 16, 8 };
	L->b_nstk = (struct go_field){ 40, 8 };
	L->mem_size = 128;
	L->active_off = 0;
	L->future_off = 32;
	L->cyc_size = 32;
	L->c_allocs = (struct go_field){ 0, 8 };
	L->c_frees = (struct go_field){ 8, 8 };
	L->c_alloc_bytes = (struct go_field){ 16, 8 };
	L->c_free_bytes = (struct go_field){ 24, 8 };
	L->block_size = 16;
	L->br_count = (struct go_field){ 0, 8 };
	L->br_cycles = (struct go_field){ 8, 8 };
	if (!sym(elf, "runtime.mbuckets", 0, 8, &L->mbuckets))
		miss = "symbol runtime.mbuckets";
	if (!sym(elf, "runtime.mProfCycle", 0, 4, &L->cycle))
		miss = miss ? miss : "symbol runtime.mProfCycle";
	sym(elf, "runtime.bbuckets", 0, 8, &L->bbuckets);
	sym(elf, "runtime.xbuckets", 0, 8, &L->xbuckets);
	sym(elf, "runtime.MemProfileRate", 0, 8, &L->mem_rate);
	sym(elf, "runtime.disableMemoryProfiling", 0, 1, &L->mem_disabled);
	sym(elf, "runtime.blockprofilerate", 0, 8, &L->block_rate);
	sym(elf, "runtime.mutexprofilerate", 0, 8, &L->mutex_rate);
	/* ticks{lock mutex; ...; val}: val moved as fields came and went. */
	sym(elf, "runtime.ticks", minor == 19 ? 16 : minor <= 21 ? 8 : 24, 8, &L->ticks);
	/* runtime.mutex{lockRankStruct (empty in release builds); key uintptr} */
	sym(elf, "runtime.profMemActiveLock", 0, 8, &L->lock_active);
	for (unsigned i = 0; i < 3; i++)
		sym(elf, "runtime.profMemFutureLock", 8 * i, 8, &L->lock_future[i]);
	sym(elf, "runtime.profBlockLock", 0, 8, &L->lock_block);
out:
	if (missing)
		*missing = miss;
	return miss ? -1 : 0;
}

/* --- reading ------------------------------------------------------------ */

static uint64_t field(const unsigned char *p, const struct go_field *f)
{
	uint64_t v = 0;
	if (f->size && f->size <= 8)
		memcpy(&v, p + f->off, f->size);   /* little-endian: zero-extended */
	return v;
}

bool go_scalar_read(pid_t pid, const struct go_scalar *s, uint64_t bias, uint64_t *v)
{
	*v = 0;
	return s->size && s->size <= 8 && mem_read(pid, s->addr + bias, v, s->size);
}

/* Read scalars in one call; an absent one reads as 0.  False when a
 * present one could not be read. */
static bool read_scalars(pid_t pid, uint64_t bias, const struct go_scalar *const *s,
			 uint64_t *v, size_t n)
{
	struct mem_piece p[16];
	size_t k = 0, want = 0;
	for (size_t i = 0; i < n && i < 16; i++) {
		v[i] = 0;
		if (!s[i]->size || s[i]->size > 8)
			continue;
		p[k++] = (struct mem_piece){ s[i]->addr + bias, &v[i], s[i]->size, false };
		want++;
	}
	return mem_readv(pid, p, k) == want;
}

static void set_why(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

void go_prof_data_free(struct go_prof_data *d)
{
	free(d->r);
	free(d->pcs);
	memset(d, 0, sizeof(*d));
}

/* One memRecordCycle at p. */
struct mcyc {
	int64_t allocs, frees, alloc_bytes, free_bytes;
};

static void cyc_add(const struct go_prof_layout *L, const unsigned char *p, struct mcyc *c)
{
	c->allocs += (int64_t)field(p, &L->c_allocs);
	c->frees += (int64_t)field(p, &L->c_frees);
	c->alloc_bytes += (int64_t)field(p, &L->c_alloc_bytes);
	c->free_bytes += (int64_t)field(p, &L->c_free_bytes);
}

/* Walk the list from head into out (records and PCs).  For memory
 * records, *other gets each bucket's two future cycles not yet due (the
 * before-the-first-GC rule sums them in). */
static int walk(pid_t pid, const struct go_prof_layout *L, uint64_t head, enum go_prof_kind kind,
		uint32_t cycle, struct go_prof_data *out, struct mcyc **other, char *why,
		size_t whylen)
{
	struct memchunks *mc = memchunks_new(pid, CHUNK);
	struct u64map seen = { 0 };   /* a corrupt list may loop */
	size_t rcap = 0, pcap = 0, ocap = 0;
	size_t rec_size = kind == GO_PROF_MEM ? L->mem_size : L->block_size;
	unsigned want_typ = kind == GO_PROF_MEM ? BT_MEM : kind == GO_PROF_BLOCK ? BT_BLOCK : BT_MUTEX;
	unsigned idx = cycle % 3;
	int ret = -1;

	out->n = out->npcs = 0;
	for (uint64_t b = head; b; ) {
		if (out->n >= MAX_BUCKETS) {
			set_why(why, whylen, "more than %u profile buckets: a corrupt list?",
				MAX_BUCKETS);
			goto out;
		}
		uint64_t dummy;
		if (u64map_get(&seen, b, &dummy)) {
			set_why(why, whylen, "the profile bucket list loops at 0x%llx: corrupt",
				(unsigned long long)b);
			goto out;
		}
		u64map_put(&seen, b, 1);
		const unsigned char *h = memchunks_get(mc, b, L->bucket_size);
		if (!h) {
			set_why(why, whylen, "cannot read the profile bucket at 0x%llx",
				(unsigned long long)b);
			goto out;
		}
		uint64_t nstk = field(h, &L->b_nstk), next = field(h, &L->b_allnext);
		uint64_t typ = field(h, &L->b_typ);
		if (nstk > GO_PROF_MAX_STACK || (L->b_typ.size && typ != want_typ)) {
			set_why(why, whylen, "the profile bucket at 0x%llx makes no sense "
				"(type %llu, %llu PCs): a corrupt list?", (unsigned long long)b,
				(unsigned long long)typ, (unsigned long long)nstk);
			goto out;
		}
		size_t total = L->bucket_size + (size_t)nstk * 8 + rec_size;
		const unsigned char *p = memchunks_get(mc, b, total);
		if (!p) {
			set_why(why, whylen, "cannot read the profile bucket at 0x%llx",
				(unsigned long long)b);
			goto out;
		}
		XGROW(out->r, rcap, out->n + 1);
		XGROW(out->pcs, pcap, out->npcs + nstk + 1);
		struct go_prof_record *r = &out->r[out->n];
		memset(r, 0, sizeof(*r));
		r->bucket = b;
		r->stk = out->npcs;
		r->nstk = (uint32_t)nstk;
		memcpy(out->pcs + out->npcs, p + L->bucket_size, (size_t)nstk * 8);
		out->npcs += nstk;
		const unsigned char *rec = p + L->bucket_size + (size_t)nstk * 8;
		if (kind == GO_PROF_MEM) {
			struct mcyc c = { 0, 0, 0, 0 }, o = { 0, 0, 0, 0 };
			cyc_add(L, rec + L->active_off, &c);
			for (unsigned i = 0; i < 3; i++)
				cyc_add(L, rec + L->future_off + i * L->cyc_size, i == idx ? &c : &o);
			r->allocs = c.allocs;
			r->frees = c.frees;
			r->alloc_bytes = c.alloc_bytes;
			r->free_bytes = c.free_bytes;
			XGROW(*other, ocap, out->n + 1);
			(*other)[out->n] = o;
		} else {
			uint64_t bits = field(rec, &L->br_count);
			memcpy(&r->count, &bits, sizeof(r->count));
			r->cycles = (int64_t)field(rec, &L->br_cycles);
		}
		out->n++;
		b = next;
	}
	out->bytes += memchunks_bytes(mc);
	ret = 0;
out:
	u64map_free(&seen);
	memchunks_free(mc);
	return ret;
}

/* Read every memory record of d again (one batched read of just the
 * records, not the chunks) and say whether each still sums to what the
 * walk found: a publication that ran wholly between the lock checks
 * changes some of them. */
static bool records_unchanged(pid_t pid, const struct go_prof_layout *L, uint32_t cycle,
			      const struct go_prof_data *d)
{
	struct mem_piece *p = xcalloc(d->n ? d->n : 1, sizeof(*p));
	unsigned char *buf = xcopybuf(d->n ? d->n * L->mem_size : 1);
	unsigned idx = cycle % 3;
	bool same = true;

	for (size_t i = 0; i < d->n; i++)
		p[i] = (struct mem_piece){ d->r[i].bucket + L->bucket_size + (uint64_t)d->r[i].nstk * 8,
					   buf + i * L->mem_size, L->mem_size, false };
	if (mem_readv(pid, p, d->n) != d->n)
		same = false;
	for (size_t i = 0; i < d->n && same; i++) {
		const unsigned char *rec = buf + i * L->mem_size;
		struct mcyc c = { 0, 0, 0, 0 };
		cyc_add(L, rec + L->active_off, &c);
		cyc_add(L, rec + L->future_off + idx * L->cyc_size, &c);
		const struct go_prof_record *r = &d->r[i];
		same = c.allocs == r->allocs && c.frees == r->frees &&
		       c.alloc_bytes == r->alloc_bytes && c.free_bytes == r->free_bytes;
	}
	free(buf);
	free(p);
	return same;
}

/* runtime.MemProfile's rule: no published data at all means no GC has
 * run yet, and then every cycle counts. */
static bool apply_first_gc_rule(struct go_prof_data *d, const struct mcyc *other)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->r[i].allocs || d->r[i].frees)
			return false;
	for (size_t i = 0; i < d->n; i++) {
		d->r[i].allocs += other[i].allocs;
		d->r[i].frees += other[i].frees;
		d->r[i].alloc_bytes += other[i].alloc_bytes;
		d->r[i].free_bytes += other[i].free_bytes;
	}
	return true;
}

static void pause_briefly(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

int go_prof_read(pid_t pid, const struct go_prof_layout *L, uint64_t bias,
		 enum go_prof_kind kind, struct go_prof_data *out, char *why, size_t whylen)
{
	const struct go_scalar *head = kind == GO_PROF_MEM ? &L->mbuckets :
				       kind == GO_PROF_BLOCK ? &L->bbuckets : &L->xbuckets;
	const char *head_name = kind == GO_PROF_MEM ? "runtime.mbuckets" :
				kind == GO_PROF_BLOCK ? "runtime.bbuckets" : "runtime.xbuckets";
	struct mcyc *other = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (!head->size) {
		set_why(why, whylen, "its DWARF has no %s", head_name);
		return -1;
	}
	if (kind == GO_PROF_MEM && (!L->mem_size || !L->c_alloc_bytes.size || !L->cycle.size)) {
		set_why(why, whylen, "its DWARF lacks runtime.memRecord or runtime.mProfCycle");
		return -1;
	}
	if (kind != GO_PROF_MEM && (!L->block_size || !L->br_cycles.size)) {
		set_why(why, whylen, "its DWARF lacks runtime.blockRecord");
		return -1;
	}

	for (unsigned t = 1; t <= TRIES; t++) {
		/* Before: the list head, the cycle, the rates and the locks. */
		const struct go_scalar *pre[] = {
			head, &L->cycle, &L->lock_active, &L->lock_future[0], &L->lock_future[1],
			&L->lock_future[2], &L->lock_block, &L->mem_rate, &L->mem_disabled,
			&L->block_rate, &L->mutex_rate, &L->ticks,
		};
		uint64_t v[12], w[12];
		if (!read_scalars(pid, bias, pre, v, 12)) {
			set_why(why, whylen, "cannot read the runtime's profile state: %s",
				errno == ESRCH ? "the process is gone" : strerror(errno));
			goto out;
		}
		uint32_t cycle = (uint32_t)(v[1] >> 1);
		/* Held: a GC publishing a cycle into the active records (memory:
		 * the active lock and the due future's), or an event being
		 * recorded (block, mutex). */
		uint64_t hm = L->lock_held_mask;
		bool held = kind == GO_PROF_MEM ? ((v[2] | v[3 + cycle % 3]) & hm) != 0 :
						  (v[6] & hm) != 0;
		out->tries = t;
		out->cycle = cycle;
		out->rate = (int64_t)(kind == GO_PROF_MEM ? v[7] : kind == GO_PROF_BLOCK ? v[9] : v[10]);
		/* MemProfileRate is a Go int: sign-extend a 4-byte one. */
		if (kind == GO_PROF_MEM && L->mem_rate.size == 4)
			out->rate = (int32_t)v[7];
		out->disabled = v[8] != 0;
		out->cycles_per_second = (int64_t)v[11];
		if (held && t < TRIES) {
			pause_briefly();
			continue;
		}
		if (walk(pid, L, v[0], kind, cycle, out, &other, why, whylen) < 0)
			goto out;
		/* Memory: the records once more, before the first-GC rule
		 * changes them. */
		bool same = kind != GO_PROF_MEM || records_unchanged(pid, L, cycle, out);
		if (!read_scalars(pid, bias, pre, w, 12)) {
			set_why(why, whylen, "cannot read the runtime's profile state: %s",
				errno == ESRCH ? "the process is gone" : strerror(errno));
			goto out;
		}
		bool held2 = kind == GO_PROF_MEM ? ((w[2] | w[3 + cycle % 3]) & hm) != 0 :
						   (w[6] & hm) != 0;
		if (kind == GO_PROF_MEM)
			out->before_first_gc = apply_first_gc_rule(out, other);
		/* Before the first GC every new allocation changes the sum: there
		 * is no steadier answer to wait for. */
		if (w[1] == v[1] && !held && !held2 && (same || out->before_first_gc)) {
			out->settled = true;
			break;
		}
		if (t < TRIES)
			pause_briefly();
	}
	ret = 0;
out:
	free(other);
	if (ret < 0)
		go_prof_data_free(out);
	return ret;
}
