/* test_gopclntab_hostile.c - the Go readers (gobuild, goelf, gopclntab)
 * on truncated, scrambled and crafted copies of the sample Go program:
 * whatever they answer, they read nothing outside the file's bytes.
 * Each copy ends where the data under test ends, so that a read past it
 * leaves the buffer and the sanitizer build sees it (make B=build/asan
 * SAN=-fsanitize=address,undefined ... build/asan/unit/test_gopclntab_hostile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "golang/gobuild.h"
#include "golang/goelf.h"
#include "gopcln_fixture.h"

/* --- hostile copies ------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Every kind of lookup over the text, on whatever opened. */
static void poke(struct gopcln *t, uint64_t lo, uint64_t hi, uint64_t step)
{
	uint64_t a;

	for (a = lo; a < hi; a += step) {
		struct gopcln_func f;
		struct gopcln_frame fr[MAXF];
		int32_t d;
		size_t n, k;

		if (gopcln_func(t, a, &f)) {
			assert_true(strlen(f.name) < 65536);   /* terminated, inside */
			assert_true(f.entry <= a && a < f.end);
			gopcln_spdelta(t, &f, a, &d);
		}
		n = gopcln_frames(t, a, fr, MAXF);
		assert_true(n <= MAXF);
		for (k = 0; k < n; k++) {
			assert_true(strlen(fr[k].function) < 65536);
			assert_true(fr[k].file == NULL || strlen(fr[k].file) < 65536);
		}
	}
	gopcln_gofunc(t);
}

/* Where section idx's sh_size is in a 64-bit ELF image (byte 32 of its
 * header entry). */
static uint64_t shdr_size_at(const char *img, size_t idx)
{
	return ((const Elf64_Ehdr *)img)->e_ehsize == sizeof(Elf64_Ehdr) ?
		((const Elf64_Ehdr *)img)->e_shoff + idx * sizeof(Elf64_Shdr) + 32 : 0;
}

struct image {
	char *p;
	size_t n;
	uint64_t sec_off, sec_size, shdr_size_at; /* .gopclntab, and where its sh_size is */
	uint64_t text_lo, text_hi;
};

static void load_image_of(struct image *im, const char *path, Elf *elf)
{
	FILE *f = fopen(path, "rb");
	GElf_Shdr sh;
	Elf_Scn *scn;
	size_t idx;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	im->n = (size_t)ftell(f);
	rewind(f);
	im->p = malloc(im->n);
	assert_int_equal(fread(im->p, 1, im->n, f), im->n);
	fclose(f);
	scn = section(elf, ".gopclntab", &sh);
	assert_non_null(scn);
	im->sec_off = sh.sh_offset;
	im->sec_size = sh.sh_size;
	idx = elf_ndxscn(scn);
	im->shdr_size_at = shdr_size_at(im->p, idx);
	assert_true(section(elf, ".text", &sh) != NULL);
	im->text_lo = sh.sh_addr;
	im->text_hi = sh.sh_addr + sh.sh_size;
}

static void load_image(struct image *im)
{
	load_image_of(im, PLAIN, plain.elf);
}

/* A copy of the first n bytes of the image, exactly n bytes long (so
 * the sanitizer sees any read past it), with .gopclntab's size set. */
static char *cut_copy(const struct image *im, size_t n, uint64_t sec_size)
{
	char *c = malloc(n);

	memcpy(c, im->p, n);
	if (im->shdr_size_at + 8 <= n)
		memcpy(c + im->shdr_size_at, &sec_size, 8);
	return c;
}

/* Open the copy and look everything up; whatever it says, no crash.
 * True when the table opened (and so was looked up). */
static bool try_copy(const struct image *im, char *c, size_t n, uint64_t step)
{
	Elf *elf = elf_memory(c, n);
	struct gopcln *t = NULL;
	struct go_build b;
	const char *why = NULL;
	bool opened = false;

	if (elf != NULL) {
		go_build_read(elf, &b);
		t = gopcln_open(elf, &why);
		if (t != NULL)
			poke(t, im->text_lo - 64, im->text_hi + 64, step);
		else
			assert_non_null(why);
		opened = t != NULL;
		gopcln_free(t);
		elf_end(elf);
	}
	free(c);
	return opened;
}

/* Every function met walking the text, looked up at its entry, middle
 * and last byte (there the pc-value tables are read to their end). */
