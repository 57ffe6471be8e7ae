/* test_symcache.c - the symbol cache with a counting fake resolver. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/symcache.h"
#include "util/xalloc.h"

static const struct sym_module fake_module = {
	.name = "libfake.so", .path = "/lib/libfake.so", .build_id = "",
};

struct fake {
	size_t calls;
	uint64_t last_addr;
	bool last_is_return;
	uint64_t addr_seen;       /* sym->addr when the resolver was called */
	bool scribble;            /* overwrite sym->addr to test it is reset */
};

/* Two frames per address (one inlined), named after the key. */
static void fake_resolve(void *ctx, uint64_t addr, bool is_return, struct symbol *sym)
{
	struct fake *f = ctx;

	f->calls++;
	f->last_addr = addr;
	f->last_is_return = is_return;
	f->addr_seen = sym->addr;
	if (f->scribble)
		sym->addr = 0xbad;
	sym->module = &fake_module;
	sym->module_offset = addr - 0x1000;
	sym->nframes = 2;
	sym->frames = xcalloc(2, sizeof(*sym->frames));
	sym->frames[0].function = xasprintf("inl_%llx_%d", (unsigned long long)addr, is_return);
	sym->frames[0].file = xstrdup("inl.h");
	sym->frames[0].line = 7;
	sym->frames[0].inlined = true;
	sym->frames[1].function = xasprintf("fn_%llx_%d", (unsigned long long)addr, is_return);
	sym->frames[1].file = NULL;
	sym->frames[1].line = (int)(addr & 0xffff);
}

static void test_same_key_resolved_once(void **state)
{
	struct fake f = { 0 };
	struct symcache *sc = symcache_new(fake_resolve, &f);
	const struct symbol *a, *b;

	assert_int_equal(symcache_size(sc), 0);
	a = symcache_get(sc, 0x401234, false);
	assert_int_equal(f.calls, 1);
	assert_int_equal(f.last_addr, 0x401234);
	assert_false(f.last_is_return);
	assert_int_equal(f.addr_seen, 0x401234);   /* set before the call */
	b = symcache_get(sc, 0x401234, false);
	assert_int_equal(f.calls, 1);
	assert_ptr_equal(a, b);
	assert_int_equal(symcache_size(sc), 1);

	assert_int_equal(a->addr, 0x401234);
	assert_ptr_equal(a->module, &fake_module);
	assert_int_equal(a->module_offset, 0x400234);
	assert_int_equal(a->nframes, 2);
	assert_string_equal(a->frames[0].function, "inl_401234_0");
	assert_true(a->frames[0].inlined);
	assert_string_equal(a->frames[1].function, "fn_401234_0");
	symcache_free(sc);
}

static void test_return_flag_is_part_of_key(void **state)
{
	struct fake f = { 0 };
	struct symcache *sc = symcache_new(fake_resolve, &f);
	const struct symbol *call, *ret;

	call = symcache_get(sc, 0x401234, false);
	ret = symcache_get(sc, 0x401234, true);
	assert_int_equal(f.calls, 2);
	assert_true(f.last_is_return);
	assert_ptr_not_equal(call, ret);
	assert_string_equal(call->frames[1].function, "fn_401234_0");
	assert_string_equal(ret->frames[1].function, "fn_401234_1");
	assert_int_equal(symcache_size(sc), 2);
	/* Both still cached. */
	assert_ptr_equal(symcache_get(sc, 0x401234, true), ret);
	assert_ptr_equal(symcache_get(sc, 0x401234, false), call);
	assert_int_equal(f.calls, 2);
	symcache_free(sc);
}

