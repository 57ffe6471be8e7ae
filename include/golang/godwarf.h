/* godwarf.h - the Go runtime's structures, as the target's DWARF says.
 *
 * No offset is built in: the layout of runtime.g, runtime.m and
 * runtime.gobuf, the addresses of runtime.allgs, allglen, allm and
 * waitReasonStrings, and the _G* status constants are read from the
 * program's own DWARF, so any Go version whose DWARF has them works
 * (1.19 to 1.23).  A member whose type is a struct wrapping one scalar
 * (atomic.Uint32 and friends, 1.20+) is read through its `value`
 * member.  Go's DWARF quirks are handled here: globals are located by
 * DW_FORM_block1 expressions (DW_OP_addr decoded by hand), and there is
 * no .debug_aranges, so go_cutab maps code addresses to compilation
 * units from each unit's own ranges.
 *
 * Addresses are ELF virtual addresses (add the module bias for the
 * running process).
 */
#ifndef PTPROF_GODWARF_H
#define PTPROF_GODWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>

/* A member: offset from the start of its outermost struct, and size. */
struct go_field {
	uint32_t off;
	uint32_t size;            /* 0: absent from this version's runtime */
};

struct go_layout {
	/* runtime.g */
	uint32_t g_size;
	struct go_field g_stack_lo, g_stack_hi;      /* stack.lo, stack.hi */
	struct go_field g_m;
	struct go_field g_sched_sp, g_sched_pc, g_sched_bp; /* sched.sp, .pc, .bp */
	struct go_field g_syscallsp, g_syscallpc;
	struct go_field g_atomicstatus;
	struct go_field g_goid;
	struct go_field g_waitsince, g_waitreason;
	struct go_field g_parent_goid;               /* 1.21+; size 0 before */
	struct go_field g_gopc, g_startpc;
	struct go_field g_lockedm;
	/* runtime.m */
	uint32_t m_size;
	struct go_field m_g0, m_curg, m_procid, m_alllink;
	/* variables (ELF vaddrs) */
	uint64_t allgs;           /* []*g: data pointer, then length */
	uint64_t allglen;         /* uintptr */
	uint64_t allm;            /* *m */
	uint64_t wait_reason_strings; /* [N]string */
	uint32_t wait_reason_count;   /* N */
	/* status constants: runtime._Gidle ... (-1 when absent) */
	int64_t g_idle, g_runnable, g_running, g_syscall, g_waiting, g_dead,
		g_copystack, g_preempted, g_scan;
};

/* 0, or -1 with *missing naming the first required type, member,
 * variable or constant that is not there (for the user: "runtime.g.goid",
 * "variable runtime.allgs"). */
int go_layout_read(Dwarf *dw, struct go_layout *out, const char **missing);

/* Any other runtime item, asked for by name and found in one pass over
 * the units: a struct type ("runtime.bucket") or a variable
 * ("runtime.mbuckets", whose type is then described). */
struct go_dwarf_want {
	const char *name;
	bool is_type;             /* a struct type; else a variable */
	/* filled by go_dwarf_find */
	bool found;
	uint64_t addr;            /* a variable's ELF vaddr */
	uint64_t size;            /* the type's (the variable's type's) size */
	Dwarf_Die type;           /* the type, through typedefs */
};
void go_dwarf_find(Dwarf *dw, struct go_dwarf_want *w, size_t n);
/* A member of a found item by dotted path ("active.alloc_bytes"; "" for
 * the item itself).  scalar: only a value of 1 to 8 bytes, read through
 * a one-`value` wrapper struct (atomic.Uint32 and kin); else any member
 * (an array, a struct).  False when absent. */
bool go_dwarf_member(const struct go_dwarf_want *w, const char *path, bool scalar,
		     struct go_field *f);

/* The address of a top-level variable (DW_OP_addr location), or 0. */
uint64_t go_var_addr(Dwarf *dw, const char *name);

/* Code address -> compilation unit, for DWARF without .debug_aranges. */
struct go_cutab;
struct go_cutab *go_cutab_build(Dwarf *dw);
void go_cutab_free(struct go_cutab *t);
/* The unit whose ranges contain vaddr. */
bool go_cutab_find(const struct go_cutab *t, uint64_t vaddr, Dwarf_Die *cu);

#endif
