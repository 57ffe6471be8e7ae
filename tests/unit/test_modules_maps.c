/* test_modules_maps.c - modules_open on made-up maps of real files.
 *
 * The maps say where this process would have mapped build/targets/chain,
 * build/targets/chain-nopie and the C library; modules_open opens the
 * files by path (this process, getpid(), stands in for the target: only
 * the vDSO and a deleted file are read from our own memory).  The cases
 * are the ones that broke it: a fixed-address executable with a piece of
 * its text mapped again (Node's builtins, which made libdw free a module
 * still in use), a library loaded twice, repeated, overlapping and absurd
 * lines, the vDSO twice, a deleted file. */
#include <fcntl.h>
#include <gelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "stack/modules.h"
#include "stack/symbolize.h"
#include "target/procfs.h"

#define TARGETS "build/targets/"
#define PAGE 0x1000ULL

static char libc_path[4096];
static uint64_t vdso_start, vdso_end;     /* ours, 0 when none */

struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line;
	int n = vasprintf(&line, fmt, ap);
	va_end(ap);
	assert_true(n > 0);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
	}
	memcpy(t->s + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
	free(line);
}

static Elf *open_elf(const char *path, int *fd)
{
	elf_version(EV_CURRENT);
	*fd = open(path, O_RDONLY);
	assert_true(*fd >= 0);
	Elf *elf = elf_begin(*fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	return elf;
}

/* The lines the loader's mappings of path at base would show (base 0
 * for a fixed-address executable). */
static void add_file(struct text *t, const char *path, uint64_t base)
{
	struct stat st;
	int fd;
	size_t phnum;
	assert_int_equal(stat(path, &st), 0);
	Elf *elf = open_elf(path, &fd);
	assert_int_equal(elf_getphdrnum(elf, &phnum), 0);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		assert_non_null(gelf_getphdr(elf, (int)i, &ph));
		if (ph.p_type != PT_LOAD)
			continue;
		uint64_t lo = base + (ph.p_vaddr & ~(PAGE - 1));
		uint64_t hi = base + ((ph.p_vaddr + ph.p_filesz + PAGE - 1) & ~(PAGE - 1));
		add(t, "%llx-%llx r%c%cp %08llx %02x:%02x %llu %s\n", (unsigned long long)lo,
		    (unsigned long long)hi, ph.p_flags & PF_W ? 'w' : '-',
		    ph.p_flags & PF_X ? 'x' : '-', (unsigned long long)(ph.p_offset & ~(PAGE - 1)),
		    major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, path);
	}
	elf_end(elf);
	close(fd);
}

/* The executable segment of path mapped again at at (what V8 does with
 * its embedded builtins); returns the segment's page-aligned vaddr. */
static uint64_t add_text_again(struct text *t, const char *path, uint64_t at)
{
	struct stat st;
	int fd;
	size_t phnum;
	uint64_t vaddr = 0;
	assert_int_equal(stat(path, &st), 0);
	Elf *elf = open_elf(path, &fd);
	assert_int_equal(elf_getphdrnum(elf, &phnum), 0);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		assert_non_null(gelf_getphdr(elf, (int)i, &ph));
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		vaddr = ph.p_vaddr & ~(PAGE - 1);
		uint64_t len = ((ph.p_vaddr + ph.p_filesz + PAGE - 1) & ~(PAGE - 1)) - vaddr;
		add(t, "%llx-%llx r-xp %08llx %02x:%02x %llu %s\n", (unsigned long long)at,
		    (unsigned long long)(at + len), (unsigned long long)(ph.p_offset & ~(PAGE - 1)),
		    major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, path);
		break;
	}
	elf_end(elf);
	close(fd);
	assert_true(vaddr != 0);
	return vaddr;
}

/* A function's ELF vaddr, from .symtab or .dynsym. */
static uint64_t symbol_vaddr(const char *path, const char *name)
{
	int fd;
	Elf *elf = open_elf(path, &fd);
	Elf_Scn *scn = NULL;
	uint64_t v = 0;
	while (!v && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			if (gelf_getsym(d, (int)i, &sym) && GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
			    sym.st_value && strcmp(elf_strptr(elf, sh.sh_link, sym.st_name), name) == 0) {
				v = sym.st_value;
				break;
			}
		}
	}
	elf_end(elf);
	close(fd);
	assert_true(v != 0);
	return v;
}

static struct modules *open_text(const struct text *t, struct maps *m)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(procfs_parse_maps(t->s, m), 0);
	return modules_open(getpid(), m, NULL);
}

/* Every probe lands in a module that holds it, and that module is the
 * one found at both of its ends: no two modules overlap. */
