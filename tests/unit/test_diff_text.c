/* test_diff_text.c - two profiles compared function by function: values
 * as the tables print them, functions matched by name across modules,
 * ranking, and values too large to subtract as signed numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/diff_text.h"

static const char *fmt(uint64_t v, int sign, const char *unit, uint64_t ns_per_unit)
{
	static char buf[64];
	struct stacks s = { 0 };
	s.unit = unit;
	s.ns_per_unit = ns_per_unit;
	return diff_format_value(buf, sizeof(buf), v, sign, &s);
}

static void test_time_values(void **state)
{
	assert_string_equal(fmt(0, 0, "nanoseconds", 1), "0");
	assert_string_equal(fmt(0, -1, "nanoseconds", 1), "0");
	assert_string_equal(fmt(1500000000, 0, "nanoseconds", 1), "1.5s");
	assert_string_equal(fmt(1500000000, -1, "nanoseconds", 1), "-1.5s");
	assert_string_equal(fmt(250000000, 1, "nanoseconds", 1), "+250ms");
	/* 999.999ms would print as 1000ms: it is 1s. */
	assert_string_equal(fmt(999999999, 0, "nanoseconds", 1), "1s");
	assert_string_equal(fmt(12345, 0, "nanoseconds", 1), "12.35us");
	assert_string_equal(fmt(7, 0, "nanoseconds", 1), "7ns");
	assert_string_equal(fmt(3, 0, "microseconds", 1000), "3us");
	/* Counts of a time period print as counts, as in the text report. */
	assert_string_equal(fmt(3, 1, "count", 10000000), "+3");
}

static void test_byte_values(void **state)
{
	assert_string_equal(fmt(0, 0, "bytes", 0), "0");
	assert_string_equal(fmt(1023, 0, "bytes", 0), "1023B");
	assert_string_equal(fmt(1024, 0, "bytes", 0), "1kB");
	assert_string_equal(fmt(1536, -1, "bytes", 0), "-1.50kB");
	assert_string_equal(fmt(3 << 20, 1, "bytes", 0), "+3MB");
	assert_string_equal(fmt(1069608, 0, "bytes", 0), "1.02MB");
	assert_string_equal(fmt(2, 0, "kilobytes", 0), "2kB");
	assert_string_equal(fmt(5, 0, "B", 0), "5B");
	assert_string_equal(fmt(UINT64_MAX, 0, "bytes", 0), "16384PB");
	/* Not a memory unit: a count. */
	assert_string_equal(fmt(1024, 0, "objects", 0), "1024");
	assert_string_equal(fmt(UINT64_MAX, -1, "count", 0), "-18446744073709551615");
	/* A short buffer: cut, never overrun. */
	char small[4];
	struct stacks s = { 0 };
	s.unit = "count";
	diff_format_value(small, sizeof(small), 123456, 1, &s);
	assert_string_equal(small, "+12");
}

static uint32_t fr(struct stacks *s, const char *name, const char *module)
{
	return stacks_frame(s, name, module, "f.c", 1, FK_MAIN, false);
}

/* The table rows of the text: "BEFORE AFTER DELTA PCT FUNC" per line,
 * "--" between the tables. */
static char *rows(const struct diff_side *b, const struct diff_side *a, size_t top)
{
	char *text = NULL, *out = NULL;
	size_t len = 0, olen = 0;
	FILE *f = open_memstream(&text, &len);
	FILE *o = open_memstream(&out, &olen);
	assert_non_null(f);
	assert_non_null(o);
	diff_text_write(f, b, a, top);
	fclose(f);
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char w[5][64];
		if (strncmp(line, "Cum (", 5) == 0)
			fputs("--\n", o);
		if (sscanf(line, "%63s %63s %63s %63s %63s", w[0], w[1], w[2], w[3], w[4]) == 5 &&
		    strcmp(w[0], "before") != 0 && !isalpha((unsigned char)line[0]) &&
		    line[0] != '(')
			fprintf(o, "%s %s %s %s %s\n", w[0], w[1], w[2], w[3], w[4]);
	}
	fclose(o);
	free(text);
	return out;
}