static void poke_functions(struct gopcln *t, uint64_t lo, uint64_t hi)
{
	uint64_t a = lo;

	while (a < hi) {
		struct gopcln_func f;

		if (!gopcln_func(t, a, &f) || f.end <= a) {
			a++;
			continue;
		}
		poke(t, f.entry, f.entry + 1, 1);
		poke(t, f.entry + (f.end - f.entry) / 2, f.entry + (f.end - f.entry) / 2 + 1, 1);
		poke(t, f.end - 1, f.end, 1);
		a = f.end;
	}
}

/* Each of the tables the function records point into (names, the CU
 * file index, file names, pc-value tables) moved to the end of the
 * section, which is the end of the file, and cut short there: a read
 * that runs past a table's end now runs past the buffer, where the
 * sanitizer sees it.  The table still opens; entries that straddle the
 * cut are lost, the others read as before. */
static void moved_tables(const struct image *im)
{
	const uint8_t *h = (const uint8_t *)im->p + im->sec_off;
	uint64_t off[5];
	size_t i, j, q, end = im->sec_off + im->sec_size;

	for (i = 0; i < 5; i++)
		memcpy(&off[i], h + 32 + 8 * i, 8);
	for (i = 0; i < 4; i++) {
		uint64_t len = im->sec_size - off[i];

		for (j = 0; j < 5; j++)
			if (off[j] > off[i] && off[j] - off[i] < len)
				len = off[j] - off[i];
		assert_true(len > 16);
		for (q = 1; q <= 4; q++) {
			/* at a quarter, a half, three quarters, and inside the last entry */
			uint64_t cut = q < 4 ? len * q / 4 + q : len - (i == 1 ? 2 : 3);
			uint64_t size = end + cut, at = im->sec_size;
			char *c = malloc(size);
			Elf *elf;
			struct gopcln *t;
			const char *why = NULL;

			memcpy(c, im->p, end);
			memcpy(c + end, im->p + im->sec_off + off[i], cut);
			memcpy(c + im->sec_off + 32 + 8 * i, &at, 8);
			at = im->sec_size + cut;
			memcpy(c + im->shdr_size_at, &at, 8);
			elf = elf_memory(c, size);
			t = gopcln_open(elf, &why);
			if (t == NULL)
				fail_msg("table %zu moved: %s", i, why);
			poke_functions(t, im->text_lo, im->text_hi);
			gopcln_free(t);
			elf_end(elf);
			free(c);
		}
	}
}

static void test_hostile(void **state)
{
	struct image im;
	const uint64_t cuts[] = { 0, 7, 8, 71, 72, 73, 200, 4096, 65536 };
	size_t i, k, end, opened;
	uint64_t nfunc, pcln;

	load_image(&im);
	end = im.sec_off + im.sec_size;
	assert_true(end <= im.n);
	memcpy(&nfunc, im.p + im.sec_off + 8, 8);
	memcpy(&pcln, im.p + im.sec_off + 64, 8);

	/* The section truncated, the file ending where it does: whatever
	 * opens must read nothing past the end. */
	opened = 0;
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		opened += try_copy(&im, cut_copy(&im, im.sec_off + cuts[i], cuts[i]),
				   im.sec_off + cuts[i], 61);
	for (i = 1; i < 8; i++) {
		uint64_t c = im.sec_size * i / 8;

		opened += try_copy(&im, cut_copy(&im, im.sec_off + c, c), im.sec_off + c, 61);
	}
	/* only cuts past the function table leave a table that opens */
	assert_true(opened >= 1);
	/* The whole file cut short at random places. */
	for (i = 0; i < 8; i++) {
		size_t n = next_rand() % im.n;

		try_copy(&im, cut_copy(&im, n, im.sec_size), n, 997);
	}

	/* Everything but the header and the functions' entry offsets
	 * scrambled (so the table still opens), the file ending at the
	 * section's end: lookups read garbage records, names, pc-value
	 * tables and file tables, never past the end. */
	for (i = 0; i < 6; i++) {
		char *c = cut_copy(&im, end, im.sec_size);

		for (k = 72; k < im.sec_size; k++) {
			bool entryoff = k >= pcln && k < pcln + 8 * (nfunc + 1) && (k - pcln) % 8 < 4;

			if (!entryoff && (i < 3 || next_rand() % 8 == 0))
				c[im.sec_off + k] = (char)next_rand();
		}
		assert_true(try_copy(&im, c, end, 29));
	}
	/* A few bytes flipped here and there, many times; and the header's
	 * words (counts, offsets) replaced by random and extreme values. */
	for (i = 0, opened = 0; i < 300; i++) {
		char *c = cut_copy(&im, end, im.sec_size);
		size_t flips = 1 + next_rand() % 64;

		for (k = 0; k < flips; k++)
			c[im.sec_off + next_rand() % im.sec_size] ^= (char)(1 + next_rand() % 255);
		if (i % 3 == 0) {
			uint64_t v = (i % 2) ? ~0ULL : (uint64_t)next_rand() * next_rand();

			memcpy(c + im.sec_off + 8 + 8 * (next_rand() % 8), &v, 8);
		}
		opened += try_copy(&im, c, end, 4093);
	}
	assert_true(opened > 50);
	/* Garbage in the data the inline tree is found through and read
	 * from, and in the build info: the table itself intact. */
	for (i = 0; i < 20; i++) {
		char *c = cut_copy(&im, im.n, im.sec_size);
		GElf_Shdr sh;
		const char *names[] = { ".noptrdata", ".rodata", ".go.buildinfo" };
		Elf_Scn *scn = section(plain.elf, names[i % 3], &sh);

		assert_non_null(scn);
		for (k = 0; k < sh.sh_size; k++)
			if (i >= 3 || next_rand() % 16 == 0)
				c[sh.sh_offset + k] = (char)next_rand();
		assert_true(try_copy(&im, c, im.n, 401));
	}
	moved_tables(&im);
	free(im.p);
}

