/* deadlock2.c - two threads in a lock-order deadlock, for `dump --locks`.
 *
 *   dl-a  holds m1, blocked in pthread_mutex_lock(&m2)
 *   dl-b  holds m2, blocked in pthread_mutex_lock(&m1)
 *
 * Both take their first lock, meet at a barrier (so each surely holds its
 * first lock before asking for the second), then block for good.  Main
 * checks from /proc that dl-a waits in futex on m2 and dl-b on m1, then
 * prints "ready TIDA TIDB 0xM1 0xM2".
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define KEEP __attribute__((noinline, noipa))

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold;

/* Blocks forever: the other thread holds `want` and waits for us. */
KEEP void dl_lock_second(pthread_mutex_t *want)
{
	pthread_mutex_lock(want);
	die("got a mutex of the deadlock");
}

KEEP void dl_run(pthread_mutex_t *first, pthread_mutex_t *second)
{
	pthread_mutex_lock(first);
	pthread_barrier_wait(&both_hold);
	dl_lock_second(second);
}

static void *dl_a(void *arg)
{
	announce_self(arg, "dl-a");
	dl_run(&m1, &m2);
	return NULL;
}

static void *dl_b(void *arg)
{
	announce_self(arg, "dl-b");
	dl_run(&m2, &m1);
	return NULL;
}

static uint64_t lo(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int main(void)
{
	static struct announce a, b;
	pid_t ta, tb;
	char line[128];

	if (pthread_barrier_init(&both_hold, NULL, 2) != 0)
		die("pthread_barrier_init failed");
	ta = start_announced(dl_a, &a);
	tb = start_announced(dl_b, &b);
	wait_in_syscall(ta, NR_FUTEX, lo(&m2), lo(&m2) + sizeof(m2));
	wait_in_syscall(tb, NR_FUTEX, lo(&m1), lo(&m1) + sizeof(m1));

	snprintf(line, sizeof(line), "%d %d %p %p", (int)ta, (int)tb, (void *)&m1, (void *)&m2);
	ready_and_serve(line);
}
