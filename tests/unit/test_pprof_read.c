/* test_pprof_read.c - the pprof reader on small hand-built profiles.
 *
 * Each profile is built from protobuf-c structs and packed (optionally
 * gzipped) here, so every test says exactly what the file holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "output/pprof_read.h"
#include "profile.pb-c.h"
#include "util/xalloc.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__ValueType ValueType;

#define MAXN 16

/* A profile under construction: fixed arrays, pointers wired at pack. */
struct builder {
	Profile p;
	char *strs[64];
	size_t nstrs;
	ValueType vt[4], *vtp[4];
	Function fn[MAXN], *fnp[MAXN];
	Mapping mp[4], *mpp[4];
	Location loc[MAXN], *locp[MAXN];
	Line line[MAXN][4], *linep[MAXN][4];
	Sample s[MAXN], *sp[MAXN];
	uint64_t locids[MAXN][MAXN];
	int64_t vals[MAXN][4];
	Label lab[MAXN][2], *labp[MAXN][2];
	ValueType period_type;
};

static int64_t str(struct builder *b, const char *s)
{
	for (size_t i = 0; i < b->nstrs; i++)
		if (strcmp(b->strs[i], s) == 0)
			return (int64_t)i;
	b->strs[b->nstrs] = (char *)s;
	return (int64_t)b->nstrs++;
}

static struct builder *b_new(void)
{
	struct builder *b = xcalloc(1, sizeof(*b));
	perftools__profiles__profile__init(&b->p);
	str(b, "");
	return b;
}

static void b_type(struct builder *b, const char *type, const char *unit)
{
	size_t i = b->p.n_sample_type++;
	perftools__profiles__value_type__init(&b->vt[i]);
	b->vt[i].type = str(b, type);
	b->vt[i].unit = str(b, unit);
	b->vtp[i] = &b->vt[i];
}

static void b_func(struct builder *b, uint64_t id, const char *name, const char *file)
{
	size_t i = b->p.n_function++;
	perftools__profiles__function__init(&b->fn[i]);
	b->fn[i].id = id;
	b->fn[i].name = str(b, name);
	b->fn[i].filename = str(b, file);
	b->fnp[i] = &b->fn[i];
}

static void b_mapping(struct builder *b, uint64_t id, const char *file, uint64_t start,
		      uint64_t limit)
{
	size_t i = b->p.n_mapping++;
	perftools__profiles__mapping__init(&b->mp[i]);
	b->mp[i].id = id;
	b->mp[i].filename = str(b, file);
	b->mp[i].memory_start = start;
	b->mp[i].memory_limit = limit;
	b->mpp[i] = &b->mp[i];
}

/* A location; then nlines pairs (function id, line), innermost first. */
static void b_loc(struct builder *b, uint64_t id, uint64_t mapping, uint64_t addr,
		  size_t nlines, ...)
{
	size_t i = b->p.n_location++;
	va_list ap;
	perftools__profiles__location__init(&b->loc[i]);
	b->loc[i].id = id;
	b->loc[i].mapping_id = mapping;
	b->loc[i].address = addr;
	b->loc[i].n_line = nlines;
	b->loc[i].line = b->linep[i];
	va_start(ap, nlines);
	for (size_t k = 0; k < nlines; k++) {
		perftools__profiles__line__init(&b->line[i][k]);
		b->line[i][k].function_id = va_arg(ap, uint64_t);
		b->line[i][k].line = va_arg(ap, int64_t);
		b->linep[i][k] = &b->line[i][k];
	}
	va_end(ap);
	b->locp[i] = &b->loc[i];
}

/* A sample: value v0 (and v1 when the profile has two types), thread
 * label when name or tid given, then nlocs location ids, leaf first. */
static Sample *b_sample(struct builder *b, int64_t v0, int64_t v1, const char *thread,
			int64_t tid, size_t nlocs, ...)
{
	size_t i = b->p.n_sample++;
	Sample *s = &b->s[i];
	va_list ap;
	perftools__profiles__sample__init(s);
	s->n_value = b->p.n_sample_type;
	s->value = b->vals[i];
	b->vals[i][0] = v0;
	b->vals[i][1] = v1;
	s->n_location_id = nlocs;
	s->location_id = b->locids[i];
	va_start(ap, nlocs);
	for (size_t k = 0; k < nlocs; k++)
		b->locids[i][k] = va_arg(ap, uint64_t);
	va_end(ap);
	s->label = b->labp[i];
	if (thread) {
		Label *l = &b->lab[i][s->n_label];
		perftools__profiles__label__init(l);
		l->key = str(b, "thread");
		l->str = str(b, thread);
		b->labp[i][s->n_label++] = l;
	}
	if (tid) {
		Label *l = &b->lab[i][s->n_label];
		perftools__profiles__label__init(l);
		l->key = str(b, "tid");
		l->num = tid;
		b->labp[i][s->n_label++] = l;
	}
	b->sp[i] = s;
	return s;
}

