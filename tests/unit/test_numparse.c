/* test_numparse.c - the strict number parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "util/numparse.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define SENTINEL 0xdeadbeefULL

struct ok_case {
	const char *s;
	uint64_t want;
};

static void test_uint_accepts(void **state)
{
	static const struct ok_case cases[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "42", 42 },
		{ "007", 7 },
		{ "4294967296", 4294967296ULL },
		{ "18446744073709551615", UINT64_MAX },
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		uint64_t v = SENTINEL;
		if (parse_uint(cases[i].s, 0, UINT64_MAX, &v) != 0)
			fail_msg("rejected \"%s\"", cases[i].s);
		assert_int_equal(v, cases[i].want);
	}
}

static void test_uint_rejects(void **state)
{
	static const char *const bad[] = {
		"", "+1", "-1", "-0", " 1", "1 ", "\t1", "1\n", "1x", "x1",
		"0x10", "1.0", "1e3", "1,000",
		"18446744073709551616",   /* UINT64_MAX + 1 */
		"99999999999999999999999",
	};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		uint64_t v = SENTINEL;
		if (parse_uint(bad[i], 0, UINT64_MAX, &v) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(v, SENTINEL);   /* *out untouched */
	}
	uint64_t v = SENTINEL;
	assert_int_equal(parse_uint(NULL, 0, 1, &v), -1);
}

static void test_uint_range(void **state)
{
	uint64_t v = SENTINEL;

	assert_int_equal(parse_uint("0", 1, 10, &v), -1);
	assert_int_equal(parse_uint("11", 1, 10, &v), -1);
	assert_int_equal(v, SENTINEL);
	assert_int_equal(parse_uint("1", 1, 10, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_uint("10", 1, 10, &v), 0);
	assert_int_equal(v, 10);
}

static void test_size_accepts(void **state)
{
	static const struct ok_case cases[] = {
		{ "0", 0 },
		{ "123", 123 },
		{ "512B", 512 },
		{ "64K", 65536 },
		{ "64k", 65536 },
		{ "64KB", 65536 },
		{ "64kb", 65536 },
		{ "64KiB", 65536 },
		{ "64kib", 65536 },
		{ "1M", 1048576 },
		{ "1MiB", 1048576 },
		{ "2g", 2147483648ULL },
		{ "3GB", 3ULL << 30 },
		{ "17179869183G", (17179869183ULL) << 30 },   /* just fits */
		{ "18446744073709551615", UINT64_MAX },
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		uint64_t v = SENTINEL;
		if (parse_size(cases[i].s, 0, UINT64_MAX, &v) != 0)
			fail_msg("rejected \"%s\"", cases[i].s);
		assert_int_equal(v, cases[i].want);
	}
}

static void test_size_rejects(void **state)
{
	static const char *const bad[] = {
		"", "K", "KiB", "-1K", "+1K", " 64K", "64K ", "64 K", "64Q",
		"64KK", "64KiBx", "64iB", "64Ki", "64KBB", "1.5M", "0x10K",
		"17179869184G",             /* 2^34 GiB = 2^64: overflow */
		"18014398509481984K",       /* 2^54 KiB = 2^64 */
		"18446744073709551616",
	};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		uint64_t v = SENTINEL;
		if (parse_size(bad[i], 0, UINT64_MAX, &v) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(v, SENTINEL);
	}
}

static void test_size_range(void **state)
{
	uint64_t v = SENTINEL;

	/* The range applies to the scaled value. */
	assert_int_equal(parse_size("1K", 0, 1023, &v), -1);
	assert_int_equal(parse_size("1K", 1025, 4096, &v), -1);
	assert_int_equal(v, SENTINEL);
	assert_int_equal(parse_size("1K", 1024, 1024, &v), 0);
	assert_int_equal(v, 1024);
}

static void test_duration_accepts(void **state)
{
	static const struct ok_case cases[] = {
		{ "30", 30000000000ULL },
		{ "30s", 30000000000ULL },
		{ "500ms", 500000000ULL },
		{ "2m", 120000000000ULL },
		{ "1h", 3600000000000ULL },
		{ "250us", 250000ULL },
		{ "100ns", 100ULL },
		{ "1ns", 1ULL },
		{ "1.5s", 1500000000ULL },
		{ "1.5", 1500000000ULL },
		{ "0.5", 500000000ULL },
		{ "1.25ms", 1250000ULL },
		{ "0.001s", 1000000ULL },
		{ "0.5m", 30000000000ULL },
		{ "1.5ns", 1ULL },              /* below a nanosecond truncates */
		{ "0.0000000001h", 360ULL },
		{ "18446744073709551615ns", UINT64_MAX },
		{ "18446744073s", 18446744073000000000ULL },
		{ "18446744073.709551615s", UINT64_MAX },
		{ "5124095h", 5124095ULL * 3600000000000ULL },
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		uint64_t v = SENTINEL;
		if (parse_duration_ns(cases[i].s, &v) != 0)
			fail_msg("rejected \"%s\"", cases[i].s);
		if (v != cases[i].want)
			fail_msg("\"%s\": got %llu want %llu", cases[i].s,
				 (unsigned long long)v, (unsigned long long)cases[i].want);
	}
}

static void test_duration_rejects(void **state)
{
	static const char *const bad[] = {
		"", "0", "0s", "0.0", "0ms", "0.1ns", "-1", "+1", "1x", " 1", "1 ",
		"s", "ms", "1.", ".5", "1.5.5", "1..5", "1.s", "1S", "1MS", "1sec",
		"1 s", "1m30s", "1e3", "0x10",
		"18446744073709551616ns",       /* 2^64 ns */
		"18446744074s",
		"18446744073.709551616s",       /* 2^64 ns via the fraction */
		"5124096h",
		"99999999999999999999999",
	};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		uint64_t v = SENTINEL;
		if (parse_duration_ns(bad[i], &v) == 0)
			fail_msg("accepted \"%s\" as %llu", bad[i], (unsigned long long)v);
		assert_int_equal(v, SENTINEL);
	}
}

