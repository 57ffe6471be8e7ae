/* mapgroup.h - the target's mappings grouped into runs of one file at one bias.
 *
 * /proc/PID/maps may show one file several times: its segments side by
 * side where the loader put them, a piece of it again elsewhere (Node's
 * remapped V8 builtins), a whole second copy (dlmopen into another
 * namespace), its text moved to anonymous huge pages between its other
 * segments.  A run is an address range in which one file is mapped with
 * one bias (runtime address - ELF vaddr).  Whatever the input (repeated,
 * overlapping or unsorted entries, absurd offsets), the runs come out
 * sorted and never overlap; only runs holding executable code are kept.
 *
 * The ELF program headers come from a callback, asked at most once per
 * distinct file (same path, device and inode) that may hold code, so
 * this step can be tested without files.
 */
#ifndef PTPROF_MAPGROUP_H
#define PTPROF_MAPGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/procfs.h"

/* One PT_LOAD program header. */
struct seg_load {
	uint64_t vaddr, memsz;
	uint64_t offset, filesz;
};

/* Fill *loads (malloc'ed, taken over by the grouping) with the file's
 * PT_LOAD headers; false when the file cannot be used.  file is the
 * file's index in map_groups.files. */
typedef bool (*mapgroup_load_fn)(void *ctx, size_t file, const struct map_entry *first,
				 struct seg_load **loads, size_t *nloads);

struct map_file {
	const struct map_entry *first; /* its first mapping, in maps order */
	struct seg_load *loads;   /* NULL when never loaded or unusable */
	size_t nloads;
	uint64_t span_lo, span_hi; /* ELF vaddrs its PT_LOADs cover */
	size_t home;              /* index of the run to report it by (lowest
				     file offset, then lowest address);
				     SIZE_MAX when it has no run */
};

struct map_run {
	size_t file;              /* index into files */
	uint64_t start, end;      /* [start, end) */
	uint64_t offset;          /* file offset at start */
	uint64_t bias;            /* runtime address - ELF vaddr */
};

struct map_groups {
	struct map_file *files;
	size_t nfiles;
	struct map_run *runs;     /* sorted by start, disjoint */
	size_t nruns;
};

void mapgroup_build(const struct maps *maps, mapgroup_load_fn load, void *ctx,
		    struct map_groups *out);
void mapgroup_free(struct map_groups *g);

#endif
