/* locks.c - futex waits read back as locks and owners. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "profile/locklayout.h"
#include "profile/locks.h"
#include "target/memread.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

/* futex(2) operations that wait, with the private flag masked off. */
#define FUTEX_OP_MASK 0x7f
#define FUTEX_WAIT_OP 0
#define FUTEX_LOCK_PI_OP 6
#define FUTEX_WAIT_BITSET_OP 9
#define FUTEX_WAIT_REQUEUE_PI_OP 11
#define FUTEX_LOCK_PI2_OP 13
#define FUTEX_TID_MASK 0x3fffffff

/* Every bit __kind may hold: type (3), robust, PI, PP, shared, elision. */
#define MUTEX_KIND_BITS (0x3 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200)
/* Frames of the glibc that holds the wait, kept to find its structures. */
#define LIBC_PCS 8

static bool read_int(pid_t pid, uint64_t addr, int32_t *v)
{
	return mem_read(pid, addr, v, sizeof(*v));
}

/* The glibc entry point this thread waits in, from its stack, and where
 * that glibc is: its module and the pcs of its frames there (innermost
 * first, up to LIBC_PCS). */
static enum lock_kind kind_from_stack(struct symcache *sc, struct modules *ms,
				      const struct stack *st, struct module **libc,
				      uint64_t *pcs, size_t *npcs)
{
	enum lock_kind kind = LOCK_UNKNOWN;
	size_t i;
	*libc = NULL;
	*npcs = 0;
	for (i = 0; i < st->n && kind == LOCK_UNKNOWN; i++) {
		const struct symbol *sym = symcache_get(sc, st->frames[i].pc, st->frames[i].is_return);
		for (size_t j = 0; j < sym->nframes && kind == LOCK_UNKNOWN; j++) {
			const char *f = sym->frames[j].function;
			if (!f)
				continue;
			if (strstr(f, "pthread_mutex_") || strstr(f, "__lll_lock_wait"))
				kind = LOCK_MUTEX;
			else if (strstr(f, "pthread_rwlock_"))
				kind = LOCK_RWLOCK;
			else if (strstr(f, "pthread_join") || strstr(f, "pthread_clockjoin") ||
				 strstr(f, "pthread_timedjoin"))
				kind = LOCK_JOIN;
			else if (strstr(f, "pthread_cond_"))
				kind = LOCK_CONDVAR;
			else if (strstr(f, "sem_wait") || strstr(f, "sem_timedwait") ||
				 strstr(f, "sem_clockwait"))
				kind = LOCK_SEMAPHORE;
		}
	}
	if (kind == LOCK_UNKNOWN || !ms)
		return kind;
	/* The matched frame and those around it in the same file. */
	uint64_t at = st->frames[i - 1].pc - (st->frames[i - 1].is_return ? 1 : 0);
	*libc = modules_find(ms, at);
	for (size_t k = 0; *libc && k < st->n && *npcs < LIBC_PCS; k++) {
		uint64_t pc = st->frames[k].pc - (st->frames[k].is_return ? 1 : 0);
		struct module *m = modules_find(ms, pc);
		if (m && m->home == (*libc)->home)
			pcs[(*npcs)++] = pc;
	}
	return kind;
}

/* Thread index of a tid as the target sees it, or -1. */
static ssize_t owner_index(const struct u64map *ns_tids, int32_t tid)
{
	uint64_t i;
	if (tid <= 0)
		return -1;
	return u64map_get(ns_tids, (uint64_t)tid, &i) ? (ssize_t)i : -1;
}

