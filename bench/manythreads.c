/*
 * manythreads - benchmark target for bench/run.sh.
 *
 *   manythreads [NTHREADS]          (default 1000)
 *
 * Starts NTHREADS worker threads (64 KiB stacks) that each descend a few
 * noinline frames (plus one always-inlined frame, so inline expansion has
 * something to do) and then block forever in one of three futex waits:
 * pthread_cond_wait on a condition that is never signalled, pthread_mutex_lock
 * on a mutex the main thread holds forever, or sem_wait on a semaphore that
 * is never posted.  One more thread, the spinner, reads CLOCK_MONOTONIC in a
 * tight loop and keeps the longest gap between consecutive reads and the sum
 * (and count) of gaps longer than 20 us: this is the stall a profiler's
 * ptrace stop inflicts on a running thread.
 *
 * Once every worker is verified to be blocked in futex(2) (by reading
 * /proc/self/task/TID/syscall, not by sleeping) the main thread prints
 *
 *   ready TASKS
 *
 * where TASKS is the total number of tasks (workers + spinner + hiccup meter
 * + main), and
 * then serves one command per stdin line until EOF:
 *
 *   reset    the spinner and the hiccup meter clear their statistics; answer "ok"
 *   report   answer "stall MAX_GAP_NS SUM_GAPS_OVER_20US_NS N_GAPS_OVER_20US ITERATIONS
 *            HICCUP_MAX_NS"
 *
 * The hiccup meter is one more thread, idle like the workers: it waits 1 ms
 * at a time (pthread_cond_timedwait, so it sleeps in futex(2)) and keeps
 * the longest lateness of a wake-up past its deadline: the stall a tool
 * inflicts on a thread that sleeps.
 *
 * Both go through the spinner thread itself (request counter / ack counter),
 * so an answer means the spinner is alive and running.  At EOF it exits 0.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STACK_SIZE   (64 * 1024)
#define GAP_NOTE_NS  20000u           /* gaps above 20 us are summed */

enum { CMD_NONE, CMD_RESET, CMD_REPORT };

static pthread_mutex_t cond_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;   /* main holds it */
static sem_t never_sem;

static pid_t *worker_tid;          /* written once by each worker (atomic builtins) */
static atomic_int workers_started;
static volatile int mt_stop;       /* never set: keeps the wait loops from looking noreturn */

/* The hiccup meter's longest lateness since the last reset. */
static atomic_ullong hiccup_max;

