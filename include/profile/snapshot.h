/* snapshot.h - every thread's stack now: the pipeline behind `dump`.
 *
 * A thread asleep in the kernel is read in place, never stopped
 * (target/inplace.h); the others: attach → capture → detach, each thread
 * held only for its own copy (a few are asked to stop at once, and
 * whichever stops first is let go first); then unwind and set up
 * symbolization once everything runs again.  A thread read in place whose
 * frames need a register the kernel does not show is stopped after all.  Threads that appear meanwhile are picked up (the task list is
 * rescanned until it holds no new tid); threads that exit are dropped.
 */
#ifndef PTPROF_SNAPSHOT_H
#define PTPROF_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stack/modules.h"
#include "stack/symbolize.h"
#include "stack/symshare.h"
#include "stack/symcache.h"
#include "stack/unwind.h"
#include "target/kstack.h"
#include "target/procfs.h"
#include "target/threadfacts.h"

struct snapshot_opts {
	const int *tids;          /* only these threads (NULL: all) */
	size_t ntids;
	size_t stack_bytes;
	size_t max_frames;
	const char *debug_dir;
	bool inlines, lines;
	bool stop_all;            /* stop every thread, even those asleep in the
				     kernel (else those are read in place) */
	/* Symbols shared with other processes, or NULL.  Each snapshot taken
	 * with a share lends it its modules: it must not be freed while
	 * another snapshot sharing it is still symbolized. */
	struct symshare *share;
	/* One of several processes: one that has exited (gone, or a zombie)
	 * is not an error worth a message; snapshot_take sets s->gone. */
	bool gone_quietly;
};

struct thread_snap {
	struct thread_facts facts;
	struct stack stack;       /* n == 0 when not captured */
	const char *problem;      /* why there is no (complete) stack, or NULL */
	uint64_t stopped_ns;      /* how long we held it stopped */
	bool in_place;            /* read without stopping it (target/inplace.h) */
	struct kstack kstack;     /* in state D, where it waits in the kernel
				     (when root may read it), else empty */
};

struct snapshot {
	pid_t pid;
	char comm[PROC_COMM_MAX];
	struct thread_snap *t;
	size_t n, cap;
	uint64_t time_ns;         /* wall clock at the start */
	uint64_t capture_ns;      /* first interrupt to last release */
	uint64_t stopped_max_ns, stopped_total_ns;
	size_t incomplete;        /* threads without a full stack */
	size_t in_place;          /* threads read without being stopped */
	struct maps maps;
	struct modules *ms;
	struct perfmap *jit;      /* names of code compiled at run time */
	struct symbolizer sym;
	struct symcache *sc;      /* addresses to frames, filled on demand */
	bool gone;                /* with gone_quietly: it had exited, nothing said */
};

/* 0 on success (incomplete threads are counted, not errors), else an
 * exit status after printing why (with o->gone_quietly, nothing is
 * printed for a process that has exited: s->gone says so).  If ptprof was asked to stop meanwhile,
 * every thread is released first and signals_finish() is up to the caller. */
int snapshot_take(struct snapshot *s, pid_t pid, const struct snapshot_opts *o);
void snapshot_free(struct snapshot *s);

uint64_t monotonic_ns(void);
uint64_t realtime_ns(void);

#endif
