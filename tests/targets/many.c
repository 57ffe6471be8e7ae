/* many.c - 500 threads with one identical stack, for `dump -g` and the
 * census.
 *
 * Threads "same-0".."same-499" all wait on one condition variable through
 * the same call chain (many_worker -> many_wait -> pthread_cond_wait), on
 * 64 KiB stacks.  Main checks every one is blocked in futex on the
 * condition variable, then prints "ready".
 */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define THREADS 500
#define STACK (64 * 1024)
#define KEEP __attribute__((noinline, noipa))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int go; /* never set */

struct worker {
	struct announce a;
	char name[16];
};

KEEP void many_wait(void)
{
	pthread_mutex_lock(&lock);
	while (!go)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

KEEP void *many_worker(void *arg)
{
	struct worker *w = arg;

	announce_self(&w->a, w->name);
	for (;;)
		many_wait();
	return NULL;
}

/* Room for THREADS more tasks under RLIMIT_NPROC, raising the soft limit
 * to the hard one if that helps. */
static void check_nproc(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NPROC, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= THREADS + 100)
		return;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > rl.rlim_cur) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NPROC, &rl) == 0 &&
		    (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= THREADS + 100))
			return;
	}
	die("RLIMIT_NPROC %llu leaves no room for %d threads",
	    (unsigned long long)rl.rlim_cur, THREADS);
}

int main(void)
{
	static struct worker workers[THREADS];
	pthread_attr_t at;
	int err;

	check_nproc();
	pthread_attr_init(&at);
	if ((err = pthread_attr_setstacksize(&at, STACK)) != 0)
		die("pthread_attr_setstacksize: %s", strerror(err));
	for (int i = 0; i < THREADS; i++) {
		pthread_t t;

		snprintf(workers[i].name, sizeof(workers[i].name), "same-%d", i);
		announce_init(&workers[i].a);
		err = pthread_create(&t, &at, many_worker, &workers[i]);
		if (err != 0)
			die("pthread_create #%d: %s", i, strerror(err));
	}
	pthread_attr_destroy(&at);
	for (int i = 0; i < THREADS; i++) {
		pid_t tid = announce_wait(&workers[i].a);

		wait_in_syscall(tid, NR_FUTEX, (uint64_t)(uintptr_t)&cond,
				(uint64_t)(uintptr_t)&cond + sizeof(cond));
	}
	ready_and_serve(NULL);
}
