/* sighandler.c - a thread asleep inside a signal handler.
 *
 *   in-handler  victim_outer -> victim_inner sends itself SIGUSR1; the
 *               handler on_usr1 -> handler_block then blocks in read() on
 *               a pipe nobody writes to.  Its stack runs through the
 *               kernel's signal frame (glibc's __restore_rt) back into
 *               the code the signal interrupted.
 *
 * Exits 0 at EOF on stdin.
 */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define KEEP __attribute__((noinline, noipa))

static int pipe_fds[2];
static volatile int counter;

KEEP void handler_block(void)
{
	char c;
	while (read(pipe_fds[0], &c, 1) < 0 && errno == EINTR)
		;
	counter++;       /* not reached; keeps the call from being a tail call */
}

static void on_usr1(int sig)
{
	(void)sig;
	handler_block();
	counter++;
}

KEEP void victim_inner(void)
{
	pthread_kill(pthread_self(), SIGUSR1);
	counter++;
}

KEEP void victim_outer(void)
{
	victim_inner();
	counter++;
}

static void *victim_thread(void *arg)
{
	announce_self(arg, "in-handler");
	victim_outer();
	return NULL;
}

int main(void)
{
	struct announce v;
	struct sigaction sa;
	pid_t tid;

	if (pipe2(pipe_fds, O_CLOEXEC) != 0)
		die("pipe2: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		die("sigaction: %s", strerror(errno));

	tid = start_announced(victim_thread, &v);
	wait_in_syscall(tid, NR_READ, (uint64_t)pipe_fds[0], (uint64_t)pipe_fds[0] + 1);
	ready_and_serve(NULL);
}
