/* test_stackmem.c - bounds of reads from the captured stack copy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "target/capture.h"
#include "util/xalloc.h"

#define BASE 0x7ffc00001000ULL
#define LEN 64

/* A capture of LEN bytes at BASE; byte i holds i. */
static struct capture make_capture(uint64_t base, size_t len)
{
	struct capture c;

	memset(&c, 0, sizeof(c));
	c.stack_addr = base;
	c.stack_len = len;
	c.stack = xmalloc(len);
	for (size_t i = 0; i < len; i++)
		c.stack[i] = (unsigned char)i;
	return c;
}

static void test_read_inside(void **state)
{
	struct capture c = make_capture(BASE, LEN);
	uint64_t v = 0;
	unsigned char all[LEN];

	assert_true(stackmem_read(&c, BASE, &v, sizeof(v)));
	assert_int_equal(v, 0x0706050403020100ULL);
	assert_true(stackmem_read(&c, BASE + 8, &v, sizeof(v)));
	assert_int_equal(v, 0x0f0e0d0c0b0a0908ULL);
	/* Unaligned is fine. */
	assert_true(stackmem_read(&c, BASE + 3, &v, 1));
	assert_int_equal(v & 0xff, 3);
	/* The last 8 bytes, and the whole copy at once. */
	assert_true(stackmem_read(&c, BASE + LEN - 8, &v, sizeof(v)));
	assert_int_equal(v, 0x3f3e3d3c3b3a3938ULL);
	assert_true(stackmem_read(&c, BASE, all, LEN));
	assert_memory_equal(all, c.stack, LEN);
	capture_free(&c);
}

static void test_read_outside(void **state)
{
	struct capture c = make_capture(BASE, LEN);
	uint64_t v = 0x1111111111111111ULL;

	/* Straddling the end by one byte, wholly past it, before the start,
	 * straddling the start. */
	assert_false(stackmem_read(&c, BASE + LEN - 7, &v, sizeof(v)));
	assert_false(stackmem_read(&c, BASE + LEN, &v, 1));
	assert_false(stackmem_read(&c, BASE + LEN + 100, &v, sizeof(v)));
	assert_false(stackmem_read(&c, BASE - 1, &v, 1));
	assert_false(stackmem_read(&c, BASE - 4, &v, sizeof(v)));
	assert_false(stackmem_read(&c, 0, &v, sizeof(v)));
	assert_false(stackmem_read(&c, BASE, &v, LEN + 1));
	/* Nothing was written on failure. */
	assert_int_equal(v, 0x1111111111111111ULL);
	capture_free(&c);
}

static void test_no_overflow(void **state)
{
	struct capture c = make_capture(BASE, LEN);
	uint64_t v = 0x2222222222222222ULL;

	/* addr + n would wrap to a small number that looks in range. */
	assert_false(stackmem_read(&c, UINT64_MAX, &v, sizeof(v)));
	assert_false(stackmem_read(&c, UINT64_MAX - 3, &v, sizeof(v)));
	assert_false(stackmem_read(&c, BASE + 8, &v, SIZE_MAX));
	assert_false(stackmem_read(&c, BASE + 8, &v, SIZE_MAX - 7));
	assert_false(stackmem_read(&c, BASE + LEN, &v, SIZE_MAX));
	assert_int_equal(v, 0x2222222222222222ULL);
	capture_free(&c);

	/* A copy ending exactly at the top of the address space. */
	c = make_capture(UINT64_MAX - LEN + 1, LEN);
	assert_true(stackmem_read(&c, UINT64_MAX - 7, &v, sizeof(v)));
	assert_int_equal(v, 0x3f3e3d3c3b3a3938ULL);
	assert_true(stackmem_read(&c, UINT64_MAX, &v, 1));
	assert_int_equal(v & 0xff, 0x3f);
	assert_false(stackmem_read(&c, UINT64_MAX, &v, 2));
	assert_false(stackmem_read(&c, UINT64_MAX - 6, &v, sizeof(v)));
	capture_free(&c);
}

static void test_zero_length(void **state)
{
	struct capture c = make_capture(BASE, LEN);
	unsigned char b = 0x77;

	/* An empty read inside, or exactly at the end, is in bounds. */
	assert_true(stackmem_read(&c, BASE, &b, 0));
	assert_true(stackmem_read(&c, BASE + 10, &b, 0));
	assert_true(stackmem_read(&c, BASE + LEN, &b, 0));
	assert_false(stackmem_read(&c, BASE + LEN + 1, &b, 0));
	assert_false(stackmem_read(&c, BASE - 1, &b, 0));
	assert_int_equal(b, 0x77);
	capture_free(&c);

	/* An empty capture holds nothing but the empty range at its start. */
	struct capture e = { .stack_addr = BASE };
	assert_true(stackmem_read(&e, BASE, &b, 0));
	assert_false(stackmem_read(&e, BASE, &b, 1));
	assert_int_equal(b, 0x77);
}

static void test_capture_free(void **state)
{
	struct capture c = make_capture(BASE, LEN);

	c.stopped_ns = 1234;
	c.regs.rsp = BASE;
	capture_free(&c);
	assert_null(c.stack);
	assert_int_equal(c.stack_len, 0);
	assert_int_equal(c.stack_addr, 0);
	assert_int_equal(c.stopped_ns, 0);
	assert_int_equal(c.regs.rsp, 0);
	/* Freed and zeroed: freeing again is harmless, reads fail. */
	capture_free(&c);
	uint64_t v;
	assert_false(stackmem_read(&c, BASE, &v, sizeof(v)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_inside),
		cmocka_unit_test(test_read_outside),
		cmocka_unit_test(test_no_overflow),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_capture_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
