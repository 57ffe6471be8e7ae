/* cpuburn.c - a known CPU budget, part of it spent in the kernel.
 *
 *   cpuburn MS
 *
 * Two threads each use MS milliseconds of CPU time, as their own thread
 * CPU clock counts it, then end: "burn-user" computing in burn_user,
 * "burn-write" writing 256 KiB blocks to a memory file in burn_write (its
 * time goes mostly to the kernel copying them).  Main joins them and
 * prints "cpu NS", the CPU time the whole process used (user + system,
 * getrusage), then exits 0: a command for `record --` whose profile's
 * total can be compared with what the process really used.
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define KEEP __attribute__((noinline, noipa))
#define BLOCK (256 * 1024)

static long budget_ms;
static volatile unsigned long sink;

KEEP void burn_user(void)
{
	while (thread_cpu_ms() < (uint64_t)budget_ms)
		for (int i = 0; i < 200000; i++)
			sink += (unsigned long)i * 13;
}

KEEP void burn_write(int fd, const char *buf)
{
	while (thread_cpu_ms() < (uint64_t)budget_ms) {
		for (int i = 0; i < 16; i++)
			if (write(fd, buf, BLOCK) != BLOCK)
				die("write to the memory file failed");
		if (lseek(fd, 0, SEEK_SET) != 0)
			die("lseek failed");
	}
}

static void *user_thread(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "burn-user");
	burn_user();
	return NULL;
}

static void *write_thread(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "burn-write");
	int fd = memfd_create("cpuburn", 0);
	char *buf = malloc(BLOCK);
	if (fd < 0 || !buf)
		die("memfd_create or malloc failed");
	memset(buf, 'x', BLOCK);
	burn_write(fd, buf);
	close(fd);
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t a, b;
	struct rusage ru;

	if (argc != 2 || (budget_ms = atol(argv[1])) <= 0)
		die("usage: cpuburn MS");
	if (pthread_create(&a, NULL, user_thread, NULL) != 0 ||
	    pthread_create(&b, NULL, write_thread, NULL) != 0)
		die("pthread_create failed");
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("cpu %llu\n", (unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
				    1000000000ULL +
				    (unsigned long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL);
	return 0;
}
