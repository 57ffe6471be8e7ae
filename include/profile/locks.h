/* locks.h - what a thread blocked in a futex waits for, and who holds it.
 *
 * The kind of wait is told from the glibc function on the thread's stack
 * (pthread_mutex_lock, pthread_rwlock_*lock, pthread_join,
 * pthread_cond_*wait, sem_*wait), so it follows the glibc the target
 * actually runs; the owner is read from the lock in the target's memory
 * where that glibc keeps it (profile/locklayout.h: its debug info, or a
 * built-in layout checked against its version), and only believed when
 * it names a thread of the process.  Otherwise the lock is "unknown" -
 * never a guess.
 * Cycles in the wait-for graph are deadlocks.
 */
#ifndef PTPROF_LOCKS_H
#define PTPROF_LOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/snapshot.h"
#include "util/hashmap.h"

enum lock_kind {
	LOCK_NONE = 0,            /* not waiting on a lock */
	LOCK_MUTEX,
	LOCK_RWLOCK,
	LOCK_JOIN,
	LOCK_CONDVAR,
	LOCK_SEMAPHORE,
	LOCK_UNKNOWN,
};

struct lock_wait {
	enum lock_kind kind;
	uint64_t addr;            /* the lock object (the futex for unknown) */
	ssize_t owner;            /* the owner as ns_tids maps it, or -1 */
};

/* What the thread with facts f and stack st waits on.  ns_tids maps the
 * tids of the process, as the target numbers them, to what w->owner
 * should hold; an owner not in it makes the lock unknown.  ms, the
 * process's modules, tells where its glibc keeps the owner
 * (profile/locklayout.h); NULL or no layout known: the lock is unknown. */
void lock_wait_of(pid_t pid, struct symcache *sc, struct modules *ms,
		  const struct thread_facts *f, const struct stack *st,
		  const struct u64map *ns_tids, struct lock_wait *w);

/* Thread tid of process pid as the target numbers it (the last NSpid:
 * its own pid namespace), or tid itself when that cannot be read.  The
 * owners read from lock words are in those numbers. */
pid_t lock_ns_tid(pid_t pid, pid_t tid);
/* Whether process pid is in another pid namespace than ptprof (true when
 * that cannot be told): only then do its tids need lock_ns_tid. */
bool lock_other_pidns(pid_t pid);

/* One entry per thread of s; owner is an index into s->t. */
struct lock_wait *locks_analyze(struct snapshot *s);

/* Cycles of "waits for a lock held by": each a list of thread indices
 * in the order of the edges.  Returns the number of cycles. */
struct deadlock {
	size_t *threads;
	size_t n;
};
size_t locks_deadlocks(const struct snapshot *s, const struct lock_wait *w, struct deadlock **out);
void locks_free_deadlocks(struct deadlock *d, size_t n);

const char *lock_kind_name(enum lock_kind k);

#endif