/* --- crafted edges: each bound check, where a read past it would
 * leave the buffer (so the sanitizer build proves the check) --------- */

/* The stripped build cut at the end of its read-only segment, which the
 * function table ends, so that a read past the table leaves the buffer.
 * The data segment (where moduledata is, which says where the inline
 * tree is) is moved over the code, which is never read.  *md is the
 * offset of runtime.firstmoduledata in the copy, *gofunc_at that of its
 * gofunc word. */
struct swcut {
	struct image im;
	char *c;
	size_t n;
	uint64_t ro_end;          /* vaddr where the read-only segment's bytes end */
	size_t gofunc_at;
};

static void sw_cut(struct swcut *x)
{
	GElf_Shdr nd_plain, nd_sw, pt;
	GElf_Phdr ro, rw;
	size_t nph, i;
	uint64_t md, want, gofunc_off;
	uint32_t magic;

	load_image_of(&x->im, SW, sw.elf);
	assert_int_equal(elf_getphdrnum(sw.elf, &nph), 0);
	memset(&ro, 0, sizeof(ro));
	memset(&rw, 0, sizeof(rw));
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		gelf_getphdr(sw.elf, (int)i, &ph);
		if (ph.p_type == PT_LOAD && ph.p_flags == PF_R)
			ro = ph;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W))
			rw = ph;
	}
	assert_non_null(section(sw.elf, ".gopclntab", &pt));
	x->n = ro.p_offset + ro.p_filesz;
	x->ro_end = ro.p_vaddr + ro.p_filesz;
	assert_int_equal(x->n, pt.sh_offset + pt.sh_size);   /* the table ends the segment */
	/* runtime.firstmoduledata sits as far into .noptrdata in both builds */
	assert_non_null(section(plain.elf, ".noptrdata", &nd_plain));
	assert_non_null(section(sw.elf, ".noptrdata", &nd_sw));
	md = nd_sw.sh_offset + (sym_value("runtime.firstmoduledata") - nd_plain.sh_addr);
	memcpy(&want, x->im.p + md, 8);
	assert_int_equal(want, pt.sh_addr);                  /* its pcHeader */
	memcpy(&magic, x->im.p + pt.sh_offset, 4);
	gofunc_off = magic == 0xfffffff0 ? 38 * 8 : 40 * 8;  /* moduledata.gofunc */
	memcpy(&want, x->im.p + md + gofunc_off, 8);
	assert_int_equal(want, gopcln_gofunc(sw.t));

	assert_true(rw.p_filesz < ro.p_offset - 0x1000);
	x->c = malloc(x->n);
	memcpy(x->c, x->im.p, x->n);
	memcpy(x->c + 0x1000, x->im.p + rw.p_offset, rw.p_filesz);
	for (i = 0; i < nph; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(x->c + ((Elf64_Ehdr *)x->c)->e_phoff) + i;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W))
			ph->p_offset = 0x1000;
	}
	x->gofunc_at = 0x1000 + (md - rw.p_offset) + gofunc_off;
}

static void sw_cut_free(struct swcut *x)
{
	free(x->c);
	free(x->im.p);
}

