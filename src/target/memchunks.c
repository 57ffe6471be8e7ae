/* memchunks.c - aligned chunks of the target's memory, each copied once. */
#include <stdlib.h>
#include <string.h>

#include "target/memchunks.h"
#include "target/memread.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

struct chunk {
	unsigned char *data;
	size_t valid;             /* bytes read from the chunk's start */
};

/* Chunk buffers are carved from 2 MiB arenas made for the kernel to copy
 * into (xcopybuf). */
#define ARENA (2u << 20)

struct memchunks {
	pid_t pid;
	size_t size;
	unsigned char **arenas;
	size_t narenas, arenas_cap, arena_used;
	struct u64map index;      /* chunk base -> position in c[] + 1 */
	struct chunk *c;
	size_t n, cap;
	unsigned char *scratch;   /* joined or separately read structures */
	size_t scratch_cap;
	uint64_t bytes;
};

struct memchunks *memchunks_new(pid_t pid, size_t chunk)
{
	struct memchunks *mc = xcalloc(1, sizeof(*mc));
	mc->pid = pid;
	mc->size = chunk <= ARENA ? chunk : ARENA;   /* carved from one arena */
	return mc;
}

void memchunks_free(struct memchunks *mc)
{
	if (!mc)
		return;
	for (size_t i = 0; i < mc->narenas; i++)
		free(mc->arenas[i]);
	free(mc->arenas);
	free(mc->c);
	free(mc->scratch);
	u64map_free(&mc->index);
	free(mc);
}

uint64_t memchunks_bytes(const struct memchunks *mc)
{
	return mc->bytes;
}

static unsigned char *chunk_buffer(struct memchunks *mc)
{
	if (!mc->narenas || mc->arena_used + mc->size > ARENA) {
		XGROW(mc->arenas, mc->arenas_cap, mc->narenas + 1);
		unsigned char *a = xcopybuf(ARENA);
		mc->arenas[mc->narenas++] = a;
		mc->arena_used = 0;
	}
	unsigned char *b = mc->arenas[mc->narenas - 1] + mc->arena_used;
	mc->arena_used += mc->size;
	return b;
}

/* The chunk starting at base, read on first use. */
static struct chunk *chunk_at(struct memchunks *mc, uint64_t base)
{
	uint64_t pos;
	if (u64map_get(&mc->index, base, &pos))
		return &mc->c[pos - 1];
	XGROW(mc->c, mc->cap, mc->n + 1);
	struct chunk *c = &mc->c[mc->n++];
	c->data = chunk_buffer(mc);
	/* The kernel copies up to the first unreadable byte, so a chunk that
	 * runs past its mapping keeps the part before. */
	c->valid = mem_read_prefix(mc->pid, base, c->data, mc->size);
	mc->bytes += c->valid;
	u64map_put(&mc->index, base, mc->n);
	return c;
}

static unsigned char *scratch(struct memchunks *mc, size_t n)
{
	if (n > mc->scratch_cap) {
		mc->scratch = xrealloc(mc->scratch, n);
		mc->scratch_cap = n;
	}
	return mc->scratch;
}

const void *memchunks_get(struct memchunks *mc, uint64_t addr, size_t n)
{
	if (n == 0 || n > mc->size || addr + n < addr)
		return NULL;
	uint64_t mask = (uint64_t)mc->size - 1;
	uint64_t base = addr & ~mask;
	size_t off = (size_t)(addr - base);
	struct chunk *c = chunk_at(mc, base);

	if (off + n <= c->valid)
		return c->data + off;
	if (c->valid == mc->size && off + n > mc->size) {
		/* Across the end of a whole chunk: join it with the next. */
		size_t ci = (size_t)(c - mc->c);   /* chunk_at may move c[] */
		struct chunk *d = chunk_at(mc, base + mc->size);
		size_t first = mc->size - off;
		c = &mc->c[ci];
		if (n - first <= d->valid) {
			unsigned char *s = scratch(mc, n);
			memcpy(s, c->data + off, first);
			memcpy(s + first, d->data, n - first);
			return s;
		}
	}
	unsigned char *s = scratch(mc, n);
	return mem_read(mc->pid, addr, s, n) ? s : NULL;
}