static uint64_t now_ns(void);
static void *hiccup(void *arg)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_condattr_t ca;
	pthread_cond_t cv;

	(void)arg;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_mutex_lock(&mu);
	while (!mt_stop) {
		uint64_t deadline = now_ns() + 1000000u;
		struct timespec ts = { (time_t)(deadline / 1000000000u),
				       (long)(deadline % 1000000000u) };
		while (pthread_cond_timedwait(&cv, &mu, &ts) == 0)
			;
		uint64_t late = now_ns() - deadline;
		if (late > atomic_load(&hiccup_max))
			atomic_store(&hiccup_max, late);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* Main -> spinner requests, spinner -> main answers. */
static atomic_uint req_seq, ack_seq;
static atomic_int req_cmd;
static uint64_t snap_max, snap_sum, snap_n, snap_iters;   /* guarded by ack_seq */

static void die(const char *what)
{
	fprintf(stderr, "manythreads: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *spinner(void *arg)
{
	unsigned seen = 0;
	uint64_t prev = now_ns(), max = 0, sum = 0, n = 0, iters = 0;

	(void)arg;
	for (;;) {
		uint64_t t = now_ns(), gap = t - prev;

		prev = t;
		iters++;
		if (gap > max)
			max = gap;
		if (gap > GAP_NOTE_NS) {
			sum += gap;
			n++;
		}
		unsigned r = atomic_load_explicit(&req_seq, memory_order_acquire);
		if (r != seen) {
			seen = r;
			if (atomic_load_explicit(&req_cmd, memory_order_relaxed) == CMD_RESET) {
				max = sum = n = iters = 0;
			} else {
				snap_max = max;
				snap_sum = sum;
				snap_n = n;
				snap_iters = iters;
			}
			atomic_store_explicit(&ack_seq, r, memory_order_release);
			prev = now_ns();   /* the bookkeeping above is not a stall */
		}
	}
	return NULL;
}

/* ---- workers: a few real frames, then a futex wait that never ends ---- */

static __attribute__((noinline)) int mt_block(int kind)
{
	switch (kind) {
	case 0:
		pthread_mutex_lock(&cond_mu);
		while (!mt_stop)
			pthread_cond_wait(&never_cond, &cond_mu);
		pthread_mutex_unlock(&cond_mu);
		break;
	case 1:
		while (!mt_stop) {
			pthread_mutex_lock(&held_mu);   /* main holds it forever */
			pthread_mutex_unlock(&held_mu);
		}
		break;
	default:
		while (!mt_stop)
			sem_wait(&never_sem);   /* EINTR (ptrace attach) just loops */
		break;
	}
	return kind;
}

static __attribute__((noinline)) int mt_level5(int kind)
{
	int r = mt_block(kind);

	__asm__ volatile("" ::: "memory");
	return r + 5;
}

static __attribute__((noinline)) int mt_level4(int kind)
{
	int r = mt_level5(kind);

	__asm__ volatile("" ::: "memory");
	return r + 4;
}

static inline __attribute__((always_inline)) int mt_inlined(int kind)
{
	int r = mt_level4(kind);

	__asm__ volatile("" ::: "memory");
	return r * 3;
}

static __attribute__((noinline)) int mt_level3(int kind)
{
	int r = mt_inlined(kind);

	__asm__ volatile("" ::: "memory");
	return r + 3;
}

/* Recurses 0..3 extra times so that not every stack has the same depth. */
static __attribute__((noinline)) int mt_level2(int kind, int extra)
{
	int r = extra > 0 ? mt_level2(kind, extra - 1) : mt_level3(kind);

	__asm__ volatile("" ::: "memory");
	return r + 2;
}

static __attribute__((noinline)) int mt_level1(int kind, int extra)
{
	int r = mt_level2(kind, extra);

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;

	__atomic_store_n(&worker_tid[i], (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	atomic_fetch_add_explicit(&workers_started, 1, memory_order_release);
	return (void *)(intptr_t)mt_level1(i % 3, (i / 3) % 4);
}

/* ---- readiness: every worker is inside futex(2) ---- */

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

static void wait_all_blocked(int nthreads)
{
	uint64_t deadline = now_ns() + 60ull * 1000000000u;
	int next = 0;

	while (atomic_load_explicit(&workers_started, memory_order_acquire) < nthreads ||
	       next < nthreads) {
		while (next < nthreads) {
			pid_t tid = __atomic_load_n(&worker_tid[next], __ATOMIC_ACQUIRE);

			if (tid == 0 || !in_futex(tid))
				break;
			next++;
		}
		if (next == nthreads)
			break;
		if (now_ns() > deadline) {
			fprintf(stderr, "manythreads: worker %d (tid %d) not in futex wait after 60 s\n",
				next, (int)__atomic_load_n(&worker_tid[next], __ATOMIC_ACQUIRE));
			exit(1);
		}
		/* polling actual state, the pause only avoids burning a CPU */
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
}

/* ---- command loop ---- */

static void spinner_cmd(int cmd)
{
	static unsigned seq;
	uint64_t deadline = now_ns() + 10ull * 1000000000u;

	atomic_store_explicit(&req_cmd, cmd, memory_order_relaxed);
	atomic_store_explicit(&req_seq, ++seq, memory_order_release);
	while (atomic_load_explicit(&ack_seq, memory_order_acquire) != seq) {
		if (now_ns() > deadline) {
			fprintf(stderr, "manythreads: spinner did not answer in 10 s\n");
			exit(1);
		}
		struct timespec ts = { 0, 20000 };
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 1000;
	pthread_attr_t attr;
	pthread_t th;
	char line[64];
	int err;

	if (nthreads < 1 || nthreads > 100000) {
		fprintf(stderr, "usage: manythreads [NTHREADS]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sem_init(&never_sem, 0, 0) != 0)
		die("sem_init");
	pthread_mutex_lock(&held_mu);
	worker_tid = calloc((size_t)nthreads, sizeof(*worker_tid));
	if (!worker_tid)
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
	if ((err = pthread_create(&th, &attr, spinner, NULL)) != 0) {
		errno = err;
		die("pthread_create (spinner)");
	}
	if ((err = pthread_create(&th, &attr, hiccup, NULL)) != 0) {
		errno = err;
		die("pthread_create (hiccup)");
	}
	for (int i = 0; i < nthreads; i++) {
		if ((err = pthread_create(&th, &attr, worker, (void *)(intptr_t)i)) != 0) {
			errno = err;
			fprintf(stderr, "manythreads: pthread_create #%d: %s\n", i, strerror(err));
			return 1;
		}
	}
	pthread_attr_destroy(&attr);

	wait_all_blocked(nthreads);
	spinner_cmd(CMD_RESET);   /* also proves the spinner runs */
	printf("ready %d\n", nthreads + 3);

	while (fgets(line, sizeof(line), stdin)) {
		if (strncmp(line, "reset", 5) == 0) {
			spinner_cmd(CMD_RESET);
			atomic_store(&hiccup_max, 0);
			printf("ok\n");
		} else if (strncmp(line, "report", 6) == 0) {
			spinner_cmd(CMD_REPORT);
			printf("stall %llu %llu %llu %llu %llu\n", (unsigned long long)snap_max,
			       (unsigned long long)snap_sum, (unsigned long long)snap_n,
			       (unsigned long long)snap_iters,
			       (unsigned long long)atomic_load(&hiccup_max));
		} else {
			printf("error unknown command\n");
		}
	}
	return 0;
}