bool lock_other_pidns(pid_t pid)
{
	struct stat a, b;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	if (stat(path, &a) < 0 || stat("/proc/self/ns/pid", &b) < 0)
		return true;  /* cannot tell: map through NSpid */
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

pid_t lock_ns_tid(pid_t pid, pid_t tid)
{
	char buf[4096];
	struct proc_status st;
	if (procfs_read(pid, tid, "status", buf, sizeof(buf)) > 0 &&
	    procfs_parse_status(buf, &st) == 0 && st.nspid_count > 0)
		return st.nspid[st.nspid_count - 1];
	return tid;
}

/* Tids are in the target's pid namespace: map its numbers to our threads. */
static void map_ns_tids(const struct snapshot *s, struct u64map *m)
{
	for (size_t i = 0; i < s->n; i++)
		u64map_put(m, (uint64_t)lock_ns_tid(s->pid, s->t[i].facts.tid), i);
}

void lock_wait_of(pid_t pid, struct symcache *sc, struct modules *ms,
		  const struct thread_facts *f, const struct stack *st,
		  const struct u64map *ns_tids, struct lock_wait *w)
{
	int32_t v;
	struct module *libc;
	uint64_t pcs[LIBC_PCS];
	size_t npcs;
	struct lock_layout l;
	memset(w, 0, sizeof(*w));
	w->owner = -1;
	if (!f->have_syscall || f->sc.running || f->sc.nr != SYS_futex)
		return;
	int op = (int)(f->sc.args[1] & FUTEX_OP_MASK);
	if (op != FUTEX_WAIT_OP && op != FUTEX_WAIT_BITSET_OP && op != FUTEX_LOCK_PI_OP &&
	    op != FUTEX_LOCK_PI2_OP && op != FUTEX_WAIT_REQUEUE_PI_OP)
		return;
	uint64_t uaddr = f->sc.args[0];
	w->kind = kind_from_stack(sc, ms, st, &libc, pcs, &npcs);
	w->addr = uaddr;
	/* Where this glibc keeps what is read below; none known, no guess. */
	enum ll_kind need = w->kind == LOCK_MUTEX ? LL_MUTEX : w->kind == LOCK_RWLOCK ? LL_RWLOCK
			    : w->kind == LOCK_CONDVAR ? LL_COND : LL_KINDS;
	if (need != LL_KINDS && (!libc || !lock_layout_of(libc, pcs, npcs, need, &l))) {
		w->kind = LOCK_UNKNOWN;
		return;
	}
	switch (w->kind) {
	case LOCK_MUTEX:
		/* A __kind this glibc layout cannot hold: not the layout we
		 * assume, so no owner is read from it. */
		if (!read_int(pid, uaddr + (uint64_t)l.mutex_kind, &v) || (v & ~MUTEX_KIND_BITS) != 0)
			break;
		/* The futex is the mutex's first word; a PI mutex keeps its
		 * owner there, the others in __owner. */
		if (op == FUTEX_LOCK_PI_OP || op == FUTEX_LOCK_PI2_OP) {
			if (read_int(pid, uaddr, &v))
				w->owner = owner_index(ns_tids, v & FUTEX_TID_MASK);
		} else if (read_int(pid, uaddr + (uint64_t)l.mutex_owner, &v)) {
			w->owner = owner_index(ns_tids, v);
		}
		break;
	case LOCK_RWLOCK:
		/* Readers and writers wait on one of two futex words; the lock
		 * is 8-byte aligned, which tells which. */
		w->addr = uaddr % 8 == (uint64_t)l.rw_wrphase % 8 ? uaddr - (uint64_t)l.rw_wrphase
								   : uaddr - (uint64_t)l.rw_writers;
		if (!read_int(pid, w->addr + (uint64_t)l.rw_cur_writer, &v))
			break;
		if (v == 0)
			return;  /* no writer: held by readers, who are not recorded */
		w->owner = owner_index(ns_tids, v);
		break;
	case LOCK_JOIN:
		/* The futex is the joined thread's tid field, which holds its tid. */
		if (read_int(pid, uaddr, &v))
			w->owner = owner_index(ns_tids, v);
		break;
	case LOCK_CONDVAR:
		/* Waiters sleep on __g_signals[0] or [1]; the alignment tells which. */
		w->addr = uaddr % 8 == (uint64_t)l.cond_signals % 8 ? uaddr - (uint64_t)l.cond_signals
								     : uaddr - (uint64_t)l.cond_signals - 4;
		break;
	default:
		break;
	}
	/* A lock whose owner is not one of our threads is not one we know. */
	if ((w->kind == LOCK_MUTEX || w->kind == LOCK_RWLOCK || w->kind == LOCK_JOIN) &&
	    w->owner < 0) {
		w->kind = LOCK_UNKNOWN;
		w->addr = uaddr;
	}
}

struct lock_wait *locks_analyze(struct snapshot *s)
{
	struct lock_wait *w = xcalloc(s->n, sizeof(*w));
	struct u64map ns_tids = { 0 };
	map_ns_tids(s, &ns_tids);
	for (size_t i = 0; i < s->n; i++)
		lock_wait_of(s->pid, s->sc, s->ms, &s->t[i].facts, &s->t[i].stack, &ns_tids, &w[i]);
	u64map_free(&ns_tids);
	return w;
}

size_t locks_deadlocks(const struct snapshot *s, const struct lock_wait *w, struct deadlock **out)
{
	/* Each thread waits for at most one owner: follow the edges from every
	 * thread, marking the walk; meeting the current walk again closes a
	 * cycle. */
	size_t *walk = xcalloc(s->n, sizeof(*walk));
	struct deadlock *d = NULL;
	size_t nd = 0;
	for (size_t start = 0; start < s->n; start++) {
		size_t i = start;
		while (!walk[i] && w[i].owner >= 0) {
			walk[i] = start + 1;
			i = (size_t)w[i].owner;
		}
		if (walk[i] != start + 1 || w[i].owner < 0)
			continue;
		/* i is on a cycle first met in this walk. */
		d = xreallocarray(d, nd + 1, sizeof(*d));
		d[nd].n = 0;
		d[nd].threads = NULL;
		size_t j = i;
		do {
			d[nd].threads = xreallocarray(d[nd].threads, d[nd].n + 1, sizeof(size_t));
			d[nd].threads[d[nd].n++] = j;
			j = (size_t)w[j].owner;
		} while (j != i);
		nd++;
	}
	free(walk);
	*out = d;
	return nd;
}

void locks_free_deadlocks(struct deadlock *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].threads);
	free(d);
}

const char *lock_kind_name(enum lock_kind k)
{
	switch (k) {
	case LOCK_MUTEX: return "mutex";
	case LOCK_RWLOCK: return "rwlock";
	case LOCK_JOIN: return "join";
	case LOCK_CONDVAR: return "condvar";
	case LOCK_SEMAPHORE: return "semaphore";
	case LOCK_UNKNOWN: return "unknown";
	default: return "none";
	}
}