static void check_tids(const char *s, const int *want, size_t nwant)
{
	int *v = NULL;
	size_t n = 12345;

	if (parse_tid_list(s, &v, &n) != 0)
		fail_msg("rejected \"%s\"", s);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i], want[i]);
	free(v);
}

static void test_tid_list_accepts(void **state)
{
	check_tids("12,13,40", (const int[]){ 12, 13, 40 }, 3);
	check_tids("7", (const int[]){ 7 }, 1);
	check_tids("40,12,13", (const int[]){ 40, 12, 13 }, 3);   /* order kept */
	check_tids("5,5,3,5,3,9", (const int[]){ 5, 3, 9 }, 3); /* dedupe */
	check_tids("1,4194304", (const int[]){ 1, 4194304 }, 2);
}

static void test_tid_list_rejects(void **state)
{
	static const char *const bad[] = {
		"", ",", "1,", ",1", "1,,2", ",,", "0", "1,0", "-1", "+1",
		"1, 2", " 1", "1 ", "1;2", "a", "1a", "0x10", "4194305",
		"99999999999999999999",
	};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		int *v = (int *)&v;   /* a sentinel pointer: must be untouched */
		int *orig = v;
		size_t n = 777;
		if (parse_tid_list(bad[i], &v, &n) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_ptr_equal(v, orig);
		assert_int_equal(n, 777);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uint_accepts),
		cmocka_unit_test(test_uint_rejects),
		cmocka_unit_test(test_uint_range),
		cmocka_unit_test(test_size_accepts),
		cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_size_range),
		cmocka_unit_test(test_duration_accepts),
		cmocka_unit_test(test_duration_rejects),
		cmocka_unit_test(test_tid_list_accepts),
		cmocka_unit_test(test_tid_list_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
