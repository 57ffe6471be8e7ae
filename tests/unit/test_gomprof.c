/* test_gomprof.c - the Go runtime's profile buckets read by go_prof_read,
 * over buckets laid out in this process's own memory as the runtime lays
 * them out (header, PCs, record), with a hand-made layout: the rules of
 * runtime.MemProfile (the published cycle plus the pending one; before
 * the first GC every cycle), block records, and hostile lists (a loop, a
 * stack too deep, an unreadable bucket) that must end in an error, never
 * a crash or a hang.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "golang/gomprof.h"

/* The runtime's shapes (Go 1.19, 64-bit). */
struct fbucket {
	uint64_t next, allnext, typ, hash, size, nstk;
};
struct fcycle {
	uint64_t allocs, frees, alloc_bytes, free_bytes;
};
struct fmem {
	struct fcycle active, future[3];
};
struct fblock {
	double count;
	int64_t cycles;
};

/* A bucket with 2 PCs and a record, in one block as persistentalloc
 * gives it. */
struct mbucket {
	struct fbucket h;
	uint64_t pcs[2];
	struct fmem r;
};
struct bbucket {
	struct fbucket h;
	uint64_t pcs[2];
	struct fblock r;
};

/* The runtime's variables. */
static uint64_t v_mbuckets, v_bbuckets, v_xbuckets;
static uint32_t v_cycle;
static int64_t v_rate = 512 * 1024, v_brate = 1, v_mrate = 1, v_ticks = 2000000000;
static uint8_t v_disabled;
static uint64_t v_lock_active, v_lock_future[3], v_lock_block;

static struct go_field F(size_t off, size_t size)
{
	return (struct go_field){ (uint32_t)off, (uint32_t)size };
}

static struct go_scalar S(const void *p, size_t size)
{
	return (struct go_scalar){ (uint64_t)(uintptr_t)p, (uint32_t)size };
}

static void layout(struct go_prof_layout *L)
{
	memset(L, 0, sizeof(*L));
	L->mbuckets = S(&v_mbuckets, 8);
	L->bbuckets = S(&v_bbuckets, 8);
	L->xbuckets = S(&v_xbuckets, 8);
	L->cycle = S(&v_cycle, 4);
	L->mem_rate = S(&v_rate, 8);
	L->mem_disabled = S(&v_disabled, 1);
	L->block_rate = S(&v_brate, 8);
	L->mutex_rate = S(&v_mrate, 8);
	L->ticks = S(&v_ticks, 8);
	L->lock_active = S(&v_lock_active, 8);
	for (int i = 0; i < 3; i++)
		L->lock_future[i] = S(&v_lock_future[i], 8);
	L->lock_block = S(&v_lock_block, 8);
	L->lock_held_mask = UINT64_MAX;
	L->bucket_size = sizeof(struct fbucket);
	L->b_allnext = F(offsetof(struct fbucket, allnext), 8);
	L->b_typ = F(offsetof(struct fbucket, typ), 8);
	L->b_nstk = F(offsetof(struct fbucket, nstk), 8);
	L->mem_size = sizeof(struct fmem);
	L->active_off = offsetof(struct fmem, active);
	L->future_off = offsetof(struct fmem, future);
	L->cyc_size = sizeof(struct fcycle);
	L->c_allocs = F(offsetof(struct fcycle, allocs), 8);
	L->c_frees = F(offsetof(struct fcycle, frees), 8);
	L->c_alloc_bytes = F(offsetof(struct fcycle, alloc_bytes), 8);
	L->c_free_bytes = F(offsetof(struct fcycle, free_bytes), 8);
	L->block_size = sizeof(struct fblock);
	L->br_count = F(offsetof(struct fblock, count), 8);
	L->br_cycles = F(offsetof(struct fblock, cycles), 8);
}

static struct mbucket mb[3];

static void cyc(struct fcycle *c, uint64_t a, uint64_t f, uint64_t ab, uint64_t fb)
{
	*c = (struct fcycle){ a, f, ab, fb };
}

