/* test_gopclntab.c - the Go build info and .gopclntab readers against
 * independent references: the program's own runtime (runtime.Version,
 * runtime.CallersFrames), its ELF symbol table, and its DWARF read by
 * libdw (.debug_frame for frame sizes, line tables and inlined-subroutine
 * entries for lines and inline chains).  The -s -w build of the same
 * program, which has none of those, must give the same answers.
 * Hostile files are test_gopclntab_hostile.c's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dwarf.h>

#include <elfutils/libdw.h>

#include "golang/gobuild.h"
#include "gopcln_fixture.h"

/* --- 1. build info ---------------------------------------------------- */

/* What the program's runtime says of itself: runtime.Version(). */
static void run_version(const char *path, char *buf, size_t n)
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s version", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(buf, (int)n, p));
	assert_int_equal(pclose(p), 0);
	buf[strcspn(buf, "\n")] = '\0';
}

static void check_build(const char *path, Elf *elf, bool debug)
{
	struct go_build b;
	char want[64];
	int major = -1, minor = -1;

	run_version(path, want, sizeof(want));
	assert_int_equal(sscanf(want, "go%d.%d", &major, &minor), 2);
	assert_true(go_build_read(elf, &b));
	assert_true(b.is_go);
	assert_string_equal(b.version, want);
	assert_int_equal(b.major, major);
	assert_int_equal(b.minor, minor);
	assert_int_equal(b.has_dwarf, debug);
	assert_int_equal(b.has_symtab, debug);
	assert_false(b.cgo);
}

static void test_build_info(void **state)
{
	const char *nongo[] = { "/bin/true", "/proc/self/exe" };
	size_t i;

	check_build(PLAIN, plain.elf, true);
	check_build(SW, sw.elf, false);
	/* C programs are not Go, and have no Go function table. */
	for (i = 0; i < sizeof(nongo) / sizeof(nongo[0]); i++) {
		int fd = open(nongo[i], O_RDONLY);
		Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		struct go_build b;
		const char *why = NULL;

		assert_non_null(elf);
		assert_false(go_build_read(elf, &b));
		assert_false(b.is_go);
		assert_null(gopcln_open(elf, &why));
		assert_non_null(why);
		elf_end(elf);
		close(fd);
	}
}

/* --- 2. functions against the symbol table ----------------------------- */

/* The runtime's name of an ELF symbol.  The linker names ABI0 functions
 * (assembly, and ABI wrappers) "NAME.abi0" in the ELF symbol table and
 * "NAME" in the runtime's table (cmd/link/internal/ld/symtab.go,
 * mangleABIName), and writes what lies between the first '[' and the
 * last ']' as "[...]" there (pcln.go, nameParts). */
static void runtime_name(const char *elfname, char *out, size_t n)
{
	size_t len = strlen(elfname);
	const char *open = strchr(elfname, '['), *close = strrchr(elfname, ']');

	if (len > 5 && strcmp(elfname + len - 5, ".abi0") == 0)
		len -= 5;
	if (open != NULL && close != NULL && close > open && close < elfname + len)
		snprintf(out, n, "%.*s[...]%.*s", (int)(open - elfname), elfname,
			 (int)(elfname + len - close - 1), close + 1);
	else
		snprintf(out, n, "%.*s", (int)len, elfname);
}

