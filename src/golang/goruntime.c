/* goruntime.c - goroutines and Ms read from a live Go program's memory. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "golang/goruntime.h"
#include "target/memread.h"
#include "util/xalloc.h"

#define MAX_GS (1u << 21)         /* a larger allglen is taken for garbage */
#define MAX_MS 100000             /* the runtime stops at 10000 threads by default */
#define MAX_G_SIZE (64u << 10)
#define CHUNK 1024                /* gs per batch: one system call each */
#define REREADS 3                 /* more reads of a goroutine caught changing */
#define WALKS 3                   /* walks while allglen keeps changing */
#define MAX_WAIT_REASONS 4096
#define WAIT_REASON_MAX ((int)sizeof(((struct goroutine *)0)->wait_reason) - 1)

static const char *const status_names[] = {
	[GS_IDLE] = "idle", [GS_RUNNABLE] = "runnable", [GS_RUNNING] = "running",
	[GS_SYSCALL] = "syscall", [GS_WAITING] = "waiting", [GS_DEAD] = "dead",
	[GS_COPYSTACK] = "copystack", [GS_PREEMPTED] = "preempted", [GS_UNKNOWN] = "unknown",
};

const char *go_status_name(enum go_status s)
{
	return (unsigned)s <= GS_UNKNOWN ? status_names[s] : "unknown";
}

/* A member of a copied struct (little-endian, as the target is x86_64);
 * 0 for a member this runtime does not have. */
static uint64_t get(const unsigned char *p, struct go_field f)
{
	uint64_t v = 0;
	memcpy(&v, p + f.off, f.size);
	return v;
}

static bool field_fits(struct go_field f, uint32_t size)
{
	return f.size <= 8 && f.off <= size && f.size <= size - f.off;
}

/* Usable when every member read lies inside its struct. */
static bool layout_ok(const struct go_layout *L)
{
	const struct go_field gf[] = {
		L->g_stack_lo, L->g_stack_hi, L->g_m, L->g_sched_sp, L->g_sched_pc, L->g_sched_bp,
		L->g_syscallsp, L->g_syscallpc, L->g_atomicstatus, L->g_goid, L->g_waitsince,
		L->g_waitreason, L->g_parent_goid, L->g_gopc, L->g_startpc, L->g_lockedm,
	};
	const struct go_field mf[] = { L->m_g0, L->m_curg, L->m_procid, L->m_alllink };
	if (L->g_size == 0 || L->g_size > MAX_G_SIZE || L->m_size == 0 || !L->allgs ||
	    !L->allglen || !L->g_goid.size || !L->g_atomicstatus.size || !L->m_curg.size ||
	    !L->m_procid.size)
		return false;
	for (size_t i = 0; i < sizeof(gf) / sizeof(gf[0]); i++)
		if (!field_fits(gf[i], L->g_size))
			return false;
	for (size_t i = 0; i < sizeof(mf) / sizeof(mf[0]); i++)
		if (!field_fits(mf[i], L->m_size))
			return false;
	return true;
}

static enum go_status status_of(const struct go_layout *L, int64_t s)
{
	const struct {
		int64_t v;
		enum go_status st;
	} map[] = {
		{ L->g_idle, GS_IDLE }, { L->g_runnable, GS_RUNNABLE },
		{ L->g_running, GS_RUNNING }, { L->g_syscall, GS_SYSCALL },
		{ L->g_waiting, GS_WAITING }, { L->g_dead, GS_DEAD },
		{ L->g_copystack, GS_COPYSTACK }, { L->g_preempted, GS_PREEMPTED },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].v >= 0 && map[i].v == s)
			return map[i].st;
	return GS_UNKNOWN;
}

/* What a copy of a g says. */
enum g_verdict {
	G_UNREAD,                 /* not read (yet) */
	G_GOOD,
	G_SUSPECT,                /* caught changing: read it again */
	G_GONE,                   /* dead or not yet started: left out */
};

static enum g_verdict decode_g(const struct go_layout *L, uint64_t addr, const unsigned char *p,
			       struct goroutine *g, uint8_t *reason)
{
	uint64_t raw = get(p, L->g_atomicstatus);
	bool scan = L->g_scan > 0 && (raw & (uint64_t)L->g_scan);
	if (scan)
		raw &= ~(uint64_t)L->g_scan;

