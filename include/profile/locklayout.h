/* locklayout.h - where glibc keeps a lock's owner, in the target's glibc.
 *
 * From the libc's own debug info when it is there (Debian's libc6-dbg,
 * a --debug-dir, or debuginfod): the offsets of the members of struct
 * __pthread_mutex_s, struct __pthread_rwlock_arch_t and struct
 * __pthread_cond_s, read from the compilation unit of the glibc function
 * the thread waits in.  Else the built-in x86_64 layout, but only when the
 * libc says it is glibc 2.25 or later (its "GNU C Library ... release
 * version 2.NN" banner, the string gnu_get_libc_version returns); else
 * none, and the lock is unknown.  Read once per libc build id.
 */
#ifndef PTPROF_LOCKLAYOUT_H
#define PTPROF_LOCKLAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stack/modules.h"

enum layout_source { LAYOUT_UNKNOWN = 0, LAYOUT_DWARF, LAYOUT_BUILTIN };
enum ll_kind { LL_MUTEX, LL_RWLOCK, LL_COND, LL_KINDS };

/* Byte offsets in the lock objects; -1 where not known. */
struct lock_layout {
	enum layout_source source;
	int glibc_minor;          /* LAYOUT_BUILTIN: the 2.NN it was checked against */
	int mutex_owner, mutex_kind;
	int rw_wrphase, rw_writers, rw_cur_writer;
	int cond_signals;
};

/* The layout of the kind of lock a thread waits on in the glibc of module
 * m, whose functions on the thread's stack are at pcs (innermost first;
 * the structure is looked for in their compilation units).  True with
 * *out filled for that kind; false when it is unknown. */
bool lock_layout_of(struct module *m, const uint64_t *pcs, size_t npcs, enum ll_kind kind,
		    struct lock_layout *out);

/* The glibc release in a libc's bytes: the banner "GNU C Library ...
 * release version 2.NN" (or "version 2.NN"), bounded by n.  True with
 * *major and *minor set; false when there is none. */
bool glibc_version_in(const unsigned char *image, size_t n, int *major, int *minor);

/* The layout glibc 2.major.minor (from glibc_version_in; have false when
 * none was found) allows without debug info: the built-in one from 2.25
 * on, else unknown. */
void lock_layout_builtin(bool have, int major, int minor, struct lock_layout *out);

#endif
