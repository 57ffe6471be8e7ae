/* inplace.c - see inplace.h. */
#include <string.h>
#include <sys/uio.h>

#include "target/inplace.h"

unsigned long long inplace_count;

/* The run stamp first: if it is the same after the copy, the thread was
 * not switched in since, and the line read after it still holds. */
static enum inplace_result read_where(struct thread_files *tf, pid_t pid, pid_t tid,
				      struct where *w)
{
	char line[256];
	if (thread_run_stamp(tf, pid, tid, &w->run_ns, &w->runs) != 0 ||
	    procfs_pread(&tf->syscall, pid, tid, "syscall", line, sizeof(line)) <= 0)
		return INPLACE_GONE;
	if (procfs_parse_syscall(line, &w->sc) < 0)
		return INPLACE_RUNNING;
	return INPLACE_OK;
}

/* What a capture read in place knows: where the thread sleeps, and in a
 * system call the registers of its arguments. */
static void set_regs(struct capture *c, const struct proc_syscall *sc)
{
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
}

static bool placeable(const struct proc_syscall *sc)
{
	return !sc->running && sc->sp != 0 && sc->pc != 0;
}

/* After the copy: not switched in since the first reading, or moved. */
static enum inplace_result confirm(struct thread_files *tf, pid_t pid, pid_t tid,
				   const struct where *before)
{
	uint64_t ns, runs;
	if (thread_run_stamp(tf, pid, tid, &ns, &runs) != 0)
		return INPLACE_GONE;
	if (ns != before->run_ns || runs != before->runs)
		return INPLACE_MOVED;
	inplace_count++;
	return INPLACE_OK;
}

static enum inplace_result capture(struct thread_files *tf, pid_t pid, pid_t tid,
				   const struct where *before, const struct maps *maps,
				   size_t max_bytes, struct capture *c)
{
	if (!placeable(&before->sc))
		return INPLACE_RUNNING;
	set_regs(c, &before->sc);
	capture_copy_stack(tid, maps, before->sc.sp, max_bytes, c);
	return confirm(tf, pid, tid, before);
}

enum inplace_result inplace_capture(struct thread_files *tf, pid_t pid, pid_t tid,
				    const struct maps *maps, size_t max_bytes, struct capture *c)
{
	struct where before;
	enum inplace_result r = read_where(tf, pid, tid, &before);
	if (r != INPLACE_OK)
		return r;
	return capture(tf, pid, tid, &before, maps, max_bytes, c);
}

/* The first reading, taken by thread_facts_read_asleep; false when it
 * lacks one of its two parts. */
static bool seen_where(const struct thread_facts *f, struct where *w)
{
	*w = (struct where){ .sc = f->sc, .run_ns = f->run_ns, .runs = f->runs };
	return f->have_run_ns && f->have_syscall;
}

enum inplace_result inplace_capture_seen(struct thread_files *tf, pid_t pid,
					 const struct thread_facts *f, const struct maps *maps,
					 size_t max_bytes, struct capture *c)
{
	struct where before;
	if (!seen_where(f, &before))
		return inplace_capture(tf, pid, f->tid, maps, max_bytes, c);
	return capture(tf, pid, f->tid, &before, maps, max_bytes, c);
}

bool inplace_batch_add(struct inplace_batch *b, struct thread_files *tf,
		       const struct thread_facts *f, size_t slot)
{
	struct where before;
	if (b->n == INPLACE_BATCH || !seen_where(f, &before) || !placeable(&before.sc))
		return false;
	b->items[b->n++] = (struct inplace_item){ .tid = f->tid, .slot = slot, .tf = *tf,
						  .before = before };
	*tf = (struct thread_files)THREAD_FILES_INIT;
	return true;
}

void inplace_batch_run(struct inplace_batch *b, const struct maps *maps, size_t max_bytes,
		       struct capture *caps)
{
	struct iovec local[INPLACE_BATCH], remote[INPLACE_BATCH];
	for (size_t i = 0; i < b->n; i++) {
		struct inplace_item *it = &b->items[i];
		struct capture *c = &caps[it->slot];
		set_regs(c, &it->before.sc);
		capture_stack_iov(maps, it->before.sc.sp, max_bytes, c, &local[i], &remote[i]);
	}
	/* One copy for all: the threads share one address space.  A copy
	 * that fails part way (a stack unmapped: its thread exited) ends the
	 * call there; the rest is copied by another. */
	for (size_t k = 0; k < b->n;) {
		ssize_t got = process_vm_readv(b->pid, local + k, b->n - k, remote + k, b->n - k, 0);
		if (got < 0)
			got = 0;
		while (k < b->n && (size_t)got >= local[k].iov_len) {
			caps[b->items[k].slot].stack_len = local[k].iov_len;
			got -= (ssize_t)local[k].iov_len;
			k++;
		}
		if (k < b->n) {
			caps[b->items[k].slot].stack_len = (size_t)got;
			k++;
		}
	}
	for (size_t i = 0; i < b->n; i++) {
		struct inplace_item *it = &b->items[i];
		it->result = confirm(&it->tf, b->pid, it->tid, &it->before);
		thread_files_close(&it->tf);
	}
}