static void test_table(void **state)
{
	struct stacks b = { 0 }, a = { 0 };
	uint32_t s1[] = { fr(&b, "main", "prog"), fr(&b, "work", "prog") };
	uint32_t s2[] = { s1[0], fr(&b, "gone", "prog") };
	uint32_t s3[] = { s1[0], fr(&b, "lib", "libx.so") };
	stacks_add(&b, s1, 2, 10, STACKS_NO_THREAD);
	stacks_add(&b, s2, 2, 30, STACKS_NO_THREAD);
	stacks_add(&b, s3, 2, 60, STACKS_NO_THREAD);
	b.unit = "count";
	/* After: work grows by 30, lib (now in two modules, one function
	 * by name) shrinks by 30, gone is gone, fresh is new. */
	uint32_t t1[] = { fr(&a, "main", "prog"), fr(&a, "work", "prog") };
	uint32_t t2[] = { t1[0], fr(&a, "lib", "libx.so") };
	uint32_t t3[] = { t1[0], fr(&a, "lib", "liby.so") };
	uint32_t t4[] = { t1[0], fr(&a, "fresh", "prog") };
	stacks_add(&a, t1, 2, 40, STACKS_NO_THREAD);
	stacks_add(&a, t2, 2, 20, STACKS_NO_THREAD);
	stacks_add(&a, t3, 2, 10, STACKS_NO_THREAD);
	stacks_add(&a, t4, 2, 5, STACKS_NO_THREAD);
	a.unit = "count";
	struct diff_side sb = { "old", "samples", &b }, sa = { "new", "samples", &a };

	/* gone is only in OLD: its "after" is 0; fresh only in NEW. */
	char *got = rows(&sb, &sa, 0);
	assert_string_equal(got,
			    "30 0 -30 -30.0% gone\n"   /* |30| three times: by name */
			    "60 30 -30 -30.0% lib\n"
			    "10 40 +30 +30.0% work\n"
			    "0 5 +5 +5.0% fresh\n"
			    "--\n"
			    "30 0 -30 -30.0% gone\n"
			    "60 30 -30 -30.0% lib\n"
			    "10 40 +30 +30.0% work\n"
			    "100 75 -25 -25.0% main\n"
			    "0 5 +5 +5.0% fresh\n");
	free(got);
	/* --top 2: two rows a table. */
	got = rows(&sb, &sa, 2);
	assert_string_equal(got, "30 0 -30 -30.0% gone\n60 30 -30 -30.0% lib\n--\n"
			    "30 0 -30 -30.0% gone\n60 30 -30 -30.0% lib\n");
	free(got);
	stacks_free(&b);
	stacks_free(&a);
}

/* Changes near 2^64 in both directions, exact. */
static void test_huge_values(void **state)
{
	struct stacks b = { 0 }, a = { 0 };
	uint32_t s1[] = { fr(&b, "f", "m") };
	uint32_t t1[] = { fr(&a, "f", "m") };
	stacks_add(&b, s1, 1, UINT64_MAX, STACKS_NO_THREAD);
	stacks_add(&a, t1, 1, 1, STACKS_NO_THREAD);
	b.unit = a.unit = "count";
	struct diff_side sb = { "old", "x", &b }, sa = { "new", "x", &a };
	char *got = rows(&sb, &sa, 0);
	assert_string_equal(got, "18446744073709551615 1 -18446744073709551614 -100.0% f\n--\n"
			    "18446744073709551615 1 -18446744073709551614 -100.0% f\n");
	free(got);
	got = rows(&sa, &sb, 0);
	assert_non_null(strstr(got, "1 18446744073709551615 +18446744073709551614 "));
	free(got);
	stacks_free(&b);
	stacks_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_values),
		cmocka_unit_test(test_byte_values),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_huge_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
