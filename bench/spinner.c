/*
 * spinner - target for the per-sample stall row of bench/run.sh.
 *
 * One thread (the main thread blocks in read(2) on stdin, so the spinner is
 * the only running thread) reads CLOCK_MONOTONIC in a tight loop and keeps
 * the longest gap between two reads and the sum (and count) of gaps > 20 us.
 * Prints "ready TASKS SPINNER_TID", then serves stdin lines like
 * bench/manythreads.c:
 *   reset    answer "ok"
 *   report   answer "stall MAX_GAP_NS SUM_GAPS_OVER_20US_NS N_GAPS_OVER_20US ITERATIONS"
 * At EOF it exits 0.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define GAP_NOTE_NS 20000u

enum { CMD_NONE, CMD_RESET, CMD_REPORT };
static atomic_uint req_seq, ack_seq;
static atomic_int req_cmd, spin_tid;
static uint64_t snap_max, snap_sum, snap_n, snap_iters;

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
	atomic_store(&spin_tid, (int)syscall(SYS_gettid));
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
			prev = now_ns();
		}
	}
	return NULL;
}

static void spinner_cmd(int cmd)
{
	static unsigned seq;
	uint64_t deadline = now_ns() + 10ull * 1000000000u;

	atomic_store_explicit(&req_cmd, cmd, memory_order_relaxed);
	atomic_store_explicit(&req_seq, ++seq, memory_order_release);
	while (atomic_load_explicit(&ack_seq, memory_order_acquire) != seq) {
		if (now_ns() > deadline) {
			fprintf(stderr, "spinner: spinner thread did not answer in 10 s\n");
			exit(1);
		}
		struct timespec ts = { 0, 20000 };
		nanosleep(&ts, NULL);
	}
}

int main(void)
{
	pthread_t th;
	char line[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pthread_create(&th, NULL, spinner, NULL) != 0) {
		fprintf(stderr, "spinner: pthread_create failed\n");
		return 1;
	}
	spinner_cmd(CMD_RESET);
	printf("ready 2 %d\n", atomic_load(&spin_tid));
	while (fgets(line, sizeof(line), stdin)) {
		if (strncmp(line, "reset", 5) == 0) {
			spinner_cmd(CMD_RESET);
			printf("ok\n");
		} else if (strncmp(line, "report", 6) == 0) {
			spinner_cmd(CMD_REPORT);
			printf("stall %llu %llu %llu %llu\n", (unsigned long long)snap_max,
			       (unsigned long long)snap_sum, (unsigned long long)snap_n,
			       (unsigned long long)snap_iters);
		} else {
			printf("error unknown command\n");
		}
	}
	return 0;
}
