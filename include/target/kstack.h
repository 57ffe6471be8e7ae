/* kstack.h - a thread's kernel stack, from /proc/PID/task/TID/stack.
 *
 * Only root (CAP_SYS_ADMIN, and the right to trace the thread) may read
 * it; addresses are hidden ("[<0>]"), names with offsets remain.  For a
 * thread in uninterruptible sleep it says where in the kernel it waits.
 */
#ifndef PTPROF_KSTACK_H
#define PTPROF_KSTACK_H

#include <stddef.h>
#include <sys/types.h>

struct kstack {
	char **fn;                /* innermost first: "kernel_clone+0x1d3" */
	size_t n;
};

/* 0 with *k filled (maybe empty), or -1 when the file cannot be read. */
int kstack_read(pid_t pid, pid_t tid, struct kstack *k);
/* Parse the text of a stack file (exposed for tests). */
void kstack_parse(const char *text, struct kstack *k);
void kstack_free(struct kstack *k);

#endif
