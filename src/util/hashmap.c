/* hashmap.c - open addressing, linear probing, load kept under 1/2.
 *
 * Keys may come from untrusted input (a pprof file's strings, a target's
 * stack words), so the hashes are keyed with a seed drawn at start-up:
 * inputs chosen to collide under one seed do not collide under another,
 * and nobody outside the process knows the seed.  Strings hash with
 * SipHash-1-3 (a keyed pseudo-random function), words with the splitmix64
 * finalizer over the word mixed with the seed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/hashmap.h"
#include "util/xalloc.h"

static uint64_t seed0, seed1;

void hash_seed(uint64_t k0, uint64_t k1)
{
	seed0 = k0;
	seed1 = k1;
}

void hash_seed_random(void)
{
	uint64_t k[2];
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		/* No entropy yet (early boot): less secret, still per run. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
		k[1] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts;
	}
	hash_seed(k[0], k[1]);
}

/* Before main: every table of the run uses the one seed. */
__attribute__((constructor)) static void seed_at_start(void)
{
	hash_seed_random();
}

static uint64_t splitmix(uint64_t x)
{
	/* Every input bit affects every output bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t hash_u64(uint64_t x)
{
	return splitmix(x ^ seed0) ^ seed1;
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

/* SipHash-1-3: one compression round per 8-byte word, three to finish. */
uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t v[4] = {
		seed0 ^ 0x736f6d6570736575ULL, seed1 ^ 0x646f72616e646f6dULL,
		seed0 ^ 0x6c7967656e657261ULL, seed1 ^ 0x7465646279746573ULL,
	};
	size_t whole = n - n % 8;
	uint64_t m;
	for (size_t i = 0; i < whole; i += 8) {
		memcpy(&m, b + i, 8);  /* little-endian on every target ptprof runs on */
		v[3] ^= m;
		sip_round(v);
		v[0] ^= m;
	}
	m = (uint64_t)(n & 0xff) << 56;
	for (size_t i = 0; i < n % 8; i++)
		m |= (uint64_t)b[whole + i] << (8 * i);
	v[3] ^= m;
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
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
		t->probes++;
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
