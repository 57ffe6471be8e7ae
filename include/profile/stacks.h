/* stacks.h - a profile as stacks of named frames.
 *
 * The common ground of every picture and table: a recording (once
 * symbolized) and a pprof file read back both become a struct stacks, and
 * the flame graph, speedscope, folded and top-functions writers only read
 * it.  Frames are interned: equal (function, module, file, line, inlined)
 * share one index.  Stacks are stored root first.
 */
#ifndef PTPROF_STACKS_H
#define PTPROF_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/hashmap.h"

/* Where a frame's code lives: flame graphs colour by it. */
enum frame_kind {
	FK_MAIN,                  /* the main executable */
	FK_SHARED,                /* a shared library (or the vdso) */
	FK_OTHER,                 /* JIT or unknown */
	FK_KERNEL,                /* the kernel: a system call */
};

struct sframe {
	const char *func;         /* never NULL: "??" or "module+0x..." when unknown */
	const char *module;       /* basename; "" when unknown */
	const char *file;         /* "" when unknown */
	int line;                 /* 0 when unknown */
	enum frame_kind kind;
	bool inlined;             /* inlined into the frame below it */
};

#define STACKS_NO_THREAD UINT32_MAX

struct ssample {
	uint32_t *frames;         /* indices into stacks.frames, root first */
	uint32_t n;
	uint64_t value;
	uint32_t thread;          /* index into stacks.threads, or STACKS_NO_THREAD */
};

struct sthread {
	const char *name;
	int64_t tid;              /* 0 when unknown */
};

struct stacks {
	struct sframe *frames;
	size_t nframes, frames_cap;
	struct ssample *samples;
	size_t nsamples, samples_cap;
	struct sthread *threads;
	size_t nthreads, threads_cap;
	uint64_t total;           /* sum of every sample's value */
	const char *unit;         /* what a value counts: "samples", "nanoseconds" */
	uint64_t ns_per_unit;     /* 0 when values are not time (speedscope) */
	const char *title;        /* one line saying what was profiled */
	/* private */
	struct strtab strs;       /* storage of every string above */
	struct strtab frame_keys; /* frame identity -> index */
	struct u64map thread_index; /* tid -> index + name check */
};

/* Intern a string into s's storage (the pointer lives as long as s). */
const char *stacks_str(struct stacks *s, const char *str);
uint32_t stacks_frame(struct stacks *s, const char *func, const char *module, const char *file,
		      int line, enum frame_kind kind, bool inlined);
/* A thread, found by tid when tid != 0, else by name. */
uint32_t stacks_thread(struct stacks *s, const char *name, int64_t tid);
/* Add a stack (root first; copied).  Values of equal stacks are not
 * merged here: writers merge as they draw. */
void stacks_add(struct stacks *s, const uint32_t *frames, size_t n, uint64_t value,
		uint32_t thread);
void stacks_free(struct stacks *s);

/* Per-function totals, for the top tables of report and top. */
struct func_share {
	const char *func;
	const char *module;
	uint64_t flat;            /* value with the function as the leaf */
	uint64_t cum;             /* value with the function anywhere on the stack */
};
/* Every function with its flat and cumulative value, sorted by flat
 * (then cum, then name) descending; *n gets the count.  Free the array. */
struct func_share *stacks_top(const struct stacks *s, size_t *n);
/* "  flat  flat%   cum   cum%  function [module]" rows, at most limit
 * (0: all). */
void stacks_print_top(FILE *f, const struct stacks *s, size_t limit);

/* "root;...;leaf value" lines (folded stacks, flamegraph.pl input), equal
 * stacks merged; with threads, a "name/tid" root frame per thread. */
void stacks_print_folded(FILE *f, const struct stacks *s, bool threads);

#endif