static unsigned char *b_pack(struct builder *b, size_t *len)
{
	b->p.string_table = b->strs;
	b->p.n_string_table = b->nstrs;
	b->p.sample_type = b->vtp;
	b->p.function = b->fnp;
	b->p.mapping = b->mpp;
	b->p.location = b->locp;
	b->p.sample = b->sp;
	*len = perftools__profiles__profile__get_packed_size(&b->p);
	unsigned char *buf = xmalloc(*len);
	perftools__profiles__profile__pack(&b->p, buf);
	return buf;
}

static unsigned char *gzip_buf(const unsigned char *in, size_t len, size_t *outlen)
{
	z_stream z;
	size_t cap = len + 128;
	unsigned char *out = xmalloc(cap);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static char err[512];

/* Pack b, read it; the reader's return value. */
static int b_read(struct builder *b, struct stacks *s)
{
	size_t len;
	unsigned char *buf = b_pack(b, &len);
	err[0] = '\0';
	int r = pprof_read(buf, len, s, err, sizeof(err));
	free(buf);
	return r;
}

/* The read must fail with a message containing want (and one line). */
static void expect_reject(struct builder *b, const char *want)
{
	struct stacks s;
	if (b_read(b, &s) == 0) {
		stacks_free(&s);
		fail_msg("accepted a profile that should fail with \"%s\"", want);
	}
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
	assert_int_equal(s.nsamples, 0);  /* nothing left to free */
	assert_null(s.samples);
}

/* A well-formed CPU profile: main -> work -> (inlined) helper, and
 * main -> libc's memcpy; ids dense. */
static struct builder *cpu_profile(void)
{
	struct builder *b = b_new();
	b_type(b, "samples", "count");
	b_type(b, "cpu", "nanoseconds");
	b_mapping(b, 1, "/usr/bin/prog", 0x400000, 0x500000);
	b_mapping(b, 2, "/lib/x86_64-linux-gnu/libc.so.6", 0x7f0000000000, 0x7f0000100000);
	b_func(b, 1, "main", "prog.c");
	b_func(b, 2, "work", "prog.c");
	b_func(b, 3, "helper", "util.h");
	b_func(b, 4, "memcpy", "");
	b_loc(b, 1, 1, 0x401000, 1, (uint64_t)1, (int64_t)10);                 /* main */
	b_loc(b, 2, 1, 0x402000, 2, (uint64_t)3, (int64_t)7, (uint64_t)2, (int64_t)20); /* helper in work */
	b_loc(b, 3, 2, 0x7f0000001000, 1, (uint64_t)4, (int64_t)0);          /* memcpy */
	b_sample(b, 3, 30, "worker", 101, 2, (uint64_t)2, (uint64_t)1);
	b_sample(b, 1, 10, "main", 100, 2, (uint64_t)3, (uint64_t)1);
	return b;
}

static const struct sframe *frame(const struct stacks *s, size_t sample, size_t k)
{
	assert_true(sample < s->nsamples);
	assert_true(k < s->samples[sample].n);
	return &s->frames[s->samples[sample].frames[k]];
}

static void test_root_first_and_inlines(void **state)
{
	struct builder *b = cpu_profile();
	struct stacks s;
	assert_int_equal(b_read(b, &s), 0);
	assert_int_equal(s.nsamples, 2);
	/* Sample 1: leaf-first [loc2, loc1] becomes main, work, helper. */
	assert_int_equal(s.samples[0].n, 3);
	const struct sframe *f0 = frame(&s, 0, 0), *f1 = frame(&s, 0, 1), *f2 = frame(&s, 0, 2);
	assert_string_equal(f0->func, "main");
	assert_false(f0->inlined);
	assert_int_equal(f0->line, 10);
	assert_string_equal(f1->func, "work");
	assert_false(f1->inlined);
	assert_int_equal(f1->line, 20);
	assert_string_equal(f2->func, "helper");
	assert_true(f2->inlined);           /* line[0] is inlined into line[1] */
	assert_string_equal(f2->file, "util.h");
	assert_int_equal(f2->line, 7);
	assert_string_equal(f2->module, "prog");
	assert_int_equal(f2->kind, FK_MAIN);
	/* Sample 2: main, memcpy from libc. */
	assert_int_equal(s.samples[1].n, 2);
	assert_string_equal(frame(&s, 1, 0)->func, "main");
	assert_string_equal(frame(&s, 1, 1)->func, "memcpy");
	assert_string_equal(frame(&s, 1, 1)->module, "libc.so.6");
	assert_int_equal(frame(&s, 1, 1)->kind, FK_SHARED);
	/* Frames are interned: main is one frame in both samples. */
	assert_int_equal(s.samples[0].frames[0], s.samples[1].frames[0]);
	stacks_free(&s);
	free(b);
}

static void test_last_value_by_default(void **state)
{
	struct builder *b = cpu_profile();
	struct stacks s;
	assert_int_equal(b_read(b, &s), 0);
	assert_int_equal(s.total, 40);     /* cpu nanoseconds, not samples */
	assert_int_equal(s.samples[0].value, 30);
	assert_string_equal(s.unit, "nanoseconds");
	assert_int_equal(s.ns_per_unit, 1);
	assert_non_null(strstr(s.title, "Type: cpu"));
	stacks_free(&s);
	free(b);
}

static void test_default_sample_type(void **state)
{
	struct builder *b = cpu_profile();
	struct stacks s;
	b->p.default_sample_type = str(b, "samples");
	assert_int_equal(b_read(b, &s), 0);
	assert_int_equal(s.total, 4);
	assert_string_equal(s.unit, "count");
	assert_non_null(strstr(s.title, "Type: samples"));
	stacks_free(&s);
	free(b);

	/* Named but absent: the last, as go tool pprof does. */
	b = cpu_profile();
	b->p.default_sample_type = str(b, "alloc_space");
	assert_int_equal(b_read(b, &s), 0);
	assert_int_equal(s.total, 40);
	stacks_free(&s);
	free(b);
}

/* A Go heap profile's four types; no default type unless dflt.  Sample
 * values: (1, 100, 1, 100) on work, (2, 400, 0, 0) on main. */
static struct builder *heap_profile(const char *dflt)
{
	struct builder *b = b_new();
	b_type(b, "alloc_objects", "count");
	b_type(b, "alloc_space", "bytes");
	b_type(b, "inuse_objects", "count");
	b_type(b, "inuse_space", "bytes");
	b_func(b, 1, "main", "prog.go");
	b_func(b, 2, "work", "prog.go");
	b_loc(b, 1, 0, 0x10, 1, (uint64_t)1, (int64_t)5);
	b_loc(b, 2, 0, 0x20, 1, (uint64_t)2, (int64_t)9);
	Sample *x = b_sample(b, 1, 100, NULL, 0, 2, (uint64_t)2, (uint64_t)1);
	x->value[2] = 1;
	x->value[3] = 100;
	x = b_sample(b, 2, 400, NULL, 0, 1, (uint64_t)1);
	x->value[2] = 0;
	x->value[3] = 0;
	if (dflt)
		b->p.default_sample_type = str(b, dflt);
	return b;
}

/* Pack b, read it choosing sample_index; the reader's return value. */
static int b_read_sample(struct builder *b, const char *sample_index, struct stacks *s,
			 const char **type)
{
	size_t len;
	unsigned char *buf = b_pack(b, &len);
	err[0] = '\0';
	int r = pprof_read_sample(buf, len, sample_index, s, type, err, sizeof(err));
	free(buf);
	return r;
}

static void test_default_sample_type_not_last(void **state)
{
	struct builder *b = heap_profile("alloc_space");
	struct stacks s;
	const char *type = NULL;
	assert_int_equal(b_read_sample(b, NULL, &s, &type), 0);
	assert_string_equal(type, "alloc_space");
	assert_int_equal(s.total, 500);
	assert_string_equal(s.unit, "bytes");
	assert_int_equal(s.ns_per_unit, 0);
	assert_string_equal(s.title, "Type: alloc_space");
	stacks_free(&s);
	/* "" is the default too. */
	assert_int_equal(b_read_sample(b, "", &s, &type), 0);
	assert_string_equal(type, "alloc_space");
	stacks_free(&s);
	free(b);

	/* Without one, the last: inuse_space, where main's sample is 0. */
	b = heap_profile(NULL);
	assert_int_equal(b_read_sample(b, NULL, &s, &type), 0);
	assert_string_equal(type, "inuse_space");
	assert_int_equal(s.total, 100);
	assert_int_equal(s.nsamples, 1);
	stacks_free(&s);
	free(b);
}

static void test_sample_type_by_name(void **state)
{
	struct builder *b = heap_profile("alloc_space");
	struct stacks s;
	const char *type = NULL;
	/* The name wins over the default sample type. */
	assert_int_equal(b_read_sample(b, "alloc_objects", &s, &type), 0);
	assert_string_equal(type, "alloc_objects");
	assert_int_equal(s.total, 3);
	assert_int_equal(s.nsamples, 2);
	assert_string_equal(s.unit, "count");
	assert_string_equal(s.title, "Type: alloc_objects");
	stacks_free(&s);
	assert_int_equal(b_read_sample(b, "inuse_objects", &s, &type), 0);
	assert_int_equal(s.total, 1);
	stacks_free(&s);
	free(b);

	/* A CPU profile's time type: its unit, and time per unit. */
	b = cpu_profile();
	b->p.default_sample_type = str(b, "samples");
	assert_int_equal(b_read_sample(b, "cpu", &s, &type), 0);
	assert_string_equal(type, "cpu");
	assert_int_equal(s.total, 40);
	assert_string_equal(s.unit, "nanoseconds");
	assert_int_equal(s.ns_per_unit, 1);
	assert_string_equal(s.title, "Type: cpu");
	stacks_free(&s);
	free(b);

	/* Legacy names: "inuse_space" finds a type "space", as go tool pprof
	 * does; an exact name is found first. */
	b = b_new();
	b_type(b, "objects", "count");
	b_type(b, "space", "bytes");
	b_func(b, 1, "f", "");
	b_loc(b, 1, 0, 0x10, 1, (uint64_t)1, (int64_t)0);
	b_sample(b, 2, 64, NULL, 0, 1, (uint64_t)1);
	assert_int_equal(b_read_sample(b, "inuse_objects", &s, &type), 0);
	assert_string_equal(type, "objects");
	assert_int_equal(s.total, 2);
	stacks_free(&s);
	assert_int_equal(b_read_sample(b, "space", &s, &type), 0);
	assert_int_equal(s.total, 64);
	stacks_free(&s);
	free(b);
}

static void test_sample_type_by_number(void **state)
{
	struct builder *b = heap_profile("inuse_space");
	struct stacks s;
	const char *type = NULL;
	assert_int_equal(b_read_sample(b, "0", &s, &type), 0);
	assert_string_equal(type, "alloc_objects");
	assert_int_equal(s.total, 3);
	assert_string_equal(s.unit, "count");
	stacks_free(&s);
	assert_int_equal(b_read_sample(b, "1", &s, &type), 0);
	assert_string_equal(type, "alloc_space");
	assert_int_equal(s.total, 500);
	assert_string_equal(s.unit, "bytes");
	stacks_free(&s);
	assert_int_equal(b_read_sample(b, "3", &s, NULL), 0);
	assert_int_equal(s.total, 100);
	stacks_free(&s);

	/* Past the last: an error that says what there is. */
	type = "untouched";
	assert_int_equal(b_read_sample(b, "4", &s, &type), -1);
	assert_string_equal(err, "no sample type 4 in this profile (it has 0..3: alloc_objects, "
			    "alloc_space, inuse_objects, inuse_space)");
	assert_string_equal(type, "untouched");
	assert_null(s.samples);
	assert_int_equal(b_read_sample(b, "99999999999999999999", &s, NULL), -1);
	assert_non_null(strstr(err, "no sample type '99999999999999999999'"));
	/* Not numbers: names, then not found. */
	assert_int_equal(b_read_sample(b, "-1", &s, NULL), -1);
	assert_non_null(strstr(err, "no sample type '-1' in this profile"));
	assert_int_equal(b_read_sample(b, " 1", &s, NULL), -1);
	free(b);
}

static void test_unknown_sample_type(void **state)
{
	struct builder *b = heap_profile(NULL);
	struct stacks s;
	assert_int_equal(b_read_sample(b, "x", &s, NULL), -1);
	assert_string_equal(err, "no sample type 'x' in this profile (it has alloc_objects, "
			    "alloc_space, inuse_objects, inuse_space)");
	assert_null(s.samples);
	assert_int_equal(b_read_sample(b, "cpu", &s, NULL), -1);
	assert_non_null(strstr(err, "no sample type 'cpu' in this profile"));
	free(b);

	/* Long names: the list is cut, the message stays one line that ends. */
	static char names[4][200];
	b = b_new();
	for (int i = 0; i < 4; i++) {
		memset(names[i], 'a' + i, sizeof(names[i]) - 1);
		b_type(b, names[i], "count");
	}
	b_func(b, 1, "f", "");
	b_loc(b, 1, 0, 0x10, 1, (uint64_t)1, (int64_t)0);
	Sample *x = b_sample(b, 1, 1, NULL, 0, 1, (uint64_t)1);
	x->value[2] = x->value[3] = 1;
	assert_int_equal(b_read_sample(b, "x", &s, NULL), -1);
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, ", ...)"));
	assert_null(strstr(err, names[3]));
	free(b);
}

