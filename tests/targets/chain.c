/* chain.c - threads in known call chains, for `ptprof dump`.
 *
 *   busy-0   spins in chain_a -> chain_b -> chain_c
 *   sleeper  sleep(1000) reached through sleeper_outer -> sleeper_inner
 *   reader   read() on a pipe nobody writes, in reader_wait
 *   locker   pthread_mutex_lock on a mutex main holds, in locker_wait
 *
 * Built several ways (see tests/targets.mk): -O0 PIE, -O0 non-PIE, -O0
 * stripped with separate debug info, and -O2 with CHAIN_INLINE defined,
 * where chain_b and chain_c are forced inline into chain_a so a dump has
 * to show them as inlined frames.
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The outer functions must stay real frames at every optimization level:
 * no inlining, no cloning (which renames them to foo.isra.0), and no
 * inter-procedural guesses such as "never returns". */
#define KEEP __attribute__((noinline, noipa))

#ifdef CHAIN_INLINE
#define INNER static inline __attribute__((always_inline))
#else
#define INNER KEEP
#endif

static volatile int busy_entered;
static volatile unsigned long busy_counter;
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static int pipe_fds[2];

/* ---- busy-0 ---------------------------------------------------------- */

INNER void chain_c(void)
{
	busy_entered = 1;
	for (;;)
		busy_counter++;
}

INNER void chain_b(void)
{
	chain_c();
	busy_counter += 2; /* not reached; keeps the call from being a tail call */
}

KEEP void chain_a(void)
{
	chain_b();
	busy_counter += 3;
}

static void *busy_thread(void *arg)
{
	announce_self(arg, "busy-0");
	chain_a();
	return NULL;
}

/* ---- sleeper --------------------------------------------------------- */

KEEP void sleeper_inner(void)
{
	for (;;)
		sleep(1000);
}

KEEP void sleeper_outer(void)
{
	sleeper_inner();
	busy_counter += 4;
}

static void *sleeper_thread(void *arg)
{
	announce_self(arg, "sleeper");
	sleeper_outer();
	return NULL;
}

/* ---- reader ---------------------------------------------------------- */

KEEP void reader_wait(int fd)
{
	char c;

	/* Main keeps the write end open and never writes: read blocks. */
	while (read(fd, &c, 1) != 0)
		;
	die("pipe write end closed");
}

static void *reader_thread(void *arg)
{
	announce_self(arg, "reader");
	reader_wait(pipe_fds[0]);
	return NULL;
}

/* ---- locker ---------------------------------------------------------- */

KEEP void locker_wait(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
	/* Only reached if main ever let go of the mutex. */
	die("got the mutex main holds");
}

static void *locker_thread(void *arg)
{
	announce_self(arg, "locker");
	locker_wait(&held);
	return NULL;
}

/* ---- main ------------------------------------------------------------ */

int main(void)
{
	struct announce busy, sleeper, reader, locker;
	pid_t tid;

	if (pipe(pipe_fds) != 0)
		die("pipe failed");
	/* Held for the life of the process; main can still answer pings. */
	pthread_mutex_lock(&held);

	start_announced(busy_thread, &busy);
	wait_flag(&busy_entered, "busy-0 entering chain_c");

	tid = start_announced(sleeper_thread, &sleeper);
	wait_in_syscall2(tid, NR_CLOCK_NANOSLEEP, NR_NANOSLEEP);

	tid = start_announced(reader_thread, &reader);
	wait_in_syscall(tid, NR_READ, (uint64_t)pipe_fds[0], (uint64_t)pipe_fds[0] + 1);

	tid = start_announced(locker_thread, &locker);
	wait_in_syscall(tid, NR_FUTEX, (uint64_t)(uintptr_t)&held,
			(uint64_t)(uintptr_t)&held + sizeof(held));

	ready_and_serve(NULL);
}
