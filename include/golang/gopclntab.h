/* gopclntab.h - the Go runtime's own function table, from the file.
 *
 * Every Go binary keeps .gopclntab, even when built with
 * -ldflags="-s -w" (no symbol table, no DWARF): it is what the runtime
 * itself uses for tracebacks.  It gives, for a code address: the
 * function (entry, end, fully qualified name, funcID and flags), the
 * stack-pointer delta (the frame size at that pc: enough to unwind
 * without .eh_frame or .debug_frame), file and line, and the inline tree
 * (the chain of inlined calls at the pc).  Formats of Go 1.18 to 1.23
 * (header magics 0xfffffff0 and 0xfffffff1) are read; anything else is
 * refused with a reason.
 *
 * Addresses are ELF virtual addresses of the file (unbiased); the table
 * is read from the mapped file image and never from the target.  Lookups
 * are bounds-checked against the section on every access: a truncated or
 * hostile file yields "not found", never a read outside it.
 */
#ifndef PTPROF_GOPCLNTAB_H
#define PTPROF_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libelf.h>

struct gopcln;

/* What the runtime marks a function as (runtime/symtab.go). */
struct gopcln_func {
	uint64_t entry, end;      /* [entry, end) */
	const char *name;         /* "main.(*server).handle"; points into the table */
	bool wrapper;             /* funcID_wrapper: elided from tracebacks */
	bool top;                 /* the outermost frame of a stack: funcFlag_TOPFRAME,
				     or goexit, mstart, rt0_go, mcall, morestack */
	bool systemstack;         /* runtime.systemstack: a switch of stacks */
	bool is_asm;              /* funcFlag_ASM (`asm` is a GNU C keyword) */
	uint32_t index;           /* position in the function table (internal) */
};

/* One source-level frame at an address, as Go's tracebacks show it. */
struct gopcln_frame {
	const char *function;     /* points into the table */
	const char *file;         /* points into the table; NULL if unknown */
	int line;                 /* 0 if unknown */
	bool inlined;             /* an inlined call (all but the outermost) */
	bool wrapper;             /* a wrapper Go's tracebacks leave out */
};

/* NULL with *why set when the file has no usable .gopclntab. */
struct gopcln *gopcln_open(Elf *elf, const char **why);
void gopcln_free(struct gopcln *t);

/* The function containing vaddr. */
bool gopcln_func(const struct gopcln *t, uint64_t vaddr, struct gopcln_func *out);
/* Bytes the function has pushed below its return address at vaddr (the
 * pcsp value): the return address is at SP + delta and the caller's SP
 * is SP + delta + 8.  False when the table has no value for vaddr. */
bool gopcln_spdelta(const struct gopcln *t, const struct gopcln_func *f, uint64_t vaddr,
		    int32_t *delta);
/* The frames at vaddr, innermost first (inlined calls, then the function
 * itself), at most max; returns how many were written.  Pass the address
 * to look up (a return address minus one).  0 when vaddr is in no
 * function. */
size_t gopcln_frames(const struct gopcln *t, uint64_t vaddr, struct gopcln_frame *out,
		     size_t max);
/* The address the inline tree is read from (moduledata.gofunc, the
 * go:func.* symbol), found in the program's data and checked against
 * the symbol table when there is one; 0 when it could not be found for
 * sure, and then gopcln_frames gives no inlined frames. */
uint64_t gopcln_gofunc(const struct gopcln *t);

#endif