static void check_modules(struct modules *ms, const struct maps *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct map_entry *e = &m->v[i];
		uint64_t probe[3] = { e->start, e->start + (e->end - e->start) / 2, e->end - 1 };
		for (int k = 0; k < 3; k++) {
			struct module *mod = modules_find(ms, probe[k]);
			if (!mod)
				continue;
			assert_true(mod->info.start <= probe[k] && probe[k] < mod->info.limit);
			assert_ptr_equal(modules_find(ms, mod->info.start), mod);
			assert_ptr_equal(modules_find(ms, mod->info.limit - 1), mod);
			assert_non_null(mod->home);
			assert_ptr_equal(mod->home->home, mod->home);
			assert_ptr_equal(mod->dwfl_mod, mod->home->dwfl_mod);
		}
	}
}

/* The outermost function name at addr ("" when none). */
static char *name_at(struct modules *ms, uint64_t addr)
{
	struct symbolizer s = { .ms = ms, .inlines = false, .lines = false };
	struct symbol sym = { 0 };
	symbolize_resolve(&s, addr, false, &sym);
	char *name = strdup(sym.nframes && sym.frames[sym.nframes - 1].function
				    ? sym.frames[sym.nframes - 1].function
				    : "");
	symbol_clear(&sym);
	return name;
}

/* Node's case: an executable at its link address, and its text once more
 * far away.  Both copies name main; the copy libdw does not know about
 * shares its module and reads the same bytes. */
static void test_exe_text_mapped_again(void **state)
{
	const char *exe = TARGETS "chain-nopie";
	const uint64_t again = 0x7f1000000000ULL;
	struct text t = { 0 };
	struct maps m;

	add_file(&t, exe, 0);
	add(&t, "7f0fff000000-7f0fff100000 rw-p 00000000 00:00 0\n");
	uint64_t text_vaddr = add_text_again(&t, exe, again);
	add_file(&t, libc_path, 0x7f2000000000ULL);
	struct modules *ms = open_text(&t, &m);
	check_modules(ms, &m);

	uint64_t main_v = symbol_vaddr(exe, "main");
	uint64_t main_again = again + (main_v - text_vaddr);
	struct module *a = modules_find(ms, main_v), *b = modules_find(ms, main_again);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(a->bias, 0);
	assert_int_equal(b->bias, again - text_vaddr);
	assert_ptr_equal(b->home, a);
	assert_int_equal(b->shift, b->bias);
	assert_string_equal(a->info.path, exe);
	assert_string_equal(b->info.path, exe);
	assert_string_equal(a->info.build_id, b->info.build_id);
	assert_true(a->info.build_id[0] != '\0');

	char *n1 = name_at(ms, main_v), *n2 = name_at(ms, main_again);
	assert_string_equal(n1, "main");
	assert_string_equal(n2, "main");
	free(n1);
	free(n2);

	unsigned char c1[16], c2[16];
	assert_true(module_read(a, main_v, c1, sizeof(c1)));
	assert_true(module_read(b, main_again, c2, sizeof(c2)));
	assert_memory_equal(c1, c2, sizeof(c1));
	/* The unwind table is mapped only at the loader's place. */
	assert_true(a->eh.present);
	assert_false(b->eh.present);

	modules_free(ms);
	maps_free(&m);
	free(t.s);
}

/* Two files under one path (the second line's inode differs: a binary
 * replaced on disk while an old copy still runs), both fixed-address: to
 * libdw they would be one name at one range. */
static void test_same_path_two_files(void **state)
{
	const char *exe = TARGETS "chain-nopie";
	const uint64_t again = 0x7f1000000000ULL;
	struct text t = { 0 };
	struct maps m;
	struct stat st;

	assert_int_equal(stat(exe, &st), 0);
	add_file(&t, exe, 0);
	uint64_t text_vaddr = add_text_again(&t, exe, again);
	/* The same line with another inode. */
	char *last = strrchr(t.s, '\n');
	*last = '\0';
	last = strrchr(t.s, '\n');
	char *line = strdup(last + 1);
	t.len = (size_t)(last + 1 - t.s);
	t.s[t.len] = '\0';
	char ino[32];
	snprintf(ino, sizeof(ino), " %llu ", (unsigned long long)st.st_ino);
	char *at = strstr(line, ino);
	assert_non_null(at);
	add(&t, "%.*s %llu %s\n", (int)(at - line), line, (unsigned long long)st.st_ino + 1,
	    at + strlen(ino));
	free(line);

	struct modules *ms = open_text(&t, &m);
	check_modules(ms, &m);
	uint64_t main_v = symbol_vaddr(exe, "main");
	struct module *a = modules_find(ms, main_v);
	struct module *b = modules_find(ms, again + (main_v - text_vaddr));
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a->dwfl_mod, b->dwfl_mod);
	char *n1 = name_at(ms, main_v), *n2 = name_at(ms, again + (main_v - text_vaddr));
	assert_string_equal(n1, "main");
	assert_string_equal(n2, "main");
	free(n1);
	free(n2);
	modules_free(ms);
	maps_free(&m);
	free(t.s);
}

