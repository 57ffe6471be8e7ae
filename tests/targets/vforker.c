/* vforker.c - a thread in uninterruptible sleep that never stops for ptrace.
 *
 *   in-vfork  called vfork() in vfork_wait; while the child runs, the
 *             parent thread sleeps in the kernel in state D ("disk
 *             sleep") and a ptrace interrupt cannot stop it
 *   napper    sleep(1000) through napper_outer -> napper_inner
 *
 * The vfork child blocks in read() on a pipe that main keeps the write end
 * of.  At EOF on stdin main writes one byte to that pipe: the child
 * _exit(0)s, vfork returns, the thread reaps its child, and only then main
 * exits 0.  (If the target is killed instead, the last write end closes
 * and the child reads EOF and exits as well.)
 */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_VFORK 58
#define KEEP __attribute__((noinline, noipa))

static int pipe_fds[2];
static volatile int vfork_done;

/* ---- in-vfork -------------------------------------------------------- */

KEEP void vfork_wait(void)
{
	pid_t child = vfork();
	int st;

	if (child == 0) {
		char c;

		/* The child: only its own copy of the write end goes; main's
		 * stays open, so read blocks until main writes. */
		close(pipe_fds[1]);
		while (read(pipe_fds[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	if (child < 0)
		die("vfork: %s", strerror(errno));
	if (waitpid(child, &st, 0) != child)
		die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("vfork child ended with status 0x%x", st);
	vfork_done = 1;
}

static void *vfork_thread(void *arg)
{
	announce_self(arg, "in-vfork");
	vfork_wait();
	/* Back from vfork: idle until main exits the process. */
	for (;;)
		pause();
	return NULL;
}

/* ---- napper ---------------------------------------------------------- */

KEEP void napper_inner(void)
{
	for (;;)
		sleep(1000);
}

KEEP void napper_outer(void)
{
	napper_inner();
	vfork_done += 0; /* not reached; keeps the call from being a tail call */
}

static void *napper_thread(void *arg)
{
	announce_self(arg, "napper");
	napper_outer();
	return NULL;
}

/* ---- main ------------------------------------------------------------ */

static void on_eof(void)
{
	if (write(pipe_fds[1], "x", 1) != 1)
		die("write to the vfork child's pipe: %s", strerror(errno));
	wait_flag(&vfork_done, "vfork returning");
}

int main(void)
{
	struct announce v, n;
	pid_t tid;

	if (pipe2(pipe_fds, O_CLOEXEC) != 0)
		die("pipe2: %s", strerror(errno));

	tid = start_announced(vfork_thread, &v);
	/* In the vfork system call, and asleep in state D, not S. */
	wait_in_syscall(tid, NR_VFORK, 0, 0);
	wait_task_state(tid, 'D');

	tid = start_announced(napper_thread, &n);
	wait_in_syscall2(tid, NR_CLOCK_NANOSLEEP, NR_NANOSLEEP);

	ready_and_serve_cmds(NULL, NULL, on_eof);
}
