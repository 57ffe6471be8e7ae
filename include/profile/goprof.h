/* goprof.h - a Go program's heap, allocs, mutex or block profile, as
 * its own runtime/pprof would write it at this moment.
 *
 * The runtime's records (golang/gomprof) become samples by
 * runtime/pprof's rules for the program's Go version: heap values
 * unsampled with scaleHeapSample at the program's MemProfileRate, the
 * runtime's own frames at the top of a heap stack hidden, block and
 * mutex cycles turned into nanoseconds at the runtime's measured clock
 * rate (or ours when it never measured it), and mutex values scaled by
 * the sampling fraction where runtime/pprof does it.  Stacks stay
 * program counters (return addresses), one per location runtime/pprof
 * would write (the logical PCs of one physical frame's inlined calls
 * joined into the first, runtime.goexit left out): the writers symbolize
 * them with every inlined frame expanded.
 */
#ifndef PTPROF_GOPROF_H
#define PTPROF_GOPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "golang/gobuild.h"
#include "golang/gomprof.h"
#include "stack/modules.h"
#include "util/hashmap.h"

enum goprof_kind { GOPROF_HEAP, GOPROF_ALLOCS, GOPROF_MUTEX, GOPROF_BLOCK };

/* "heap", "allocs", "mutex", "block" */
const char *goprof_kind_name(enum goprof_kind k);

struct pc_info {
	const char *func;         /* innermost function; NULL outside Go code */
	bool inlined;
	uint64_t entry;           /* of the function holding the code */
};

/* A program's profile sources, found once (DWARF read once). */
struct goprof_src {
	pid_t pid;
	struct modules *ms;
	struct module *main;
	uint64_t bias;
	struct go_prof_layout L;
	const struct go_layout *G; /* for counting goroutines; NULL if unreadable */
	bool G_tried;
	/* private: what Go's function table says of each address seen */
	struct u64map pc_index;
	struct pc_info *pcs;
	size_t npcs, pcs_cap;
};

enum goprof_result {
	GOPROF_OK,
	GOPROF_NOT_GO,            /* not a Go program */
	GOPROF_UNAVAILABLE,       /* Go, but this profile cannot be read: why */
};

/* ms: the process's modules.  why: a line naming the cause and the fix.
 * goprof_close releases what the reads cached (after any result). */
enum goprof_result goprof_open(struct goprof_src *src, pid_t pid, struct modules *ms,
			       char *why, size_t whylen);
void goprof_close(struct goprof_src *src);

#define GOPROF_MAX_TYPES 4

struct goprof_sample {
	size_t pc;                /* first PC in goprof.pcs */
	uint32_t n;               /* PCs, innermost first, runtime frames trimmed */
	int64_t v[GOPROF_MAX_TYPES];
	int64_t bytes;            /* heap: the "bytes" label (object size), 0 none */
};

struct goprof {
	enum goprof_kind kind;
	struct go_build build;
	const char *types[GOPROF_MAX_TYPES], *units[GOPROF_MAX_TYPES];
	size_t ntypes;
	size_t default_type;      /* index of the type shown by default */
	bool set_default;         /* write default_sample_type (allocs, as Go does) */
	const char *period_type, *period_unit;
	int64_t period;
	struct goprof_sample *s;
	size_t n;
	uint64_t *pcs;            /* the samples' PCs */
	size_t npcs;
	int64_t total[GOPROF_MAX_TYPES];
	struct go_prof_data data; /* the records read */
	int64_t time_ns;          /* when it was read (CLOCK_REALTIME) */
	uint64_t read_ns;         /* how long reading took */
	bool own_clock;           /* block/mutex: the runtime never measured its
				     clock rate; ours was used */
};

/* Read and build one profile.  0, or EXIT_FAILED-worthy -1 with why
 * (the cause and the fix: profiling off, the process gone...). */
int goprof_take(struct goprof_src *src, enum goprof_kind kind, struct goprof *out, char *why,
		size_t whylen);
void goprof_free(struct goprof *p);

/* Live user goroutines (as runtime.NumGoroutine counts), or -1. */
long goprof_goroutines(struct goprof_src *src);
/* Resident set size in bytes, or -1. */
int64_t goprof_rss(pid_t pid);

#endif