static uint32_t get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A function record at the very end of the table claiming 8 pcdata and
 * 8 funcdata words it does not have, and one that starts 20 bytes
 * before the end. */
static void test_record_at_end(void **state)
{
	struct swcut x;
	size_t sec, pcln, k, k2;
	uint64_t nfunc, pclnoff, text;
	const struct fsym *outer = sym_named("main.chainOuter");
	const struct fsym *other = sym_named("main.sumTo");
	char *ft, *rec;
	Elf *elf;
	struct gopcln *t;
	const char *why = NULL;
	struct gopcln_func f;
	struct gopcln_frame fr[MAXF];
	int32_t d;

	sw_cut(&x);
	sec = x.im.sec_off;
	memcpy(&nfunc, x.c + sec + 8, 8);
	memcpy(&text, x.c + sec + 24, 8);
	memcpy(&pclnoff, x.c + sec + 64, 8);
	pcln = sec + pclnoff;
	ft = x.c + pcln;
	for (k = 0; k < nfunc && get32(ft + 8 * k) != outer->addr - text; k++)
		;
	for (k2 = 0; k2 < nfunc && get32(ft + 8 * k2) != other->addr - text; k2++)
		;
	assert_true(k < nfunc && k2 < nfunc);
	/* _func: entryoff nameoff args deferreturn pcsp pcfile pcln npcdata
	 * cuOffset (uint32), funcID flag pad nfuncdata (uint8): 40 bytes up
	 * to Go 1.19, which built the sample (magic 0xfffffff0) */
	assert_int_equal(get32(x.c + sec), 0xfffffff0);
	rec = x.c + x.n - 40;
	memset(rec, 0, 40);
	put32(rec, get32(ft + 8 * k));
	put32(rec + 4, get32(x.c + pcln + get32(ft + 8 * k + 4) + 4));
	put32(rec + 28, 8);
	rec[39] = 8;
	put32(ft + 8 * k + 4, (uint32_t)(x.n - 40 - pcln));
	put32(ft + 8 * k2 + 4, (uint32_t)(x.n - 20 - pcln));
	elf = elf_memory(x.c, x.n);
	t = gopcln_open(elf, &why);
	assert_non_null(t);
	assert_int_equal(gopcln_gofunc(t), gopcln_gofunc(sw.t));   /* inline lookups happen */
	assert_true(gopcln_func(t, outer->addr, &f));
	assert_string_equal(f.name, "main.chainOuter");
	assert_false(gopcln_spdelta(t, &f, outer->addr, &d));   /* no pcsp table */
	poke(t, outer->addr, outer->addr + outer->size, 1);
	assert_int_equal(gopcln_frames(t, outer->addr + 8, fr, MAXF), 1);
	assert_string_equal(fr[0].function, "main.chainOuter");
	assert_null(fr[0].file);
	assert_int_equal(fr[0].line, 0);
	/* a record without room for itself is no function */
	assert_false(gopcln_func(t, other->addr, &f));
	assert_int_equal(gopcln_frames(t, other->addr, fr, MAXF), 0);
	poke_functions(t, x.im.text_lo, x.im.text_hi);
	gopcln_free(t);
	elf_end(elf);
	sw_cut_free(&x);
}

/* moduledata's gofunc pointing 4 bytes before the end of the read-only
 * segment, which ends the buffer: every inline tree entry would run
 * past it, so none is read. */
static void test_gofunc_at_end(void **state)
{
	struct swcut x;
	uint64_t gofunc, a;
	Elf *elf;
	struct gopcln *t;
	const char *why = NULL;
	struct gopcln_frame fr[MAXF];
	const struct fsym *outer = sym_named("main.chainOuter");

	sw_cut(&x);
	/* as moved, the copy still finds the real one */
	elf = elf_memory(x.c, x.n);
	t = gopcln_open(elf, &why);
	assert_int_equal(gopcln_gofunc(t), gopcln_gofunc(sw.t));
	gopcln_free(t);
	elf_end(elf);

	gofunc = x.ro_end - 4;
	memcpy(x.c + x.gofunc_at, &gofunc, 8);
	elf = elf_memory(x.c, x.n);
	t = gopcln_open(elf, &why);
	assert_non_null(t);
	assert_int_equal(gopcln_gofunc(t), gofunc);
	for (a = outer->addr; a < outer->addr + outer->size; a++) {
		assert_int_equal(gopcln_frames(t, a, fr, MAXF), 1);
		assert_string_equal(fr[0].function, "main.chainOuter");
	}
	poke_functions(t, x.im.text_lo, x.im.text_hi);
	gopcln_free(t);
	elf_end(elf);

	/* outside the read-only data (here: in the code): not trusted */
	gofunc = outer->addr;
	memcpy(x.c + x.gofunc_at, &gofunc, 8);
	elf = elf_memory(x.c, x.n);
	t = gopcln_open(elf, &why);
	assert_non_null(t);
	assert_int_equal(gopcln_gofunc(t), 0);
	gopcln_free(t);
	elf_end(elf);
	sw_cut_free(&x);
}

