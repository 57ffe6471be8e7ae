/* unwind.h - call stacks from a capture, after the thread was resumed.
 *
 * libunwind's remote API with ptprof's own accessors: registers come from
 * the capture, stack words from its copy, unwind tables and code bytes
 * from the module files.  Nothing reads the target's memory, so unwinding
 * costs the target nothing.  Code no unwind table describes (JIT code in
 * anonymous memory) is left by its frame pointer when that checks out
 * against the stack copy.  Bounded on any input: at most max frames;
 * it stops when the stack pointer fails to move up (a cycle) or a return
 * address points outside every executable mapping (a corrupt stack).
 * A capture read in place (only RIP and RSP known) is unwound as far as
 * those and the stack copy allow; a frame that needs another register
 * ends it with needs_stop set.
 */
#ifndef PTPROF_UNWIND_H
#define PTPROF_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stack/modules.h"
#include "target/capture.h"

struct stack_frame {
	uint64_t pc;
	bool is_return;           /* pc is a return address (look up pc - 1) */
};

/* A frame for the kernel working on system call nr, put on top of a
 * sample taken inside one: an address in the kernel's half that no user
 * code has, symbolized as "[kernel] NAME". */
#define KERNEL_FRAME_BASE 0xfffffffffe000000ULL
#define KERNEL_FRAME_PC(nr) (KERNEL_FRAME_BASE + (uint64_t)(nr))
static inline bool is_kernel_frame(uint64_t pc)
{
	return pc >= KERNEL_FRAME_BASE && pc < KERNEL_FRAME_BASE + 0x10000;
}


enum unwind_end {
	UNWIND_COMPLETE = 0,      /* reached the outermost frame */
	UNWIND_TRUNCATED,         /* hit max frames */
	UNWIND_STACK_END,         /* ran past the copied stack */
	UNWIND_NO_INFO,           /* no unwind information for a frame */
	UNWIND_CYCLE,             /* stack pointer did not move up */
	UNWIND_BAD_PC,            /* a return address outside any code */
	UNWIND_ERROR,             /* libunwind failed otherwise */
};

struct stack {
	size_t n;
	struct stack_frame *frames; /* innermost first; malloc'ed */
	size_t cap;               /* frames allocated */
	enum unwind_end end;
	bool needs_stop;          /* a capture read in place lacked a register
				     a frame needs: frames are not to be used,
				     capture the thread stopped instead */
};

struct unwinder;

/* maps: the target's mappings, to tell code from garbage and the end of
 * the stack from the end of the copy. */
struct unwinder *unwinder_new(struct modules *ms, const struct maps *maps);
void unwinder_free(struct unwinder *u);
/* Unwind one capture into *out.  out must be zeroed or hold an earlier
 * result, whose frame array is then reused. */
void unwind_capture(struct unwinder *u, const struct capture *c, size_t max_frames,
		    struct stack *out);
/* True once after an unwind met code in no known module (a library
 * loaded since the modules were read): time to read them again. */
bool unwinder_missed_module(struct unwinder *u);
void stack_free(struct stack *s);
/* Put the kernel frame of system call nr on top of s. */
void stack_push_kernel(struct stack *s, long nr);
/* Whether a capture was taken inside system call *nr (the thread was
 * running kernel code for it): orig_rax names one and the PC follows a
 * syscall instruction (read from the module files). */
bool capture_in_syscall(const struct capture *c, struct modules *ms, long *nr);
const char *unwind_end_reason(enum unwind_end e);

#endif
