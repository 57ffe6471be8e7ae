/* gosnap.c - goroutines read from a Go program's memory and unwound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/gosnap.h"
#include "target/memread.h"
#include "util/error.h"
#include "util/xalloc.h"

#define NS_PER_MINUTE 60000000000LL

/* Go 1.19's isSystemGoroutine: started in the runtime, but not its main. */
static bool is_system(struct snapshot *s, const struct goroutine *g)
{
	if (!g->startpc)
		return false;
	const struct symbol *sym = symcache_get(s->sc, g->startpc, false);
	const char *fn = sym->nframes ? sym->frames[sym->nframes - 1].function : NULL;
	return fn && strncmp(fn, "runtime.", 8) == 0 && strcmp(fn, "runtime.main") != 0;
}

static const struct thread_snap *thread_of(const struct snapshot *s, pid_t tid)
{
	for (size_t i = 0; tid && i < s->n; i++)
		if (s->t[i].facts.tid == tid)
			return &s->t[i];
	return NULL;
}

static void copy_stack(struct stack *dst, const struct stack *src)
{
	dst->n = dst->cap = src->n;
	dst->frames = xcalloc(src->n ? src->n : 1, sizeof(*dst->frames));
	memcpy(dst->frames, src->frames, src->n * sizeof(*src->frames));
	dst->end = src->end;
}

/* Where a goroutine that is not on a CPU resumes, and so where its stack
 * starts: the system call it entered, or the registers it parked with. */
static bool saved_regs(const struct goroutine *g, uint64_t *pc, uint64_t *sp, uint64_t *bp)
{
	if (g->status == GS_SYSCALL && g->syscallsp && g->syscallpc) {
		*pc = g->syscallpc;
		*sp = g->syscallsp;
		*bp = 0;  /* not saved on the way in: the table and CFI do without */
	} else {
		*pc = g->sched_pc;
		*sp = g->sched_sp;
		*bp = g->sched_bp;
	}
	return *pc && *sp >= g->stack_lo && *sp < g->stack_hi;
}

/* Stacks of the goroutines that are not running, read in one batch. */
struct stack_read {
	size_t gi;                /* goroutine */
	uint64_t pc, sp, bp;
	unsigned char *buf;
};

static void unwind_parked(struct gosnap *gs, struct snapshot *s, struct stack_read *rd,
			  struct mem_piece *pieces, size_t n, size_t max_frames)
{
	struct unwinder *u = unwinder_new(s->ms, &s->maps);
	mem_readv(s->pid, pieces, n);
	for (size_t k = 0; k < n; k++) {
		struct goroutine_snap *g = &gs->g[rd[k].gi];
		struct capture c = { .stack_addr = rd[k].sp, .pc_is_return = true };
		c.regs.rip = rd[k].pc;
		c.regs.rsp = rd[k].sp;
		c.regs.rbp = rd[k].bp;
		c.stack = rd[k].buf;
		c.stack_len = pieces[k].ok ? pieces[k].len : 0;
		unwind_capture(u, &c, max_frames, &g->stack);
		if (!pieces[k].ok)
			g->problem = "its stack could not be read (the goroutine exited?)";
		else if (g->stack.end != UNWIND_COMPLETE)
			g->problem = unwind_end_reason(g->stack.end);
	}
	unwinder_free(u);
}

