/* ratio: a worker that splits its CPU between two functions, 1 : 3.
 *
 * hot_a and hot_b run the same loop body, hot_b three times as many
 * iterations, so a CPU profile must give hot_a about 25% and hot_b about
 * 75% of the worker's samples.  An "idle" thread sleeps throughout: a cpu
 * profile must not contain it, a wall profile must.
 */
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "common.h"

/* About 0.1 ms of work per unit: many alternations between two ticks. */
#define UNIT 20000

static struct announce a_worker, a_idle;
static volatile int worker_running;
static volatile uint64_t sink;

__attribute__((noinline)) static void hot_a(unsigned units)
{
	uint64_t h = sink;
	for (unsigned i = 0; i < units * UNIT; i++)
		h = h * 6364136223846793005ULL + i;
	sink = h;
}

__attribute__((noinline)) static void hot_b(unsigned units)
{
	uint64_t h = sink;
	for (unsigned i = 0; i < units * UNIT; i++)
		h = h * 6364136223846793005ULL + i;
	sink = h;
}

static void *worker(void *arg)
{
	announce_self(&a_worker, "worker");
	for (;;) {
		hot_a(1);
		hot_b(3);
		worker_running = 1;
	}
	return arg;
}

__attribute__((noinline)) static void idle_wait(void)
{
	for (;;)
		sleep(1000);
}

static void *idle(void *arg)
{
	announce_self(&a_idle, "idle");
	idle_wait();
	return arg;
}

int main(void)
{
	pthread_t t;
	announce_init(&a_worker);
	announce_init(&a_idle);
	pthread_create(&t, NULL, worker, NULL);
	pthread_create(&t, NULL, idle, NULL);
	announce_wait(&a_worker);
	pid_t idle_tid = announce_wait(&a_idle);
	wait_flag(&worker_running, "worker in its hot loop");
	wait_in_syscall2(idle_tid, NR_CLOCK_NANOSLEEP, NR_NANOSLEEP);
	ready_and_serve(NULL);
}
