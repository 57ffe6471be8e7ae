/* test_mapgroup.c - /proc/PID/maps texts grouped into runs of one file at
 * one bias, with made-up program headers: files mapped twice, repeated
 * and overlapping lines, deleted files, anonymous code, the vDSO twice,
 * absurd numbers.  Whatever the text, the runs must be sorted, disjoint,
 * of executable code, and each file asked for its headers once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stack/mapgroup.h"
#include "target/procfs.h"

/* A shared library laid out the usual way: headers, text, read-only
 * data, then data whose first page is shared with the read-only data's
 * last one in the file. */
static const struct seg_load lib_loads[] = {
	{ .vaddr = 0x0, .memsz = 0x1000, .offset = 0x0, .filesz = 0x1000 },
	{ .vaddr = 0x1000, .memsz = 0x3000, .offset = 0x1000, .filesz = 0x3000 },
	{ .vaddr = 0x4000, .memsz = 0x1800, .offset = 0x4000, .filesz = 0x1800 },
	{ .vaddr = 0x6800, .memsz = 0x2000, .offset = 0x5800, .filesz = 0x400 },
};
/* A fixed-address executable, like /usr/bin/node. */
static const struct seg_load exe_loads[] = {
	{ .vaddr = 0x400000, .memsz = 0x2000, .offset = 0x0, .filesz = 0x2000 },
	{ .vaddr = 0x402000, .memsz = 0x10000, .offset = 0x2000, .filesz = 0x10000 },
	{ .vaddr = 0x412000, .memsz = 0x3000, .offset = 0x12000, .filesz = 0x3000 },
};
static const struct seg_load vdso_loads[] = {
	{ .vaddr = 0x0, .memsz = 0x2000, .offset = 0x0, .filesz = 0x2000 },
};

struct fake {
	unsigned calls[16];       /* per file index */
	unsigned total;
	const char *refuse;       /* a path whose headers cannot be read */
};

static bool fake_load(void *ctx, size_t file, const struct map_entry *first,
		      struct seg_load **loads, size_t *nloads)
{
	struct fake *fk = ctx;
	const struct seg_load *src = NULL;
	size_t n = 0;

	if (file < 16)
		fk->calls[file]++;
	fk->total++;
	if (fk->refuse && strcmp(first->path, fk->refuse) == 0)
		return false;
	if (strstr(first->path, "exe")) {
		src = exe_loads;
		n = sizeof(exe_loads) / sizeof(exe_loads[0]);
	} else if (strcmp(first->path, "[vdso]") == 0) {
		src = vdso_loads;
		n = 1;
	} else if (strstr(first->path, ".so")) {
		src = lib_loads;
		n = sizeof(lib_loads) / sizeof(lib_loads[0]);
	} else {
		return false;     /* not ELF */
	}
	*loads = malloc(n * sizeof(**loads));
	memcpy(*loads, src, n * sizeof(**loads));
	*nloads = n;
	return true;
}

/* What every grouping must satisfy, whatever the input. */
static void check_sane(const struct maps *m, const struct map_groups *g, const struct fake *fk)
{
	for (size_t k = 0; k < g->nruns; k++) {
		const struct map_run *r = &g->runs[k];
		assert_true(r->start < r->end);
		if (k > 0)
			assert_true(g->runs[k - 1].end <= r->start);
		assert_true(r->file < g->nfiles);
		assert_non_null(g->files[r->file].loads);
		/* A run holds an executable mapping, its own or an anonymous
		 * one it took in. */
		bool code = false;
		for (size_t i = 0; i < m->n; i++)
			if (m->v[i].perms[2] == 'x' && m->v[i].start < r->end && m->v[i].end > r->start)
				code = true;
		assert_true(code);
	}
	for (size_t f = 0; f < g->nfiles; f++) {
		size_t h = g->files[f].home;
		if (h != SIZE_MAX) {
			assert_true(h < g->nruns);
			assert_int_equal(g->runs[h].file, f);
		}
		if (f < 16)
			assert_true(fk->calls[f] <= 1);
	}
}

