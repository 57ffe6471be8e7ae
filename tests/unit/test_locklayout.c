/* test_locklayout.c - the glibc version check behind the built-in lock
 * layout: the banner found in a libc's bytes, bounded by them, and which
 * versions the built-in layout is trusted for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "profile/locklayout.h"

/* The text at the end of an exactly sized heap block: ASan sees any read
 * past it. */
static bool version_of(const char *text, size_t n, int *major, int *minor)
{
	unsigned char *b = malloc(n ? n : 1);
	memcpy(b, text, n);
	bool ok = glibc_version_in(b, n, major, minor);
	free(b);
	return ok;
}

static bool version_str(const char *text, int *major, int *minor)
{
	return version_of(text, strlen(text) + 1, major, minor);
}

static void test_banners(void **state)
{
	(void)state;
	int a = 0, b = 0;
	static const char debian[] = "\x7f" "ELF junk\0GNU C Library (Debian GLIBC 2.36-9+deb12u14) "
				     "stable release version 2.36.\n";
	assert_true(version_of(debian, sizeof(debian), &a, &b));
	assert_int_equal(a, 2);
	assert_int_equal(b, 36);
	assert_true(version_str("GNU C Library (GNU libc) release release version 2.28.", &a, &b));
	assert_int_equal(b, 28);
	assert_true(version_str("GNU C Library (Ubuntu GLIBC 2.35-0ubuntu3) stable release version 2.35.",
				&a, &b));
	assert_int_equal(b, 35);
	/* An older glibc's wording. */
	assert_true(version_str("GNU C Library stable release version 2.17, by Roland McGrath et al.",
				&a, &b));
	assert_int_equal(b, 17);
	/* The first banner without a version is passed over for a later one. */
	static const char two[] = "GNU C Library is nice\0GNU C Library x release version 2.31\n";
	assert_true(version_of(two, sizeof(two), &a, &b));
	assert_int_equal(b, 31);
}

static void test_no_banner(void **state)
{
	(void)state;
	int a = 7, b = 7;
	assert_false(version_str("", &a, &b));
	assert_false(version_str("musl libc (x86_64) Version 1.2.3", &a, &b));
	assert_false(version_str("GNU C Library with no version at all", &a, &b));
	/* The version after the banner's own string ends is not its. */
	static const char split[] = "GNU C Library (x) stable release\0version 2.36";
	assert_false(version_of(split, sizeof(split), &a, &b));
	/* Cut off by the end of the bytes: no version, no read past them. */
	static const char cut[] = "GNU C Library (x) stable release version 2.";
	assert_false(version_of(cut, sizeof(cut) - 1, &a, &b));
	static const char cut2[] = "GNU C Library (x) stable release version ";
	assert_false(version_of(cut2, sizeof(cut2) - 1, &a, &b));
	static const char cut3[] = "GNU C Libr";
	assert_false(version_of(cut3, sizeof(cut3) - 1, &a, &b));
	assert_false(version_str("GNU C Library release version 2.123456", &a, &b));
	assert_false(version_str("GNU C Library release version x.36", &a, &b));
	assert_int_equal(a, 7);
	assert_int_equal(b, 7);
}

static void test_builtin_trusted_from_2_25(void **state)
{
	(void)state;
	struct lock_layout l;
	lock_layout_builtin(true, 2, 36, &l);
	assert_int_equal(l.source, LAYOUT_BUILTIN);
	assert_int_equal(l.mutex_owner, 8);
	assert_int_equal(l.mutex_kind, 16);
	assert_int_equal(l.rw_cur_writer, 24);
	assert_int_equal(l.cond_signals, 40);
	lock_layout_builtin(true, 2, 25, &l);
	assert_int_equal(l.source, LAYOUT_BUILTIN);
	/* Before the new rwlock and condition variable: unknown. */
	lock_layout_builtin(true, 2, 24, &l);
	assert_int_equal(l.source, LAYOUT_UNKNOWN);
	assert_int_equal(l.mutex_owner, -1);
	lock_layout_builtin(true, 3, 0, &l);
	assert_int_equal(l.source, LAYOUT_UNKNOWN);
	/* No version found: unknown. */
	lock_layout_builtin(false, 0, 0, &l);
	assert_int_equal(l.source, LAYOUT_UNKNOWN);
	assert_int_equal(l.cond_signals, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banners),
		cmocka_unit_test(test_no_banner),
		cmocka_unit_test(test_builtin_trusted_from_2_25),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
