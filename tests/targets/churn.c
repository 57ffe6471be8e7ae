/* churn.c - threads appearing and disappearing all the time.
 *
 * A thread named "churn" creates and joins short-lived threads in a loop
 * forever, so every scan of /proc/PID/task finds threads that are gone by
 * the time they are attached.  Ready once a few hundred have come and gone.
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <string.h>

static volatile int churned;

static void *short_lived(void *arg)
{
	return arg;
}

static void *churn_thread(void *arg)
{
	announce_self(arg, "churn");
	for (unsigned long n = 1;; n++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, short_lived, NULL);

		if (err != 0)
			die("pthread_create: %s", strerror(err));
		pthread_join(t, NULL);
		if (n == 200)
			churned = 1;
	}
	return NULL;
}

int main(void)
{
	struct announce a;
	pthread_t t;
	int err;

	announce_init(&a);
	err = pthread_create(&t, NULL, churn_thread, &a);
	if (err != 0)
		die("pthread_create: %s", strerror(err));
	announce_wait(&a);
	wait_flag(&churned, "200 short-lived threads");
	ready_and_serve(NULL);
}
