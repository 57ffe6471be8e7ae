/* Unit tests for demangle(): C++, Rust legacy and v0, and names left alone. */
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

/* Rust v0 names: the published test vectors of the rustc-demangle crate
 * (its v0 tests: RFC 2603's examples and the cases found since). */
static void test_rust_v0(void **state)
{
	(void)state;
	expect("_RNvNtCsdCUjZcdz7A9_3std2rt19lang_start_internal", "std::rt::lang_start_internal");
	expect("_RNvC6_123foo3bar", "123foo::bar");
	expect("_RNqCs4fqI2P2rA04_11utf8_identsu30____7hkackfecea1cbdathfdh9hlq6y",
	       "utf8_idents::\u10e1\u10d0\u10ed\u10db\u10d4\u10da\u10d0\u10d3_"
	       "\u10d2\u10d4\u10db\u10e0\u10d8\u10d4\u10da\u10d8_"
	       "\u10e1\u10d0\u10d3\u10d8\u10da\u10d8");
	expect("_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", "cc::spawn::{closure#0}::{closure#0}");
	expect("_RNCINkXs25_NgCsbmNqQUJIY6D_4core5sliceINyB9_4IterhENuNgNoBb_4iter8iterator8Iterator"
	       "9rpositionNCNgNpB9_6memchr7memrchrs_0E0Bb_",
	       "<core::slice::Iter<u8> as core::iter::iterator::Iterator>::rposition::"
	       "<core::slice::memchr::memrchr::{closure#1}>::{closure#0}");
	expect("_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_"
	       "ECs1iopQbuBiw2_3std",
	       "alloc::alloc::box_free::<dyn alloc::boxed::FnBox<(), Output = ()>>");
	expect("_RMC0INtC8arrayvec8ArrayVechKj7b_E", "<arrayvec::ArrayVec<u8, 123>>");
	expect("_RMCs4fqI2P2rA04_13const_genericINtB0_6SignedKanb_E", "<const_generic::Signed<-11>>");
	expect("_RMCs4fqI2P2rA04_13const_genericINtB0_4BoolKb1_E", "<const_generic::Bool<true>>");
	expect("_RMCs4fqI2P2rA04_13const_genericINtB0_4CharKc76_E", "<const_generic::Char<'v'>>");
	expect("_RINvNtC3std3mem8align_ofdE", "std::mem::align_of::<f64>");
	expect("_RINvNtC3std3mem8align_ofNtNtC3std3mem12DiscriminantE",
	       "std::mem::align_of::<std::mem::Discriminant>");
	expect("_RINvNtC3std3mem8align_ofQTReuEE", "std::mem::align_of::<&mut (&str, ())>");
	expect("_RNvXsa_NtNtCs7hxHya3g3Sg_4core3ptr6uniqueINtB5_6UniqueNtNtNtCshRVCqTKO4VO_5cargo4util"
	       "4toml10TomlTargetEINtNtB9_7convert4FromINtNtB7_8non_null7NonNullBQ_EE4fromBW_",
	       "<core::ptr::unique::Unique<cargo::util::toml::TomlTarget> as core::convert::From<"
	       "core::ptr::non_null::NonNull<cargo::util::toml::TomlTarget>>>::from");
	expect("_RNvMs_NtCs7hxHya3g3Sg_4core6resultINtB4_6ResultNtNtB6_5alloc6LayoutNtBL_9LayoutErrE"
	       "6unwrapCsdJWFNQ9j01_12aho_corasick",
	       "<core::result::Result<core::alloc::Layout, core::alloc::LayoutErr>>::unwrap");
	expect("_RINvNtCs7hxHya3g3Sg_4core3mem7size_ofFUKCEPaECs2ZCqZGLqlfc_3std",
	       "core::mem::size_of::<unsafe extern \"C\" fn() -> *const i8>");
	expect("_RINvCsc1o8JKpgQAm_4test28___rust_begin_short_backtraceFEuEB2_",
	       "test::__rust_begin_short_backtrace::<fn()>");
	expect("_RMC0TTTTTTpB8_EB7_EB6_EB5_EB4_EB3_E",
	       "<((((((_, _), (_, _)), ((_, _), (_, _))), (((_, _), (_, _)), ((_, _), (_, _)))), "
	       "((((_, _), (_, _)), ((_, _), (_, _))), (((_, _), (_, _)), ((_, _), (_, _))))), "
	       "(((((_, _), (_, _)), ((_, _), (_, _))), (((_, _), (_, _)), ((_, _), (_, _)))), "
	       "((((_, _), (_, _)), ((_, _), (_, _))), (((_, _), (_, _)), ((_, _), (_, _))))))>");
}

/* Malformed v0 names (the vectors' fuzzer finds): kept as they are. */
static void test_rust_v0_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"_RMC0TTTTTTPB8_yB7_EB6_EB5_EB4_EB3_E",
		"_RMC0TTTTTTpB8_yB7_eB6_EB5_EB4_EB3_E",
		"_RMC0TTTTTTpB4_yB7_EB6_EB5_EB4_EB3_E",
		"_RMC3TTTTTtpB_yB7_EB6_EB5_EB4_EB3_E",
		"_RNCXNkXs25_NgCsbmNqQUJIY6D_4core5sliceINyB4_4IterhENuNgNoBb_4iter8iterator8Iterator"
		"9rpositionNCNgNpB2_6hr7m0E0Bb_",
		"_RMC0TTTTQLp.B_llvmEB6_EB5_EB4_E!3_E",
		"_R",
		"_RNv",
		"_RNvC999999999999999999999_3foo",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(bad[i], bad[i]);
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
		cmocka_unit_test(test_rust_v0),
		cmocka_unit_test(test_rust_v0_malformed),
		cmocka_unit_test(test_left_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
