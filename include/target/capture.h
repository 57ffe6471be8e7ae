/* capture.h - what is taken from a thread while it is stopped.
 *
 * A capture is registers plus one copy of the stack from SP upwards.
 * It is all the unwinder needs: once taken, the thread is resumed and
 * everything after works on this copy.
 */
#ifndef PTPROF_CAPTURE_H
#define PTPROF_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

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
};

void capture_free(struct capture *c);

/* Read n bytes at target address addr from the stack copy.  True only when
 * [addr, addr+n) lies wholly inside the copy (no wrap-around). */
bool stackmem_read(const struct capture *c, uint64_t addr, void *out, size_t n);

#endif
