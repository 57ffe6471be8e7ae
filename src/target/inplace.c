/* inplace.c - see inplace.h. */
#include <string.h>

#include "target/inplace.h"

unsigned long long inplace_count;

/* The syscall line, and the run time, as one reading. */
struct where {
	char line[256];
	ssize_t len;
	uint64_t run_ns;
};

static bool read_where(struct thread_files *tf, pid_t pid, pid_t tid, struct where *w)
{
	w->len = procfs_pread(&tf->syscall, pid, tid, "syscall", w->line, sizeof(w->line));
	return w->len > 0 && thread_run_ns(tf, pid, tid, &w->run_ns) == 0;
}

enum inplace_result inplace_capture(struct thread_files *tf, pid_t pid, pid_t tid,
				    const struct maps *maps, size_t max_bytes, struct capture *c)
{
	struct where before, after;
	struct proc_syscall sc;

	if (!read_where(tf, pid, tid, &before))
		return INPLACE_GONE;
	if (procfs_parse_syscall(before.line, &sc) < 0 || sc.running || sc.sp == 0 || sc.pc == 0)
		return INPLACE_RUNNING;
	memset(&c->regs, 0, sizeof(c->regs));
	c->regs.rip = sc.pc;
	c->regs.rsp = sc.sp;
	c->regs.orig_rax = (unsigned long long)sc.nr;
	/* In a system call the registers that carry its arguments hold them
	 * still (the kernel saved them at entry and leaves them), and the
	 * syscall instruction put the return address in rcx.  glibc's vfork
	 * keeps its return address in rdi across the call. */
	c->syscall_regs = sc.nr >= 0;
	if (c->syscall_regs) {
		c->regs.rdi = sc.args[0];
		c->regs.rsi = sc.args[1];
		c->regs.rdx = sc.args[2];
		c->regs.r10 = sc.args[3];
		c->regs.r8 = sc.args[4];
		c->regs.r9 = sc.args[5];
		c->regs.rcx = sc.pc;
	}
	c->pc_is_return = false;
	c->partial_regs = true;
	c->stopped_ns = 0;
	capture_copy_stack(tid, maps, sc.sp, max_bytes, c);
	if (!read_where(tf, pid, tid, &after))
		return INPLACE_GONE;
	if (after.len != before.len || memcmp(after.line, before.line, (size_t)before.len) != 0 ||
	    after.run_ns != before.run_ns)
		return INPLACE_MOVED;
	inplace_count++;
	return INPLACE_OK;
}