static void test_count_with_period_is_time(void **state)
{
	struct builder *b = b_new();
	struct stacks s;
	b_type(b, "samples", "count");
	b_func(b, 1, "f", "");
	b_loc(b, 1, 0, 0x10, 1, (uint64_t)1, (int64_t)0);
	b_sample(b, 5, 0, NULL, 0, 1, (uint64_t)1);
	perftools__profiles__value_type__init(&b->period_type);
	b->period_type.type = str(b, "cpu");
	b->period_type.unit = str(b, "nanoseconds");
	b->p.period_type = &b->period_type;
	b->p.period = 10000000;
	assert_int_equal(b_read(b, &s), 0);
	assert_string_equal(s.unit, "count");
	assert_int_equal(s.ns_per_unit, 10000000);
	stacks_free(&s);
	free(b);
}

static void test_threads_from_labels(void **state)
{
	struct builder *b = cpu_profile();
	struct stacks s;
	b_sample(b, 1, 5, NULL, 0, 1, (uint64_t)1);        /* no labels */
	b_sample(b, 1, 7, "worker", 101, 1, (uint64_t)1);  /* same thread as sample 1 */
	assert_int_equal(b_read(b, &s), 0);
	assert_int_equal(s.nthreads, 2);
	uint32_t t0 = s.samples[0].thread, t1 = s.samples[1].thread;
	assert_true(t0 < s.nthreads && t1 < s.nthreads && t0 != t1);
	assert_string_equal(s.threads[t0].name, "worker");
	assert_int_equal(s.threads[t0].tid, 101);
	assert_string_equal(s.threads[t1].name, "main");
	assert_int_equal(s.threads[t1].tid, 100);
	assert_int_equal(s.samples[2].thread, STACKS_NO_THREAD);
	assert_int_equal(s.samples[3].thread, t0);
	stacks_free(&s);
	free(b);
}

