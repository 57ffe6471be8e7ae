/* symbolize.h - addresses to functions, files and lines with libdw.
 *
 * The resolver behind a symcache: function names (demangled), inlined
 * frames expanded from DWARF scopes, file:line from the line table, and
 * module+offset when nothing better is known; code in no module (compiled
 * at run time) by the target's perf map.  Never fails: an address
 * with no information still gets one frame with a NULL function.
 */
#ifndef PTPROF_SYMBOLIZE_H
#define PTPROF_SYMBOLIZE_H

#include <stdbool.h>

#include "stack/modules.h"
#include "stack/perfmap.h"
#include "stack/symcache.h"
#include "stack/symshare.h"

struct symbolizer {
	struct modules *ms;
	struct perfmap *jit;      /* names code in no module; may be NULL */
	bool inlines;             /* expand inlined frames */
	bool lines;               /* file:line wanted */
	/* Symbols of files other processes map too (NULL: none shared).
	 * Every symbolizer sharing one must want the same inlines and lines. */
	struct symshare *share;
	/* With share: this process's modules outlive every use of the share,
	 * so other processes may resolve through them (symshare_lend). */
	bool lend;
	/* Never ask a debuginfod server (stack/debuginfod.h): set by users
	 * that symbolize while a target thread may be stopped. */
	bool offline;
};

/* symcache_resolve_fn; ctx is a struct symbolizer. */
void symbolize_resolve(void *ctx, uint64_t addr, bool is_return, struct symbol *sym);

#endif
