/* inplace.h - a blocked thread's stack, captured without stopping it.
 *
 * A thread asleep in the kernel cannot run user code, so neither its
 * registers nor its stack can change while it sleeps.  The kernel already
 * says where it is: /proc/PID/task/TID/syscall gives its stack pointer and
 * program counter (and the system call, if it is in one).  The stack is
 * copied from SP with one process_vm_readv.  Its run time and the count of
 * times it was put on a CPU (schedstat) are read before the syscall line
 * and again after the copy: the same two mean it was not switched in
 * meanwhile, so neither its registers nor its stack moved.  No ptrace
 * call is made; the thread never notices.
 *
 * Only RIP and RSP are known, so the capture is marked partial: a frame
 * whose unwinding needs another register (a CFA computed from RBP that no
 * frame below saved) makes the unwinder ask for a stopped capture.
 */
#ifndef PTPROF_INPLACE_H
#define PTPROF_INPLACE_H

#include <stddef.h>
#include <sys/types.h>

#include "target/capture.h"
#include "target/procfs.h"
#include "target/threadfacts.h"

enum inplace_result {
	INPLACE_OK,               /* c holds the thread as it sleeps */
	INPLACE_RUNNING,          /* on a CPU, or its place unknown: stop it */
	INPLACE_MOVED,            /* it woke up during the copy: stop it */
	INPLACE_GONE,             /* the thread exited */
};

/* Where a thread sleeps, and its run stamp read before that. */
struct where {
	struct proc_syscall sc;
	uint64_t run_ns, runs;
};

enum inplace_result inplace_capture(struct thread_files *tf, pid_t pid, pid_t tid,
				    const struct maps *maps, size_t max_bytes, struct capture *c);

/* The same, f (thread_facts_read_asleep) standing for the first reading
 * of the syscall line and the run time: two /proc reads fewer. */
enum inplace_result inplace_capture_seen(struct thread_files *tf, pid_t pid,
					 const struct thread_facts *f, const struct maps *maps,
					 size_t max_bytes, struct capture *c);

/* Threads of one process read in place together: their stacks copied by
 * one process_vm_readv (they share one address space; one call per
 * thread cost more than the rest of its capture).  Each thread's copy
 * still lies between its own two readings. */
#define INPLACE_BATCH 32
struct inplace_item {
	pid_t tid;
	size_t slot;              /* its capture: caps[slot] */
	struct thread_files tf;   /* its /proc files, until the batch runs */
	struct where before;
	enum inplace_result result;
};
struct inplace_batch {
	pid_t pid;
	size_t n;
	struct inplace_item items[INPLACE_BATCH];
};
/* Queue a thread whose facts thread_facts_read_asleep read; takes over
 * *tf.  False (tf untouched) when the batch is full or the thread cannot
 * be read in place (running, place unknown). */
bool inplace_batch_add(struct inplace_batch *b, struct thread_files *tf,
		       const struct thread_facts *f, size_t slot);
/* Copy every queued stack into caps[slot], check each thread, set each
 * result and close the files.  The caller empties the batch (n = 0). */
void inplace_batch_run(struct inplace_batch *b, const struct maps *maps, size_t max_bytes,
		       struct capture *caps);

/* Threads captured in place so far, for --verbose and benchmarks. */
extern unsigned long long inplace_count;

#endif