static void test_every_symbol(void **state)
{
	GElf_Shdr a, b;
	size_t i, walked = 0;
	uint64_t addr;
	struct gopcln_func f, g;

	/* Both builds lay the code out alike (the bytes differ: -s -w moves
	 * the data the code refers to). */
	assert_non_null(section(plain.elf, ".text", &a));
	assert_non_null(section(sw.elf, ".text", &b));
	assert_int_equal(a.sh_addr, b.sh_addr);
	assert_int_equal(a.sh_size, b.sh_size);

	assert_true(nsyms > 1000);
	for (i = 0; i < nsyms; i++) {
		char want[512];

		runtime_name(syms[i].name, want, sizeof(want));
		if (!gopcln_func(plain.t, syms[i].addr, &f))
			fail_msg("%s at %#lx: not found", syms[i].name, (unsigned long)syms[i].addr);
		assert_string_equal(f.name, want);
		assert_int_equal(f.entry, syms[i].addr);
		assert_true(f.end >= syms[i].addr + syms[i].size);
		assert_true(f.end > f.entry);
		assert_true(gopcln_func(sw.t, syms[i].addr, &g));
		assert_string_equal(g.name, f.name);
		assert_int_equal(g.entry, f.entry);
		assert_int_equal(g.end, f.end);
		assert_int_equal(g.index, f.index);
		assert_int_equal(g.wrapper, f.wrapper);
		assert_int_equal(g.top, f.top);
		/* the last byte, and the one before the entry */
		assert_true(gopcln_func(plain.t, f.end - 1, &g));
		assert_int_equal(g.entry, f.entry);
		if (i > 0 && syms[i - 1].addr < f.entry) {
			assert_true(gopcln_func(plain.t, f.entry - 1, &g));
			assert_int_equal(g.entry, syms[i - 1].addr);
		}
	}
	/* And the other way: walking the table from the first function by
	 * end addresses meets only symbols, and all of them. */
	addr = syms[0].addr;
	assert_false(gopcln_func(plain.t, addr - 1, &f));
	while (gopcln_func(plain.t, addr, &f)) {
		struct fsym key = { .addr = f.entry };

		assert_int_equal(f.entry, addr);
		assert_non_null(bsearch(&key, syms, nsyms, sizeof(*syms), cmp_fsym));
		walked++;
		addr = f.end;
	}
	assert_int_equal(walked, nsyms);
	assert_int_equal(syms[0].addr, text_start);
	assert_int_equal(addr, text_end);
	assert_false(gopcln_func(plain.t, text_end, &f));
	assert_false(gopcln_func(sw.t, text_end, &f));

	/* What the runtime marks (runtime/symtab.go funcID, funcFlag). */
	assert_true(gopcln_func(sw.t, sym_named("runtime.goexit.abi0")->addr, &f));
	assert_true(f.top && f.is_asm && !f.wrapper);
	assert_true(gopcln_func(sw.t, sym_named("runtime.mstart.abi0")->addr, &f));
	assert_true(f.top);
	assert_true(gopcln_func(sw.t, sym_named("runtime.rt0_go.abi0")->addr, &f));
	assert_true(f.top);
	assert_true(gopcln_func(sw.t, sym_named("runtime.systemstack.abi0")->addr, &f));
	assert_true(f.systemstack && !f.top);
	assert_true(gopcln_func(sw.t, sym_named("main.chainOuter")->addr, &f));
	assert_true(!f.top && !f.systemstack && !f.is_asm && !f.wrapper);
	/* `go worker(c, 10, &wg)` and `defer wg.Done()` get generated
	 * closures the compiler marks as wrappers; the real closure does not */
	assert_true(gopcln_func(sw.t, sym_named("main.run.func2")->addr, &f));
	assert_true(f.wrapper);
	assert_true(gopcln_func(sw.t, sym_named("main.worker.func1")->addr, &f));
	assert_true(f.wrapper);
	assert_true(gopcln_func(sw.t, sym_named("main.run.func1")->addr, &f));
	assert_false(f.wrapper);
}

/* The funcdata base the inline tree is read from: found in the data of
 * the stripped build, and equal to the symbol of the plain one. */
static void test_gofunc(void **state)
{
	uint64_t want = sym_value("go.func.*");

	assert_int_equal(gopcln_gofunc(plain.t), want);
	assert_int_equal(gopcln_gofunc(sw.t), want);
}

/* --- 3. frame sizes against .debug_frame ------------------------------ */