/* Reads by address stop at the end of a segment's file bytes: the
 * plain build cut where its data segment's bytes end (its .bss and
 * .noptrbss have none). */
static void test_goelf_bounds(void **state)
{
	struct image im;
	GElf_Phdr rw;
	GElf_Shdr bss;
	size_t nph, i, n;
	char *c;
	Elf *elf;
	uint8_t buf[16];
	struct goelf_bytes b;
	bool w = false, x = true;
	uint64_t v;

	load_image(&im);
	memset(&rw, 0, sizeof(rw));
	assert_int_equal(elf_getphdrnum(plain.elf, &nph), 0);
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		gelf_getphdr(plain.elf, (int)i, &ph);
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W))
			rw = ph;
	}
	assert_true(rw.p_memsz > rw.p_filesz);
	assert_non_null(section(plain.elf, ".bss", &bss));
	n = rw.p_offset + rw.p_filesz;
	c = malloc(n);
	memcpy(c, im.p, n);
	elf = elf_memory(c, n);
	assert_non_null(elf);
	assert_true(goelf_read(elf, rw.p_vaddr + rw.p_filesz - 8, buf, 8));
	assert_memory_equal(buf, im.p + n - 8, 8);
	assert_false(goelf_read(elf, rw.p_vaddr + rw.p_filesz - 4, buf, 8));
	assert_false(goelf_read(elf, bss.sh_addr, buf, 8));
	assert_false(goelf_at(elf, rw.p_vaddr + rw.p_filesz, &b, NULL, NULL));
	assert_true(goelf_at(elf, rw.p_vaddr + 16, &b, &w, &x));
	assert_int_equal(b.n, rw.p_filesz - 16);
	assert_true(w && !x);
	/* sections: those with bytes in the file only */
	assert_false(goelf_section(elf, ".bss", &b));
	assert_true(goelf_has_section(elf, ".bss"));
	assert_false(goelf_section(elf, ".debug_info", &b));   /* beyond the cut */
	assert_false(goelf_symbol(elf, "runtime.buildVersion", &v));  /* .symtab too */
	elf_end(elf);
	free(c);
	/* the whole file: a compressed section is not handed out either */
	assert_true(goelf_symbol(plain.elf, "runtime.buildVersion", &v));
	assert_int_equal(v, sym_value("runtime.buildVersion"));
	assert_false(goelf_section(plain.elf, ".debug_info", &b));
	assert_true(goelf_has_section(plain.elf, ".debug_info"));
	free(im.p);
}

/* .go.buildinfo cut inside the version string, and just after it, the
 * file ending there. */
static void test_buildinfo_cut(void **state)
{
	struct image im;
	GElf_Shdr bi;
	Elf_Scn *scn;
	const uint64_t sizes[] = { 16, 31, 32, 33, 40, 41 };
	size_t i;

	load_image(&im);
	scn = section(plain.elf, ".go.buildinfo", &bi);
	assert_non_null(scn);
	/* magic, pointer size, flags with strings inline, then "\x08go1.19.8" */
	assert_int_equal(im.p[bi.sh_offset + 15] & 2, 2);
	assert_int_equal(im.p[bi.sh_offset + 32], 8);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = bi.sh_offset + sizes[i];
		char *c = malloc(n);
		uint64_t sz = sizes[i];
		Elf *elf;
		struct go_build b;

		memcpy(c, im.p, n);
		memcpy(c + shdr_size_at(c, elf_ndxscn(scn)), &sz, 8);
		elf = elf_memory(c, n);
		assert_non_null(elf);
		assert_true(go_build_read(elf, &b));   /* the section (and the note) are there */
		if (sizes[i] == 41)
			assert_string_equal(b.version, "go1.19.8");
		else
			assert_string_equal(b.version, "");
		elf_end(elf);
		free(c);
	}
	free(im.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_record_at_end),
		cmocka_unit_test(test_gofunc_at_end),
		cmocka_unit_test(test_buildinfo_cut),
		cmocka_unit_test(test_goelf_bounds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
