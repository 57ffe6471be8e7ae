/* tracer.h - attaching to threads, stopping them briefly, letting go.
 *
 * Owns every ptrace call in ptprof.  Threads are attached with
 * PTRACE_SEIZE (no SIGSTOP is sent) and stopped with PTRACE_INTERRUPT.
 * Promises: a signal that arrives while we wait for a stop is re-injected;
 * a thread in a job-control stop is left stopped; a thread that exits is
 * reported as gone, never as an error; tracer_release_all() leaves no
 * thread traced, whatever state the others were left in.
 */
#ifndef PTPROF_TRACER_H
#define PTPROF_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/capture.h"
#include "target/procfs.h"

enum trace_state {
	TS_DETACHED = 0,          /* not (or no longer) traced by us */
	TS_RUNNING,               /* seized, running */
	TS_STOPPED,               /* seized, in a ptrace stop we caused */
	TS_GONE,                  /* exited */
};

struct traced {
	pid_t tid;
	enum trace_state ts;
	bool group_stop;          /* the stop we saw was a job-control stop */
	bool exited;              /* wstatus holds how it ended */
	int wstatus;
	int pending_sig;          /* stopped at the delivery of this signal: it is
				     handed back when the thread is let go */
};

enum stop_result {
	STOP_OK = 0,
	STOP_GONE,                /* the thread exited */
	STOP_TIMEOUT,             /* did not stop in time (uninterruptible sleep) */
	STOP_INTERRUPTED,         /* ptprof was asked to stop */
	STOP_FAILED,              /* unexpected ptrace error, reported */
};

/* Check that pid can be traced at all: it exists, is not a zombie, not a
 * kernel thread, not traced by someone else.  On failure prints the one
 * line that names cause and fix and returns EXIT_FAILED; else 0. */
int tracer_precheck(pid_t pid);

/* The kernel refused access to pid (EPERM/EACCES): print which of the
 * usual reasons applies - another tracer, Yama, a missing capability,
 * another owner - with its fix, and return EXIT_FAILED. */
int tracer_diagnose_eperm(pid_t pid, pid_t tid);
/* After procfs_read_maps failed (errno intact): say why - the usual
 * reasons for a refusal, or that the process is gone - and return
 * EXIT_FAILED.  Reading maps needs the same permission as ptrace, so it
 * is the first place a refusal shows. */
int tracer_maps_failed(pid_t pid);

/* PTRACE_SEIZE one thread.  0 on success, 1 if the thread is gone,
 * else prints why attaching was refused (tracer, Yama, capability,
 * owner) and returns EXIT_FAILED. */
int tracer_seize(pid_t pid, struct traced *t);

/* Stop a seized thread.  timeout_ms bounds the wait (0: no bound). */
enum stop_result tracer_stop(struct traced *t, unsigned timeout_ms);
/* The same in two halves, so that several threads can be on their way
 * to a stop at once: ask, then wait. */
enum stop_result tracer_interrupt(struct traced *t);
enum stop_result tracer_wait_stop(struct traced *t, unsigned timeout_ms);

/* With the thread stopped: registers and one copy of the stack from SP,
 * at most max_bytes and never past the end of the mapping containing SP
 * (when maps is given and contains it).  c's stack buffer is reused when
 * large enough.  A thread stopped on the first instruction of a signal
 * handler is captured as the code the signal interrupted: registers from
 * the signal frame, the stack from the interrupted SP. */
enum stop_result tracer_capture(struct traced *t, const struct maps *maps,
				size_t max_bytes, struct capture *c);

/* Wait for any tracee to report: its tid and *status; 0 when timeout_ms
 * (0: no bound) passed; -1 with errno (EINTR, ECHILD). */
pid_t tracer_wait_any(int *status, unsigned timeout_ms);
/* Apply a status from tracer_wait_any to its thread, which was asked to
 * stop: STOP_OK (stopped, ready for tracer_capture), STOP_GONE, or
 * STOP_FAILED (keep waiting).  A thread found stopped at the delivery of a
 * signal is taken as it is: its registers are those of the code the
 * signal interrupted (once the handler's frame is built they would be the
 * handler's), and the signal is handed back when it is let go. */
enum stop_result tracer_apply_status(struct traced *t, int status);

/* A wait status collected for t outside tracer_stop (a signal-delivery
 * stop, the end of a group-stop...): re-inject, let go, or mark gone. */
void tracer_handle_event(struct traced *t, int status);

/* Let a stopped thread go on (job-control stops stay stopped), with the
 * signal it was stopped at.  Taken at a signal's delivery, the thread may
 * still owe the stop we asked for (when we asked while it was already
 * stopped there): it comes on the handler's first instruction, and is
 * either collected with the other events or, at the next capture, seen
 * through (see tracer_capture). */
void tracer_resume(struct traced *t);
/* Detach a thread in any state: a running one is stopped first.  A signal
 * it was stopped at is delivered. */
void tracer_detach(struct traced *t);

/* Set when a wait for one thread's stop took a SIGCHLD that another
 * tracee (or child) sent: its event may be pending, and the caller must
 * look for pending events.  Cleared by the caller. */
extern __thread bool tracer_foreign_sigchld;

/* Counters of the system calls made, for --verbose and benchmarks. */
struct tracer_counts {
	uint64_t seize, interrupt, wait, getregs, readv, cont, detach;
};
extern struct tracer_counts tracer_counts;
/* With -v: the counts, per thread-sample, on stderr. */
void tracer_report_counts(uint64_t samples);

#endif
