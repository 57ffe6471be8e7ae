/* hashmap.c - open addressing, linear probing, load kept under 1/2. */
#include <stdlib.h>
#include <string.h>

#include "util/hashmap.h"
#include "util/xalloc.h"

uint64_t hash_u64(uint64_t x)
{
	/* splitmix64 finalizer: every input bit affects every output bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;  /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return hash_u64(h);
}

static void u64map_grow(struct u64map *m)
{
	struct u64map old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.vals[i])
			u64map_put(m, old.keys[i], old.vals[i] - 1);
	free(old.keys);
	free(old.vals);
}

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	if (!m->cap)
		return false;
	for (size_t i = hash_u64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->vals[i])
			return false;
		if (m->keys[i] == key) {
			*val = m->vals[i] - 1;
			return true;
		}
	}
}

void u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	if ((m->n + 1) * 2 > m->cap)
		u64map_grow(m);
	for (size_t i = hash_u64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->vals[i]) {
			m->keys[i] = key;
			m->vals[i] = val + 1;
			m->n++;
			return;
		}
		if (m->keys[i] == key) {
			m->vals[i] = val + 1;
			return;
		}
	}
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static void strtab_place(struct strtab *t, size_t idx)
{
	const char *s = t->strs[idx];
	for (size_t i = hash_bytes(s, strlen(s)) & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
		if (!t->slots[i]) {
			t->slots[i] = (uint32_t)idx + 1;
			return;
		}
	}
}

size_t strtab_intern(struct strtab *t, const char *s)
{
	if ((t->n + 1) * 2 > t->nslots) {
		free(t->slots);
		t->nslots = t->nslots ? t->nslots * 2 : 256;
		t->slots = xcalloc(t->nslots, sizeof(*t->slots));
		for (size_t k = 0; k < t->n; k++)
			strtab_place(t, k);
	}
	size_t i = hash_bytes(s, strlen(s)) & (t->nslots - 1);
	for (;; i = (i + 1) & (t->nslots - 1)) {
		if (!t->slots[i])
			break;
		if (strcmp(t->strs[t->slots[i] - 1], s) == 0)
			return t->slots[i] - 1;
	}
	XGROW(t->strs, t->cap, t->n);
	t->strs[t->n] = xstrdup(s);
	t->slots[i] = (uint32_t)t->n + 1;
	return t->n++;
}

void strtab_free(struct strtab *t)
{
	for (size_t k = 0; k < t->n; k++)
		free(t->strs[k]);
	free(t->strs);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
