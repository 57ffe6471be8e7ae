/*
 * floor - the least a ptrace sampler must do per sample, for the stall row
 * of bench/run.sh.
 *
 *   floor PID TID [SECONDS [HZ]]     (default 5 s, 99 Hz)
 *
 * PTRACE_SEIZE TID once; then at HZ on absolute CLOCK_MONOTONIC deadlines for
 * SECONDS: PTRACE_INTERRUPT, waitpid(TID, __WALL), PTRACE_GETREGS, one
 * process_vm_readv of 8 KiB from rsp (clipped to the end of the mapping that
 * holds rsp), PTRACE_CONT.  At the end PTRACE_INTERRUPT + wait +
 * PTRACE_DETACH.  Prints "floor: N samples" on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#define READ_BYTES 8192

static unsigned long map_end(int pid, unsigned long addr)
{
	char path[64], line[512];
	unsigned long lo, hi, end = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi) {
			end = hi;
			break;
		}
	fclose(f);
	return end;
}

static int stop_wait(int tid)
{
	int st;

	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0)
		return -1;
	for (;;) {
		if (waitpid(tid, &st, __WALL) < 0)
			return -1;
		if (WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_STOP)
			return 0;
		if (!WIFSTOPPED(st))
			return -1;
		/* a signal-delivery stop: pass the signal on, keep waiting */
		ptrace(PTRACE_CONT, tid, 0, (void *)(long)WSTOPSIG(st));
		if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0)
			return -1;
	}
}

int main(int argc, char **argv)
{
	int pid, tid;
	double secs = 5, hz = 99;
	struct timespec next;
	static char buf[READ_BYTES];
	unsigned long stack_end = 0, samples = 0, ticks;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: floor PID TID [SECONDS [HZ]]\n");
		return 2;
	}
	pid = atoi(argv[1]);
	tid = atoi(argv[2]);
	if (argc > 3)
		secs = atof(argv[3]);
	if (argc > 4)
		hz = atof(argv[4]);
	ticks = (unsigned long)(secs * hz + 0.5);
	long period = (long)(1e9 / hz);

	if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) {
		fprintf(stderr, "floor: PTRACE_SEIZE %d: %s\n", tid, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long i = 0; i < ticks; i++) {
		next.tv_nsec += period;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		struct user_regs_struct regs;

		if (stop_wait(tid) != 0) {
			fprintf(stderr, "floor: stopping %d: %s\n", tid, strerror(errno));
			return 1;
		}
		if (ptrace(PTRACE_GETREGS, tid, 0, &regs) == 0) {
			unsigned long sp = regs.rsp, n = READ_BYTES;

			if (!stack_end || sp >= stack_end)
				stack_end = map_end(pid, sp);   /* once, not per sample */
			if (stack_end > sp && stack_end - sp < n)
				n = stack_end - sp;
			struct iovec l = { buf, n }, r = { (void *)sp, n };

			if (process_vm_readv(pid, &l, 1, &r, 1, 0) > 0)
				samples++;
		}
		if (ptrace(PTRACE_CONT, tid, 0, 0) != 0) {
			fprintf(stderr, "floor: PTRACE_CONT %d: %s\n", tid, strerror(errno));
			return 1;
		}
	}
	if (stop_wait(tid) != 0 || ptrace(PTRACE_DETACH, tid, 0, 0) != 0) {
		fprintf(stderr, "floor: detach %d: %s\n", tid, strerror(errno));
		return 1;
	}
	printf("floor: %lu samples\n", samples);
	return 0;
}
