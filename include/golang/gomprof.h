/* gomprof.h - the profiles a Go runtime keeps of itself, read from
 * outside: the allocation records behind the heap and allocs profiles
 * (runtime.mbuckets), and the blocking and mutex contention records
 * (runtime.bbuckets, runtime.xbuckets).
 *
 * Every offset and size comes from the program's DWARF.  The memory
 * records are taken as runtime.MemProfile would return them at that
 * moment, without its writes: the published cycle plus the pending one
 * of mProfCycle, and before the first GC every future cycle.  Bucket
 * memory is copied in large chunks; a read that races the GC publishing
 * a cycle (mProfCycle changed, a profile lock held, or a record that
 * reads differently a moment later) is taken again.  Nothing is written into
 * the target and no thread is stopped.
 */
#ifndef PTPROF_GOMPROF_H
#define PTPROF_GOMPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <elfutils/libdw.h>
#include <libelf.h>

#include "golang/godwarf.h"

enum go_prof_kind { GO_PROF_MEM, GO_PROF_BLOCK, GO_PROF_MUTEX };

/* Where a scalar lives (ELF vaddr) and its size; size 0: absent. */
struct go_scalar {
	uint64_t addr;
	uint32_t size;
};

struct go_prof_layout {
	struct go_scalar mbuckets, bbuckets, xbuckets; /* list heads */
	struct go_scalar cycle;   /* mProfCycle.value: cycle << 1 | flushed */
	struct go_scalar mem_rate, mem_disabled;       /* MemProfileRate, disableMemoryProfiling */
	struct go_scalar block_rate, mutex_rate;       /* blockprofilerate, mutexprofilerate */
	struct go_scalar ticks;   /* cycles per second, 0 until the runtime measured it */
	struct go_scalar lock_active, lock_future[3], lock_block; /* runtime.mutex.key */
	uint64_t lock_held_mask;  /* key & mask != 0: held (set by the caller: 1 from
				     Go 1.24, whose key keeps other bits; else all) */
	/* runtime.bucket, then nstk PCs, then the record */
	uint32_t bucket_size;
	struct go_field b_allnext, b_typ, b_nstk;
	/* memRecord { active memRecordCycle; future [3]memRecordCycle } */
	uint32_t mem_size, active_off, future_off, cyc_size;
	struct go_field c_allocs, c_frees, c_alloc_bytes, c_free_bytes;
	/* blockRecord { count float64; cycles int64 } */
	uint32_t block_size;
	struct go_field br_count, br_cycles;
	struct go_scalar ngsys;   /* sched.ngsys: runtime goroutines (watch) */
};

/* 0, or -1 with *missing naming the first required item absent. */
int go_prof_layout_read(Dwarf *dw, struct go_prof_layout *L, const char **missing);

/* Without DWARF: the variables from the symbol table and the records'
 * layout Go 1.19 to 1.25 share (read in each release's sources), for a
 * 64-bit little-endian build of one of those versions.  0, or -1 with
 * *missing naming what is absent (a symbol, or a supported version). */
int go_prof_layout_builtin(Elf *elf, int major, int minor, struct go_prof_layout *L,
			   const char **missing);

/* Deepest stack a bucket may hold (Go 1.23's maxProfStackDepth). */
#define GO_PROF_MAX_STACK 1024

struct go_prof_record {
	uint64_t bucket;          /* its address */
	size_t stk;               /* first PC in go_prof_data.pcs */
	uint32_t nstk;
	/* GO_PROF_MEM: as runtime.MemProfile gives them */
	int64_t allocs, frees, alloc_bytes, free_bytes;
	/* GO_PROF_BLOCK, GO_PROF_MUTEX: the raw record */
	double count;
	int64_t cycles;
};

struct go_prof_data {
	enum go_prof_kind kind;
	struct go_prof_record *r; /* list order (newest bucket first) */
	size_t n;
	uint64_t *pcs;            /* return PCs, innermost first */
	size_t npcs;
	int64_t rate;             /* MemProfileRate, blockprofilerate (ticks) or
				     mutexprofilerate */
	bool disabled;            /* the linker disabled memory profiling */
	int64_t cycles_per_second; /* the runtime's, 0 when never measured */
	uint32_t cycle;           /* mProfCycle's cycle */
	bool before_first_gc;     /* every future cycle was summed */
	unsigned tries;           /* walks until a consistent one */
	bool settled;             /* false: it changed under every walk */
	uint64_t bytes;           /* bucket memory copied */
};

/* Read one kind of records.  bias: the executable's load bias.  0, or -1
 * with why (the process vanished, memory unreadable, a corrupt list). */
int go_prof_read(pid_t pid, const struct go_prof_layout *L, uint64_t bias,
		 enum go_prof_kind kind, struct go_prof_data *out, char *why, size_t whylen);
void go_prof_data_free(struct go_prof_data *d);

/* One scalar of the target, zero-extended (a float's raw bits). */
bool go_scalar_read(pid_t pid, const struct go_scalar *s, uint64_t bias, uint64_t *v);

#endif
