/* memchunks.h - reading a region of the target's memory in large pieces.
 *
 * For walking many small structures that sit close together (the Go
 * runtime's profile buckets): the memory is copied in aligned chunks,
 * each once, and structures are then read from the copies.  A structure
 * across two chunks is joined; one in memory that cannot be copied whole
 * in a chunk (the chunk runs past a mapping) is read on its own.  Never
 * a write; the copies are as of the moment each chunk was read.
 */
#ifndef PTPROF_MEMCHUNKS_H
#define PTPROF_MEMCHUNKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct memchunks;

/* chunk: bytes per chunk, a power of two up to 2 MiB (256 KiB is a good
 * size). */
struct memchunks *memchunks_new(pid_t pid, size_t chunk);
void memchunks_free(struct memchunks *mc);
/* n bytes at addr, or NULL when they cannot be read.  The pointer is
 * valid until the next call. */
const void *memchunks_get(struct memchunks *mc, uint64_t addr, size_t n);
/* Bytes copied so far (the chunks' total). */
uint64_t memchunks_bytes(const struct memchunks *mc);

#endif
