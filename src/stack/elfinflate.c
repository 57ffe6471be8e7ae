/* elfinflate.c - see elfinflate.h. */
#include <gelf.h>
#include <libelf.h>
#include <stddef.h>

#include "stack/elfinflate.h"

bool elf_has_compressed(int fd, uint64_t *inflated)
{
	bool found = false;
	Elf *elf;
	Elf_Scn *scn = NULL;

	*inflated = 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return false;
	while (elf_kind(elf) == ELF_K_ELF && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		GElf_Chdr ch;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_COMPRESSED))
			continue;
		found = true;
		if (gelf_getchdr(scn, &ch))
			*inflated += ch.ch_size;
	}
	elf_end(elf);
	return found;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

/* Where the allocated parts of the file end: the headers and every
 * allocated section keep their offsets, so what moves goes after them. */
static uint64_t fixed_end(Elf *in, const GElf_Ehdr *eh, size_t phnum)
{
	uint64_t end = eh->e_ehsize;
	Elf_Scn *scn = NULL;
	if (phnum && eh->e_phoff + (uint64_t)phnum * eh->e_phentsize > end)
		end = eh->e_phoff + (uint64_t)phnum * eh->e_phentsize;
	while ((scn = elf_nextscn(in, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_ALLOC) &&
		    sh.sh_type != SHT_NOBITS && sh.sh_offset + sh.sh_size > end)
			end = sh.sh_offset + sh.sh_size;
	}
	return end;
}

/* One section copied, inflated if it was compressed; *end is where the
 * next moved section may start. */
static int copy_section(Elf_Scn *scn, Elf *out, uint64_t *end, const char **why)
{
	GElf_Shdr sh;
	Elf_Scn *o;
	Elf_Data *d = NULL, *od;

	if (!gelf_getshdr(scn, &sh))
		goto bad_header;
	if ((sh.sh_flags & SHF_COMPRESSED) && sh.sh_type != SHT_NOBITS) {
		if (elf_compress(scn, 0, 0) < 0) {
			*why = "a compressed section does not inflate";
			return -1;
		}
		if (!gelf_getshdr(scn, &sh))
			goto bad_header;
	}
	o = elf_newscn(out);
	if (!o) {
		*why = "elf_newscn failed";
		return -1;
	}
	if (sh.sh_type != SHT_NOBITS) {
		d = elf_getdata(scn, NULL);
		if (!d && sh.sh_size) {
			*why = "a section's bytes are not in the file";
			return -1;
		}
	}
	if (d) {
		od = elf_newdata(o);
		if (!od) {
			*why = "elf_newdata failed";
			return -1;
		}
		od->d_buf = d->d_buf;
		od->d_type = d->d_type;
		od->d_size = d->d_size;
		od->d_align = d->d_align;
		od->d_version = d->d_version;
		od->d_off = 0;
	}
	if (!(sh.sh_flags & SHF_ALLOC) && sh.sh_type != SHT_NOBITS) {
		*end = align_up(*end, sh.sh_addralign);
		sh.sh_offset = *end;
		*end += sh.sh_size;
	}
	if (!gelf_update_shdr(o, &sh)) {
		*why = "gelf_update_shdr failed";
		return -1;
	}
	return 0;
bad_header:
	*why = "a section header is unreadable";
	return -1;
}

int elf_write_inflated(Elf *in, int out_fd, const char **why)
{
	Elf *out = NULL;
	GElf_Ehdr eh;
	size_t shnum, phnum, shstrndx;
	uint64_t end;
	Elf_Scn *scn = NULL;
	int ret = -1;

	if (elf_kind(in) != ELF_K_ELF || !gelf_getehdr(in, &eh)) {
		*why = "not an ELF file";
		return -1;
	}
	/* libdw relocates such a file's sections in memory: not the file. */
	if (eh.e_type == ET_REL) {
		*why = "a relocatable file";
		return -1;
	}
	if (elf_getshdrnum(in, &shnum) != 0 || elf_getphdrnum(in, &phnum) != 0 ||
	    elf_getshdrstrndx(in, &shstrndx) != 0) {
		*why = "unreadable headers";
		return -1;
	}
	/* Extended numbering keeps counts in section 0: not worth the care. */
	if (shnum >= SHN_LORESERVE || shstrndx >= SHN_LORESERVE || phnum >= PN_XNUM) {
		*why = "too many sections";
		return -1;
	}
	out = elf_begin(out_fd, ELF_C_WRITE, NULL);
	if (!out || !gelf_newehdr(out, gelf_getclass(in))) {
		*why = "elf_begin for writing failed";
		goto out;
	}
	if (phnum) {
		if (!gelf_newphdr(out, phnum)) {
			*why = "gelf_newphdr failed";
			goto out;
		}
		for (size_t i = 0; i < phnum; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(in, (int)i, &ph) || !gelf_update_phdr(out, (int)i, &ph)) {
				*why = "a program header is unreadable";
				goto out;
			}
		}
	}
	end = fixed_end(in, &eh, phnum);
	while ((scn = elf_nextscn(in, scn)))
		if (copy_section(scn, out, &end, why) != 0)
			goto out;
	eh.e_shoff = align_up(end, 8);
	eh.e_shnum = (GElf_Half)shnum;
	eh.e_shstrndx = (GElf_Half)shstrndx;
	if (!gelf_update_ehdr(out, &eh)) {
		*why = "gelf_update_ehdr failed";
		goto out;
	}
	/* The offsets are ours: libelf would move allocated sections. */
	elf_flagelf(out, ELF_C_SET, ELF_F_LAYOUT);
	if (elf_update(out, ELF_C_WRITE) < 0) {
		*why = elf_errmsg(-1);
		goto out;
	}
	ret = 0;
out:
	if (out)
		elf_end(out);
	return ret;
}