static void group(const char *text, struct maps *m, struct map_groups *g, struct fake *fk)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(procfs_parse_maps(text, m), 0);
	mapgroup_build(m, fake_load, fk, g);
	check_sane(m, g, fk);
}

static void done(struct maps *m, struct map_groups *g)
{
	mapgroup_free(g);
	maps_free(m);
}

/* The run holding addr, or NULL. */
static const struct map_run *run_at(const struct map_groups *g, uint64_t addr)
{
	for (size_t k = 0; k < g->nruns; k++)
		if (addr >= g->runs[k].start && addr < g->runs[k].end)
			return &g->runs[k];
	return NULL;
}

#define LIB(a, b, perms, off) a "-" b " " perms " " off " 08:01 1234 /lib/libx.so\n"

static void test_one_library(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group(LIB("7f0000000000", "7f0000001000", "r--p", "00000000")
	      LIB("7f0000001000", "7f0000004000", "r-xp", "00001000")
	      LIB("7f0000004000", "7f0000006000", "r--p", "00004000")
	      LIB("7f0000006000", "7f0000007000", "rw-p", "00005000")
	      "7f0000007000-7f0000009000 rw-p 00000000 00:00 0\n",
	      &m, &g, &fk);
	/* The data page shares file page 0x5000 with the read-only data:
	 * it still belongs to the same run. */
	assert_int_equal(g.nruns, 1);
	assert_int_equal(g.runs[0].start, 0x7f0000000000ULL);
	assert_int_equal(g.runs[0].end, 0x7f0000007000ULL);
	assert_int_equal(g.runs[0].bias, 0x7f0000000000ULL);
	assert_int_equal(g.runs[0].offset, 0);
	assert_int_equal(fk.total, 1);
	done(&m, &g);
}

/* dlmopen: the whole library a second time elsewhere. */
static void test_library_twice(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group(LIB("7f0000000000", "7f0000001000", "r--p", "00000000")
	      LIB("7f0000001000", "7f0000004000", "r-xp", "00001000")
	      LIB("7f0000004000", "7f0000006000", "r--p", "00004000")
	      "7f0000100000-7f0000200000 rw-p 00000000 00:00 0\n"
	      LIB("7f1000000000", "7f1000001000", "r--p", "00000000")
	      LIB("7f1000001000", "7f1000004000", "r-xp", "00001000")
	      LIB("7f1000004000", "7f1000006000", "r--p", "00004000"),
	      &m, &g, &fk);
	assert_int_equal(g.nfiles, 1);
	assert_int_equal(g.nruns, 2);
	assert_int_equal(g.runs[0].bias, 0x7f0000000000ULL);
	assert_int_equal(g.runs[1].bias, 0x7f1000000000ULL);
	assert_int_equal(g.runs[0].file, g.runs[1].file);
	/* Equal offsets: the lower copy is the one reported. */
	assert_int_equal(g.files[0].home, 0);
	assert_int_equal(fk.total, 1);
	done(&m, &g);
}

/* Node: the fixed-address executable, then a piece of its text mapped
 * again far away (and below it, a second piece that comes first). */
static void test_exe_piece_remapped(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group("00100000-00101000 r-xp 00008000 08:01 77 /usr/bin/exe\n"
	      "00400000-00402000 r--p 00000000 08:01 77 /usr/bin/exe\n"
	      "00402000-00412000 r-xp 00002000 08:01 77 /usr/bin/exe\n"
	      "00412000-00415000 rw-p 00012000 08:01 77 /usr/bin/exe\n"
	      "7fa0a5e00000-7fa0a5e04000 r-xp 00004000 08:01 77 /usr/bin/exe\n",
	      &m, &g, &fk);
	assert_int_equal(g.nfiles, 1);
	assert_int_equal(g.nruns, 3);
	/* Offset 0x8000 is vaddr 0x408000. */
	assert_int_equal(g.runs[0].bias, 0x100000ULL - 0x408000ULL);
	assert_int_equal(g.runs[1].bias, 0);
	assert_int_equal(g.runs[1].start, 0x400000);
	assert_int_equal(g.runs[1].end, 0x415000);
	assert_int_equal(g.runs[2].bias, 0x7fa0a5e00000ULL - 0x404000ULL);
	/* The loader's mapping (offset 0) is the one reported. */
	assert_int_equal(g.files[0].home, 1);
	done(&m, &g);
}