/* CFA = rsp + N at addr, from the plain build's .debug_frame. */
static bool cfa_rsp_offset(Dwarf_CFI *cfi, uint64_t addr, int64_t *off)
{
	Dwarf_Frame *fr = NULL;
	Dwarf_Op *ops;
	size_t nops;
	bool ok = false;

	if (dwarf_cfi_addrframe(cfi, addr, &fr) != 0)
		return false;
	if (dwarf_frame_cfa(fr, &ops, &nops) == 0 && nops == 1) {
		if (ops[0].atom == DW_OP_bregx && ops[0].number == 7) {
			*off = (int64_t)ops[0].number2;
			ok = true;
		} else if (ops[0].atom == DW_OP_breg7) {
			*off = (int64_t)ops[0].number;
			ok = true;
		}
	}
	free(fr);
	return ok;
}

/* Functions whose every byte is checked, besides the program's own:
 * frameless and framed ones, assembly, runtime and library code. */
static const char *const frame_sample[] = {
	"runtime.goexit.abi0", "runtime.mcall", "runtime.morestack.abi0",
	"runtime.systemstack.abi0", "runtime.gogo.abi0", "runtime.rt0_go.abi0",
	"runtime.memmove", "runtime.nanotime1.abi0", "runtime.futex.abi0",
	"runtime.gopark", "runtime.schedule", "runtime.findRunnable", "runtime.mallocgc",
	"runtime.newproc", "runtime.newobject", "runtime.growslice", "runtime.casgstatus",
	"runtime.lock2", "runtime.gcDrain", "runtime.scanobject", "runtime.mapassign",
	"sync.(*WaitGroup).Wait", "fmt.Fprintf", "fmt.(*pp).doPrintf",
};

static bool in_frame_sample(const struct fsym *s)
{
	size_t i;

	if (strncmp(s->name, "main.", 5) == 0)
		return true;
	for (i = 0; i < sizeof(frame_sample) / sizeof(frame_sample[0]); i++)
		if (strcmp(s->name, frame_sample[i]) == 0)
			return true;
	return false;
}

static void test_frame_sizes(void **state)
{
	Dwarf *dw = dwarf_begin_elf(plain.elf, DWARF_C_READ, NULL);
	Dwarf_CFI *cfi;
	size_t i, funcs = 0, addrs = 0, leaves = 0;

	assert_non_null(dw);
	cfi = dwarf_getcfi(dw);
	assert_non_null(cfi);
	for (i = 0; i < nsyms; i++) {
		const struct fsym *s = &syms[i];
		struct gopcln_func f, g;
		uint64_t a;
		bool leaf = true;

		if (!in_frame_sample(s))
			continue;
		funcs++;
		assert_true(gopcln_func(plain.t, s->addr, &f));
		assert_true(gopcln_func(sw.t, s->addr, &g));
		for (a = s->addr; a < s->addr + s->size; a++) {
			int32_t d = -1, e = -1;
			int64_t cfa;

			if (!cfa_rsp_offset(cfi, a, &cfa))
				fail_msg("%s+%#lx: no CFA = rsp + N in .debug_frame", s->name,
					 (unsigned long)(a - s->addr));
			assert_true(gopcln_spdelta(plain.t, &f, a, &d));
			if (d + 8 != cfa)
				fail_msg("%s+%#lx: spdelta %d, CFA rsp+%ld", s->name,
					 (unsigned long)(a - s->addr), d, (long)cfa);
			assert_true(gopcln_spdelta(sw.t, &g, a, &e));
			assert_int_equal(e, d);
			if (d != 0)
				leaf = false;
			addrs++;
		}
		leaves += leaf;
	}
	assert_int_equal(funcs, 13 + sizeof(frame_sample) / sizeof(frame_sample[0]));
	assert_true(leaves >= 3);           /* frameless functions among them */
	assert_true(addrs > 3000);
	/* outside the function it was given */
	{
		struct gopcln_func f;
		int32_t d;

		assert_true(gopcln_func(plain.t, sym_named("main.chainOuter")->addr, &f));
		assert_false(gopcln_spdelta(plain.t, &f, f.end, &d));
		assert_false(gopcln_spdelta(plain.t, &f, f.entry - 1, &d));
	}
	dwarf_end(dw);
}

