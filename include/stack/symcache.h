/* symcache.h - each unique address symbolized once.
 *
 * A map from a code address to its symbolized frames (more than one when
 * inlined calls are expanded).  Resolution is delegated to a callback so
 * the cache can be tested without libdw; the cache promises to call it at
 * most once per distinct (address, is_return_address) key.
 */
#ifndef PTPROF_SYMCACHE_H
#define PTPROF_SYMCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One source-level frame.  A machine frame expands to one or more of
 * these, innermost first; all but the last are marked inlined. */
struct sym_frame {
	char *function;           /* demangled; NULL if unknown */
	char *file;               /* NULL if unknown */
	int line;                 /* 0 if unknown */
	bool inlined;
};

/* The mapped file a symbol lives in; owned by whoever resolves. */
struct sym_module {
	const char *name;         /* basename for display: "libc.so.6" */
	const char *path;         /* path as in /proc/PID/maps */
	const char *build_id;     /* lowercase hex, "" if none */
	uint64_t start, limit;    /* mapped address range */
	uint64_t file_offset;     /* file offset of start */
	bool main;                /* the executable itself */
	bool jit;                 /* code compiled at run time, named by a perf map */
	bool kernel;              /* the kernel (a system call's frame) */
};

struct symbol {
	uint64_t addr;            /* the address as sampled */
	const struct sym_module *module; /* NULL if in no module */
	uint64_t module_offset;   /* addr relative to the module's ELF vaddrs */
	uint64_t entry;           /* entry of the (outermost) function, 0 if unknown */
	size_t nframes;
	struct sym_frame *frames; /* innermost first */
};

/* Fill *sym for addr; is_return is true when addr is a return address
 * (look up addr - 1).  Called once per key. */
typedef void (*symcache_resolve_fn)(void *ctx, uint64_t addr, bool is_return,
				    struct symbol *sym);

struct symcache;

struct symcache *symcache_new(symcache_resolve_fn fn, void *ctx);
void symcache_free(struct symcache *sc);
/* The symbol for addr, resolved on first use.  Valid until symcache_free. */
const struct symbol *symcache_get(struct symcache *sc, uint64_t addr, bool is_return);
size_t symcache_size(const struct symcache *sc);

/* Release the strings of a symbol filled by a resolver. */
void symbol_clear(struct symbol *sym);

#endif
