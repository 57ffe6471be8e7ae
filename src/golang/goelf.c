/* goelf.c - a Go binary's bytes by section, symbol and address. */
#include <string.h>

#include <gelf.h>

#include "golang/goelf.h"

static const uint8_t *image(Elf *elf, size_t *size)
{
	char *p = elf_rawfile(elf, size);

	return (const uint8_t *)p;
}

static Elf_Scn *find_scn(Elf *elf, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *n;

		if (gelf_getshdr(scn, sh) == NULL)
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n != NULL && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

bool goelf_has_section(Elf *elf, const char *name)
{
	GElf_Shdr sh;

	return find_scn(elf, name, &sh) != NULL;
}

bool goelf_section(Elf *elf, const char *name, struct goelf_bytes *out)
{
	GElf_Shdr sh;
	size_t size;
	const uint8_t *img = image(elf, &size);

	if (img == NULL || find_scn(elf, name, &sh) == NULL)
		return false;
	if (sh.sh_type == SHT_NOBITS || (sh.sh_flags & SHF_COMPRESSED))
		return false;
	if (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)
		return false;
	out->p = img + sh.sh_offset;
	out->n = sh.sh_size;
	out->addr = (sh.sh_flags & SHF_ALLOC) ? sh.sh_addr : 0;
	return true;
}

bool goelf_symbol(Elf *elf, const char *name, uint64_t *value)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *d;
		size_t i, n;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_SYMTAB ||
		    sh.sh_entsize == 0)
			continue;
		d = elf_getdata(scn, NULL);
		if (d == NULL)
			continue;
		n = d->d_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *s;

			if (gelf_getsym(d, (int)i, &sym) == NULL)
				break;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (s != NULL && strcmp(s, name) == 0) {
				*value = sym.st_value;
				return true;
			}
		}
	}
	return false;
}

bool goelf_at(Elf *elf, uint64_t vaddr, struct goelf_bytes *out, bool *writable, bool *exec)
{
	size_t size, nph, i;
	const uint8_t *img = image(elf, &size);

	if (img == NULL || elf_getphdrnum(elf, &nph) != 0)
		return false;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;
		uint64_t off;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr - ph.p_vaddr >= ph.p_filesz)
			continue;
		if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
			return false;
		off = vaddr - ph.p_vaddr;
		out->p = img + ph.p_offset + off;
		out->n = ph.p_filesz - off;
		out->addr = vaddr;
		if (writable)
			*writable = (ph.p_flags & PF_W) != 0;
		if (exec)
			*exec = (ph.p_flags & PF_X) != 0;
		return true;
	}
	return false;
}

bool goelf_read(Elf *elf, uint64_t vaddr, void *buf, size_t n)
{
	struct goelf_bytes b;

	if (!goelf_at(elf, vaddr, &b, NULL, NULL) || b.n < n)
		return false;
	memcpy(buf, b.p, n);
	return true;
}
