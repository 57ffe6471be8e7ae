/* oddname.c - threads whose names need escaping in JSON.
 *
 *   we"ird\th      a double quote and a backslash (the two characters
 *                  JSON must always escape), in odd_wait -> sleep
 *   c<01><1f><09>l control characters, which JSON must escape as well
 *
 * With the argument "utf8", one more thread, in the same place, whose name
 * is not UTF-8 although every lead byte looks like one: a UTF-16
 * surrogate (ED A0 80), an overlong encoding (E0 80 80) and a code point
 * above U+10FFFF (F4 90 80 80).
 *
 * Prints "ready TID1 TID2 [TID3]", the threads in that order.
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
	"we\"ird\\th",
	"c\x01\x1f\tl",
	"u\xed\xa0\x80\xe0\x80\x80\xf4\x90\x80\x80",
};

struct odd {
	struct announce a;
	const char *name;
};

KEEP void odd_wait(void)
{
	for (;;)
		sleep(1000);
}

static void *odd_thread(void *arg)
{
	struct odd *o = arg;

	announce_self(&o->a, o->name);
	odd_wait();
	return NULL;
}

int main(int argc, char **argv)
{
	static struct odd odd[3];
	int n = argc > 1 && strcmp(argv[1], "utf8") == 0 ? 3 : 2;
	char tids[64] = "";

	for (int i = 0; i < n; i++) {
		pthread_t t;
		pid_t tid;
		int err;

		odd[i].name = names[i];
		announce_init(&odd[i].a);
		err = pthread_create(&t, NULL, odd_thread, &odd[i]);
		if (err != 0)
			die("pthread_create: %s", strerror(err));
		tid = announce_wait(&odd[i].a);
		wait_in_syscall2(tid, NR_CLOCK_NANOSLEEP, NR_NANOSLEEP);
		snprintf(tids + strlen(tids), sizeof(tids) - strlen(tids), "%s%d", i ? " " : "",
			 (int)tid);
	}
	ready_and_serve(tids);
}