static void test_unsymbolized_locations(void **state)
{
	struct builder *b = b_new();
	struct stacks s;
	b_type(b, "cpu", "nanoseconds");
	b_mapping(b, 7, "/usr/bin/prog", 0x400000, 0x500000);
	b_mapping(b, 9, "/usr/lib/libfoo.so", 0x7f0000000000, 0x7f0000100000);
	b_mapping(b, 11, "[vdso]", 0x7fff0000, 0x7fff2000);
	b_mapping(b, 12, "[kernel.kallsyms]", 0xffff0000, 0xffff2000);
	b_loc(b, 1000, 9, 0x7f0000001234, 0);
	b_loc(b, 5, 0, 0xdead, 0);
	b_loc(b, 6, 11, 0x7fff0010, 0);
	b_loc(b, 8, 12, 0xffff0010, 0);
	b_sample(b, 1, 0, NULL, 0, 4, (uint64_t)8, (uint64_t)6, (uint64_t)5, (uint64_t)1000);
	assert_int_equal(b_read(b, &s), 0);
	assert_int_equal(s.samples[0].n, 4);
	assert_string_equal(frame(&s, 0, 0)->func, "libfoo.so+0x1234");
	assert_int_equal(frame(&s, 0, 0)->kind, FK_SHARED);
	assert_string_equal(frame(&s, 0, 1)->func, "0xdead");
	assert_int_equal(frame(&s, 0, 1)->kind, FK_OTHER);
	assert_string_equal(frame(&s, 0, 1)->module, "");
	assert_int_equal(frame(&s, 0, 2)->kind, FK_SHARED);  /* [vdso], as record draws it */
	assert_int_equal(frame(&s, 0, 3)->kind, FK_KERNEL);  /* perf's name for the kernel */
	stacks_free(&s);
	free(b);
}

