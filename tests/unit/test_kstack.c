/* test_kstack.c - kernel stack files parsed: names with offsets, hidden
 * addresses, odd and truncated lines, and no more than the kernel's 64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "target/kstack.h"

static void test_usual_file(void **state)
{
	struct kstack k;
	kstack_parse("[<0>] kernel_clone+0x1d3/0x400\n[<0>] __do_sys_vfork+0x66/0x90\n"
		     "[<ffffffff81000000>] do_syscall_64+0x71/0x290\n", &k);
	assert_int_equal(k.n, 3);
	assert_string_equal(k.fn[0], "kernel_clone+0x1d3");
	assert_string_equal(k.fn[1], "__do_sys_vfork+0x66");
	assert_string_equal(k.fn[2], "do_syscall_64+0x71");
	kstack_free(&k);
}

static void test_odd_lines(void **state)
{
	struct kstack k;
	/* No bracket, nothing after it, no trailing newline, a module name. */
	kstack_parse("garbage\n[<0>]\n[<0>]   \n[<0>] nfs_wait+0x1/0x2 [nfs]\n[<0>] last", &k);
	assert_int_equal(k.n, 2);
	assert_string_equal(k.fn[0], "nfs_wait+0x1");
	assert_string_equal(k.fn[1], "last");
	kstack_free(&k);
	kstack_parse("", &k);
	assert_int_equal(k.n, 0);
	kstack_free(&k);
}

static void test_bounded(void **state)
{
	char *text = malloc(200 * 32);
	size_t off = 0;
	for (int i = 0; i < 200; i++)
		off += (size_t)sprintf(text + off, "[<0>] f%d+0x1/0x2\n", i);
	struct kstack k;
	kstack_parse(text, &k);
	assert_int_equal(k.n, 64);
	assert_string_equal(k.fn[63], "f63+0x1");
	kstack_free(&k);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usual_file),
		cmocka_unit_test(test_odd_lines),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
