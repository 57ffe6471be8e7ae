/* prefetch.h - debug information loaded in a second thread while the
 * capture runs.
 *
 * A dump spends most of its time, after the capture, reading debug
 * information: libc's separate debug file alone has tens of MB of
 * compressed sections to inflate.  None of it depends on the capture, so
 * a second thread loads it meanwhile for the modules the capture points
 * at (the code a thread sleeps in, the program itself): DWARF, its
 * address ranges, the symbol table - what symbolizing asks libdw for
 * first.  It runs at SCHED_IDLE, on CPU time nothing else wants, so it
 * never delays the target's threads or the capture.
 *
 * Between prefetch_start and prefetch_finish only the prefetch thread may
 * call into libdw for these modules; modules_find is safe meanwhile.
 * prefetch_finish waits for the module being loaded and skips the rest.
 */
#ifndef PTPROF_PREFETCH_H
#define PTPROF_PREFETCH_H

#include "stack/modules.h"

struct prefetch;

/* NULL when no thread could be started: then nothing is loaded ahead. */
struct prefetch *prefetch_start(void);
/* Queue m's file (each file once).  p may be NULL. */
void prefetch_add(struct prefetch *p, struct module *m);
/* Stop taking modules, wait for the one being loaded; frees p (may be
 * NULL).  Returns how many were loaded. */
size_t prefetch_finish(struct prefetch *p);

#endif
