/* inplace.c - see inplace.h. */
#include <string.h>

#include "target/inplace.h"

unsigned long long inplace_count;

/* The syscall line and the run time, as one reading. */
struct where {
	struct proc_syscall sc;
	uint64_t run_ns;
};

static enum inplace_result read_where(struct thread_files *tf, pid_t pid, pid_t tid,
				      struct where *w)
{
	char line[256];
	if (procfs_pread(&tf->syscall, pid, tid, "syscall", line, sizeof(line)) <= 0 ||
	    thread_run_ns(tf, pid, tid, &w->run_ns) != 0)
		return INPLACE_GONE;
	if (procfs_parse_syscall(line, &w->sc) < 0)
		return INPLACE_RUNNING;
	return INPLACE_OK;
}

static bool same_place(const struct where *a, const struct where *b, bool ignore_nr)
{
	return a->run_ns == b->run_ns && a->sc.running == b->sc.running &&
	       (ignore_nr || a->sc.nr == b->sc.nr) && a->sc.sp == b->sc.sp &&
	       a->sc.pc == b->sc.pc && memcmp(a->sc.args, b->sc.args, sizeof(a->sc.args)) == 0;
}

static enum inplace_result capture(struct thread_files *tf, pid_t pid, pid_t tid,
				   const struct where *before, bool ignore_nr,
				   const struct maps *maps, size_t max_bytes, struct capture *c)
{
	const struct proc_syscall *sc = &before->sc;
	struct where after;
	enum inplace_result r;

	if (sc->running || sc->sp == 0 || sc->pc == 0)
		return INPLACE_RUNNING;
	memset(&c->regs, 0, sizeof(c->regs));
	c->regs.rip = sc->pc;
	c->regs.rsp = sc->sp;
	c->regs.orig_rax = (unsigned long long)sc->nr;
	/* In a system call the registers that carry its arguments hold them
	 * still (the kernel saved them at entry and leaves them), and the
	 * syscall instruction put the return address in rcx.  glibc's vfork
	 * keeps its return address in rdi across the call. */
	c->syscall_regs = sc->nr >= 0;
	if (c->syscall_regs) {
		c->regs.rdi = sc->args[0];
		c->regs.rsi = sc->args[1];
		c->regs.rdx = sc->args[2];
		c->regs.r10 = sc->args[3];
		c->regs.r8 = sc->args[4];
		c->regs.r9 = sc->args[5];
		c->regs.rcx = sc->pc;
	}
	c->pc_is_return = false;
	c->partial_regs = true;
	c->stopped_ns = 0;
	capture_copy_stack(tid, maps, sc->sp, max_bytes, c);
	r = read_where(tf, pid, tid, &after);
	if (r == INPLACE_GONE)
		return r;
	if (r != INPLACE_OK || !same_place(before, &after, ignore_nr))
		return INPLACE_MOVED;
	inplace_count++;
	return INPLACE_OK;
}

enum inplace_result inplace_capture(struct thread_files *tf, pid_t pid, pid_t tid,
				    const struct maps *maps, size_t max_bytes, struct capture *c)
{
	struct where before;
	enum inplace_result r = read_where(tf, pid, tid, &before);
	if (r != INPLACE_OK)
		return r;
	return capture(tf, pid, tid, &before, false, maps, max_bytes, c);
}

enum inplace_result inplace_capture_seen(struct thread_files *tf, pid_t pid,
					 const struct thread_facts *f, const struct maps *maps,
					 size_t max_bytes, struct capture *c)
{
	if (!f->have_run_ns || !f->have_syscall)
		return inplace_capture(tf, pid, f->tid, maps, max_bytes, c);
	struct where before = { .sc = f->sc, .run_ns = f->run_ns };
	/* A restarted sleep's number was put right in f; the line still
	 * says restart_syscall. */
	return capture(tf, pid, f->tid, &before, f->restarted, maps, max_bytes, c);
}