/* Three memory buckets, newest first: mb[0] -> mb[1] -> mb[2]. */
static void three_buckets(void)
{
	memset(mb, 0, sizeof(mb));
	for (int i = 0; i < 3; i++) {
		mb[i].h.typ = 1;
		mb[i].h.nstk = 2;
		mb[i].pcs[0] = 0x1000 + (uint64_t)i;
		mb[i].pcs[1] = 0x2000;
		mb[i].h.allnext = i < 2 ? (uint64_t)(uintptr_t)&mb[i + 1] : 0;
	}
	v_mbuckets = (uint64_t)(uintptr_t)&mb[0];
}

static void read_mem(struct go_prof_data *d)
{
	struct go_prof_layout L;
	char why[200] = "";
	layout(&L);
	int r = go_prof_read(getpid(), &L, 0, GO_PROF_MEM, d, why, sizeof(why));
	if (r != 0)
		print_error("go_prof_read: %s\n", why);
	assert_int_equal(r, 0);
}

/* After a GC: active plus future[cycle % 3], nothing else. */
static void test_published_plus_pending(void **state)
{
	(void)state;
	struct go_prof_data d;
	three_buckets();
	v_cycle = 7 << 1;   /* cycle 7: future[1] is due */
	cyc(&mb[0].r.active, 10, 4, 1000, 400);
	cyc(&mb[0].r.future[1], 2, 1, 200, 100);
	cyc(&mb[0].r.future[2], 50, 0, 5000, 0);   /* not yet due */
	cyc(&mb[0].r.future[0], 60, 0, 6000, 0);   /* not yet due */
	cyc(&mb[1].r.active, 1, 1, 64, 64);
	read_mem(&d);
	assert_int_equal(d.n, 3);
	assert_true(d.settled);
	assert_false(d.before_first_gc);
	assert_int_equal(d.cycle, 7);
	assert_int_equal(d.rate, 512 * 1024);
	assert_int_equal(d.r[0].allocs, 12);
	assert_int_equal(d.r[0].frees, 5);
	assert_int_equal(d.r[0].alloc_bytes, 1200);
	assert_int_equal(d.r[0].free_bytes, 500);
	assert_int_equal(d.r[1].allocs, 1);
	assert_int_equal(d.r[1].free_bytes, 64);
	/* A bucket with nothing published is a record of zeros (pprof lists
	 * every bucket). */
	assert_int_equal(d.r[2].allocs, 0);
	assert_int_equal(d.r[0].nstk, 2);
	assert_int_equal(d.pcs[d.r[0].stk], 0x1000);
	assert_int_equal(d.pcs[d.r[2].stk], 0x1002);
	assert_int_equal(d.pcs[d.r[2].stk + 1], 0x2000);
	go_prof_data_free(&d);
}

/* Before the first GC nothing is published: every future cycle counts. */
static void test_before_first_gc(void **state)
{
	(void)state;
	struct go_prof_data d;
	three_buckets();
	v_cycle = 0;
	cyc(&mb[0].r.future[2], 3, 0, 300, 0);
	cyc(&mb[1].r.future[1], 1, 0, 16, 0);
	cyc(&mb[2].r.future[1], 5, 2, 50, 20);
	read_mem(&d);
	assert_true(d.before_first_gc);
	assert_int_equal(d.r[0].allocs, 3);
	assert_int_equal(d.r[0].alloc_bytes, 300);
	assert_int_equal(d.r[1].allocs, 1);
	assert_int_equal(d.r[2].allocs, 5);
	assert_int_equal(d.r[2].free_bytes, 20);
	go_prof_data_free(&d);
	/* Anything in the due cycle (future[0] at cycle 0) is published by
	 * MemProfile's flush first: then it is not "before the first GC". */
	cyc(&mb[2].r.future[0], 1, 0, 8, 0);
	read_mem(&d);
	assert_false(d.before_first_gc);
	assert_int_equal(d.r[0].allocs, 0);
	assert_int_equal(d.r[2].allocs, 1);
	go_prof_data_free(&d);
}

