/* ustep.h - one frame up without libunwind, for code .eh_frame does not
 * describe (Go, and other files that carry only .debug_frame).
 *
 * Three ways, best first: the .debug_frame call-frame information through
 * libdw; the Go function table's stack-pointer deltas (for Go binaries
 * built with -ldflags="-s -w", which have no .debug_frame); the frame
 * pointer chain.  Each takes the registers of one frame and gives the
 * caller's, reading stack words through a callback (the stack copy);
 * nothing here touches the target.
 */
#ifndef PTPROF_USTEP_H
#define PTPROF_USTEP_H

#include <stdbool.h>
#include <stdint.h>

#include <elfutils/libdw.h>

#include "golang/gopclntab.h"

/* The registers a frame-pointer or CFA-based step needs. */
struct uregs {
	uint64_t ip, sp, bp;
};

/* Every register CFI names on x86_64, by DWARF number (rax, rdx, rcx,
 * rbx, rsi, rdi, rbp, rsp, r8-r15, then the return address), and which
 * of them are known. */
enum { UREG_RBP = 6, UREG_RSP = 7, UREG_RA = 16, UREG_N = 17 };
struct uregfile {
	uint64_t v[UREG_N];
	uint32_t known;           /* bit n: v[n] holds the register's value */
};

typedef bool (*ustep_read_fn)(void *arg, uint64_t addr, uint64_t *val);

enum ustep {
	USTEP_OK,                 /* *r now holds the caller's registers */
	USTEP_NO_INFO,            /* nothing describes this pc: try another way */
	USTEP_MEM,                /* a stack word could not be read */
	USTEP_NEED_REG,           /* a rule needs a register rf does not know */
};

/* look: the address to look up (ip, or ip - 1 for a return address);
 * bias: runtime address minus the file's addresses.  go_frame: the code
 * is Go's, whose .debug_frame has no rule for the frame pointer although
 * every Go function with a frame saves it just below the return address. */
enum ustep ustep_cfi(Dwarf_CFI *cfi, uint64_t bias, uint64_t look, bool go_frame,
		     struct uregs *r, ustep_read_fn rd, void *arg);
/* The same through any CFI (.eh_frame too), for every register: *rf
 * becomes the caller's (RA = 0 in the outermost frame), a register
 * whose rule cannot be followed unknown.  Signal frames, and expressions
 * beyond register plus constant, are NO_INFO: for libunwind. */
enum ustep ustep_cfi_all(Dwarf_CFI *cfi, uint64_t bias, uint64_t look, struct uregfile *rf,
			 ustep_read_fn rd, void *arg);
/* f: the Go function containing look. */
enum ustep ustep_gopcln(const struct gopcln *t, const struct gopcln_func *f, uint64_t bias,
			uint64_t look, struct uregs *r, ustep_read_fn rd, void *arg);
enum ustep ustep_fp(struct uregs *r, ustep_read_fn rd, void *arg);

#endif
