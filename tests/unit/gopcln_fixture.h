/* gopcln_fixture.h - what the .gopclntab unit tests share: the sample Go
 * program's two builds opened (build/targets/go-pclnsample, with symbols
 * and DWARF, and go-pclnsample-sw, built with -ldflags="-s -w"), and the
 * FUNC symbols of the first, sorted by address.  Included once by each
 * test file; run from the repository root, as `make unit` does.
 */
#ifndef GOPCLN_FIXTURE_H
#define GOPCLN_FIXTURE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>

#include "golang/gopclntab.h"

#define PLAIN "build/targets/go-pclnsample"
#define SW "build/targets/go-pclnsample-sw"
#define MAXF 16

struct bin {
	int fd;
	Elf *elf;
	struct gopcln *t;
};

/* A FUNC symbol of the plain build. */
struct fsym {
	char *name;               /* as the ELF symbol table spells it */
	uint64_t addr, size;
};

static struct bin plain, sw;
static struct fsym *syms;
static size_t nsyms;
static uint64_t text_start, text_end;  /* runtime.text, runtime.etext */

static void open_bin(struct bin *b, const char *path)
{
	const char *why = NULL;

	b->fd = open(path, O_RDONLY);
	if (b->fd < 0)
		fail_msg("%s: cannot open (run from the repository root after make targets)", path);
	b->elf = elf_begin(b->fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(b->elf);
	b->t = gopcln_open(b->elf, &why);
	if (b->t == NULL)
		fail_msg("%s: %s", path, why);
}

static void close_bin(struct bin *b)
{
	gopcln_free(b->t);
	elf_end(b->elf);
	close(b->fd);
}

static Elf_Scn *section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		gelf_getshdr(scn, sh);
		if (strcmp(elf_strptr(elf, shstrndx, sh->sh_name), name) == 0)
			return scn;
	}
	return NULL;
}

static int cmp_fsym(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void read_syms(Elf *elf)
{
	GElf_Shdr sh;
	Elf_Scn *scn = section(elf, ".symtab", &sh);
	Elf_Data *d;
	size_t i, n;

	assert_non_null(scn);
	d = elf_getdata(scn, NULL);
	n = d->d_size / sh.sh_entsize;
	syms = calloc(n, sizeof(*syms));
	for (i = 0; i < n; i++) {
		GElf_Sym s;

		const char *name;

		gelf_getsym(d, (int)i, &s);
		if (GELF_ST_TYPE(s.st_info) != STT_FUNC)
			continue;
		name = elf_strptr(elf, sh.sh_link, s.st_name);
		/* The linker's marks of where Go's code starts and ends are
		 * FUNC symbols of size 0, not functions. */
		if (strcmp(name, "runtime.text") == 0 || strcmp(name, "runtime.etext") == 0) {
			assert_int_equal(s.st_size, 0);
			*(name[8] == 't' ? &text_start : &text_end) = s.st_value;
			continue;
		}
		syms[nsyms].name = strdup(name);
		syms[nsyms].addr = s.st_value;
		syms[nsyms].size = s.st_size;
		nsyms++;
	}
	qsort(syms, nsyms, sizeof(*syms), cmp_fsym);
	assert_true(text_start != 0 && text_end > text_start);
}

static const struct fsym *sym_named(const char *name)
{
	size_t i;

	for (i = 0; i < nsyms; i++)
		if (strcmp(syms[i].name, name) == 0)
			return &syms[i];
	fail_msg("no symbol %s", name);
	return NULL;
}

/* Any symbol's value in the plain build. */
static uint64_t sym_value(const char *name)
{
	GElf_Shdr sh;
	Elf_Scn *scn = section(plain.elf, ".symtab", &sh);
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i;

	for (i = 0; i < d->d_size / sh.sh_entsize; i++) {
		GElf_Sym s;

		gelf_getsym(d, (int)i, &s);
		if (strcmp(elf_strptr(plain.elf, sh.sh_link, s.st_name), name) == 0)
			return s.st_value;
	}
	fail_msg("no symbol %s", name);
	return 0;
}

static int setup(void **state)
{
	elf_version(EV_CURRENT);
	open_bin(&plain, PLAIN);
	open_bin(&sw, SW);
	read_syms(plain.elf);
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	close_bin(&plain);
	close_bin(&sw);
	for (i = 0; i < nsyms; i++)
		free(syms[i].name);
	free(syms);
	return 0;
}

#endif
