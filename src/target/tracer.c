/* tracer.c - every ptrace call ptprof makes. */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target/memread.h"
#include "target/signals.h"
#include "target/inplace.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/xalloc.h"

struct tracer_counts tracer_counts;

#define CAP_SYS_PTRACE_BIT 19
/* How long a pending stop is still awaited once ptprof was told to quit. */
#define STOP_GRACE_MS 100

/* Name of process pid (its comm), or "?" */
static void proc_name(pid_t pid, char *out, size_t size)
{
	if (procfs_read_comm(pid, out, size) < 0)
		snprintf(out, size, "?");
}

static int read_status(pid_t pid, struct proc_status *st)
{
	char buf[4096];
	if (procfs_read(pid, 0, "status", buf, sizeof(buf)) < 0)
		return -1;
	return procfs_parse_status(buf, st);
}

static int yama_scope(void)
{
	char buf[16];
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
	int v = -1;
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = buf[0] - '0';
	fclose(f);
	return v;
}

static int already_traced(pid_t pid, pid_t tracer)
{
	char name[PROC_COMM_MAX];
	proc_name(tracer, name, sizeof(name));
	pt_error("cannot attach to %d: already traced by process %d (%s); detach it first "
		 "(quit the debugger or tracer)", (int)pid, (int)tracer, name);
	return EXIT_FAILED;
}

int tracer_precheck(pid_t pid)
{
	char buf[1024];
	struct proc_stat st;
	struct proc_status status;

	if (procfs_read(pid, 0, "stat", buf, sizeof(buf)) < 0 || procfs_parse_stat(buf, &st) < 0 ||
	    read_status(pid, &status) < 0) {
		pt_error("no process %d", (int)pid);
		return EXIT_FAILED;
	}
	if (st.flags & PROC_PF_KTHREAD) {
		pt_error("%d is a kernel thread (%s): ptprof reads user-space stacks; "
			 "see /proc/%d/stack or use perf for the kernel", (int)pid, st.comm, (int)pid);
		return EXIT_FAILED;
	}
	if (status.tgid != pid) {
		pt_error("%d is thread %d of process %d: use -p %d -t %d", (int)pid, (int)pid,
			 (int)status.tgid, (int)status.tgid, (int)pid);
		return EXIT_FAILED;
	}
	if (st.state == 'Z' || st.state == 'X') {
		pid_t *tids = NULL;
		ssize_t n = procfs_list_tasks(pid, &tids);
		free(tids);
		/* A leader that called pthread_exit is a zombie with live threads. */
		if (n <= 1) {
			pt_error("process %d is a zombie: it has exited and waits for its parent %d "
				 "to reap it; there is no stack to read", (int)pid, (int)st.ppid);
			return EXIT_FAILED;
		}
	}
	if (status.tracer_pid != 0 && status.tracer_pid != getpid())
		return already_traced(pid, status.tracer_pid);
	return 0;
}

int tracer_maps_failed(pid_t pid)
{
	if (errno == EACCES || errno == EPERM)
		return tracer_diagnose_eperm(pid, pid);
	pt_error("no process %d", (int)pid);
	return EXIT_FAILED;
}