static void test_addr_set_after_resolve(void **state)
{
	struct fake f = { .scribble = true };
	struct symcache *sc = symcache_new(fake_resolve, &f);

	/* Extreme keys too: no value is reserved as "empty". */
	assert_int_equal(symcache_get(sc, 0x5000, true)->addr, 0x5000);
	assert_int_equal(symcache_get(sc, 0, false)->addr, 0);
	assert_int_equal(symcache_get(sc, UINT64_MAX, false)->addr, UINT64_MAX);
	assert_int_equal(symcache_get(sc, UINT64_MAX, true)->addr, UINT64_MAX);
	assert_int_equal(symcache_get(sc, 0, false)->addr, 0);
	assert_int_equal(f.calls, 4);
	assert_int_equal(symcache_size(sc), 4);
	symcache_free(sc);
}

#define MANY 100000
#define EARLY 16

static void test_growth_keeps_pointers(void **state)
{
	struct fake f = { 0 };
	struct symcache *sc = symcache_new(fake_resolve, &f);
	const struct symbol *early[EARLY];
	char names[EARLY][64];

	/* Code addresses: close together and 16-byte aligned, as samples are. */
	for (int i = 0; i < EARLY; i++) {
		early[i] = symcache_get(sc, 0x400000 + 16 * (uint64_t)i, i & 1);
		snprintf(names[i], sizeof(names[i]), "%s", early[i]->frames[1].function);
	}
	for (uint64_t i = EARLY; i < MANY; i++) {
		const struct symbol *s = symcache_get(sc, 0x400000 + 16 * i, i & 1);
		if (s->addr != 0x400000 + 16 * i)
			fail_msg("key %llu has addr %llx", (unsigned long long)i,
				 (unsigned long long)s->addr);
	}
	assert_int_equal(f.calls, MANY);
	assert_int_equal(symcache_size(sc), MANY);

	for (int i = 0; i < EARLY; i++) {
		/* The old pointer still points at the same, intact symbol. */
		assert_int_equal(early[i]->addr, 0x400000 + 16 * (uint64_t)i);
		assert_string_equal(early[i]->frames[1].function, names[i]);
		assert_string_equal(early[i]->frames[0].file, "inl.h");
		assert_ptr_equal(symcache_get(sc, 0x400000 + 16 * (uint64_t)i, i & 1), early[i]);
	}
	/* Every key is found again without resolving. */
	for (uint64_t i = 0; i < MANY; i++) {
		const struct symbol *s = symcache_get(sc, 0x400000 + 16 * i, i & 1);
		if (s->addr != 0x400000 + 16 * i || s->frames[1].line != (int)((0x400000 + 16 * i) & 0xffff))
			fail_msg("key %llu came back wrong", (unsigned long long)i);
	}
	/* The opposite is_return of each key is new. */
	symcache_get(sc, 0x400000, true);
	assert_int_equal(f.calls, MANY + 1);
	assert_int_equal(symcache_size(sc), MANY + 1);
	symcache_free(sc);
}

static void test_symbol_clear(void **state)
{
	struct fake f = { 0 };
	struct symbol sym;

	memset(&sym, 0, sizeof(sym));
	fake_resolve(&f, 0x1234, false, &sym);
	symbol_clear(&sym);
	assert_null(sym.frames);
	assert_int_equal(sym.nframes, 0);
	/* The module belongs to the resolver: left alone. */
	assert_ptr_equal(sym.module, &fake_module);
	/* Clearing twice, or an empty symbol, is harmless. */
	symbol_clear(&sym);
	assert_int_equal(sym.nframes, 0);
}

static void test_no_resolver(void **state)
{
	struct symcache *sc = symcache_new(NULL, NULL);
	const struct symbol *s = symcache_get(sc, 0x42, false);

	assert_int_equal(s->addr, 0x42);
	assert_int_equal(s->nframes, 0);
	assert_null(s->module);
	assert_ptr_equal(symcache_get(sc, 0x42, false), s);
	assert_int_equal(symcache_size(sc), 1);
	symcache_free(sc);
	symcache_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_key_resolved_once),
		cmocka_unit_test(test_return_flag_is_part_of_key),
		cmocka_unit_test(test_addr_set_after_resolve),
		cmocka_unit_test(test_growth_keeps_pointers),
		cmocka_unit_test(test_symbol_clear),
		cmocka_unit_test(test_no_resolver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