/* dlmopen: the C library twice, each copy whole; and a PIE. */
static void test_library_twice(void **state)
{
	const uint64_t base1 = 0x7f2000000000ULL, base2 = 0x7f3000000000ULL;
	const char *pie = TARGETS "chain";
	struct text t = { 0 };
	struct maps m;

	add_file(&t, pie, 0x555500000000ULL);
	add_file(&t, libc_path, base1);
	add(&t, "7f2f00000000-7f2f00010000 rw-p 00000000 00:00 0\n");
	add_file(&t, libc_path, base2);
	struct modules *ms = open_text(&t, &m);
	check_modules(ms, &m);

	uint64_t v = symbol_vaddr(libc_path, "qsort");
	struct module *a = modules_find(ms, base1 + v), *b = modules_find(ms, base2 + v);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(a->bias, base1);
	assert_int_equal(b->bias, base2);
	assert_ptr_equal(a->dwfl_mod, b->dwfl_mod);
	assert_int_equal(b->shift, base2 - base1);
	/* Each copy's unwind table is mapped with it. */
	assert_true(a->eh.present);
	assert_true(b->eh.present);
	assert_int_equal(b->eh.hdr_addr - a->eh.hdr_addr, base2 - base1);
	char *n1 = name_at(ms, base1 + v), *n2 = name_at(ms, base2 + v);
	assert_true(n1[0] != '\0');
	assert_string_equal(n1, n2);
	free(n1);
	free(n2);

	uint64_t main_v = symbol_vaddr(pie, "main");
	char *n3 = name_at(ms, 0x555500000000ULL + main_v);
	assert_string_equal(n3, "main");
	free(n3);
	assert_false(modules_find(ms, 0x555500000000ULL + main_v)->info.main);

	modules_free(ms);
	maps_free(&m);
	free(t.s);
}

/* Repeated, overlapping and absurd lines of real files, and the vDSO
 * (ours) twice at one place and once elsewhere. */
static void test_hostile_lines(void **state)
{
	const char *pie = TARGETS "chain";
	struct text t = { 0 };
	struct maps m;
	struct stat st;
	const uint64_t vdso_again = vdso_end + 0x100000;

	assert_int_equal(stat(pie, &st), 0);
	add_file(&t, pie, 0x555500000000ULL);
	add_file(&t, pie, 0x555500000000ULL);      /* every line twice */
	add_file(&t, pie, 0x555500001000ULL);      /* overlapping, another bias */
	add_file(&t, libc_path, 0x555500002000ULL); /* another file on top */
	add(&t, "555600000000-555600001000 r-xp ffffffffffff0000 %02x:%02x %llu %s\n",
	    major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, pie);
	add(&t, "fffffffffff00000-ffffffffffffffff r-xp 00001000 %02x:%02x %llu %s\n",
	    major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, pie);
	add(&t, "555700000000-555700001000 r-xp 00000000 00:00 0\n");  /* JIT */
	add(&t, "555800000000-555800001000 r-xp 00001000 fe:01 12345 /nonexistent/lib.so\n");
	add(&t, "555900000000-555900001000 r-xp 00000000 00:00 0 [heap]\n");
	if (vdso_start) {
		for (int i = 0; i < 2; i++)
			add(&t, "%llx-%llx r-xp 00000000 00:00 0 [vdso]\n",
			    (unsigned long long)vdso_start, (unsigned long long)vdso_end);
		add(&t, "%llx-%llx r-xp 00000000 00:00 0 [vdso]\n", (unsigned long long)vdso_again,
		    (unsigned long long)(vdso_again + (vdso_end - vdso_start)));
	}
	struct modules *ms = open_text(&t, &m);
	check_modules(ms, &m);
	assert_non_null(modules_find(ms, 0x555500001000ULL));
	assert_null(modules_find(ms, 0x555700000000ULL));
	assert_null(modules_find(ms, 0x555800000000ULL));
	assert_null(modules_find(ms, 0x555900000000ULL));
	if (vdso_start) {
		struct module *v1 = modules_find(ms, vdso_start), *v2 = modules_find(ms, vdso_again);
		assert_non_null(v1);
		assert_string_equal(v1->info.name, "[vdso]");
		assert_non_null(v2);
		assert_ptr_equal(v2->home, v1);
		assert_int_equal(v2->shift, vdso_again - vdso_start);
	}
	/* Symbolizing anywhere is safe. */
	for (size_t i = 0; i < m.n; i++)
		free(name_at(ms, m.v[i].start));
	modules_free(ms);
	maps_free(&m);
	free(t.s);
}

