/* elfinflate.h - an ELF file written again with its compressed sections
 * stored inflated.
 *
 * Distributions ship debug files with every .debug_* section compressed,
 * and libdw inflates all of them each time it opens one (libc's: 10 MB,
 * some 50 ms).  A copy whose sections are stored plain is read in place
 * through mmap.  Everything else is kept as it was: the ELF header, the
 * program headers, every section's header and bytes; allocated sections
 * keep their file offsets, the others are laid out after them in order.
 */
#ifndef PTPROF_ELFINFLATE_H
#define PTPROF_ELFINFLATE_H

#include <stdbool.h>
#include <stdint.h>

#include <libelf.h>

/* Whether the ELF file open on fd has a section stored compressed
 * (SHF_COMPRESSED); *inflated gets the sum of those sections' sizes once
 * inflated.  false for a file that is not ELF. */
bool elf_has_compressed(int fd, uint64_t *inflated);

/* Writes to out_fd (empty, open for writing) the ELF file `in` with its
 * compressed sections inflated.  Sections libdw already inflated in
 * memory (dwarf_begin_elf does) are taken as they are; the others are
 * inflated in `in` itself.  0, or -1 and *why. */
int elf_write_inflated(Elf *in, int out_fd, const char **why);

#endif
