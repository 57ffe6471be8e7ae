/* rawfutex.c - a thread waiting on a bare futex, no glibc lock around it.
 *
 *   rawwait   raw_outer -> raw_wait -> futex(FUTEX_WAIT) on a word nobody wakes
 *
 * A lock-wait reading of its stack finds no glibc lock function and so
 * looks at every frame, the program's own ones included.  Built stripped,
 * its debug info in a separate file (tests/targets.mk).  Prints
 * "ready TID".
 */
#define _GNU_SOURCE
#include "common.h"

#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEEP __attribute__((noinline, noipa))

static int word;
static struct announce ann;

KEEP void raw_wait(void)
{
	for (;;)
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

KEEP void raw_outer(void)
{
	raw_wait();
	word++; /* not reached; keeps the call from being a tail call */
}

static void *raw_thread(void *arg)
{
	(void)arg;
	announce_self(&ann, "rawwait");
	raw_outer();
	return NULL;
}

int main(void)
{
	pthread_t t;
	char extra[32];

	announce_init(&ann);
	if (pthread_create(&t, NULL, raw_thread, NULL) != 0)
		die("pthread_create failed");
	pid_t tid = announce_wait(&ann);
	wait_in_syscall(tid, SYS_futex, (uint64_t)(uintptr_t)&word, (uint64_t)(uintptr_t)&word + 1);
	snprintf(extra, sizeof(extra), "%d", (int)tid);
	ready_and_serve(extra);
}
