/* foldname.c - thread names that folded stacks must not let through as is.
 *
 * A folded line is "frame;frame;...;leaf COUNT": ';' separates frames, the
 * last space the count, a newline the lines.  With --threads the thread's
 * name is the root frame, and thread names may hold any byte but NUL:
 *
 *   a;b c           ';' and ' ', in fold_wait -> sleep
 *   x<LF>y z;w      a newline as well, in fold_wait -> sleep
 *
 * Prints "ready TID1 TID2", the threads in that order.
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KEEP __attribute__((noinline, noipa))

/* At most 15 bytes each: the kernel's limit for a thread name. */
static const char *const names[] = {
	"a;b c",
	"x\ny z;w",
};

struct odd {
	struct announce a;
	const char *name;
};

KEEP void fold_wait(void)
{
	for (;;)
		sleep(1000);
}

static void *fold_thread(void *arg)
{
	struct odd *o = arg;

	announce_self(&o->a, o->name);
	fold_wait();
	return NULL;
}

int main(void)
{
	static struct odd odd[2];
	char tids[64] = "";

	for (int i = 0; i < 2; i++) {
		pthread_t t;
		pid_t tid;
		int err;

		odd[i].name = names[i];
		announce_init(&odd[i].a);
		err = pthread_create(&t, NULL, fold_thread, &odd[i]);
		if (err != 0)
			die("pthread_create: %s", strerror(err));
		tid = announce_wait(&odd[i].a);
		wait_in_syscall2(tid, NR_CLOCK_NANOSLEEP, NR_NANOSLEEP);
		snprintf(tids + strlen(tids), sizeof(tids) - strlen(tids), "%s%d", i ? " " : "",
			 (int)tid);
	}
	ready_and_serve(tids);
}