enum gosnap_result gosnap_take(struct gosnap *gs, struct snapshot *s, size_t stack_bytes,
			       size_t max_frames)
{
	struct module *m = s->ms ? modules_main(s->ms) : NULL;
	const struct go_layout *L;
	struct go_state st = { 0 };
	struct stack_read *rd = NULL;
	struct mem_piece *pieces = NULL;
	size_t nrd = 0;
	const char *why = NULL;
	uint64_t t0 = monotonic_ns(), calls0 = mem_read_calls();

	memset(gs, 0, sizeof(*gs));
	if (!m || !m->go.is_go)
		return GOSNAP_NOT_GO;
	gs->build = m->go;
	L = module_go_layout(m, &why);
	if (!L && !why) {
		snprintf(gs->why, sizeof(gs->why),
			 "%s has no DWARF (built with -ldflags=\"-s -w\" or stripped), which "
			 "goroutines need: threads shown instead (a build without -w has it)",
			 m->info.name);
		return GOSNAP_UNAVAILABLE;
	}
	if (!L) {
		snprintf(gs->why, sizeof(gs->why),
			 "unsupported Go runtime (%s): its DWARF has no %s; showing threads",
			 m->go.version[0] ? m->go.version : "unknown version", why);
		return GOSNAP_UNAVAILABLE;
	}
	if (go_state_read(s->pid, L, m->bias, &st, &why) != 0) {
		snprintf(gs->why, sizeof(gs->why), "cannot read the goroutines of process %d: %s",
			 (int)s->pid, why);
		return GOSNAP_UNAVAILABLE;
	}

	gs->n = st.n;
	gs->g = xcalloc(st.n ? st.n : 1, sizeof(*gs->g));
	rd = xcalloc(st.n ? st.n : 1, sizeof(*rd));
	pieces = xcalloc(st.n ? st.n : 1, sizeof(*pieces));
	for (size_t i = 0; i < st.n; i++) {
		struct goroutine_snap *g = &gs->g[i];
		uint64_t pc, sp, bp;
		g->g = st.g[i];
		g->system = is_system(s, &g->g);
		gs->nsystem += g->system;
		if (g->g.waitsince > 0 && st.nanotime > g->g.waitsince)
			g->wait_minutes = (uint64_t)((st.nanotime - g->g.waitsince) / NS_PER_MINUTE);
		if (g->g.status == GS_RUNNING || g->g.status == GS_SYSCALL)
			g->thread = thread_of(s, g->g.tid);
		if (g->g.inconsistent) {
			g->problem = "it changed under every read: its state is not shown as certain";
		} else if (g->g.status == GS_RUNNING) {
			if (g->thread && g->thread->stack.n) {
				copy_stack(&g->stack, &g->thread->stack);
				g->problem = g->thread->problem;
			} else {
				g->problem = "running on a thread that was not captured";
			}
		} else if (!saved_regs(&g->g, &pc, &sp, &bp)) {
			g->problem = "no saved registers to start from";
		} else {
			size_t len = (size_t)(g->g.stack_hi - sp);
			if (len > stack_bytes)
				len = stack_bytes;
			rd[nrd] = (struct stack_read){ i, pc, sp, bp, xmalloc(len ? len : 1) };
			pieces[nrd] = (struct mem_piece){ .addr = sp, .out = rd[nrd].buf, .len = len };
			nrd++;
		}
	}
	unwind_parked(gs, s, rd, pieces, nrd, max_frames);
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i].problem && !gs->g[i].system)
			gs->incomplete++;
	gs->reads = mem_read_calls() - calls0;
	gs->read_ns = monotonic_ns() - t0;
	for (size_t k = 0; k < nrd; k++)
		free(rd[k].buf);
	free(rd);
	free(pieces);
	go_state_free(&st);
	return GOSNAP_OK;
}

void gosnap_free(struct gosnap *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		stack_free(&gs->g[i].stack);
	free(gs->g);
	memset(gs, 0, sizeof(*gs));
}

bool gosnap_creator(struct symcache *sc, const struct goroutine_snap *g,
		    const struct symbol **sym, const struct sym_frame **fn,
		    const struct sym_frame **at)
{
	if (!g->g.gopc)
		return false;
	/* gopc is the return address of the call that made the goroutine. */
	*sym = symcache_get(sc, g->g.gopc, true);
	*fn = &(*sym)->frames[(*sym)->nframes - 1];
	*at = &(*sym)->frames[0];
	return true;
}

const char *gosnap_state(const struct goroutine_snap *g)
{
	if (g->g.status == GS_WAITING && g->g.wait_reason[0])
		return g->g.wait_reason;
	return go_status_name(g->g.status);
}