/* EPERM from PTRACE_SEIZE: say which of the usual reasons applies. */
int tracer_diagnose_eperm(pid_t pid, pid_t tid)
{
	struct proc_status target, thread, self;
	char tbuf[4096];
	bool have_cap = false;
	int scope = yama_scope();

	if (read_status(pid, &target) < 0) {
		pt_error("no process %d", (int)pid);
		return EXIT_FAILED;
	}
	if (target.tracer_pid != 0)
		return already_traced(pid, target.tracer_pid);
	/* Another tracer may hold just this thread (or be attaching now). */
	if (procfs_read(pid, tid, "status", tbuf, sizeof(tbuf)) > 0 &&
	    procfs_parse_status(tbuf, &thread) == 0 && thread.tracer_pid != 0)
		return already_traced(pid, thread.tracer_pid);
	if (procfs_read(getpid(), 0, "status", tbuf, sizeof(tbuf)) > 0 &&
	    procfs_parse_status(tbuf, &self) == 0)
		have_cap = (self.cap_eff >> CAP_SYS_PTRACE_BIT) & 1;

	if (scope == 3) {
		pt_error("cannot attach to %d: permission denied (kernel.yama.ptrace_scope=3 "
			 "forbids all tracing until reboot)", (int)pid);
	} else if (!have_cap && scope == 2) {
		pt_error("cannot attach to %d: permission denied (kernel.yama.ptrace_scope=2; "
			 "run as root or grant CAP_SYS_PTRACE)", (int)pid);
	} else if (!have_cap && target.uid_real != geteuid()) {
		struct passwd *pw = getpwuid(target.uid_real);
		pt_error("cannot attach to %d: permission denied (it belongs to uid %u%s%s%s; "
			 "run as root, as that user, or grant CAP_SYS_PTRACE)", (int)pid,
			 (unsigned)target.uid_real, pw ? " (" : "", pw ? pw->pw_name : "",
			 pw ? ")" : "");
	} else if (!have_cap && scope == 1) {
		pt_error("cannot attach to %d: permission denied (kernel.yama.ptrace_scope=1; "
			 "run as root or grant CAP_SYS_PTRACE, or set kernel.yama.ptrace_scope=0)",
			 (int)pid);
	} else if (!have_cap) {
		pt_error("cannot attach to %d: permission denied (the process is not dumpable, "
			 "e.g. setuid; run as root or grant CAP_SYS_PTRACE)", (int)pid);
	} else {
		pt_error("cannot attach to %d: permission denied although ptprof has "
			 "CAP_SYS_PTRACE (a security module such as SELinux or AppArmor refused, "
			 "or the process is protected); check the audit log", (int)pid);
	}
	return EXIT_FAILED;
}

/* A thread that is gone or already exited (a zombie refuses
 * PTRACE_SEIZE with EPERM): nothing to attach to, and no error. */
static bool thread_gone(pid_t pid, pid_t tid)
{
	char buf[1024];
	struct proc_stat st;
	return procfs_read(pid, tid, "stat", buf, sizeof(buf)) <= 0 ||
	       procfs_parse_stat(buf, &st) < 0 || st.state == 'Z' || st.state == 'X';
}

