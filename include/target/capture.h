/* capture.h - what is taken from a thread: registers and its stack.
 *
 * A capture is registers plus one copy of the stack from SP upwards.
 * It is all the unwinder needs: once taken, the thread is resumed and
 * everything after works on this copy.  A thread blocked in a system call
 * is captured without being stopped (target/inplace.h): then only RIP
 * and RSP are known.
 */
#ifndef PTPROF_CAPTURE_H
#define PTPROF_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "target/procfs.h"

struct capture {
	struct user_regs_struct regs;
	uint64_t stack_addr;      /* target address of stack[0] (= SP) */
	size_t stack_len;         /* bytes copied */
	unsigned char *stack;     /* malloc'ed copy, reused by the next capture */
	size_t stack_cap;         /* bytes allocated at stack */
	uint64_t stopped_ns;      /* how long the thread was held stopped */
	bool pc_is_return;        /* regs.rip is a return address, not where a
				     thread was stopped (a parked goroutine's
				     saved pc): look it up at rip - 1 */
	bool partial_regs;        /* only rip and rsp are known (read in place,
				     the thread never stopped): the unwinder
				     says when a frame needs another */
	bool syscall_regs;        /* ... and, the thread being in a system call,
				     its arguments' registers (rdi, rsi, rdx,
				     r10, r8, r9) and rcx (= rip) */
};

void capture_free(struct capture *c);

/* Copy up to max_bytes of tid's stack from sp on (not past the end of the
 * mapping maps says sp is in) into c, with one process_vm_readv; sets
 * stack_addr and stack_len (0 when the copy failed). */
void capture_copy_stack(pid_t tid, const struct maps *maps, uint64_t sp, size_t max_bytes,
			struct capture *c);

/* The same, as iovecs for a process_vm_readv of its own: c's buffer made
 * large enough, stack_addr set, stack_len 0 until the copy. */
void capture_stack_iov(const struct maps *maps, uint64_t sp, size_t max_bytes,
		       struct capture *c, struct iovec *local, struct iovec *remote);

/* Read n bytes at target address addr from the stack copy.  True only when
 * [addr, addr+n) lies wholly inside the copy (no wrap-around). */
bool stackmem_read(const struct capture *c, uint64_t addr, void *out, size_t n);

#endif