/* A "[vdso]" of gigabytes is not copied (nor is memory that size
 * asked for). */
static void test_vdso_too_big(void **state)
{
	struct text t = { 0 };
	struct maps m;
	add(&t, "7f0000000000-7f0080000000 r-xp 00000000 00:00 0 [vdso]\n");
	struct modules *ms = open_text(&t, &m);
	assert_null(modules_find(ms, 0x7f0000000000ULL));
	modules_free(ms);
	maps_free(&m);
	free(t.s);
}

/* A file deleted after it was mapped: reached through map_files. */
static void test_deleted_file(void **state)
{
	char dir[] = "/tmp/ptprof-modmaps-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *copy;
	assert_true(asprintf(&copy, "%s/chain", dir) > 0);
	int in = open(TARGETS "chain", O_RDONLY), out = open(copy, O_WRONLY | O_CREAT, 0755);
	assert_true(in >= 0 && out >= 0);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	int fd = open(copy, O_RDONLY);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	assert_true(p != MAP_FAILED);
	close(fd);
	assert_int_equal(unlink(copy), 0);
	assert_int_equal(rmdir(dir), 0);

	char *text = procfs_read_all(getpid(), 0, "maps", NULL);
	assert_non_null(text);
	struct maps m = { 0 };
	assert_int_equal(procfs_parse_maps(text, &m), 0);
	free(text);
	const struct map_entry *e = maps_find(&m, (uint64_t)(uintptr_t)p);
	assert_non_null(e);
	assert_true(e->deleted);
	struct modules *ms = modules_open(getpid(), &m, NULL);
	check_modules(ms, &m);
	/* One mapping of the whole file from offset 0: text vaddrs equal
	 * file offsets in this PIE. */
	uint64_t main_v = symbol_vaddr(TARGETS "chain", "main");
	struct module *mod = modules_find(ms, (uint64_t)(uintptr_t)p + main_v);
	assert_non_null(mod);
	assert_string_equal(mod->info.path, copy);
	char *name = name_at(ms, (uint64_t)(uintptr_t)p + main_v);
	assert_string_equal(name, "main");
	free(name);
	modules_free(ms);
	maps_free(&m);
	munmap(p, (size_t)st.st_size);
	free(copy);
}

/* This process's own maps, as a real target's would be. */
static void test_own_maps(void **state)
{
	char *text = procfs_read_all(getpid(), 0, "maps", NULL);
	assert_non_null(text);
	struct maps m = { 0 };
	assert_int_equal(procfs_parse_maps(text, &m), 0);
	free(text);
	struct modules *ms = modules_open(getpid(), &m, NULL);
	check_modules(ms, &m);
	char *name = name_at(ms, (uint64_t)(uintptr_t)&test_own_maps);
	assert_string_equal(name, "test_own_maps");
	free(name);
	assert_non_null(modules_main(ms));
	modules_free(ms);
	maps_free(&m);
}

static int setup(void **state)
{
	/* The C library this process uses, by the path the loader took. */
	char *text = procfs_read_all(getpid(), 0, "maps", NULL);
	struct maps m = { 0 };
	if (!text || procfs_parse_maps(text, &m) != 0)
		return -1;
	free(text);
	for (size_t i = 0; i < m.n; i++) {
		if (!m.v[i].path)
			continue;
		if (!libc_path[0] && strstr(m.v[i].path, "/libc.so.6"))
			snprintf(libc_path, sizeof(libc_path), "%s", m.v[i].path);
		if (strcmp(m.v[i].path, "[vdso]") == 0 && !vdso_start) {
			vdso_start = m.v[i].start;
			vdso_end = m.v[i].end;
		}
	}
	maps_free(&m);
	return libc_path[0] ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exe_text_mapped_again),
		cmocka_unit_test(test_same_path_two_files),
		cmocka_unit_test(test_library_twice),
		cmocka_unit_test(test_hostile_lines),
		cmocka_unit_test(test_vdso_too_big),
		cmocka_unit_test(test_deleted_file),
		cmocka_unit_test(test_own_maps),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