static void test_repeated_lines(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group(LIB("7f0000000000", "7f0000001000", "r--p", "00000000")
	      LIB("7f0000001000", "7f0000004000", "r-xp", "00001000")
	      LIB("7f0000001000", "7f0000004000", "r-xp", "00001000")
	      LIB("7f0000001000", "7f0000004000", "r-xp", "00001000")
	      LIB("7f0000004000", "7f0000006000", "r--p", "00004000"),
	      &m, &g, &fk);
	assert_int_equal(g.nruns, 1);
	assert_int_equal(g.runs[0].start, 0x7f0000000000ULL);
	assert_int_equal(g.runs[0].end, 0x7f0000006000ULL);
	done(&m, &g);
}

/* Entries that overlap each other, of one file and of two: an entry
 * counts only above what the ones before it hold. */
static void test_overlapping(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group("7f0000000000-7f0000004000 r-xp 00000000 08:01 1234 /lib/libx.so\n"
	      "7f0000002000-7f0000003000 r-xp 00001000 08:01 1234 /lib/libx.so\n"
	      "7f0000003000-7f0000008000 r-xp 00000000 08:01 99 /lib/liby.so\n"
	      "7f0000006000-7f0000009000 r-xp 00001000 08:01 1234 /lib/libx.so\n",
	      &m, &g, &fk);
	assert_int_equal(g.nruns, 3);
	const struct map_run *r = run_at(&g, 0x7f0000000800ULL);
	assert_non_null(r);
	assert_string_equal(g.files[r->file].first->path, "/lib/libx.so");
	assert_int_equal(r->end, 0x7f0000004000ULL);
	r = run_at(&g, 0x7f0000005000ULL);
	assert_non_null(r);
	assert_string_equal(g.files[r->file].first->path, "/lib/liby.so");
	/* liby's entry from 0x4000 on: file offset 0x1000 there. */
	assert_int_equal(r->start, 0x7f0000004000ULL);
	assert_int_equal(r->offset, 0x1000);
	assert_int_equal(r->bias, 0x7f0000003000ULL);
	r = run_at(&g, 0x7f0000008800ULL);
	assert_non_null(r);
	assert_string_equal(g.files[r->file].first->path, "/lib/libx.so");
	assert_int_equal(r->start, 0x7f0000008000ULL);
	done(&m, &g);
}

/* The maps text need not be sorted; parse sorts it, and the runs come
 * out the same. */
static void test_unsorted(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group(LIB("7f0000004000", "7f0000006000", "r--p", "00004000")
	      LIB("7f0000001000", "7f0000004000", "r-xp", "00001000")
	      LIB("7f0000000000", "7f0000001000", "r--p", "00000000"),
	      &m, &g, &fk);
	assert_int_equal(g.nruns, 1);
	assert_int_equal(g.runs[0].end, 0x7f0000006000ULL);
	done(&m, &g);
}

static void test_deleted(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group("7f0000000000-7f0000001000 r--p 00000000 08:01 1234 /lib/libx.so (deleted)\n"
	      "7f0000001000-7f0000004000 r-xp 00001000 08:01 1234 /lib/libx.so (deleted)\n"
	      "7f1000000000-7f1000001000 r--p 00000000 08:01 1235 /lib/libx.so\n"
	      "7f1000001000-7f1000004000 r-xp 00001000 08:01 1235 /lib/libx.so\n",
	      &m, &g, &fk);
	/* Same path, other inode: two files. */
	assert_int_equal(g.nfiles, 2);
	assert_int_equal(g.nruns, 2);
	assert_true(g.files[g.runs[0].file].first->deleted);
	assert_false(g.files[g.runs[1].file].first->deleted);
	done(&m, &g);
}

/* Text copied to anonymous huge pages between the file's other
 * segments: the file is still the code's. */
