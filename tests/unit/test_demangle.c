/* Unit tests for demangle(): C++, Rust legacy, and names left alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "stack/demangle.h"

static void expect(const char *in, const char *want)
{
	char *got = demangle(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_cxx(void **state)
{
	(void)state;
	expect("_ZN11ptprof_test6WorkerIiE3runEi", "ptprof_test::Worker<int>::run(int)");
	expect("_Z5hot_av", "hot_a()");
}

static void test_rust_legacy(void **state)
{
	(void)state;
	/* The hash suffix goes; the escapes become the characters they stand for. */
	expect("_ZN1m5outer5inner4spin17h04a64e6114dbe00bE", "m::outer::inner::spin");
	expect("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h0123456789abcdefE",
	       "std::rt::lang_start::{{closure}}");
	expect("_ZN4core3ptr46drop_in_place$LT$alloc..vec..Vec$LT$u8$GT$$GT$17h0123456789abcdefE",
	       "core::ptr::drop_in_place<alloc::vec::Vec<u8>>");
}

static void test_left_alone(void **state)
{
	(void)state;
	expect("chain_a", "chain_a");
	expect("_Znot_valid_at_all", "_Znot_valid_at_all");
	expect("", "");
	/* A C++ name that merely ends like a Rust hash keeps its suffix. */
	expect("_ZN1a3h12E", "a::h12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cxx),
		cmocka_unit_test(test_rust_legacy),
		cmocka_unit_test(test_left_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
