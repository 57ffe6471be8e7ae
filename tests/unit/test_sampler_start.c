/* test_sampler_start.c - sampler_run when its thread cannot start.
 *
 * Linked with -Wl,--wrap=pthread_create (see the Makefile): the wrapper
 * fails as the system does when it is out of threads.  The caller's
 * recording was never written by the sampler, and recording_free must
 * still be safe on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "profile/sampler.h"
#include "util/error.h"

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg);

static int create_calls;

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg)
{
	(void)t;
	(void)attr;
	(void)fn;
	(void)arg;
	create_calls++;
	return EAGAIN;
}

static void test_failed_start_leaves_a_freeable_recording(void **state)
{
	(void)state;
	struct sampler_opts o = { .pid = 1, .mode = MODE_CPU, .rate_hz = 99,
				  .stack_bytes = 4096, .max_frames = 8 };
	struct recording rec;
	/* What an uninitialised local may hold: pointers to nowhere. */
	memset(&rec, 0xa5, sizeof(rec));
	pt_verbosity = 0;
	assert_int_equal(sampler_run(&o, &rec), EXIT_FAILED);
	assert_int_equal(create_calls, 1);
	assert_int_equal(rec.nprocs, 0);
	assert_null(rec.procs);
	recording_free(&rec);
	assert_int_equal(rec.nprocs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_start_leaves_a_freeable_recording),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
