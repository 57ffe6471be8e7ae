/* test_cputime.c - each thread's measured CPU time shared among its
 * counted stacks: exact per thread, proportional to the counts, and count
 * x period for a thread whose run time is unknown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "profile/aggregate.h"
#include "profile/cputime.h"

static struct agg_entry *add(struct aggregate *a, pid_t tid, uint64_t pc, uint64_t count)
{
	struct agg_key k = { .tid = tid, .state = 'R' };
	struct stack_frame f = { pc, false };
	return aggregate_add(a, &k, &f, 1, count);
}

static void test_shares_are_exact_per_thread(void **state)
{
	struct aggregate a = { 0 };
	add(&a, 10, 0x1000, 1);
	add(&a, 10, 0x2000, 2);
	add(&a, 11, 0x1000, 3);
	add(&a, 10, 0x3000, 4);
	aggregate_thread(&a, 10, "one");
	aggregate_thread(&a, 11, "two");
	/* 7 samples of thread 10 share 1000000007 ns: not a multiple. */
	aggregate_thread_run(&a, 10, 1000000007ULL);
	aggregate_thread_run(&a, 11, 30000000ULL);
	uint64_t ns[4];
	cputime_share(&a, 10101010, NULL, 0, ns);
	assert_int_equal(ns[0] + ns[1] + ns[3], 1000000007ULL);
	assert_int_equal(ns[2], 30000000ULL);
	/* In proportion to the counts, to within the remainder. */
	assert_true(ns[0] >= 142857143ULL - 1 && ns[0] <= 142857143ULL + 1);
	assert_true(ns[1] >= 285714287ULL - 2 && ns[1] <= 285714287ULL + 2);
	/* The remainder went to the largest entry. */
	assert_true(ns[3] >= 571428575ULL && ns[3] <= 571428575ULL + 7);
	aggregate_free(&a);
}

static void test_unknown_run_time_is_count_times_period(void **state)
{
	struct aggregate a = { 0 };
	add(&a, 20, 0x1000, 5);
	add(&a, 21, 0x1000, 2);
	aggregate_thread(&a, 20, "known");
	aggregate_thread(&a, 21, "unknown");
	aggregate_thread_run(&a, 20, 12345);
	uint64_t ns[2];
	cputime_share(&a, 1000, NULL, 0, ns);
	assert_int_equal(ns[0], 12345);
	assert_int_equal(ns[1], 2000);
	aggregate_free(&a);
}

static void test_huge_values_do_not_overflow(void **state)
{
	struct aggregate a = { 0 };
	add(&a, 30, 0x1000, UINT32_MAX);
	add(&a, 30, 0x2000, UINT32_MAX);
	aggregate_thread_run(&a, 30, UINT64_MAX / 2);
	uint64_t ns[2];
	cputime_share(&a, 1, NULL, 0, ns);
	assert_int_equal(ns[0] + ns[1], UINT64_MAX / 2);
	assert_true(ns[0] == ns[1] || ns[0] + 1 == ns[1] || ns[1] + 1 == ns[0]);
	aggregate_free(&a);
}

static void test_process_clock_tops_up(void **state)
{
	struct aggregate a = { 0 };
	struct agg_key k = { .tid = 40, .state = 'R', .proc = 1 };
	struct stack_frame f[2] = { { 0x1000, false }, { 0x2000, false } };
	aggregate_add(&a, &k, &f[0], 1, 1);
	aggregate_add(&a, &k, &f[1], 1, 3);
	k.tid = 41;
	k.proc = 0;
	aggregate_add(&a, &k, &f[0], 1, 1);
	aggregate_thread_run(&a, 40, 4000);
	aggregate_thread_run(&a, 41, 500);
	/* Process 1 used 6000 ns: a thread gone before its last read. */
	uint64_t proc_ns[2] = { 0, 6000 }, ns[3];
	cputime_share(&a, 1000, proc_ns, 2, ns);
	assert_int_equal(ns[0] + ns[1], 6000);
	assert_int_equal(ns[0], 1500);
	assert_int_equal(ns[2], 500);
	/* Never less than the threads' own time. */
	proc_ns[1] = 10;
	cputime_share(&a, 1000, proc_ns, 2, ns);
	assert_int_equal(ns[0] + ns[1], 4000);
	aggregate_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shares_are_exact_per_thread),
		cmocka_unit_test(test_unknown_run_time_is_count_times_period),
		cmocka_unit_test(test_huge_values_do_not_overflow),
		cmocka_unit_test(test_process_clock_tops_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
