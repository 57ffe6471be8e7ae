/* symcache.c - each distinct (address, is_return) symbolized once.
 *
 * Open addressing with linear probing over a power-of-two table.  The
 * table holds pointers to heap-allocated symbols, so the pointers handed
 * out stay valid when the table grows; an empty slot has sym == NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "stack/symcache.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

struct slot {
	uint64_t addr;
	bool is_return;
	struct symbol *sym;
};

struct symcache {
	symcache_resolve_fn fn;
	void *ctx;
	struct slot *slots;
	size_t cap;               /* power of two */
	size_t count;
};

#define INITIAL_CAP 64

static uint64_t key_hash(uint64_t addr, bool is_return)
{
	return hash_u64(addr ^ (is_return ? 0x9e3779b97f4a7c15ULL : 0));
}

/* The slot holding the key, or the empty slot where it belongs. */
static struct slot *probe(struct slot *slots, size_t cap, uint64_t addr, bool is_return)
{
	size_t mask = cap - 1;
	size_t i = (size_t)key_hash(addr, is_return) & mask;

	for (;;) {
		struct slot *s = &slots[i];
		if (!s->sym || (s->addr == addr && s->is_return == is_return))
			return s;
		i = (i + 1) & mask;
	}
}

static void grow(struct symcache *sc)
{
	size_t ncap = sc->cap * 2;
	struct slot *ns = xcalloc(ncap, sizeof(*ns));

	for (size_t i = 0; i < sc->cap; i++) {
		struct slot *old = &sc->slots[i];
		if (old->sym)
			*probe(ns, ncap, old->addr, old->is_return) = *old;
	}
	free(sc->slots);
	sc->slots = ns;
	sc->cap = ncap;
}

struct symcache *symcache_new(symcache_resolve_fn fn, void *ctx)
{
	struct symcache *sc = xcalloc(1, sizeof(*sc));

	sc->fn = fn;
	sc->ctx = ctx;
	sc->cap = INITIAL_CAP;
	sc->slots = xcalloc(sc->cap, sizeof(*sc->slots));
	return sc;
}

void symcache_free(struct symcache *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->cap; i++) {
		if (sc->slots[i].sym) {
			symbol_clear(sc->slots[i].sym);
			free(sc->slots[i].sym);
		}
	}
	free(sc->slots);
	free(sc);
}

const struct symbol *symcache_get(struct symcache *sc, uint64_t addr, bool is_return)
{
	struct slot *s = probe(sc->slots, sc->cap, addr, is_return);
	struct symbol *sym;

	if (s->sym)
		return s->sym;

	sym = xcalloc(1, sizeof(*sym));
	sym->addr = addr;
	if (sc->fn)
		sc->fn(sc->ctx, addr, is_return, sym);
	sym->addr = addr;   /* whatever the resolver did, it is the key */

	/* Keep the load at or below 3/4 so probe chains stay short.  Probe
	 * again after resolving: growth moves slots. */
	if ((sc->count + 1) * 4 > sc->cap * 3)
		grow(sc);
	s = probe(sc->slots, sc->cap, addr, is_return);
	s->addr = addr;
	s->is_return = is_return;
	s->sym = sym;
	sc->count++;
	return sym;
}

size_t symcache_size(const struct symcache *sc)
{
	return sc->count;
}

void symbol_clear(struct symbol *sym)
{
	/* module is owned by the resolver and is left alone. */
	for (size_t i = 0; i < sym->nframes; i++) {
		free(sym->frames[i].function);
		free(sym->frames[i].file);
	}
	free(sym->frames);
	sym->frames = NULL;
	sym->nframes = 0;
}
