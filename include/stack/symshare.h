/* symshare.h - symbols shared by every process that maps the same file.
 *
 * What an address means depends only on the file and the address's place
 * in it, not on the process: keyed by (build id, address relative to the
 * file's ELF addresses, is_return), a resolved symbol is kept once and
 * copied into every process's cache.  A tree of 50 workers of one binary
 * pays for libdw's reading (symbol table, line tables, compressed debug
 * sections) once.  Files without a build id are never shared: their name
 * does not say they hold the same bytes.
 */
#ifndef PTPROF_SYMSHARE_H
#define PTPROF_SYMSHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stack/symcache.h"

struct symshare;

struct symshare *symshare_new(void);
void symshare_free(struct symshare *sh);

/* Fill sym's frames and entry (entry_rel + bias; 0 stays 0) from what was
 * put under the key; false, sym untouched, when nothing was. */
bool symshare_get(struct symshare *sh, const char *build_id, uint64_t offset, bool is_return,
		  uint64_t bias, struct symbol *sym);
/* Keep a copy of sym's frames and entry (as entry - bias) under the key. */
void symshare_put(struct symshare *sh, const char *build_id, uint64_t offset, bool is_return,
		  uint64_t bias, const struct symbol *sym);

/* A module of the file (a struct module of stack/modules.h) whose libdw
 * data one process has already read, so that a miss in another process
 * is resolved through it instead of reading the file again (for libc,
 * inflating its compressed debug sections).  The first lent for a build
 * id stays; the lender promises it outlives every use of the share.
 * borrow: NULL when none was lent. */
void symshare_lend(struct symshare *sh, const char *build_id, void *module);
void *symshare_borrow(struct symshare *sh, const char *build_id);

/* True the first time a build id is claimed: the one process that loads
 * the file's debug information ahead (stack/prefetch.h); the others
 * will borrow its module. */
bool symshare_claim(struct symshare *sh, const char *build_id);

/* Lookups answered from the share, and symbols put, for -v. */
void symshare_counts(const struct symshare *sh, uint64_t *hits, uint64_t *puts);

#endif