/* --- 4. lines and inlines against DWARF -------------------------------- */

/* A subprogram's code, for finding the scopes at an address. */
struct subprog {
	uint64_t lo, hi;
	Dwarf_Off die;
};

struct dwref {
	Dwarf *dw;
	struct subprog *s;
	size_t n;
};

static int cmp_subprog(const void *a, const void *b)
{
	const struct subprog *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Every subprogram with code, from every unit.  Go writes no
 * .debug_aranges (so dwarf_addrdie cannot find units), and its inlined
 * entries name abstract origins in other units, which dwarf_getscopes
 * (libdw 0.188) does not follow: it finds no scope at all there.  So the
 * scopes are found here by hand, and dwarf_getscopes_die gives the chain. */
static void dwref_open(struct dwref *x, Elf *elf)
{
	Dwarf_Off off = 0, next;
	size_t hsize, cap = 0;

	memset(x, 0, sizeof(*x));
	x->dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	assert_non_null(x->dw);
	while (dwarf_nextcu(x->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;
		int r;

		if (dwarf_offdie(x->dw, off + hsize, &cu) != NULL && dwarf_child(&cu, &d) == 0)
			for (r = 0; r == 0; r = dwarf_siblingof(&d, &d)) {
				Dwarf_Addr lo, hi;

				if (dwarf_tag(&d) != DW_TAG_subprogram || dwarf_lowpc(&d, &lo) != 0 ||
				    dwarf_highpc(&d, &hi) != 0)
					continue;
				if (x->n == cap) {
					cap = cap ? 2 * cap : 256;
					x->s = realloc(x->s, cap * sizeof(*x->s));
				}
				x->s[x->n].lo = lo;
				x->s[x->n].hi = hi;
				x->s[x->n].die = dwarf_dieoffset(&d);
				x->n++;
			}
		off = next;
	}
	qsort(x->s, x->n, sizeof(*x->s), cmp_subprog);
	assert_true(x->n > 1000);
}

static void dwref_close(struct dwref *x)
{
	free(x->s);
	dwarf_end(x->dw);
}

struct ref_frame {
	const char *function, *file;
	int line;
};

static bool is_function_scope(Dwarf_Die *d)
{
	int tag = dwarf_tag(d);

	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

/* The innermost subprogram or inlined entry holding addr. */
static bool innermost(struct dwref *x, uint64_t addr, Dwarf_Die *out)
{
	size_t lo = 0, hi = x->n;
	Dwarf_Die cur, c;
	bool deeper = true;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x->s[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= x->s[lo - 1].hi ||
	    dwarf_offdie(x->dw, x->s[lo - 1].die, &cur) == NULL)
		return false;
	*out = cur;
	while (deeper) {
		int r;

		deeper = false;
		if (dwarf_child(&cur, &c) != 0)
			break;
		for (r = 0; r == 0; r = dwarf_siblingof(&c, &c)) {
			int tag = dwarf_tag(&c);

			if ((tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) &&
			    dwarf_haspc(&c, addr) == 1) {
				cur = c;
				if (tag == DW_TAG_inlined_subroutine)
					*out = c;
				deeper = true;
				break;
			}
		}
	}
	return true;
}

/* libdw joins a relative file name to the unit's directory, which Go
 * writes as ".": "<autogenerated>" comes back "./<autogenerated>". */
static const char *unjoin(const char *path)
{
	return path != NULL && strncmp(path, "./", 2) == 0 ? path + 2 : path;
}

/* libdw's frames at addr, innermost first: names from the (abstract
 * origins of the) scopes, the innermost line from the line table, each
 * caller's line from the call site of the inlined entry below it. */
static size_t dwref_frames(struct dwref *x, uint64_t addr, struct ref_frame *out, size_t max)
{
	Dwarf_Die cu, inner, *chain = NULL;
	Dwarf_Line *line;
	Dwarf_Files *files;
	size_t nfiles, n = 0;
	int nc, k;

	if (!innermost(x, addr, &inner))
		fail_msg("%#lx: in no DWARF subprogram", (unsigned long)addr);
	assert_non_null(dwarf_diecu(&inner, &cu, NULL, NULL));
	line = dwarf_getsrc_die(&cu, addr);
	assert_non_null(line);
	assert_int_equal(dwarf_getsrcfiles(&cu, &files, &nfiles), 0);
	/* the concrete chain of scopes from the innermost one outwards */
	nc = dwarf_getscopes_die(&inner, &chain);
	assert_true(nc > 0);
	for (k = 0; k < nc && n < max; k++) {
		Dwarf_Attribute at;
		Dwarf_Word w;

		if (!is_function_scope(&chain[k]))
			continue;
		out[n].function = dwarf_diename(&chain[k]);
		if (n == 0) {
			int l = 0;

			dwarf_lineno(line, &l);
			out[n].file = unjoin(dwarf_linesrc(line, NULL, NULL));
			out[n].line = l;
		}
		n++;
		if (dwarf_tag(&chain[k]) != DW_TAG_inlined_subroutine || n >= max)
			break;
		/* where this inlined body was called from: the caller's line */
		assert_non_null(dwarf_attr(&chain[k], DW_AT_call_file, &at));
		assert_int_equal(dwarf_formudata(&at, &w), 0);
		out[n].file = unjoin(dwarf_filesrc(files, w, NULL, NULL));
		assert_non_null(dwarf_attr(&chain[k], DW_AT_call_line, &at));
		assert_int_equal(dwarf_formudata(&at, &w), 0);
		out[n].line = (int)w;
	}
	free(chain);
	return n;
}

static void compare_frames(struct dwref *x, uint64_t a, size_t *inl)
{
	struct ref_frame want[MAXF];
	struct gopcln_frame got[MAXF], got_sw[MAXF];
	size_t n = dwref_frames(x, a, want, MAXF), m, msw, k;

	m = gopcln_frames(plain.t, a, got, MAXF);
	if (m != n)
		fail_msg("%#lx: %zu frames, DWARF has %zu (innermost %s / %s)", (unsigned long)a, m,
			 n, m ? got[0].function : "-", n ? want[0].function : "-");
	for (k = 0; k < n; k++) {
		if (strcmp(got[k].function, want[k].function) != 0 ||
		    got[k].file == NULL || strcmp(got[k].file, want[k].file) != 0 ||
		    got[k].line != want[k].line)
			fail_msg("%#lx frame %zu: %s %s:%d, DWARF %s %s:%d", (unsigned long)a, k,
				 got[k].function, got[k].file ? got[k].file : "?", got[k].line,
				 want[k].function, want[k].file, want[k].line);
		assert_int_equal(got[k].inlined, k + 1 < n);
	}
	if (n > 1)
		(*inl)++;
	msw = gopcln_frames(sw.t, a, got_sw, MAXF);
	assert_int_equal(msw, m);
	for (k = 0; k < m; k++) {
		assert_string_equal(got_sw[k].function, got[k].function);
		assert_string_equal(got_sw[k].file, got[k].file);
		assert_int_equal(got_sw[k].line, got[k].line);
		assert_int_equal(got_sw[k].inlined, got[k].inlined);
		assert_int_equal(got_sw[k].wrapper, got[k].wrapper);
	}
}

static void test_lines_and_inlines(void **state)
{
	struct dwref x;
	size_t i, addrs = 0, inl = 0;
	const struct fsym *outer = sym_named("main.chainOuter");
	struct gopcln_frame fr[MAXF];
	uint64_t a;

	dwref_open(&x, plain.elf);
	/* every byte of the program's own functions */
	for (i = 0; i < nsyms; i++) {
		if (strncmp(syms[i].name, "main.", 5) != 0)
			continue;
		for (a = syms[i].addr; a < syms[i].addr + syms[i].size; a++, addrs++)
			compare_frames(&x, a, &inl);
	}
	/* and a spread of the runtime's and the libraries' */
	for (i = 0; i < nsyms; i += 37) {
		compare_frames(&x, syms[i].addr, &inl);
		compare_frames(&x, syms[i].addr + syms[i].size / 2, &inl);
		addrs += 2;
	}
	assert_true(addrs > 2000);
	assert_true(inl > 20);   /* the inlined chain was seen, in more than one place */

	/* The chain of two inlined calls is there: somewhere in chainOuter,
	 * chainLeaf in chainMid in chainOuter. */
	for (a = outer->addr; a < outer->addr + outer->size; a++)
		if (gopcln_frames(plain.t, a, fr, MAXF) == 3)
			break;
	assert_true(a < outer->addr + outer->size);
	assert_string_equal(fr[0].function, "main.chainLeaf");
	assert_string_equal(fr[1].function, "main.chainMid");
	assert_string_equal(fr[2].function, "main.chainOuter");
	/* at most max frames, innermost first */
	assert_int_equal(gopcln_frames(plain.t, a, fr, 1), 1);
	assert_string_equal(fr[0].function, "main.chainLeaf");
	assert_int_equal(gopcln_frames(plain.t, a, fr, 0), 0);
	assert_int_equal(gopcln_frames(plain.t, 0x10, fr, MAXF), 0);
	dwref_close(&x);
}

/* --- 5. the program's own runtime as the reference --------------------- */

/* `pclnsample frames` prints "PC function file line" for the PCs
 * runtime.Callers gave inside the inlined chain (logical PCs: one per
 * frame, each the return address or the inline mark + 1), as the
 * runtime's CallersFrames names them. */
static void check_runtime_frames(struct bin *b, const char *path)
{
	char cmd[256], line[1024];
	FILE *p;
	size_t n = 0, chain = 0;
	struct gopcln_frame first[MAXF];

	snprintf(cmd, sizeof(cmd), "%s frames", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		unsigned long pc;
		char fn[512], file[512];
		int ln;
		struct gopcln_frame fr[MAXF];

		assert_int_equal(sscanf(line, "%lx %511s %511s %d", &pc, fn, file, &ln), 4);
		/* the innermost frame at pc-1 is what the runtime names */
		assert_true(gopcln_frames(b->t, pc - 1, fr, MAXF) >= 1);
		assert_string_equal(fr[0].function, fn);
		assert_string_equal(fr[0].file, file);
		assert_int_equal(fr[0].line, ln);
		/* the first (physical) PC expands to the whole chain the
		 * runtime gave one logical PC each */
		if (n == 0)
			chain = gopcln_frames(b->t, pc - 1, first, MAXF);
		else if (n < chain) {
			assert_string_equal(first[n].function, fn);
			assert_int_equal(first[n].line, ln);
		}
		n++;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(chain, 3);
	assert_string_equal(first[0].function, "main.chainLeaf");
	assert_true(n >= 5);
}

static void test_runtime_frames(void **state)
{
	check_runtime_frames(&plain, PLAIN);
	check_runtime_frames(&sw, SW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_info),
		cmocka_unit_test(test_every_symbol),
		cmocka_unit_test(test_gofunc),
		cmocka_unit_test(test_frame_sizes),
		cmocka_unit_test(test_lines_and_inlines),
		cmocka_unit_test(test_runtime_frames),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
