/* common.c - see common.h. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long a target waits for its own threads to get into position.
 * 10 s in 1 ms steps; a healthy target needs a few milliseconds. */
#define POLL_LIMIT 10000

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint64_t thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void poll_pause(void)
{
	struct timespec ts = { 0, 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void announce_init(struct announce *a)
{
	a->tid = 0;
	if (sem_init(&a->posted, 0, 0) != 0)
		die("sem_init: %s", strerror(errno));
}

void announce_self(struct announce *a, const char *name)
{
	int err = pthread_setname_np(pthread_self(), name);

	if (err != 0)
		die("pthread_setname_np(%s): %s", name, strerror(err));
	a->tid = gettid();
	sem_post(&a->posted);
}

pid_t start_announced(void *(*fn)(void *), struct announce *a)
{
	pthread_t t;
	int err;

	announce_init(a);
	err = pthread_create(&t, NULL, fn, a);
	if (err != 0)
		die("pthread_create: %s", strerror(err));
	return announce_wait(a);
}

pid_t announce_wait(struct announce *a)
{
	while (sem_wait(&a->posted) != 0)
		if (errno != EINTR)
			die("sem_wait: %s", strerror(errno));
	return a->tid;
}

/* Read /proc/self/task/TID/NAME into buf; false if unreadable. */
static int read_task_file(pid_t tid, const char *name, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", (int)tid, name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0;
}

/* The state letter from a stat file: the field after the last ')'. */
static char task_state(pid_t tid)
{
	char buf[1024];
	char *p;

	if (!read_task_file(tid, "stat", buf, sizeof(buf)))
		return '?';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return '?';
	return p[2];
}

/* True when tid is blocked in one of nr1/nr2 with arg0 in range. */
static int in_syscall(pid_t tid, long nr1, long nr2, uint64_t lo, uint64_t hi)
{
	char buf[512];
	long nr;
	uint64_t arg0;
	char state;

	/* A thread on a CPU reads "running"; a blocked one "NR ARG0 ...". */
	if (!read_task_file(tid, "syscall", buf, sizeof(buf)))
		return 0;
	if (sscanf(buf, "%ld 0x%" SCNx64, &nr, &arg0) != 2)
		return 0;
	if (nr != nr1 && nr != nr2)
		return 0;
	if (lo < hi && (arg0 < lo || arg0 >= hi))
		return 0;
	/* The syscall file is read while the thread is off the CPU; make sure
	 * it is really asleep in that call, not just passing through. */
	state = task_state(tid);
	return state == 'S' || state == 'D';
}

void wait_in_syscall(pid_t tid, long nr, uint64_t arg0_lo, uint64_t arg0_hi)
{
	for (int i = 0; i < POLL_LIMIT; i++) {
		if (in_syscall(tid, nr, nr, arg0_lo, arg0_hi))
			return;
		poll_pause();
	}
	die("thread %d never blocked in syscall %ld", (int)tid, nr);
}

void wait_in_syscall2(pid_t tid, long nr1, long nr2)
{
	for (int i = 0; i < POLL_LIMIT; i++) {
		if (in_syscall(tid, nr1, nr2, 0, 0))
			return;
		poll_pause();
	}
	die("thread %d never blocked in syscall %ld or %ld", (int)tid, nr1, nr2);
}

void wait_task_state(pid_t tid, char state)
{
	for (int i = 0; i < POLL_LIMIT; i++) {
		if (task_state(tid) == state)
			return;
		poll_pause();
	}
	die("thread %d never got into state %c (last %c)", (int)tid, state, task_state(tid));
}

void wait_flag(volatile int *flag, const char *what)
{
	for (int i = 0; i < POLL_LIMIT; i++) {
		if (*flag)
			return;
		poll_pause();
	}
	die("%s never happened", what);
}

void wait_zombie(pid_t pid)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < POLL_LIMIT; i++) {
		FILE *f = fopen(path, "re");

		if (f) {
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);
			char *p;

			fclose(f);
			buf[n] = '\0';
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'Z')
				return;
		}
		poll_pause();
	}
	die("child %d never became a zombie", (int)pid);
}

void ready_and_serve_cmds(const char *extra, void (*on_line)(const char *line),
			  void (*on_eof)(void))
{
	char line[256];

	if (extra)
		printf("ready %s\n", extra);
	else
		printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (strcmp(line, "ping\n") == 0) {
			printf("pong\n");
			fflush(stdout);
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		if (on_line)
			on_line(line);
		fflush(stdout);
	}
	/* EOF: the test is done with us.  exit() ends every thread. */
	if (on_eof)
		on_eof();
	exit(0);
}

void ready_and_serve(const char *extra)
{
	ready_and_serve_cmds(extra, NULL, NULL);
}