	memset(g, 0, sizeof(*g));
	g->g = addr;
	g->status = status_of(L, (int64_t)raw);
	if (g->status == GS_DEAD || g->status == GS_IDLE)
		return G_GONE;
	g->goid = get(p, L->g_goid);
	g->parent_goid = get(p, L->g_parent_goid);
	g->waitsince = (int64_t)get(p, L->g_waitsince);
	g->locked = get(p, L->g_lockedm) != 0;
	g->gopc = get(p, L->g_gopc);
	g->startpc = get(p, L->g_startpc);
	g->stack_lo = get(p, L->g_stack_lo);
	g->stack_hi = get(p, L->g_stack_hi);
	g->sched_sp = get(p, L->g_sched_sp);
	g->sched_pc = get(p, L->g_sched_pc);
	g->sched_bp = get(p, L->g_sched_bp);
	g->syscallsp = get(p, L->g_syscallsp);
	g->syscallpc = get(p, L->g_syscallpc);
	if (g->status == GS_RUNNING || g->status == GS_SYSCALL)
		g->m = get(p, L->g_m);
	*reason = g->status == GS_WAITING ? (uint8_t)get(p, L->g_waitreason) : 0;

	bool parked = g->status == GS_WAITING || g->status == GS_RUNNABLE ||
		      g->status == GS_PREEMPTED;
	if (scan || g->status == GS_COPYSTACK || g->status == GS_UNKNOWN ||
	    (parked && (g->sched_sp < g->stack_lo || g->sched_sp >= g->stack_hi)))
		return G_SUSPECT;
	return G_GOOD;
}

/* One walk's working set. */
struct walk {
	pid_t pid;
	const struct go_layout *L;
	uint64_t glen;
	uint64_t *gptr;           /* allgs[0..glen) */
	struct goroutine *g;      /* decoded, parallel to gptr */
	uint8_t *verdict;         /* enum g_verdict per g */
	uint8_t *reason;          /* waitreason index per g */
	unsigned char *buf;       /* CHUNK copies of a g */
	struct mem_piece *pieces;
};

/* Read and decode the gs whose indexes are idx[0..n). */
static void read_gs(struct walk *w, const size_t *idx, size_t n)
{
	uint32_t gsz = w->L->g_size;
	for (size_t at = 0; at < n; at += CHUNK) {
		size_t k = n - at < CHUNK ? n - at : CHUNK;
		for (size_t j = 0; j < k; j++)
			w->pieces[j] = (struct mem_piece){ w->gptr[idx[at + j]], w->buf + j * gsz,
							   gsz, false };
		mem_readv(w->pid, w->pieces, k);
		for (size_t j = 0; j < k; j++) {
			size_t i = idx[at + j];
			w->verdict[i] = w->pieces[j].ok
				? decode_g(w->L, w->gptr[i], w->buf + j * gsz, &w->g[i], &w->reason[i])
				: G_UNREAD;
		}
	}
}

/* Every g, then again those caught changing (or unreadable), a few times. */
static void read_all_gs(struct walk *w)
{
	size_t *idx = xmalloc((w->glen ? w->glen : 1) * sizeof(*idx));
	size_t n = 0;
	for (size_t i = 0; i < w->glen; i++)
		if (w->gptr[i])
			idx[n++] = i;
	read_gs(w, idx, n);
	for (int r = 0; r < REREADS; r++) {
		size_t m = 0;
		for (size_t j = 0; j < n; j++)
			if (w->verdict[idx[j]] == G_SUSPECT || w->verdict[idx[j]] == G_UNREAD)
				idx[m++] = idx[j];
		if (m == 0)
			break;
		read_gs(w, idx, m);
		n = m;
	}
	free(idx);
}

/* The Ms, from allm along alllink.  The first one's fields join the
 * nextra pieces already in p (room for 4 more), saving a call; those are
 * read even when there is no M. */
