/* memread.h - reading the target's memory, never writing it.
 *
 * Every read of a live process's memory outside a stack capture goes
 * through here: one process_vm_readv per call, with as many pieces as
 * the kernel takes in one call (IOV_MAX) and more calls only beyond that.
 * Nothing in ptprof writes into a target (no PTRACE_POKE*, no
 * process_vm_writev); a test greps the sources for it.
 */
#ifndef PTPROF_MEMREAD_H
#define PTPROF_MEMREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* True when all n bytes at addr were read into out. */
bool mem_read(pid_t pid, uint64_t addr, void *out, size_t n);
bool mem_read_u64(pid_t pid, uint64_t addr, uint64_t *out);
/* As much of the n bytes at addr as can be read from the start: the
 * count (0 when the first byte cannot be). */
size_t mem_read_prefix(pid_t pid, uint64_t addr, void *out, size_t n);

/* One piece of a batched read. */
struct mem_piece {
	uint64_t addr;
	void *out;
	size_t len;
	bool ok;                  /* set by mem_readv: the whole piece was read */
};
/* Read every piece, in as few system calls as the kernel allows.  A piece
 * that cannot be read (unmapped) does not stop the others.  Returns the
 * number of pieces read whole. */
size_t mem_readv(pid_t pid, struct mem_piece *p, size_t n);

/* System calls issued so far (for -v and the benchmark's counts). */
uint64_t mem_read_calls(void);

#endif