static void test_anonymous_text(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group("00400000-00402000 r--p 00000000 08:01 77 /usr/bin/exe\n"
	      "00402000-00412000 r-xp 00000000 00:00 0\n"
	      "00412000-00415000 rw-p 00012000 08:01 77 /usr/bin/exe\n",
	      &m, &g, &fk);
	assert_int_equal(g.nruns, 1);
	assert_int_equal(g.runs[0].start, 0x400000);
	assert_int_equal(g.runs[0].end, 0x415000);
	assert_int_equal(g.runs[0].bias, 0);
	done(&m, &g);
}

/* JIT code and other anonymous executable memory: no file, no run; and
 * an anonymous mapping outside the file's span is not taken in. */
static void test_anonymous_code_alone(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group("00010000-00020000 r-xp 00000000 00:00 0\n"
	      "00400000-00402000 r--p 00000000 08:01 77 /usr/bin/exe\n"
	      "00402000-00412000 r-xp 00002000 08:01 77 /usr/bin/exe\n"
	      "00500000-00600000 rwxp 00000000 00:00 0\n"
	      "00600000-00601000 r--p 00000000 08:01 77 /usr/bin/exe\n"
	      "7f0000000000-7f0000100000 rwxp 00000000 00:00 0\n",
	      &m, &g, &fk);
	assert_null(run_at(&g, 0x10000));
	assert_null(run_at(&g, 0x500000));
	assert_null(run_at(&g, 0x7f0000000000ULL));
	assert_non_null(run_at(&g, 0x402000));
	done(&m, &g);
}

static void test_vdso_twice(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group("7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]\n"
	      "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]\n"
	      "7ffd00010000-7ffd00012000 r-xp 00000000 00:00 0 [vdso]\n"
	      "7ffd00020000-7ffd00022000 r--p 00000000 00:00 0 [vvar]\n",
	      &m, &g, &fk);
	assert_int_equal(g.nfiles, 1);
	assert_int_equal(g.nruns, 2);
	assert_int_equal(g.runs[0].bias, 0x7ffd00000000ULL);
	assert_int_equal(g.runs[1].bias, 0x7ffd00010000ULL);
	assert_int_equal(fk.total, 1);
	done(&m, &g);
}

/* A mapping longer than the file's segments at its bias (a whole file
 * mapped, a "[vdso]" of gigabytes) holds the file only as far as they
 * reach. */
static void test_longer_than_file(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group("7f0000000000-7f0080000000 r-xp 00000000 00:00 0 [vdso]\n"
	      "7f1000000000-7f1000100000 r-xp 00000000 08:01 1234 /lib/libx.so\n",
	      &m, &g, &fk);
	assert_int_equal(g.nruns, 2);
	assert_int_equal(g.runs[0].end, 0x7f0000002000ULL);
	assert_int_equal(g.runs[1].end, 0x7f1000009000ULL);
	done(&m, &g);
}

/* Offsets past any segment, offsets and addresses near 2^64. */
static void test_absurd_numbers(void **state)
{
	struct fake fk = { 0 };
	struct maps m;
	struct map_groups g;
	group("00001000-00002000 r-xp ffffffffffff0000 08:01 1234 /lib/libx.so\n"
	      "00002000-00003000 r-xp 7fffffff00000000 08:01 1234 /lib/libx.so\n"
	      "00003000-00004000 r-xp 00001000 08:01 1234 /lib/libx.so\n"
	      "fffffffffffff000-ffffffffffffffff r-xp 00001000 08:01 1234 /lib/libx.so\n"
	      "ffffffffffffe000-ffffffffffffffff r-xp fffffffffffff000 08:01 77 /usr/bin/exe\n",
	      &m, &g, &fk);
	/* Offsets in no segment give no run; the sane line does. */
	assert_null(run_at(&g, 0x1000));
	assert_null(run_at(&g, 0x2000));
	assert_non_null(run_at(&g, 0x3000));
	done(&m, &g);
}

/* A file that is not ELF, or cannot be opened: nothing, asked once.
 * Files without executable mappings are not even asked. */
