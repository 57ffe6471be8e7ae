/* test_symshare.c - symbols shared across processes by (build id, offset). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/symshare.h"
#include "util/xalloc.h"

#define ID_A "0123456789abcdef0123456789abcdef01234567"
#define ID_B "fedcba9876543210fedcba9876543210fedcba98"

/* What a resolver in one process would have filled: two frames (one
 * inlined), the outer one without a file. */
static void fill(struct symbol *sym, uint64_t entry)
{
	memset(sym, 0, sizeof(*sym));
	sym->entry = entry;
	sym->nframes = 2;
	sym->frames = xcalloc(2, sizeof(*sym->frames));
	sym->frames[0] = (struct sym_frame){ xstrdup("inner"), xstrdup("a.h"), 12, true };
	sym->frames[1] = (struct sym_frame){ xstrdup("outer"), NULL, 0, false };
}

static void test_put_then_get_rebased(void **state)
{
	struct symshare *sh = symshare_new();
	struct symbol a, b;
	uint64_t hits, puts;

	/* Process 1 maps the file at bias 0x1000; the function starts at
	 * file address 0x500. */
	fill(&a, 0x1500);
	symshare_put(sh, ID_A, 0x520, true, 0x1000, &a);
	/* Process 2 maps it at 0x7f0000000000. */
	memset(&b, 0, sizeof(b));
	assert_true(symshare_get(sh, ID_A, 0x520, true, 0x7f0000000000, &b));
	assert_int_equal(b.entry, 0x7f0000000500);
	assert_int_equal(b.nframes, 2);
	assert_string_equal(b.frames[0].function, "inner");
	assert_string_equal(b.frames[0].file, "a.h");
	assert_int_equal(b.frames[0].line, 12);
	assert_true(b.frames[0].inlined);
	assert_string_equal(b.frames[1].function, "outer");
	assert_null(b.frames[1].file);
	assert_false(b.frames[1].inlined);
	symshare_counts(sh, &hits, &puts);
	assert_int_equal(hits, 1);
	assert_int_equal(puts, 1);
	symbol_clear(&a);
	symbol_clear(&b);
	symshare_free(sh);
}

/* The share keeps copies: the symbol put, and every symbol got, can be
 * freed on their own (each process's cache frees its own). */
static void test_frames_deep_copied(void **state)
{
	struct symshare *sh = symshare_new();
	struct symbol a, b, c;

	fill(&a, 0);
	symshare_put(sh, ID_A, 0x10, false, 0, &a);
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	assert_true(symshare_get(sh, ID_A, 0x10, false, 0, &b));
	assert_true(symshare_get(sh, ID_A, 0x10, false, 0, &c));
	assert_ptr_not_equal(b.frames, a.frames);
	assert_ptr_not_equal(b.frames, c.frames);
	assert_ptr_not_equal(b.frames[0].function, a.frames[0].function);
	assert_ptr_not_equal(b.frames[0].function, c.frames[0].function);
	assert_ptr_not_equal(b.frames[0].file, c.frames[0].file);
	/* The original gone, then one copy scribbled on and gone: the next
	 * copy is still what was put. */
	symbol_clear(&a);
	b.frames[0].function[0] = 'X';
	symbol_clear(&b);
	memset(&b, 0, sizeof(b));
	assert_true(symshare_get(sh, ID_A, 0x10, false, 0, &b));
	assert_string_equal(b.frames[0].function, "inner");
	assert_string_equal(c.frames[0].function, "inner");
	symbol_clear(&b);
	symbol_clear(&c);
	symshare_free(sh);
}

/* An unknown entry stays unknown whatever the bias. */
static void test_zero_entry_stays_zero(void **state)
{
	struct symshare *sh = symshare_new();
	struct symbol a, b;

	fill(&a, 0);
	symshare_put(sh, ID_A, 0x40, false, 0x5000, &a);
	memset(&b, 0, sizeof(b));
	b.entry = 0x1234;         /* what get finds must replace it */
	assert_true(symshare_get(sh, ID_A, 0x40, false, 0x9000, &b));
	assert_int_equal(b.entry, 0);
	symbol_clear(&a);
	symbol_clear(&b);
	symshare_free(sh);
}

/* Build id, offset and is_return all make the key; a miss leaves the
 * symbol as it was. */
static void test_key_parts(void **state)
{
	struct symshare *sh = symshare_new();
	struct symbol a, b;
	uint64_t hits, puts;

	fill(&a, 0x100);
	symshare_put(sh, ID_A, 0x80, true, 0, &a);
	memset(&b, 0, sizeof(b));
	b.entry = 77;
	assert_false(symshare_get(sh, ID_B, 0x80, true, 0, &b));
	assert_false(symshare_get(sh, ID_A, 0x81, true, 0, &b));
	assert_false(symshare_get(sh, ID_A, 0x80, false, 0, &b));
	assert_int_equal(b.entry, 77);
	assert_int_equal(b.nframes, 0);
	assert_null(b.frames);
	symshare_counts(sh, &hits, &puts);
	assert_int_equal(hits, 0);
	assert_int_equal(puts, 1);
	symbol_clear(&a);
	symshare_free(sh);
}

