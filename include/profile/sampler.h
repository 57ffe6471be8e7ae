/* sampler.h - the recording loop behind `record`.
 *
 * Ticks at a fixed rate on absolute deadlines.  At each tick the threads
 * to sample (cpu mode: those on a CPU; wall mode: all, but a thread still
 * blocked where it was last time is not stopped again, and one asleep in
 * the kernel is read in place, see target/inplace.h) are interrupted,
 * copied, resumed and unwound, and the stack is counted in the aggregate.
 * Between ticks ptprof sleeps until a tracee needs it: a signal for the
 * target is handed back at once, never held until the next tick.
 * New threads are seized as they appear; threads that exit are let go.
 *
 * Several processes are sampled by one loop, which owns every ptrace call
 * (one tracer thread).  With children set, the descendants of each are
 * looked for at least once a second, and sooner when a task was created
 * anywhere since the last look: each is added with its own maps, modules
 * and perf map.  A process that exits is kept in the recording (its
 * samples stay) and counted.
 */
#ifndef PTPROF_SAMPLER_H
#define PTPROF_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/aggregate.h"
#include "stack/modules.h"
#include "stack/perfmap.h"
#include "target/procfs.h"

enum sample_mode { MODE_CPU, MODE_WALL };

struct recording;

struct sampler_opts {
	pid_t pid;                /* the (first) process */
	const int *pids;          /* every process asked for, pid first (NULL: pid) */
	size_t npids;
	bool children;            /* and their descendants, as they appear */
	const int *tids;          /* only these threads (NULL: all) */
	size_t ntids;
	enum sample_mode mode;
	unsigned rate_hz;
	uint64_t duration_ns;     /* 0: until stopped or the target exits */
	size_t stack_bytes, max_frames;
	const char *debug_dir;
	bool progress;            /* a progress line on stderr */
	pid_t child;              /* our own child (record -- COMMAND), or 0 */
	/* Called in the recording thread every interval_ns, between ticks
	 * (no thread is stopped then), with the recording so far: top's
	 * refresh.  elapsed_ns is the time since the first tick. */
	void (*on_interval)(void *arg, struct recording *rec, uint64_t elapsed_ns);
	void *interval_arg;
	uint64_t interval_ns;
	/* When set (by on_interval), the recording ends before the next tick,
	 * as if its duration had passed: serve's way to let every thread go
	 * and have the tracer free for other work. */
	const bool *end;
};

enum record_end { END_DURATION, END_SIGNAL, END_TARGET_EXIT };

struct sampler_stats {
	uint64_t ticks, ticks_missed;
	uint64_t samples;         /* thread-samples counted */
	uint64_t stopped;         /* of which the thread was stopped for */
	uint64_t in_place;        /* of which read in place, not stopped */
	uint64_t kernel;          /* of which taken inside a system call */
	uint64_t lost_exited;     /* thread exited while being sampled */
	uint64_t lost_unwind;     /* no frame at all */
	uint64_t truncated;       /* counted with an incomplete stack */
	uint64_t module_reloads;  /* maps read again for code in no known module */
	size_t threads_seen;
	size_t procs_seen;        /* processes recorded */
	size_t procs_exited;      /* of which exited before the end */
	size_t procs_skipped;     /* asked for, not recorded (said why) */
	uint64_t start_time_ns;   /* wall clock at the start */
	uint64_t duration_ns;
	enum record_end end;
	int child_status;         /* wait status of opts.child, when it ended */
	bool child_done;
};

/* One process of a recording: what its addresses mean. */
struct rec_proc {
	pid_t pid;
	char comm[PROC_COMM_MAX];
	struct maps maps;
	struct modules *ms;       /* as of the last refresh; for symbolizing */
	unsigned modules_gen;     /* changes when ms is replaced (symcaches over
				     the old one are stale) */
	struct perfmap *jit;      /* the target's perf map, read while it runs */
	bool exited;
	bool have_cpu;            /* cpu_ns is known */
	uint64_t cpu_ns;          /* CPU time the process used while recorded
				     (its CPU clock, exited threads included) */
	bool replaced;            /* its code went away (an exec): the process
				     goes on in a later rec_proc of the same pid */
};

struct recording {
	struct aggregate agg;
	struct rec_proc **procs;  /* agg_key.proc indexes it; in order seen */
	size_t nprocs, procs_cap;
	struct sampler_stats st;
};

/* 0 when a profile was collected (whatever ended it), else an exit status
 * after saying why.  Every thread is detached when it returns.  rec is
 * valid for recording_free when it returns, whatever happened. */
int sampler_run(const struct sampler_opts *o, struct recording *rec);
/* Safe on a recording sampler_run never filled, if zeroed. */
void recording_free(struct recording *rec);

#endif