static void read_ms(pid_t pid, const struct go_layout *L, uint64_t first, struct mem_piece *p,
		    size_t nextra, struct go_state *out)
{
	size_t cap = 0, power = 1, lam = 0;
	uint64_t m = first, mark = first;
	if (!m && nextra)
		mem_readv(pid, p, nextra);
	for (size_t i = 0; m && i < MAX_MS; i++) {
		uint64_t procid = 0, curg = 0, g0 = 0, next = 0;
		size_t n = i == 0 ? nextra : 0, base = n;
		p[n++] = (struct mem_piece){ m + L->m_procid.off, &procid, L->m_procid.size, false };
		p[n++] = (struct mem_piece){ m + L->m_curg.off, &curg, L->m_curg.size, false };
		if (L->m_g0.size)
			p[n++] = (struct mem_piece){ m + L->m_g0.off, &g0, L->m_g0.size, false };
		if (L->m_alllink.size)
			p[n++] = (struct mem_piece){ m + L->m_alllink.off, &next, L->m_alllink.size,
						     false };
		mem_readv(pid, p, n);
		if (!p[base].ok || !p[base + 1].ok)
			break;
		XGROW(out->t, cap, out->nt);
		out->t[out->nt++] = (struct go_thread){
			.m = m, .tid = procid > 0 && procid <= INT32_MAX ? (pid_t)procid : 0,
			.g0 = g0, .curg = curg,
		};
		/* A list that loops (garbage) ends at the first repeat, found
		 * the way Brent's cycle detection does, in a few rounds. */
		if (next == mark)
			break;
		if (++lam == power) {
			mark = next;
			power *= 2;
			lam = 0;
		}
		m = next;
	}
}

/* A running goroutine's thread: its M's procid (Ms are listed; one
 * started since is read directly). */
static void resolve_tids(pid_t pid, const struct go_layout *L, struct go_state *out)
{
	for (size_t i = 0; i < out->n; i++) {
		struct goroutine *g = &out->g[i];
		if (!g->m)
			continue;
		size_t j = 0;
		while (j < out->nt && out->t[j].m != g->m)
			j++;
		if (j < out->nt) {
			g->tid = out->t[j].tid;
			continue;
		}
		uint64_t procid = 0;
		if (mem_read(pid, g->m + L->m_procid.off, &procid, L->m_procid.size) && procid > 0 &&
		    procid <= INT32_MAX)
			g->tid = (pid_t)procid;
	}
}