static void test_unusable_files(void **state)
{
	struct fake fk = { .refuse = "/lib/liby.so" };
	struct maps m;
	struct map_groups g;
	group("7f0000000000-7f0000001000 r-xp 00000000 08:01 5 /usr/share/data.bin\n"
	      "7f0000001000-7f0000002000 r-xp 00001000 08:01 5 /usr/share/data.bin\n"
	      "7f0000010000-7f0000011000 r-xp 00001000 08:01 6 /lib/liby.so\n"
	      "7f0000020000-7f0000021000 r-xp 00001000 08:01 6 /lib/liby.so\n"
	      "7f0000030000-7f0000040000 r--p 00000000 08:01 7 /usr/lib/locale/locale-archive\n"
	      "7f0000040000-7f0000041000 r--p 00000000 08:01 8 /lib/libz.so\n",
	      &m, &g, &fk);
	assert_int_equal(g.nruns, 0);
	assert_int_equal(fk.total, 2);
	done(&m, &g);
}

static void test_empty_and_garbage(void **state)
{
	struct fake fk = { 0 };
	struct maps m = { 0 };
	struct map_groups g;
	mapgroup_build(&m, fake_load, &fk, &g);
	assert_int_equal(g.nruns, 0);
	assert_int_equal(g.nfiles, 0);
	mapgroup_free(&g);
	/* A line the parser refuses leaves no maps at all. */
	assert_int_not_equal(procfs_parse_maps("7f00-7f10 r-xp 0 08:01 5 /lib/libx.so\n"
					       "this is not a maps line\n", &m), 0);
	assert_int_equal(m.n, 0);
}

/* Random texts from pieces of the above: the invariants hold, nothing
 * crashes (the sanitizer build watches the memory). */
static void test_random_texts(void **state)
{
	static const char *const paths[] = { "/lib/libx.so", "/lib/liby.so", "/usr/bin/exe",
					     "[vdso]", "[heap]", "/data.bin", "" };
	static const char *const perms[] = { "r--p", "r-xp", "rw-p", "rwxp", "---p" };
	static const uint64_t offs[] = { 0, 0x1000, 0x2000, 0x4000, 0x5000, 0x12000,
					 0xfffffffffffff000ULL };
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char *text = malloc(64 * 128);

	for (int iter = 0; iter < 2000; iter++) {
		size_t len = 0;
		int lines = 1 + (int)(seed % 40);
		uint64_t addr = 0x400000;
		for (int l = 0; l < lines; l++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			uint64_t r = seed >> 16;
			const char *p = paths[r % 7];
			uint64_t size = 0x1000 * (1 + (r >> 3) % 20);
			if ((r >> 8) % 5 == 0)
				addr -= 0x3000;     /* overlap the previous ones */
			else if ((r >> 8) % 7 == 0)
				addr += 0x7f0000000000ULL;
			len += (size_t)snprintf(text + len, 128, "%llx-%llx %s %llx 08:01 %u %s\n",
						(unsigned long long)addr,
						(unsigned long long)(addr + size),
						perms[(r >> 12) % 5],
						(unsigned long long)offs[(r >> 16) % 7],
						*p == '/' ? (unsigned)(r >> 20) % 3 + 1 : 0, p);
			addr += size;
		}
		struct fake fk = { 0 };
		struct maps m = { 0 };
		struct map_groups g;
		if (procfs_parse_maps(text, &m) != 0)
			continue;
		mapgroup_build(&m, fake_load, &fk, &g);
		check_sane(&m, &g, &fk);
		done(&m, &g);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_library),
		cmocka_unit_test(test_library_twice),
		cmocka_unit_test(test_exe_piece_remapped),
		cmocka_unit_test(test_repeated_lines),
		cmocka_unit_test(test_overlapping),
		cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_anonymous_text),
		cmocka_unit_test(test_anonymous_code_alone),
		cmocka_unit_test(test_vdso_twice),
		cmocka_unit_test(test_longer_than_file),
		cmocka_unit_test(test_absurd_numbers),
		cmocka_unit_test(test_unusable_files),
		cmocka_unit_test(test_empty_and_garbage),
		cmocka_unit_test(test_random_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
