/* worker.h - the one thread that touches the served processes.
 *
 * Only the thread that attached a thread may ptrace it, so one worker
 * owns every ptrace call: HTTP handlers hand it jobs (serve/workq.h) and
 * sleep until answered.  CPU and wall-clock profiles are windows over a
 * shared recording (serve/window.h): while any window is open the worker
 * runs the sampler, whose recording thread is then the tracer, and whose
 * on_interval hook (every INTERVAL_MS, between ticks, with no thread
 * stopped) takes new jobs: a profile of a process already recorded joins
 * at once, heap/allocs/mutex/block and symbol answers (memory and files
 * only) are made there, and windows whose time is up are answered within
 * one interval.  A goroutine dump, which stops threads itself, or a
 * profile of another process ends the recording (the recording thread
 * exits and the kernel lets every thread go without a stop); the worker
 * does the work, then starts a new recording for the windows still open,
 * which carry their counts over.  A recording outlives its last window
 * by two seconds, for the scraper's next request to join.  Symbols
 * resolved are kept (by build id) across recordings.  Recordings are of one mode at a time: a
 * request for the other mode while one runs is answered 409.
 */
#ifndef PTPROF_WORKER_H
#define PTPROF_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "serve/answer.h"
#include "stack/symshare.h"
#include "serve/window.h"
#include "serve/workq.h"

struct worker {
	struct workq *q;
	struct answer_opts ao;
	unsigned rate_hz;
	pthread_t thread, notify;  /* the worker; who is told when it ends */
	/* private: the worker's, or its recording thread's while it runs */
	struct job *pending, **pending_tail;
	struct open_window {
		struct window w;
		struct job *job;
	} *wins;
	size_t nwins, wins_cap;
	struct segment *seg;      /* the recording running, or NULL */
	bool end_seg;             /* set: the recording ends before its next tick */
	uint64_t idle_since;      /* when the recording's last window closed, or 0 */
	struct symshare *share;   /* symbols resolved, kept across recordings */
};

/* Start the thread.  When it stops because ptprof was asked to quit, it
 * sends SIGTERM to notify (the thread waiting for signals), which the
 * recording thread may have taken instead.  0, or -1 after saying why. */
int worker_start(struct worker *w, struct workq *q, const struct answer_opts *ao,
		 unsigned rate_hz, pthread_t notify);
/* After workq_stop: wait for the thread, every job answered. */
void worker_join(struct worker *w);

#endif
