/* pool.c - 32 identical workers, for `ptprof dump -g`.
 *
 * Threads "worker-1".."worker-32" all wait on one condition variable
 * through the same call chain (pool_worker -> pool_wait ->
 * pthread_cond_wait), so their stacks and states are identical and a
 * grouped dump prints them as one group of 32.
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define WORKERS 32
#define KEEP __attribute__((noinline, noipa))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int work_available; /* never set: the workers wait forever */

KEEP void pool_wait(void)
{
	pthread_mutex_lock(&lock);
	while (!work_available)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

struct worker {
	struct announce a;
	char name[16];
};

KEEP void *pool_worker(void *arg)
{
	struct worker *w = arg;

	announce_self(&w->a, w->name);
	for (;;)
		pool_wait();
	return NULL;
}

int main(void)
{
	static struct worker workers[WORKERS];

	for (int i = 0; i < WORKERS; i++) {
		pthread_t t;
		int err;

		snprintf(workers[i].name, sizeof(workers[i].name), "worker-%d", i + 1);
		announce_init(&workers[i].a);
		err = pthread_create(&t, NULL, pool_worker, &workers[i]);
		if (err != 0)
			die("pthread_create: %s", strerror(err));
	}
	for (int i = 0; i < WORKERS; i++) {
		pid_t tid = announce_wait(&workers[i].a);

		/* Blocked on the condition variable itself, not on the mutex. */
		wait_in_syscall(tid, NR_FUTEX, (uint64_t)(uintptr_t)&cond,
				(uint64_t)(uintptr_t)&cond + sizeof(cond));
	}
	ready_and_serve(NULL);
}
