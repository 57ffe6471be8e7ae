/* goprof.c - runtime/pprof's heap, allocs, mutex and block profiles,
 * rebuilt from the runtime's records read from outside. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "golang/gopclntab.h"
#include "golang/goruntime.h"
#include "profile/goprof.h"
#include "profile/snapshot.h"
#include "target/procfs.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

static const char *const kind_names[] = { "heap", "allocs", "mutex", "block" };

const char *goprof_kind_name(enum goprof_kind k)
{
	return (unsigned)k < 4 ? kind_names[k] : "?";
}

enum goprof_result goprof_open(struct goprof_src *src, pid_t pid, struct modules *ms,
			       char *why, size_t whylen)
{
	struct module *m = ms ? modules_main(ms) : NULL;
	const char *missing = NULL;
	uint64_t dbias;

	memset(src, 0, sizeof(*src));
	src->pid = pid;
	src->ms = ms;
	if (!m || !m->go.is_go)
		return GOPROF_NOT_GO;
	src->main = m;
	src->bias = m->bias;
	Dwarf *dw = module_dwarf(m, &dbias);
	GElf_Addr ebias;
	Elf *elf = dwfl_module_getelf(m->dwfl_mod, &ebias);
	if (!dw && (!m->go.has_symtab || !elf)) {
		snprintf(why, whylen,
			 "%s has neither DWARF nor a symbol table (built with "
			 "-ldflags=\"-s -w\" or stripped): the runtime's profile records cannot be "
			 "found without one; build without -s to read them from outside",
			 m->info.name);
		return GOPROF_UNAVAILABLE;
	}
	if (!dw) {
		/* -w: the symbol table gives the variables, and Go's own
		 * sources the layout of the records. */
		if (go_prof_layout_builtin(elf, m->go.major, m->go.minor, &src->L, &missing) < 0) {
			snprintf(why, whylen, "%s has no DWARF, and without it reading its profile "
				 "records needs %s (it is %s); build without -w to read them",
				 m->info.name, missing,
				 m->go.version[0] ? m->go.version : "of an unknown Go version");
			return GOPROF_UNAVAILABLE;
		}
		pt_verbose("%s: no DWARF: the profile records' layout of %s is assumed",
			   m->info.name, m->go.version);
	} else if (go_prof_layout_read(dw, &src->L, &missing) < 0) {
		snprintf(why, whylen, "unsupported Go runtime (%s): its DWARF has no %s",
			 m->go.version[0] ? m->go.version : "unknown version", missing);
		return GOPROF_UNAVAILABLE;
	}
	/* Go 1.24's locks keep other bits in the word: held is bit 0. */
	src->L.lock_held_mask = m->go.major == 1 && m->go.minor >= 24 ? 1 : UINT64_MAX;
	return GOPROF_OK;
}

/* --- runtime/pprof's rules ---------------------------------------------- */

/* scaleHeapSample (runtime/pprof/protomem.go): undo the sampling of
 * allocations, one every `rate` bytes on average. */
static void scale_heap(int64_t count, int64_t size, int64_t rate, int64_t *c, int64_t *s)
{
	if (count == 0 || size == 0) {
		*c = *s = 0;
		return;
	}
	if (rate <= 1) {
		*c = count;
		*s = size;
		return;
	}
	double avg = (double)size / (double)count;
	double scale = 1 / (1 - exp(-avg / (double)rate));
	*c = (int64_t)((double)count * scale);
	*s = (int64_t)((double)size * scale);
}

/* What Go's function table says of a PC: the innermost function at pc
 * (runtime.FuncForPC) or at pc-1 (runtime.CallersFrames), whether that
 * one is inlined, and the entry of the function holding the code. */
static struct pc_info pc_lookup(struct goprof_src *src, uint64_t look)
{
	struct pc_info pi = { NULL, false, 0 };
	struct module *m = modules_find(src->ms, look);
	const struct gopcln *t = m && m->go.is_go ? module_gopcln(m) : NULL;
	struct gopcln_frame fr[32];
	struct gopcln_func fn;
	if (!t || !gopcln_frames(t, look - m->bias, fr, 32) || !gopcln_func(t, look - m->bias, &fn))
		return pi;
	pi.func = fr[0].function;
	pi.inlined = fr[0].inlined;
	pi.entry = fn.entry;
	return pi;
}

/* Looked up once per address: a profile's stacks share most of theirs. */
static struct pc_info pc_info(struct goprof_src *src, uint64_t pc, bool ret_addr)
{
	uint64_t look = ret_addr ? pc - 1 : pc, at;
	if (u64map_get(&src->pc_index, look, &at))
		return src->pcs[at];
	XGROW(src->pcs, src->pcs_cap, src->npcs + 1);
	src->pcs[src->npcs] = pc_lookup(src, look);
	u64map_put(&src->pc_index, look, src->npcs);
	return src->pcs[src->npcs++];
}

/* writeHeapProto hides the runtime's frames at the top of a stack (by
 * FuncForPC's name: "runtime.", and from Go 1.24 "internal/runtime/"),
 * unless that leaves none. */