/* The first symbol put under a key stays; a second put is not counted. */
static void test_first_put_wins(void **state)
{
	struct symshare *sh = symshare_new();
	struct symbol a, b, c;
	uint64_t hits, puts;

	fill(&a, 0);
	fill(&b, 0);
	free(b.frames[1].function);
	b.frames[1].function = xstrdup("other");
	symshare_put(sh, ID_A, 0x90, false, 0, &a);
	symshare_put(sh, ID_A, 0x90, false, 0, &b);
	memset(&c, 0, sizeof(c));
	assert_true(symshare_get(sh, ID_A, 0x90, false, 0, &c));
	assert_string_equal(c.frames[1].function, "outer");
	symshare_counts(sh, &hits, &puts);
	assert_int_equal(puts, 1);
	symbol_clear(&a);
	symbol_clear(&b);
	symbol_clear(&c);
	symshare_free(sh);
}

/* A symbol with no frame at all is shared as such. */
static void test_no_frames(void **state)
{
	struct symshare *sh = symshare_new();
	struct symbol a = { .entry = 0 }, b;

	symshare_put(sh, ID_B, 0x1, false, 0, &a);
	memset(&b, 0, sizeof(b));
	assert_true(symshare_get(sh, ID_B, 0x1, false, 0, &b));
	assert_int_equal(b.nframes, 0);
	assert_null(b.frames);
	symshare_free(sh);
}

/* Many keys: every one found again after the tables grew. */
static void test_many_keys(void **state)
{
	struct symshare *sh = symshare_new();
	struct symbol a, b;
	uint64_t hits, puts;

	for (uint64_t off = 0; off < 5000; off++) {
		fill(&a, 0x10000 + off);
		symshare_put(sh, off & 1 ? ID_A : ID_B, off * 16, off % 3 == 0, 0x10000, &a);
		symbol_clear(&a);
	}
	symshare_counts(sh, &hits, &puts);
	/* A hash collision would leave a key unstored (and never wrong). */
	assert_true(puts > 4990);
	size_t found = 0;
	for (uint64_t off = 0; off < 5000; off++) {
		memset(&b, 0, sizeof(b));
		if (!symshare_get(sh, off & 1 ? ID_A : ID_B, off * 16, off % 3 == 0, 0x20000, &b))
			continue;
		found++;
		assert_int_equal(b.entry, 0x20000 + off);
		symbol_clear(&b);
	}
	assert_int_equal(found, puts);
	symshare_free(sh);
}

/* Whether a file may be shared is the caller's to decide: the store takes
 * any key, "" included (the symbolizer never passes a file without a
 * build id, whose name does not say it holds the same bytes). */
static void test_empty_build_id_is_a_key_like_any(void **state)
{
	struct symshare *sh = symshare_new();
	struct symbol a, b;

	fill(&a, 0);
	symshare_put(sh, "", 0x10, false, 0, &a);
	memset(&b, 0, sizeof(b));
	assert_true(symshare_get(sh, "", 0x10, false, 0, &b));
	symbol_clear(&a);
	symbol_clear(&b);
	symshare_free(sh);
}

/* The first module lent for a build id is the one borrowed, whoever
 * lends after; an id never lent has none. */
static void test_lend_and_borrow(void **state)
{
	struct symshare *sh = symshare_new();
	int first, second, other;

	assert_null(symshare_borrow(sh, ID_A));
	symshare_lend(sh, ID_A, &first);
	symshare_lend(sh, ID_A, &second);
	assert_ptr_equal(symshare_borrow(sh, ID_A), &first);
	assert_null(symshare_borrow(sh, ID_B));
	/* Many ids: the table grows and keeps what it had. */
	char id[16];
	for (int i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "%02x", i);
		symshare_lend(sh, id, &other);
	}
	assert_ptr_equal(symshare_borrow(sh, ID_A), &first);
	assert_ptr_equal(symshare_borrow(sh, "63"), &other);
	symshare_free(sh);
}

/* Each build id is claimed once, whatever was lent; many ids keep theirs. */
static void test_claim_once(void **state)
{
	struct symshare *sh = symshare_new();
	int m;
	char id[16];

	assert_true(symshare_claim(sh, ID_A));
	assert_false(symshare_claim(sh, ID_A));
	symshare_lend(sh, ID_B, &m);
	assert_true(symshare_claim(sh, ID_B));
	assert_ptr_equal(symshare_borrow(sh, ID_B), &m);
	for (int i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "%02x", i);
		assert_true(symshare_claim(sh, id));
	}
	assert_false(symshare_claim(sh, ID_A));
	assert_false(symshare_claim(sh, "63"));
	assert_ptr_equal(symshare_borrow(sh, ID_B), &m);
	symshare_free(sh);
}

static void test_null_share(void **state)
{
	uint64_t hits = 1, puts = 1;
	symshare_counts(NULL, &hits, &puts);
	assert_int_equal(hits, 0);
	assert_int_equal(puts, 0);
	symshare_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_then_get_rebased),
		cmocka_unit_test(test_frames_deep_copied),
		cmocka_unit_test(test_zero_entry_stays_zero),
		cmocka_unit_test(test_key_parts),
		cmocka_unit_test(test_first_put_wins),
		cmocka_unit_test(test_no_frames),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_empty_build_id_is_a_key_like_any),
		cmocka_unit_test(test_lend_and_borrow),
		cmocka_unit_test(test_claim_once),
		cmocka_unit_test(test_null_share),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