static void test_zero_and_negative_values_skipped(void **state)
{
	struct builder *b = cpu_profile();
	struct stacks s;
	b_sample(b, 1, 0, NULL, 0, 1, (uint64_t)1);
	b_sample(b, 1, -50, NULL, 0, 1, (uint64_t)1);
	assert_int_equal(b_read(b, &s), 0);
	assert_int_equal(s.nsamples, 2);
	assert_int_equal(s.total, 40);
	stacks_free(&s);
	free(b);
}

static void test_gzip_and_its_damage(void **state)
{
	struct builder *b = cpu_profile();
	struct stacks s;
	size_t len, glen;
	unsigned char *raw = b_pack(b, &len);
	unsigned char *gz = gzip_buf(raw, len, &glen);

	assert_int_equal(pprof_read(gz, glen, &s, err, sizeof(err)), 0);
	assert_int_equal(s.total, 40);
	assert_int_equal(s.nsamples, 2);
	stacks_free(&s);

	/* Every proper prefix is truncated gzip (or an incomplete header). */
	for (size_t cut = 2; cut < glen; cut++) {
		if (pprof_read(gz, cut, &s, err, sizeof(err)) == 0)
			fail_msg("accepted %zu of %zu gzip bytes", cut, glen);
		if (!strstr(err, "truncated gzip data"))
			fail_msg("%zu of %zu bytes: \"%s\"", cut, glen, err);
	}
	/* A flipped byte in the data breaks the CRC or the stream. */
	gz[glen - 12] ^= 0x55;
	assert_int_equal(pprof_read(gz, glen, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "gzip"));
	gz[glen - 12] ^= 0x55;
	/* Junk after the stream. */
	unsigned char *junk = xmalloc(glen + 3);
	memcpy(junk, gz, glen);
	memcpy(junk + glen, "xyz", 3);
	assert_int_equal(pprof_read(junk, glen + 3, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "junk after the gzip data"));
	free(junk);
	free(gz);
	free(raw);
	free(b);
}