static uint32_t runtime_frames_on_top(struct goprof_src *src, const uint64_t *pcs, uint32_t n)
{
	const struct go_build *b = &src->main->go;
	bool internal = b->major > 1 || (b->major == 1 && b->minor >= 24);
	for (uint32_t i = 0; i < n; i++) {
		const char *f = pc_info(src, pcs[i], false).func;
		if (!f || (strncmp(f, "runtime.", 8) != 0 &&
			   !(internal && strncmp(f, "internal/runtime/", 17) == 0)))
			return i;
	}
	return 0;
}

/* The PCs of a stack as runtime/pprof's profile builder turns them into
 * locations: runtime.goexit leaves no location, and logical PCs that are
 * one physical frame's inlined calls (the previous one inlined, the same
 * enclosing function, another name) make one location.  That location is
 * kept as its first PC, whose inlined frames, expanded by the
 * symbolizer, are the ones the group names; a physical PC is kept as it
 * is and expands the same way.  go_only: PCs outside Go code are
 * dropped.  Appends to *out; returns the count. */
static uint32_t locations(struct goprof_src *src, const uint64_t *pcs, uint32_t n, bool go_only,
			  uint64_t **out, size_t *len, size_t *cap)
{
	struct pc_info last = { NULL, false, 0 };
	uint32_t kept = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct pc_info pi = pc_info(src, pcs[i], true);
		if ((pi.func && strcmp(pi.func, "runtime.goexit") == 0) || (go_only && !pi.func)) {
			last.func = NULL;
			continue;
		}
		if (kept && last.func && pi.func && last.inlined && last.entry &&
		    last.entry == pi.entry && strcmp(last.func, pi.func) != 0) {
			last = pi;    /* the same location */
			continue;
		}
		XGROW(*out, *cap, *len + 1);
		(*out)[(*len)++] = pcs[i];
		kept++;
		last = pi;
	}
	return kept;
}

static void set_types(struct goprof *p, const char *const *t, const char *const *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p->types[i] = t[i];
		p->units[i] = u[i];
	}
	p->ntypes = n;
}

static void build_heap(struct goprof_src *src, struct goprof *p)
{
	static const char *const t[] = { "alloc_objects", "alloc_space", "inuse_objects",
					 "inuse_space" };
	static const char *const u[] = { "count", "bytes", "count", "bytes" };
	const struct go_prof_data *d = &p->data;
	size_t pcap = 0;

	set_types(p, t, u, 4);
	/* Go marks allocs' default; heap's is the last type, inuse_space. */
	p->default_type = p->kind == GOPROF_ALLOCS ? 1 : 3;
	p->set_default = p->kind == GOPROF_ALLOCS;
	p->period_type = "space";
	p->period_unit = "bytes";
	p->period = d->rate;
	p->s = xcalloc(d->n ? d->n : 1, sizeof(*p->s));
	for (size_t i = 0; i < d->n; i++) {
		const struct go_prof_record *r = &d->r[i];
		struct goprof_sample *s = &p->s[p->n++];
		uint32_t skip = runtime_frames_on_top(src, d->pcs + r->stk, r->nstk);
		s->pc = p->npcs;
		s->n = locations(src, d->pcs + r->stk + skip, r->nstk - skip, false, &p->pcs,
				 &p->npcs, &pcap);
		scale_heap(r->allocs, r->alloc_bytes, d->rate, &s->v[0], &s->v[1]);
		scale_heap(r->allocs - r->frees, r->alloc_bytes - r->free_bytes, d->rate, &s->v[2],
			   &s->v[3]);
		s->bytes = r->allocs > 0 ? r->alloc_bytes / r->allocs : 0;
	}
}

/* The x86 time-stamp counter, which the runtime's cputicks reads. */
static uint64_t tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#else
	return monotonic_ns();
#endif
}

/* Cycles per second of the clock the runtime counts block and mutex
 * delays in, measured here over 20 ms (the same machine, the same
 * counter) when the runtime never measured it itself. */
static int64_t own_cycles_per_second(void)
{
	uint64_t t0 = monotonic_ns(), c0 = tsc();
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	uint64_t t1 = monotonic_ns(), c1 = tsc();
	if (t1 <= t0)
		return 1000000000;
	return (int64_t)((double)(c1 - c0) * 1e9 / (double)(t1 - t0));
}