/* A lock held (a GC publishing) at every try: read anyway after the
 * last, and say the reading is not settled. */
static void test_lock_held(void **state)
{
	(void)state;
	struct go_prof_data d;
	three_buckets();
	v_cycle = 3 << 1;
	cyc(&mb[0].r.active, 1, 0, 8, 0);
	v_lock_future[0] = 1;   /* cycle 3: future[0] is due */
	read_mem(&d);
	assert_false(d.settled);
	assert_int_equal(d.tries, 10);
	assert_int_equal(d.r[0].allocs, 1);
	go_prof_data_free(&d);
	/* The lock of a cycle not due is taken by every allocation: it does
	 * not make the read wait. */
	v_lock_future[0] = 0;
	v_lock_future[2] = 1;
	read_mem(&d);
	assert_true(d.settled);
	assert_int_equal(d.tries, 1);
	go_prof_data_free(&d);
	v_lock_future[2] = 0;
}

static void test_block_records(void **state)
{
	(void)state;
	static struct bbucket bb[2];
	struct go_prof_layout L;
	struct go_prof_data d;
	char why[200];
	memset(bb, 0, sizeof(bb));
	for (int i = 0; i < 2; i++) {
		bb[i].h.typ = 2;
		bb[i].h.nstk = 2;
		bb[i].pcs[0] = 0x3000 + (uint64_t)i;
	}
	bb[0].h.allnext = (uint64_t)(uintptr_t)&bb[1];
	bb[0].r = (struct fblock){ 3.75, 123456 };
	bb[1].r = (struct fblock){ 0.5, 99 };
	v_bbuckets = (uint64_t)(uintptr_t)&bb[0];
	layout(&L);
	assert_int_equal(go_prof_read(getpid(), &L, 0, GO_PROF_BLOCK, &d, why, sizeof(why)), 0);
	assert_int_equal(d.n, 2);
	assert_true(d.r[0].count == 3.75);
	assert_int_equal(d.r[0].cycles, 123456);
	assert_true(d.r[1].count == 0.5);
	assert_int_equal(d.cycles_per_second, 2000000000);
	assert_int_equal(d.rate, 1);
	go_prof_data_free(&d);
	/* A memory bucket's type on the block list is refused. */
	bb[1].h.typ = 1;
	assert_int_equal(go_prof_read(getpid(), &L, 0, GO_PROF_BLOCK, &d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "makes no sense"));
	/* Mutex: an empty list is an empty profile. */
	v_xbuckets = 0;
	assert_int_equal(go_prof_read(getpid(), &L, 0, GO_PROF_MUTEX, &d, why, sizeof(why)), 0);
	assert_int_equal(d.n, 0);
	go_prof_data_free(&d);
}

static void test_hostile_lists(void **state)
{
	(void)state;
	struct go_prof_layout L;
	struct go_prof_data d;
	char why[200];
	layout(&L);

	three_buckets();   /* a loop: the last points back at the first */
	mb[2].h.allnext = (uint64_t)(uintptr_t)&mb[0];
	assert_int_equal(go_prof_read(getpid(), &L, 0, GO_PROF_MEM, &d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "loops"));

	three_buckets();   /* deeper than any runtime records */
	mb[1].h.nstk = GO_PROF_MAX_STACK + 1;
	assert_int_equal(go_prof_read(getpid(), &L, 0, GO_PROF_MEM, &d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "makes no sense"));

	three_buckets();   /* a pointer to nothing */
	mb[1].h.allnext = 8;
	assert_int_equal(go_prof_read(getpid(), &L, 0, GO_PROF_MEM, &d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cannot read"));

	/* No list head in the DWARF: said, not read. */
	layout(&L);
	L.xbuckets.size = 0;
	assert_int_equal(go_prof_read(getpid(), &L, 0, GO_PROF_MUTEX, &d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "runtime.xbuckets"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_plus_pending),
		cmocka_unit_test(test_before_first_gc),
		cmocka_unit_test(test_lock_held),
		cmocka_unit_test(test_block_records),
		cmocka_unit_test(test_hostile_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