int tracer_seize(pid_t pid, struct traced *t)
{
	tracer_counts.seize++;
	if (ptrace(PTRACE_SEIZE, t->tid, 0, 0) == 0) {
		t->ts = TS_RUNNING;
		t->group_stop = false;
		return 0;
	}
	int err = errno;  /* the /proc reads below may change errno */
	if (err == ESRCH || thread_gone(pid, t->tid)) {
		t->ts = TS_GONE;
		return 1;
	}
	if (err == EPERM)
		return tracer_diagnose_eperm(pid, t->tid);
	pt_error("cannot attach to %d: ptrace(PTRACE_SEIZE, %d): %s", (int)pid, (int)t->tid,
		 strerror(err));
	return EXIT_FAILED;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__thread bool tracer_foreign_sigchld;

/* waitpid with a deadline: poll, then sleep until SIGCHLD (blocked, so it
 * stays pending) or the deadline.  Returns 0 on timeout. */
static pid_t wait_until(pid_t tid, int *status, uint64_t deadline)
{
	/* Blocked once per thread, not at every wait: this runs per sample. */
	static __thread bool blocked;
	sigset_t chld;
	bool shortened = false;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (!blocked) {
		sigprocmask(SIG_BLOCK, &chld, NULL);
		blocked = true;
	}
	for (;;) {
		pid_t r = waitpid(tid, status, __WALL | WNOHANG);
		if (r != 0)
			return r;
		uint64_t now = now_ms();
		/* Asked to quit: a thread about to stop gets a moment, one
		 * stuck in the kernel does not hold us up. */
		if (signals_stop_requested() && !shortened) {
			shortened = true;
			if (deadline > now + STOP_GRACE_MS)
				deadline = now + STOP_GRACE_MS;
		}
		if (now >= deadline)
			return 0;
		uint64_t left = deadline - now;
		struct timespec ts = { (time_t)(left / 1000), (long)(left % 1000) * 1000000 };
		siginfo_t si;
		if (sigtimedwait(&chld, &si, &ts) == SIGCHLD && si.si_pid != tid)
			tracer_foreign_sigchld = true;
	}
}

static bool is_job_control_stop(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* What a wait status means for t.  STOP_OK: t is in a stop we may work
 * in; STOP_GONE: it exited; STOP_FAILED: nothing to work with yet (a
 * signal was handed back, keep waiting).  asked: t was asked to stop, and
 * a signal-delivery-stop will do (see tracer_apply_status). */
static enum stop_result handle_status(struct traced *t, int st, bool asked)
{
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		t->ts = TS_GONE;
		t->exited = true;
		t->wstatus = st;
		return STOP_GONE;
	}
	if (!WIFSTOPPED(st))
		return STOP_FAILED;
	int sig = WSTOPSIG(st);
	int event = (unsigned)st >> 16;
	if (event == PTRACE_EVENT_STOP) {
		/* SIGTRAP: our interrupt, or the end of a group-stop while
		 * listening; a stop signal: a job-control stop. */
		t->group_stop = is_job_control_stop(sig);
		t->ts = TS_STOPPED;
		return STOP_OK;
	}
	if (asked && !event) {
		t->ts = TS_STOPPED;
		t->pending_sig = sig;
		return STOP_OK;
	}
	/* A signal-delivery-stop: hand the signal back untouched. */
	tracer_counts.cont++;
	if (ptrace(PTRACE_CONT, t->tid, 0, event ? 0 : sig) < 0 && errno == ESRCH) {
		t->ts = TS_GONE;
		return STOP_GONE;
	}
	return STOP_FAILED;
}

enum stop_result tracer_apply_status(struct traced *t, int status)
{
	return handle_status(t, status, true);
}

pid_t tracer_wait_any(int *status, unsigned timeout_ms)
{
	tracer_counts.wait++;
	if (!timeout_ms)
		return waitpid(-1, status, __WALL);
	return wait_until(-1, status, now_ms() + timeout_ms);
}

void tracer_handle_event(struct traced *t, int status)
{
	/* A stop nobody asked for right now: let the thread go on at once
	 * (a job-control stop stays in force). */
	if (handle_status(t, status, false) == STOP_OK)
		tracer_resume(t);
}

/* Wait until t reports a ptrace stop we can work in. */
static enum stop_result wait_stop(struct traced *t, unsigned timeout_ms)
{
	uint64_t deadline = timeout_ms ? now_ms() + timeout_ms : 0;
	for (;;) {
		int st = 0;
		pid_t r;
		tracer_counts.wait++;
		if (deadline)
			r = wait_until(t->tid, &st, deadline);
		else
			r = waitpid(t->tid, &st, __WALL);
		if (r == 0)
			return STOP_TIMEOUT;
		if (r < 0) {
			if (errno == EINTR) {
				/* Asked to quit: the interrupt is still pending and the
				 * thread will stop soon; wait a bounded time for it. */
				if (!deadline)
					deadline = now_ms() + STOP_GRACE_MS;
				continue;
			}
			if (errno == ECHILD) {
				t->ts = TS_GONE;
				return STOP_GONE;
			}
			pt_syserr("waitpid", t->tid, errno);
			return STOP_FAILED;
		}
		enum stop_result res = handle_status(t, st, true);
		if (res != STOP_FAILED)
			return res;
	}
}

enum stop_result tracer_interrupt(struct traced *t)
{
	if (t->ts == TS_STOPPED)
		return STOP_OK;
	if (t->ts != TS_RUNNING)
		return STOP_GONE;
	tracer_counts.interrupt++;
	if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) < 0) {
		if (errno == ESRCH) {
			t->ts = TS_GONE;
			return STOP_GONE;
		}
		pt_syserr("ptrace(PTRACE_INTERRUPT)", t->tid, errno);
		return STOP_FAILED;
	}
	return STOP_OK;
}

enum stop_result tracer_wait_stop(struct traced *t, unsigned timeout_ms)
{
	if (t->ts == TS_STOPPED)
		return STOP_OK;
	if (t->ts != TS_RUNNING)
		return STOP_GONE;
	return wait_stop(t, timeout_ms);
}

enum stop_result tracer_stop(struct traced *t, unsigned timeout_ms)
{
	enum stop_result r = tracer_interrupt(t);
	return r == STOP_OK ? tracer_wait_stop(t, timeout_ms) : r;
}

/* The thread stands on the first instruction of a signal handler: the
 * kernel has just built the signal frame, with the return address at SP,
 * the ucontext right above it and the siginfo after that (x86_64
 * rt_sigframe), and passed them in rdi (the signal), rsi and rdx. */
#define UCONTEXT_SIZE 304         /* flags, link, stack_t, sigcontext, mask */
#define SIGCONTEXT_OFF 40         /* uc_mcontext within the ucontext */
static bool at_handler_entry(const struct user_regs_struct *r)
{
	return r->rdx == r->rsp + 8 && r->rsi == r->rdx + UCONTEXT_SIZE && r->rdi >= 1 &&
	       r->rdi <= 64;
}

