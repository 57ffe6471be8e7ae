/* relay.c - threads that follow one another.
 *
 * A thread named "relay" starts a thread named "leg", joins it, starts the
 * next one, and so on forever.  Each leg spins on the CPU (in leg_spin) for
 * LEG_MS and exits, so the process always has three threads (main, relay,
 * one leg) while a new leg appears every LEG_MS: a profiler that only knows
 * the threads it found at the start samples the first leg and then nothing
 * of the spinning at all.
 *
 * Ready once the second leg runs.
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define LEG_MS 250
#define KEEP __attribute__((noinline, noipa))

static volatile int second_leg;
static volatile uint64_t sink;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

KEEP void leg_spin(uint64_t until)
{
	uint64_t h = sink;

	while (now_ns() < until)
		for (int i = 0; i < 10000; i++)
			h = h * 6364136223846793005ULL + (uint64_t)i;
	sink = h;
}

static void *leg(void *arg)
{
	int err = pthread_setname_np(pthread_self(), "leg");

	if (err != 0)
		die("pthread_setname_np(leg): %s", strerror(err));
	if (arg)
		second_leg = 1;
	leg_spin(now_ns() + LEG_MS * 1000000ull);
	return NULL;
}

static void *relay(void *arg)
{
	announce_self(arg, "relay");
	for (unsigned long n = 0;; n++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, leg, (void *)(uintptr_t)(n == 1));

		if (err != 0)
			die("pthread_create: %s", strerror(err));
		pthread_join(t, NULL);
	}
	return NULL;
}

int main(void)
{
	struct announce a;
	pthread_t t;
	int err;

	announce_init(&a);
	err = pthread_create(&t, NULL, relay, &a);
	if (err != 0)
		die("pthread_create: %s", strerror(err));
	announce_wait(&a);
	wait_flag(&second_leg, "the second leg");
	ready_and_serve(NULL);
}
