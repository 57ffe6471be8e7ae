/* deadlock3.c - three threads in a lock cycle, for `dump --locks`.
 *
 *   c1  holds A, blocked in pthread_mutex_lock(&B)
 *   c2  holds B, blocked in pthread_mutex_lock(&C)
 *   c3  holds C, blocked in pthread_mutex_lock(&A)
 *
 * Each takes its first lock and meets the others at a barrier before
 * asking for the second.  Main checks from /proc that each waits in futex
 * on the right mutex, then prints "ready TID1 TID2 TID3 0xA 0xB 0xC".
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define KEEP __attribute__((noinline, noipa))
#define N 3

static pthread_mutex_t locks[N] = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER
};
static pthread_barrier_t all_hold;

struct cyc {
	struct announce a;
	char name[8];
	int idx;
};

KEEP void cycle_lock_next(pthread_mutex_t *want)
{
	pthread_mutex_lock(want);
	die("got a mutex of the cycle");
}

KEEP void cycle_run(int i)
{
	pthread_mutex_lock(&locks[i]);
	pthread_barrier_wait(&all_hold);
	cycle_lock_next(&locks[(i + 1) % N]);
}

static void *cycle_thread(void *arg)
{
	struct cyc *c = arg;

	announce_self(&c->a, c->name);
	cycle_run(c->idx);
	return NULL;
}

int main(void)
{
	static struct cyc cs[N];
	pid_t tids[N];
	char line[160];

	if (pthread_barrier_init(&all_hold, NULL, N) != 0)
		die("pthread_barrier_init failed");
	for (int i = 0; i < N; i++) {
		pthread_t t;
		int err;

		cs[i].idx = i;
		snprintf(cs[i].name, sizeof(cs[i].name), "c%d", i + 1);
		announce_init(&cs[i].a);
		err = pthread_create(&t, NULL, cycle_thread, &cs[i]);
		if (err != 0)
			die("pthread_create: %s", strerror(err));
	}
	for (int i = 0; i < N; i++)
		tids[i] = announce_wait(&cs[i].a);
	for (int i = 0; i < N; i++) {
		uint64_t want = (uint64_t)(uintptr_t)&locks[(i + 1) % N];

		wait_in_syscall(tids[i], NR_FUTEX, want, want + sizeof(locks[0]));
	}
	snprintf(line, sizeof(line), "%d %d %d %p %p %p", (int)tids[0], (int)tids[1],
		 (int)tids[2], (void *)&locks[0], (void *)&locks[1], (void *)&locks[2]);
	ready_and_serve(line);
}
