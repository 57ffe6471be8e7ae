/* test_stacks.c - the named-stacks model: interning, per-function
 * totals, folded lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/stacks.h"

static uint32_t fr(struct stacks *s, const char *name)
{
	return stacks_frame(s, name, "mod", "f.c", 1, FK_MAIN, false);
}

static void test_frames_interned(void **state)
{
	struct stacks s = { 0 };
	uint32_t a = fr(&s, "a"), b = fr(&s, "b");
	assert_int_equal(fr(&s, "a"), a);
	assert_int_not_equal(a, b);
	/* Same function, other line: another frame. */
	assert_int_not_equal(stacks_frame(&s, "a", "mod", "f.c", 2, FK_MAIN, false), a);
	assert_int_equal(s.nframes, 3);
	assert_string_equal(s.frames[b].func, "b");
	/* A missing name reads "??", never NULL. */
	uint32_t u = stacks_frame(&s, NULL, NULL, NULL, 0, FK_OTHER, false);
	assert_string_equal(s.frames[u].func, "??");
	assert_string_equal(s.frames[u].module, "");
	stacks_free(&s);
}

static const struct func_share *find(const struct func_share *t, size_t n, const char *f)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].func, f) == 0)
			return &t[i];
	return NULL;
}

/* Recursion counts once in cum; flat goes to the leaf; sorted by flat. */
static void test_top_shares(void **state)
{
	struct stacks s = { 0 };
	uint32_t main_ = fr(&s, "main"), rec = fr(&s, "rec"), leaf = fr(&s, "leaf");
	uint32_t s1[] = { main_, rec, rec, leaf };
	uint32_t s2[] = { main_, rec };
	stacks_add(&s, s1, 4, 3, STACKS_NO_THREAD);
	stacks_add(&s, s2, 2, 5, STACKS_NO_THREAD);
	assert_int_equal(s.total, 8);
	size_t n;
	struct func_share *t = stacks_top(&s, &n);
	assert_int_equal(n, 3);
	assert_string_equal(t[0].func, "rec");  /* flat 5 */
	assert_int_equal(find(t, n, "rec")->flat, 5);
	assert_int_equal(find(t, n, "rec")->cum, 8);
	assert_int_equal(find(t, n, "leaf")->flat, 3);
	assert_int_equal(find(t, n, "leaf")->cum, 3);
	assert_int_equal(find(t, n, "main")->flat, 0);
	assert_int_equal(find(t, n, "main")->cum, 8);
	free(t);
	stacks_free(&s);
}

/* Equal stacks merge; thread roots; ';' and newlines cannot split a line. */
static void test_folded(void **state)
{
	struct stacks s = { 0 };
	uint32_t a = fr(&s, "a"), b = fr(&s, "b;x\ny");
	uint32_t t = stacks_thread(&s, "w", 7);
	assert_int_equal(stacks_thread(&s, "w", 7), t);
	uint32_t st[] = { a, b };
	stacks_add(&s, st, 2, 2, t);
	stacks_add(&s, st, 2, 3, t);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	stacks_print_folded(f, &s, false);
	stacks_print_folded(f, &s, true);
	fclose(f);
	assert_string_equal(buf, "a;b:x y 5\nw/7;a;b:x y 5\n");
	free(buf);
	stacks_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_interned),
		cmocka_unit_test(test_top_shares),
		cmocka_unit_test(test_folded),
	};
	return cmocka_run_group_tests_name("stacks", tests, NULL, NULL);
}
