/* hashmap.h - the two small hash tables the writers need.
 *
 * u64map: 64-bit key to 64-bit value.  strtab: strings interned to dense
 * indices 0..n-1 in insertion order (a pprof string table).  Both grow
 * as needed and never fail (allocation exits).  Their hashes are keyed
 * with a seed drawn from getrandom when the program starts, so keys
 * chosen to collide (a hostile pprof file's names) cannot be chosen
 * without knowing it: lookups stay constant time on average.
 */
#ifndef PTPROF_HASHMAP_H
#define PTPROF_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys;
	uint64_t *vals;           /* 0 marks an empty slot; stored as value + 1 */
	size_t cap, n;
};

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);
void u64map_put(struct u64map *m, uint64_t key, uint64_t val);
void u64map_free(struct u64map *m);

struct strtab {
	char **strs;              /* index -> string (owned) */
	size_t n, cap;
	uint32_t *slots;          /* index + 1, 0 = empty */
	size_t nslots;
	size_t probes;            /* slots looked at by strtab_intern, in all */
};

/* Index of s, adding it if new. */
size_t strtab_intern(struct strtab *t, const char *s);
void strtab_free(struct strtab *t);

/* Keyed with the run's seed: equal inputs hash equal within a run only. */
uint64_t hash_u64(uint64_t x);
uint64_t hash_bytes(const void *p, size_t n);
/* Set the seed (tests); hash_seed_random draws a fresh one, as done once
 * at start-up.  Tables filled under one seed must not be used under
 * another. */
void hash_seed(uint64_t k0, uint64_t k1);
void hash_seed_random(void);

#endif
