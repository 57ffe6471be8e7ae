/* goelf.h - a Go binary's bytes, found by section name, by symbol name
 * and by virtual address, straight from the file image.
 *
 * Everything returned points into the image libelf holds (elf_rawfile),
 * so it lives as long as the Elf.  Each lookup checks that the bytes lie
 * inside the file: a section or segment that claims more than the file
 * has is not found.  Compressed and NOBITS sections are never returned
 * (the Go tables read through this are neither).
 */
#ifndef PTPROF_GOELF_H
#define PTPROF_GOELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libelf.h>

/* A run of file bytes and the virtual address of its first byte. */
struct goelf_bytes {
	const uint8_t *p;
	size_t n;
	uint64_t addr;            /* 0 for a section that is not loaded */
};

/* The section called name, with file bytes. */
bool goelf_section(Elf *elf, const char *name, struct goelf_bytes *out);
/* True when a section called name exists, whatever its type or flags. */
bool goelf_has_section(Elf *elf, const char *name);
/* The value of the .symtab symbol called name (the first one). */
bool goelf_symbol(Elf *elf, const char *name, uint64_t *value);
/* The file bytes from vaddr to the end of the file-backed part of the
 * PT_LOAD segment holding it; *writable says whether that segment is
 * writable, *exec whether it is executable (either may be NULL). */
bool goelf_at(Elf *elf, uint64_t vaddr, struct goelf_bytes *out, bool *writable, bool *exec);
/* Copy n bytes at vaddr (all inside one segment's file bytes). */
bool goelf_read(Elf *elf, uint64_t vaddr, void *buf, size_t n);

#endif
