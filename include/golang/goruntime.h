/* goruntime.h - the goroutines and threads of a live Go program, read
 * from its memory without stopping or changing it.
 *
 * The walk follows the runtime's own rules: allglen is read before the
 * allgs array (the runtime writes them in the other order), every g is
 * copied whole in batched reads, and the M list is followed from
 * runtime.allm.  A goroutine caught changing state while it is read
 * (_Gscan set, _Gcopystack, a stack pointer outside its own stack) is
 * read again a few times; one that stays so is marked inconsistent
 * rather than guessed.  Stacks are not unwound here: a goroutine says
 * where its stack is and where to start (the stages above unwind it).
 */
#ifndef PTPROF_GORUNTIME_H
#define PTPROF_GORUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "golang/godwarf.h"

enum go_status {
	GS_IDLE, GS_RUNNABLE, GS_RUNNING, GS_SYSCALL, GS_WAITING, GS_DEAD,
	GS_COPYSTACK, GS_PREEMPTED, GS_UNKNOWN,
};

struct goroutine {
	uint64_t g;               /* address of its runtime.g */
	uint64_t goid;
	uint64_t parent_goid;     /* 0 when the runtime does not record it (< 1.21) */
	enum go_status status;
	char wait_reason[48];     /* from the program's waitReasonStrings; "" if none */
	int64_t waitsince;        /* runtime nanotime when it started waiting, 0 if unknown */
	bool locked;              /* locked to its thread (LockOSThread) */
	uint64_t gopc;            /* pc of the go statement that created it */
	uint64_t startpc;         /* its function's entry */
	uint64_t stack_lo, stack_hi;
	uint64_t sched_sp, sched_pc, sched_bp; /* where a parked goroutine resumes */
	uint64_t syscallsp, syscallpc;         /* where one in a system call entered it */
	uint64_t m;               /* its M while running or in a syscall, else 0 */
	pid_t tid;                /* that M's thread, else 0 */
	bool inconsistent;        /* changed under every read; fields may be stale */
};

struct go_thread {
	uint64_t m;               /* address of the runtime.m */
	pid_t tid;                /* m.procid */
	uint64_t g0;              /* its scheduler goroutine */
	uint64_t curg;            /* the user goroutine it runs, or 0 */
};

struct go_state {
	struct goroutine *g;      /* live goroutines (dead ones left out), by goid */
	size_t n;
	struct go_thread *t;
	size_t nt;
	uint64_t reads;           /* system calls the walk took */
	int64_t nanotime;         /* the runtime's clock (CLOCK_MONOTONIC) at the read */
};

/* Read every goroutine and M.  bias: the main executable's load bias.
 * 0, or -1 with *why set (the process vanished, an address was not
 * readable). */
int go_state_read(pid_t pid, const struct go_layout *L, uint64_t bias, struct go_state *out,
		  const char **why);
void go_state_free(struct go_state *s);

/* Every M (thread) of the program, from runtime.allm: *out malloc'ed.
 * Returns the count, or -1 when allm cannot be read. */
ssize_t go_threads_read(pid_t pid, const struct go_layout *L, uint64_t bias,
			struct go_thread **out);

/* The goroutine a thread runs now, for a sample: reads m.curg and its
 * goid (two small reads).  0 when the thread runs none (idle, on g0). */
uint64_t go_thread_goid(pid_t pid, const struct go_layout *L, uint64_t m);

/* "running", "runnable", "syscall", "waiting", ... as Go prints them. */
const char *go_status_name(enum go_status s);

#endif