/* The registers the signal interrupted, from the frame (struct
 * sigcontext: r8-r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip,
 * eflags).  The handler has not run an instruction yet: the thread was
 * doing what the signal interrupted, and that is what a sample shows, as
 * Go's profiler and perf show it. */
static void interrupted_regs(pid_t tid, struct user_regs_struct *r)
{
	uint64_t g[18];
	tracer_counts.readv++;
	if (!mem_read(tid, r->rdx + SIGCONTEXT_OFF, g, sizeof(g)) || !g[16] || !g[15])
		return;
	r->r8 = g[0], r->r9 = g[1], r->r10 = g[2], r->r11 = g[3];
	r->r12 = g[4], r->r13 = g[5], r->r14 = g[6], r->r15 = g[7];
	r->rdi = g[8], r->rsi = g[9], r->rbp = g[10], r->rbx = g[11];
	r->rdx = g[12], r->rax = g[13], r->rcx = g[14], r->rsp = g[15];
	r->rip = g[16], r->eflags = g[17];
}

enum stop_result tracer_capture(struct traced *t, const struct maps *maps, size_t max_bytes,
				struct capture *c)
{
	tracer_counts.getregs++;
	c->stack_len = 0;
	c->pc_is_return = false;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &c->regs) < 0) {
		if (errno == ESRCH) {
			t->ts = TS_GONE;
			return STOP_GONE;
		}
		pt_syserr("ptrace(PTRACE_GETREGS)", t->tid, errno);
		return STOP_FAILED;
	}
	if (at_handler_entry(&c->regs))
		interrupted_regs(t->tid, &c->regs);
	c->partial_regs = false;
	c->syscall_regs = false;
	tracer_counts.readv++;
	capture_copy_stack(t->tid, maps, c->regs.rsp, max_bytes, c);
	return STOP_OK;
}

void tracer_resume(struct traced *t)
{
	if (t->ts != TS_STOPPED)
		return;
	int sig = t->pending_sig;
	t->pending_sig = 0;
	tracer_counts.cont++;
	/* LISTEN keeps a job-control stop in force without a ptrace stop. */
	long r = t->group_stop ? ptrace(PTRACE_LISTEN, t->tid, 0, 0)
			       : ptrace(PTRACE_CONT, t->tid, 0, sig);
	if (r < 0 && errno == ESRCH) {
		t->ts = TS_GONE;
		return;
	}
	t->ts = TS_RUNNING;
}

void tracer_detach(struct traced *t)
{
	if (t->ts == TS_RUNNING) {
		/* PTRACE_DETACH needs a stopped tracee. */
		enum stop_result r = tracer_stop(t, 1000);
		if (r == STOP_TIMEOUT) {
			pt_verbose("thread %d did not stop to be detached; the kernel releases it "
				   "when ptprof exits", (int)t->tid);
			return;
		}
	}
	if (t->ts != TS_STOPPED)
		return;
	tracer_counts.detach++;
	/* Detaching from a job-control stop leaves the thread stopped; a
	 * signal it was stopped at is delivered (and our pending interrupt
	 * dropped with the tracing). */
	int sig = t->pending_sig;
	t->pending_sig = 0;
	if (ptrace(PTRACE_DETACH, t->tid, 0, sig) < 0 && errno != ESRCH)
		pt_syserr("ptrace(PTRACE_DETACH)", t->tid, errno);
	t->ts = TS_DETACHED;
}

void tracer_report_counts(uint64_t samples)
{
	const struct tracer_counts *c = &tracer_counts;
	uint64_t total = c->seize + c->interrupt + c->wait + c->getregs + c->readv + c->cont +
			 c->detach;
	pt_verbose("system calls on the target: %llu seize, %llu interrupt, %llu wait, "
		   "%llu getregs, %llu process_vm_readv, %llu cont/listen, %llu detach; "
		   "%.1f per thread-sample",
		   (unsigned long long)c->seize, (unsigned long long)c->interrupt,
		   (unsigned long long)c->wait, (unsigned long long)c->getregs,
		   (unsigned long long)c->readv, (unsigned long long)c->cont,
		   (unsigned long long)c->detach, samples ? (double)total / (double)samples : 0.0);
	if (inplace_count)
		pt_verbose("stacks read in place: %llu (a thread whose frames needed more was stopped after all)",
			   inplace_count);
}
