/* perfmap.h - names of JIT-compiled code, from the target's perf map.
 *
 * Runtimes that compile code while they run (V8 with --perf-basic-prof,
 * the JVM after `jcmd PID Compiler.perfmap`, .NET with
 * DOTNET_PerfMapEnabled=1, Python 3.12 with -X perf) append one line per
 * piece of code to /tmp/perf-PID.map: "START SIZE NAME", START and SIZE in
 * hex with or without 0x, NAME to the end of the line.  This module reads
 * that file (the target's, through /proc/PID/root, under the pid the
 * target has in its own pid namespace) and says which name covers an
 * address; of two entries covering it, the later line wins.  The file is
 * an append-only log: what was added since is read at a lookup, at most
 * every PERFMAP_POLL_MS.  Bounded on any input: at most PERFMAP_MAX_BYTES
 * of the file, lines of at most PERFMAP_MAX_LINE bytes, PERFMAP_MAX_ENTRIES
 * entries, code pieces of at most PERFMAP_MAX_SIZE bytes; a malformed line
 * is skipped and the rest still read.  Names are stored with control
 * characters replaced by '?'.
 */
#ifndef PTPROF_PERFMAP_H
#define PTPROF_PERFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stack/symcache.h"
#include "target/procfs.h"

#define PERFMAP_MAX_BYTES (256ULL << 20)
#define PERFMAP_MAX_LINE 16384
#define PERFMAP_MAX_ENTRIES (1U << 20)
#define PERFMAP_MAX_SIZE (256ULL << 20)
#define PERFMAP_POLL_MS 200

struct perfmap_entry {
	uint64_t start, end;      /* [start, end) */
	const char *name;
};

struct perfmap;

/* The perf map of process pid.  Never NULL: without a file yet (a JVM
 * writes one when asked), the file is looked for again at later lookups.
 * maps (may be NULL) tells a JVM, which is then hinted at once per run
 * how to get a perf map. */
struct perfmap *perfmap_open(pid_t pid, const struct maps *maps);
/* The same for a file at path (any owner), or fed by hand (path NULL). */
struct perfmap *perfmap_open_file(const char *path);
void perfmap_free(struct perfmap *pm);

/* Parse the complete lines of text (those ending in '\n'); returns the
 * bytes consumed: an unfinished last line is left for later. */
size_t perfmap_feed(struct perfmap *pm, const char *text, size_t len);
/* Read what the file gained since the last read, now. */
void perfmap_read_new(struct perfmap *pm);
/* The same, at most every PERFMAP_POLL_MS (for a sampling loop). */
void perfmap_poll(struct perfmap *pm);

/* The entry covering addr, or NULL.  Valid until the next call. */
const struct perfmap_entry *perfmap_lookup(struct perfmap *pm, uint64_t addr);
/* Entries kept, and lines rejected as malformed. */
size_t perfmap_count(const struct perfmap *pm);
size_t perfmap_rejected(const struct perfmap *pm);
/* What a frame named from the map shows as its module: "jit", with jit
 * set; its range grows over the entries looked up. */
const struct sym_module *perfmap_module(struct perfmap *pm);

/* One line without its '\n': true with *start, *size and the name (not
 * NUL-terminated) when well-formed. */
bool perfmap_parse_line(const char *line, size_t len, uint64_t *start, uint64_t *size,
			const char **name, size_t *name_len);

#endif
