/*
 * ratio - benchmark target for the `ptprof record` rows of bench/run.sh.
 *
 *   ratio [NIDLE]          (default 1000)
 *
 * One worker thread loops forever calling hot_a(1) then hot_b(3).  Both run
 * the same loop body (an LCG on a local, stored to a volatile sink), hot_b
 * three times as many iterations; one unit is 20000 iterations, about 0.1 ms,
 * so the two alternate many times between two samples at 99 Hz.  The truth
 * for a CPU profile of the worker is therefore hot_a 25%, hot_b 75%.
 *
 * NIDLE more threads (64 KiB stacks, may be 0) block forever in
 * pthread_cond_wait on a condition that is never signalled: they cost a
 * profiler work (attach, /proc reads, wall-mode samples) but no CPU.
 *
 * Once the worker has entered its loop (a flag it sets after its first
 * round) and every idle thread is verified to be in futex(2) (by reading
 * /proc/self/task/TID/syscall, not by sleeping) the main thread prints
 *
 *   ready TASKS WORKER_TID
 *
 * where TASKS = NIDLE + 2 (idle threads + worker + main), and then reads
 * stdin until EOF, at which it exits 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STACK_SIZE (64 * 1024)
#define UNIT       20000u       /* iterations per unit of work, ~0.1 ms */

static pthread_mutex_t cond_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_cond = PTHREAD_COND_INITIALIZER;
static volatile int ratio_stop;   /* never set: keeps the loops from looking noreturn */

static volatile uint64_t sink;
static atomic_int worker_running;
static atomic_int worker_tid;
static pid_t *idle_tid;           /* written once by each idle thread (atomic builtins) */
static atomic_int idle_started;

static void die(const char *what)
{
	fprintf(stderr, "ratio: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the worker: 1 unit in hot_a, 3 in hot_b, identical bodies ---- */

__attribute__((noinline)) void hot_a(unsigned units);
__attribute__((noinline)) void hot_b(unsigned units);

__attribute__((noinline)) void hot_a(unsigned units)
{
	uint64_t h = sink;

	for (unsigned i = 0; i < units * UNIT; i++)
		h = h * 6364136223846793005ULL + i;
	sink = h;
}

__attribute__((noinline)) void hot_b(unsigned units)
{
	uint64_t h = sink;

	for (unsigned i = 0; i < units * UNIT; i++)
		h = h * 6364136223846793005ULL + i;
	sink = h;
}

static __attribute__((noinline)) void ratio_worker_loop(void)
{
	while (!ratio_stop) {
		hot_a(1);
		hot_b(3);
		atomic_store_explicit(&worker_running, 1, memory_order_release);
	}
}

static void *worker(void *arg)
{
	(void)arg;
	atomic_store_explicit(&worker_tid, (int)syscall(SYS_gettid), memory_order_release);
	ratio_worker_loop();
	return NULL;
}

/* ---- idle threads: a futex wait that never ends ---- */

static __attribute__((noinline)) void ratio_idle_block(void)
{
	pthread_mutex_lock(&cond_mu);
	while (!ratio_stop)
		pthread_cond_wait(&never_cond, &cond_mu);
	pthread_mutex_unlock(&cond_mu);
}

static void *idle(void *arg)
{
	int i = (int)(intptr_t)arg;

	__atomic_store_n(&idle_tid[i], (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	atomic_fetch_add_explicit(&idle_started, 1, memory_order_release);
	ratio_idle_block();
	return NULL;
}

/* ---- readiness ---- */

static int in_futex(pid_t tid)
{
	char path[64], buf[64];
	FILE *f;
	long nr;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	/* "running" while on a CPU, else "NR args..." */
	if (sscanf(buf, "%ld", &nr) != 1)
		return 0;
	return nr == SYS_futex;
}

static void wait_ready(int nidle)
{
	uint64_t deadline = now_ns() + 60ull * 1000000000u;
	int next = 0;

	for (;;) {
		while (next < nidle) {
			pid_t tid = __atomic_load_n(&idle_tid[next], __ATOMIC_ACQUIRE);

			if (tid == 0 || !in_futex(tid))
				break;
			next++;
		}
		if (next == nidle && atomic_load_explicit(&worker_running, memory_order_acquire))
			return;
		if (now_ns() > deadline) {
			if (next < nidle)
				fprintf(stderr, "ratio: idle thread %d (tid %d) not in futex wait after 60 s\n",
					next, (int)__atomic_load_n(&idle_tid[next], __ATOMIC_ACQUIRE));
			else
				fprintf(stderr, "ratio: worker did not enter its loop in 60 s\n");
			exit(1);
		}
		/* polling actual state, the pause only avoids burning a CPU */
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	int nidle = argc > 1 ? atoi(argv[1]) : 1000;
	pthread_attr_t attr;
	pthread_t th;
	char buf[256];
	int err;

	if (argc > 2 || nidle < 0 || nidle > 100000 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: ratio [NIDLE]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	idle_tid = calloc((size_t)nidle + 1, sizeof(*idle_tid));
	if (!idle_tid)
		die("calloc");

	pthread_attr_init(&attr);
	if ((err = pthread_attr_setstacksize(&attr, STACK_SIZE)) != 0) {
		errno = err;
		die("pthread_attr_setstacksize");
	}
	if ((err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED)) != 0) {
		errno = err;
		die("pthread_attr_setdetachstate");
	}
	for (int i = 0; i < nidle; i++) {
		if ((err = pthread_create(&th, &attr, idle, (void *)(intptr_t)i)) != 0) {
			errno = err;
			fprintf(stderr, "ratio: pthread_create #%d: %s\n", i, strerror(err));
			return 1;
		}
	}
	if ((err = pthread_create(&th, &attr, worker, NULL)) != 0) {
		errno = err;
		die("pthread_create (worker)");
	}
	pthread_attr_destroy(&attr);

	wait_ready(nidle);
	printf("ready %d %d\n", nidle + 2, atomic_load_explicit(&worker_tid, memory_order_acquire));

	while (fread(buf, 1, sizeof(buf), stdin) > 0)
		;
	return 0;
}