/* A wait reason as text: "" when unread, and no control characters. */
static void clean_reason(char *s, bool ok)
{
	if (!ok)
		s[0] = '\0';
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int by_goid(const void *a, const void *b)
{
	const struct goroutine *x = a, *y = b;
	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

static bool process_gone(pid_t pid)
{
	return kill(pid, 0) != 0 && errno == ESRCH;
}

int go_state_read(pid_t pid, const struct go_layout *L, uint64_t bias, struct go_state *out,
		  const char **why)
{
	uint64_t calls0 = mem_read_calls();
	uint32_t nwr = L->wait_reason_strings && L->wait_reason_count <= MAX_WAIT_REASONS
		? L->wait_reason_count : 0;
	struct { uint64_t ptr, len; } *wrs = xcalloc(nwr ? nwr : 1, sizeof(*wrs));
	char (*reasons)[WAIT_REASON_MAX + 1] = xcalloc(nwr ? nwr : 1, sizeof(*reasons));
	struct mem_piece *tail = xcalloc(nwr + 5, sizeof(*tail));
	struct walk w = { .pid = pid, .L = L };
	const char *err = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!layout_ok(L)) {
		err = "the runtime's layout is incomplete";
		goto out;
	}
	w.buf = xmalloc((size_t)CHUNK * L->g_size);
	w.pieces = xmalloc(CHUNK * sizeof(*w.pieces));

	for (int walk = 0; walk < WALKS; walk++) {
		/* allglen before the array: the runtime stores them the other way. */
		uint64_t glen = 0, gdata = 0, allm = 0, glen_end = 0;
		struct mem_piece roots[4] = {
			{ L->allglen + bias, &glen, 8, false },
			{ L->allgs + bias, &gdata, 8, false },
			{ L->allm + bias, &allm, L->allm ? 8 : 0, false },
			{ L->wait_reason_strings + bias, wrs, walk == 0 ? nwr * sizeof(*wrs) : 0, false },
		};
		mem_readv(pid, roots, 4);
		if (!roots[0].ok || !roots[1].ok) {
			err = process_gone(pid) ? "the process is gone"
						: "runtime.allglen and runtime.allgs are not readable";
			goto out;
		}
		if (glen > MAX_GS || (glen && !gdata)) {
			err = "runtime.allglen is implausible";
			goto out;
		}
		if (walk == 0 && !roots[3].ok)
			nwr = 0;

		w.glen = glen;
		w.gptr = xrealloc(w.gptr, (glen ? glen : 1) * sizeof(*w.gptr));
		if (glen && !mem_read(pid, gdata, w.gptr, glen * sizeof(*w.gptr))) {
			err = "runtime.allgs is not readable";
			goto out;
		}
		w.g = xreallocarray(w.g, glen ? glen : 1, sizeof(*w.g));
		w.verdict = xrealloc(w.verdict, glen ? glen : 1);
		w.reason = xrealloc(w.reason, glen ? glen : 1);
		memset(w.verdict, G_UNREAD, glen);

		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		out->nanotime = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		read_all_gs(&w);

		/* allglen again, the wait reasons' text (once) and the first M:
		 * one call. */
		size_t nt = 0;
		tail[nt++] = (struct mem_piece){ L->allglen + bias, &glen_end, 8, false };
		for (uint32_t i = 0; walk == 0 && i < nwr; i++) {
			size_t len = wrs[i].len < (uint64_t)WAIT_REASON_MAX ? (size_t)wrs[i].len
									  : (size_t)WAIT_REASON_MAX;
			tail[nt++] = (struct mem_piece){ wrs[i].ptr, reasons[i], wrs[i].ptr ? len : 0,
							 false };
		}
		free(out->t);
		out->t = NULL;
		out->nt = 0;
		read_ms(pid, L, allm, tail, nt, out);
		for (uint32_t i = 0; walk == 0 && i < nwr; i++)
			clean_reason(reasons[i], tail[1 + i].ok);
		if (!tail[0].ok) {
			err = process_gone(pid) ? "the process is gone" : "runtime.allglen is not readable";
			goto out;
		}
		if (glen_end == glen)
			break;
	}

	/* Keep the live goroutines, in place: the array becomes the result. */
	for (size_t i = 0; i < w.glen; i++) {
		if (w.verdict[i] == G_UNREAD || w.verdict[i] == G_GONE)
			continue;
		struct goroutine *g = &w.g[out->n++];
		if (g != &w.g[i])
			*g = w.g[i];
		g->inconsistent = w.verdict[i] == G_SUSPECT;
		if (w.reason[i] && w.reason[i] < nwr)
			memcpy(g->wait_reason, reasons[w.reason[i]], sizeof(g->wait_reason));
	}
	out->g = w.g;
	w.g = NULL;
	resolve_tids(pid, L, out);
	qsort(out->g, out->n, sizeof(*out->g), by_goid);
	rc = 0;
out:
	if (rc != 0)
		go_state_free(out);
	out->reads = mem_read_calls() - calls0;
	if (why)
		*why = err;
	free(w.gptr);
	free(w.g);
	free(w.verdict);
	free(w.reason);
	free(w.buf);
	free(w.pieces);
	free(tail);
	free(reasons);
	free(wrs);
	return rc;
}

void go_state_free(struct go_state *s)
{
	free(s->g);
	free(s->t);
	s->g = NULL;
	s->t = NULL;
	s->n = s->nt = 0;
}

ssize_t go_threads_read(pid_t pid, const struct go_layout *L, uint64_t bias,
			struct go_thread **out)
{
	struct go_state st = { 0 };
	struct mem_piece p[4];
	uint64_t allm = 0;
	*out = NULL;
	if (!L->allm || !L->m_procid.size || !L->m_curg.size ||
	    !mem_read(pid, L->allm + bias, &allm, sizeof(allm)))
		return -1;
	read_ms(pid, L, allm, p, 0, &st);
	*out = st.t;
	return (ssize_t)st.nt;
}

uint64_t go_thread_goid(pid_t pid, const struct go_layout *L, uint64_t m)
{
	uint64_t curg = 0, goid = 0;
	if (!m || !L->m_curg.size || !L->g_goid.size ||
	    !mem_read(pid, m + L->m_curg.off, &curg, L->m_curg.size) || !curg ||
	    !mem_read(pid, curg + L->g_goid.off, &goid, L->g_goid.size))
		return 0;
	return goid;
}