static void build_contention(struct goprof_src *src, struct goprof *p)
{
	static const char *const t[] = { "contentions", "delay" };
	static const char *const u[] = { "count", "nanoseconds" };
	const struct go_prof_data *d = &p->data;
	int64_t cps = d->cycles_per_second;
	size_t pcap = 0;

	set_types(p, t, u, 2);
	p->default_type = 1;
	p->period_type = "contentions";
	p->period_unit = "count";
	p->period = 1;
	/* Go 1.23 records block and mutex stacks as physical return
	 * addresses (most of them), which its writer expands and cleans of
	 * PCs outside Go code (and the ^0 marker of runtime-internal locks). */
	bool go_only = p->build.major == 1 && p->build.minor >= 23;
	if (cps <= 0) {
		cps = own_cycles_per_second();
		p->own_clock = true;
	}
	double ghz = (double)cps / 1e9;
	/* Go 1.19's runtime/pprof multiplies mutex values by the sampling
	 * fraction (scaleMutexProfile); from 1.20 the runtime records them
	 * scaled. */
	bool scale_mutex = p->kind == GOPROF_MUTEX && p->build.major == 1 && p->build.minor <= 19;
	int64_t period = scale_mutex ? d->rate : 1;

	p->s = xcalloc(d->n ? d->n : 1, sizeof(*p->s));
	for (size_t i = 0; i < d->n; i++) {
		const struct go_prof_record *r = &d->r[i];
		struct goprof_sample *s = &p->s[p->n++];
		int64_t count = (int64_t)r->count;
		/* BlockProfile reports at least one event per record. */
		if (p->kind == GOPROF_BLOCK && count == 0)
			count = 1;
		double ns = (double)r->cycles / ghz;
		s->pc = p->npcs;
		s->n = locations(src, d->pcs + r->stk, r->nstk, go_only, &p->pcs, &p->npcs, &pcap);
		s->v[0] = count * period;
		s->v[1] = (int64_t)(ns * (double)period);
	}
}

int goprof_take(struct goprof_src *src, enum goprof_kind kind, struct goprof *out, char *why,
		size_t whylen)
{
	enum go_prof_kind rk = kind == GOPROF_MUTEX ? GO_PROF_MUTEX :
			       kind == GOPROF_BLOCK ? GO_PROF_BLOCK : GO_PROF_MEM;
	struct timespec now;
	char err[200];
	uint64_t t0 = monotonic_ns();

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->build = src->main->go;
	clock_gettime(CLOCK_REALTIME, &now);
	out->time_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	if (go_prof_read(src->pid, &src->L, src->bias, rk, &out->data, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "cannot read the %s profile of process %d: %s",
			 goprof_kind_name(kind), (int)src->pid, err);
		return -1;
	}
	const struct go_prof_data *d = &out->data;
	out->read_ns = monotonic_ns() - t0;
	/* Nothing sampled and nothing to read.  (A program may set a rate
	 * itself after the linker switched profiling off: then it records.) */
	if (rk == GO_PROF_MEM && d->rate <= 0 && d->n == 0 && d->disabled) {
		snprintf(why, whylen, "process %d records no allocations: its linker turned memory "
			 "profiling off because the program never uses runtime/pprof; add "
			 "import _ \"net/http/pprof\" (or call runtime/pprof) and restart it once",
			 (int)src->pid);
		goto fail;
	}
	if (rk == GO_PROF_MEM && d->rate <= 0 && d->n == 0) {
		snprintf(why, whylen, "process %d records no allocations: the program set "
			 "runtime.MemProfileRate = 0; leave it at its default (or set it > 0) and "
			 "restart it", (int)src->pid);
		goto fail;
	}
	if (rk != GO_PROF_MEM && d->rate <= 0 && d->n == 0) {
		snprintf(why, whylen, "%s profiling is off in process %d: the program never "
			 "called %s; ptprof only reads, so the program itself must turn it on",
			 kind == GOPROF_MUTEX ? "mutex" : "block", (int)src->pid,
			 kind == GOPROF_MUTEX ? "runtime.SetMutexProfileFraction(N > 0)" :
						"runtime.SetBlockProfileRate(N > 0)");
		goto fail;
	}
	if (rk == GO_PROF_MEM)
		build_heap(src, out);
	else
		build_contention(src, out);
	for (size_t i = 0; i < out->n; i++)
		for (size_t k = 0; k < out->ntypes; k++)
			out->total[k] += out->s[i].v[k];
	return 0;
fail:
	goprof_free(out);
	return -1;
}

void goprof_free(struct goprof *p)
{
	free(p->s);
	free(p->pcs);
	go_prof_data_free(&p->data);
	memset(p, 0, sizeof(*p));
}

void goprof_close(struct goprof_src *src)
{
	free(src->pcs);
	u64map_free(&src->pc_index);
	src->pcs = NULL;
	src->npcs = src->pcs_cap = 0;
}

long goprof_goroutines(struct goprof_src *src)
{
	struct go_state st = { 0 };
	const char *why = NULL;
	uint64_t ngsys = 0;
	if (!src->G_tried) {
		/* Another pass over the DWARF: only --watch counts goroutines. */
		src->G = module_go_layout(src->main, &why);
		src->G_tried = true;
	}
	if (!src->G || go_state_read(src->pid, src->G, src->bias, &st, &why) != 0)
		return -1;
	long n = 0;
	for (size_t i = 0; i < st.n; i++)
		n += st.g[i].status != GS_DEAD && st.g[i].status != GS_IDLE;
	go_state_free(&st);
	go_scalar_read(src->pid, &src->L.ngsys, src->bias, &ngsys);
	return n > (long)ngsys ? n - (long)ngsys : n;
}

int64_t goprof_rss(pid_t pid)
{
	char buf[256];
	unsigned long long size, resident;
	if (procfs_read(pid, 0, "statm", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%llu %llu", &size, &resident) != 2)
		return -1;
	return (int64_t)resident * sysconf(_SC_PAGESIZE);
}