static void test_sparse_ids(void **state)
{
	struct builder *b = b_new();
	struct stacks s;
	b_type(b, "cpu", "nanoseconds");
	b_mapping(b, 0xffffffffffffULL, "/bin/x", 0, 0x1000);
	b_func(b, 77, "f", "f.c");
	b_func(b, 3, "g", "g.c");
	b_loc(b, UINT64_MAX, 0xffffffffffffULL, 0x10, 1, (uint64_t)77, (int64_t)1);
	b_loc(b, 42, 0xffffffffffffULL, 0x20, 1, (uint64_t)3, (int64_t)2);
	b_sample(b, 9, 0, NULL, 0, 2, (uint64_t)42, UINT64_MAX);
	assert_int_equal(b_read(b, &s), 0);
	assert_string_equal(frame(&s, 0, 0)->func, "f");
	assert_string_equal(frame(&s, 0, 1)->func, "g");
	stacks_free(&s);
	free(b);
}

static void test_names_sanitized(void **state)
{
	struct builder *b = b_new();
	struct stacks s;
	b_type(b, "cpu", "nanoseconds");
	b_func(b, 1, "evil\n\x1b[2Jname\xff", "");
	b_func(b, 2, "caf\xc3\xa9", "");
	b_loc(b, 1, 0, 0, 1, (uint64_t)1, (int64_t)0);
	b_loc(b, 2, 0, 0, 1, (uint64_t)2, (int64_t)0);
	b_sample(b, 1, 0, NULL, 0, 2, (uint64_t)1, (uint64_t)2);
	assert_int_equal(b_read(b, &s), 0);
	assert_string_equal(frame(&s, 0, 1)->func, "evil??[2Jname?");
	assert_string_equal(frame(&s, 0, 0)->func, "caf\xc3\xa9");
	stacks_free(&s);
	free(b);
}

