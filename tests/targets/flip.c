/* flip.c - threads that wake up all the time, for captures that must not
 * tear a stack.
 *
 * Threads "flip-0".."flip-7" loop forever: flip_a (a 1 ms sleep), then
 * flip_b (a 1.5 ms sleep), each called from flip_loop.  A thread is thus
 * asleep in one of two places, or running between them; a capture read
 * while it moves must never mix the two.
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define THREADS 8
#define KEEP __attribute__((noinline, noipa))

static volatile unsigned long laps;

KEEP void flip_a(void)
{
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
	laps++;
}

KEEP void flip_b(void)
{
	struct timespec ts = { 0, 1500000 };
	nanosleep(&ts, NULL);
	laps++;
}

KEEP void flip_loop(void)
{
	for (;;) {
		flip_a();
		flip_b();
	}
}

struct flipper {
	struct announce a;
	char name[16];
};

static void *flip_thread(void *arg)
{
	struct flipper *f = arg;
	announce_self(&f->a, f->name);
	flip_loop();
	return NULL;
}

int main(void)
{
	static struct flipper f[THREADS];

	for (int i = 0; i < THREADS; i++) {
		pthread_t t;
		snprintf(f[i].name, sizeof(f[i].name), "flip-%d", i);
		announce_init(&f[i].a);
		if (pthread_create(&t, NULL, flip_thread, &f[i]) != 0)
			die("pthread_create failed");
	}
	for (int i = 0; i < THREADS; i++)
		announce_wait(&f[i].a);
	/* Every thread has gone round at least once. */
	unsigned long start = laps;
	while (laps < start + 2 * THREADS)
		poll_pause();
	ready_and_serve(NULL);
}