static void test_rejects_bad_indices(void **state)
{
	struct builder *b;

	b = cpu_profile();
	b->fn[1].name = 99;
	expect_reject(b, "function #2 name: string index 99 out of range 0..");
	free(b);

	b = cpu_profile();
	b->vt[0].unit = -1;
	expect_reject(b, "sample type #1 unit: string index -1 out of range");
	free(b);

	b = cpu_profile();
	b->p.default_sample_type = 1000;
	expect_reject(b, "default sample type: string index 1000 out of range");
	free(b);

	b = cpu_profile();
	b->lab[0][0].str = 64;
	expect_reject(b, "sample #1 label value: string index 64");
	free(b);

	b = cpu_profile();
	b->locids[1][0] = 4;
	expect_reject(b, "sample #2 refers to location 4, which does not exist");
	free(b);

	b = cpu_profile();
	b->line[1][1].function_id = 9;
	expect_reject(b, "location 2 refers to function 9, which does not exist");
	free(b);

	b = cpu_profile();
	b->loc[2].mapping_id = 3;
	expect_reject(b, "location 3 refers to mapping 3, which does not exist");
	free(b);

	b = cpu_profile();
	b->loc[2].id = 1;
	expect_reject(b, "two locations with id 1");
	free(b);

	b = cpu_profile();
	b->fn[0].id = 0;
	expect_reject(b, "function #1 has id 0");
	free(b);

	b = cpu_profile();
	b->s[1].n_value = 1;
	expect_reject(b, "sample #2 has 1 values for 2 sample types");
	free(b);

	b = cpu_profile();
	b->strs[0] = "x";
	expect_reject(b, "the first string is not empty");
	free(b);

	b = cpu_profile();
	b->p.n_sample_type = 0;
	for (size_t i = 0; i < b->p.n_sample; i++)
		b->s[i].n_value = 0;
	expect_reject(b, "no sample types");
	free(b);

	b = cpu_profile();
	b->vals[0][1] = INT64_MAX;
	b->vals[1][1] = INT64_MAX;
	b_sample(b, 1, INT64_MAX, NULL, 0, 1, (uint64_t)1);
	expect_reject(b, "values add up past 2^64");
	free(b);
}

static void test_rejects_non_profiles(void **state)
{
	struct stacks s;
	static const unsigned char garbage[] = { 0xff, 0xff, 0xff, 0xff, 0x07, 0x01 };
	static const unsigned char text[] = "main;work;helper 30\nmain;memcpy 10\n";
	static const unsigned char gz_header_only[] = { 0x1f, 0x8b };

	assert_int_equal(pprof_read(garbage, 0, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty file"));
	assert_int_equal(pprof_read(garbage, sizeof(garbage), &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a pprof profile"));
	assert_int_equal(pprof_read(text, sizeof(text) - 1, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a pprof profile"));
	assert_int_equal(pprof_read(gz_header_only, 2, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated gzip data"));
	/* Only an unknown field: it decodes, but has no string table. */
	static const unsigned char unknown_field[] = { 0x78, 0x01 };  /* field 15 = 1 */
	assert_int_equal(pprof_read(unknown_field, 2, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no string table"));
}


/* Goroutine labels stand in for threads when there are no thread labels. */
static void test_goroutine_label(void **state)
{
	struct builder *b = cpu_profile();
	struct stacks s;
	Sample *x = b_sample(b, 1, 5, NULL, 0, 1, (uint64_t)1);
	Label *l = &b->lab[2][0];
	perftools__profiles__label__init(l);
	l->key = str(b, "goroutine");
	l->num = 42;
	b->labp[2][0] = l;
	x->n_label = 1;
	assert_int_equal(b_read(b, &s), 0);
	uint32_t t = s.samples[2].thread;
	assert_true(t < s.nthreads);
	assert_string_equal(s.threads[t].name, "goroutine");
	assert_int_equal(s.threads[t].tid, 42);
	stacks_free(&s);
	free(b);
}

/* A few KB whose stacks would expand to more than the folded-text
 * budget (16 MiB + 64 bytes per input byte): refused, not built. */
static void test_expansion_bounded(void **state)
{
	struct builder *b = b_new();
	struct stacks s;
	char *name = xmalloc(1001);
	uint64_t *ids = xcalloc(6000, sizeof(*ids));
	memset(name, 'f', 1000);
	name[1000] = '\0';
	b_type(b, "cpu", "nanoseconds");
	b_func(b, 1, name, "");
	b_loc(b, 1, 0, 0, 4, (uint64_t)1, (int64_t)1, (uint64_t)1, (int64_t)2, (uint64_t)1,
	      (int64_t)3, (uint64_t)1, (int64_t)4);
	Sample *x = b_sample(b, 1, 0, NULL, 0, 0);
	for (size_t i = 0; i < 6000; i++)
		ids[i] = 1;
	x->location_id = ids;
	x->n_location_id = 6000;   /* 6000 x 4 x 1001 bytes: 24 MB of names */
	expect_reject(b, "its stacks expand to over");

	x->n_location_id = 3000;   /* 12 MB: within the budget */
	assert_int_equal(b_read(b, &s), 0);
	assert_int_equal(s.samples[0].n, 12000);
	stacks_free(&s);
	free(ids);
	free(name);
	free(b);
}

/* More threads than are worth keeping apart: the labels are ignored (and
 * the title says so) instead of flooding the thread table. */
static void test_thread_cap(void **state)
{
	enum { N = 16385 };
	struct builder *b = cpu_profile();
	struct stacks s;
	Sample *samples = xcalloc(N, sizeof(*samples));
	Sample **sp = xcalloc(N, sizeof(*sp));
	Label *labels = xcalloc(N, sizeof(*labels));
	Label **lp = xcalloc(N, sizeof(*lp));
	int64_t one[2] = { 1, 1 };
	uint64_t loc = 1;
	size_t len;
	for (size_t i = 0; i < N; i++) {
		perftools__profiles__sample__init(&samples[i]);
		samples[i].n_value = 2;
		samples[i].value = one;
		samples[i].n_location_id = 1;
		samples[i].location_id = &loc;
		perftools__profiles__label__init(&labels[i]);
		labels[i].key = str(b, "tid");
		labels[i].num = (int64_t)i + 1;
		lp[i] = &labels[i];
		samples[i].n_label = 1;
		samples[i].label = &lp[i];
		sp[i] = &samples[i];
	}
	free(b_pack(b, &len));  /* wires the builder's tables; then the big sample list */
	b->p.sample = sp;
	b->p.n_sample = N;
	len = perftools__profiles__profile__get_packed_size(&b->p);
	unsigned char *buf = xmalloc(len);
	perftools__profiles__profile__pack(&b->p, buf);
	assert_int_equal(pprof_read(buf, len, &s, err, sizeof(err)), 0);
	assert_int_equal(s.nsamples, N);
	assert_int_equal(s.nthreads, 0);
	assert_int_equal(s.samples[0].thread, STACKS_NO_THREAD);
	assert_non_null(strstr(s.title, "thread labels ignored: over 16384 threads"));
	stacks_free(&s);

	/* One fewer: every thread kept. */
	b->p.n_sample = N - 1;
	len = perftools__profiles__profile__get_packed_size(&b->p);
	perftools__profiles__profile__pack(&b->p, buf);
	assert_int_equal(pprof_read(buf, len, &s, err, sizeof(err)), 0);
	assert_int_equal(s.nthreads, N - 1);
	stacks_free(&s);
	free(buf);
	free(lp);
	free(labels);
	free(sp);
	free(samples);
	free(b);
}

/* Millions of empty samples: protobuf-c would allocate ~60 bytes per
 * 2 input bytes; the decoding budget stops it. */
static void test_decode_budget(void **state)
{
	size_t len = 4u << 20;
	unsigned char *buf = xmalloc(len);
	struct stacks s;
	for (size_t i = 0; i < len; i += 2) {
		buf[i] = 0x12;      /* field 2 (sample), length-delimited */
		buf[i + 1] = 0x00;  /* empty */
	}
	assert_int_equal(pprof_read(buf, len, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "decoding it takes more memory than a profile of its size may"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_first_and_inlines),
		cmocka_unit_test(test_last_value_by_default),
		cmocka_unit_test(test_default_sample_type),
		cmocka_unit_test(test_default_sample_type_not_last),
		cmocka_unit_test(test_sample_type_by_name),
		cmocka_unit_test(test_sample_type_by_number),
		cmocka_unit_test(test_unknown_sample_type),
		cmocka_unit_test(test_count_with_period_is_time),
		cmocka_unit_test(test_threads_from_labels),
		cmocka_unit_test(test_unsymbolized_locations),
		cmocka_unit_test(test_zero_and_negative_values_skipped),
		cmocka_unit_test(test_gzip_and_its_damage),
		cmocka_unit_test(test_sparse_ids),
		cmocka_unit_test(test_names_sanitized),
		cmocka_unit_test(test_rejects_bad_indices),
		cmocka_unit_test(test_rejects_non_profiles),
		cmocka_unit_test(test_goroutine_label),
		cmocka_unit_test(test_expansion_bounded),
		cmocka_unit_test(test_thread_cap),
		cmocka_unit_test(test_decode_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
