/* aggregate.c - a hash table of stacks with counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/aggregate.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

static uint64_t key_hash(const struct agg_key *k, const struct stack_frame *f, size_t n)
{
	uint64_t h = hash_u64(((uint64_t)(uint32_t)k->tid << 8) | (unsigned char)k->state);
	h = hash_u64(h ^ k->lock ^ ((uint64_t)(uint32_t)k->owner << 32));
	if (k->goid)
		h = hash_u64(h ^ k->goid);
	if (k->proc)
		h = hash_u64(h ^ ((uint64_t)k->proc << 40));
	for (size_t i = 0; i < n; i++)
		h = hash_u64(h ^ (f[i].pc << 1 | f[i].is_return));
	return h;
}

static bool same(const struct agg_entry *e, uint64_t h, const struct agg_key *k,
		 const struct stack_frame *f, size_t n)
{
	if (e->hash != h || e->tid != k->tid || e->state != k->state || e->lock != k->lock ||
	    e->owner != k->owner || e->goid != k->goid || e->proc != k->proc || e->nframes != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (e->frames[i].pc != f[i].pc || e->frames[i].is_return != f[i].is_return)
			return false;
	return true;
}

static void place(struct aggregate *a, struct agg_entry *e)
{
	size_t i = e->hash & (a->nslots - 1);
	while (a->slots[i])
		i = (i + 1) & (a->nslots - 1);
	a->slots[i] = e;
}

struct agg_entry *aggregate_add(struct aggregate *a, const struct agg_key *k,
				const struct stack_frame *frames, size_t n, uint64_t count)
{
	uint64_t h = key_hash(k, frames, n);
	a->total += count;
	if (a->nslots) {
		for (size_t i = h & (a->nslots - 1); a->slots[i]; i = (i + 1) & (a->nslots - 1)) {
			if (same(a->slots[i], h, k, frames, n)) {
				a->slots[i]->count += count;
				return a->slots[i];
			}
		}
	}
	if ((a->n + 1) * 2 > a->nslots) {
		free(a->slots);
		a->nslots = a->nslots ? a->nslots * 2 : 1024;
		a->slots = xcalloc(a->nslots, sizeof(*a->slots));
		for (size_t j = 0; j < a->n; j++)
			place(a, a->entries[j]);
	}
	struct agg_entry *e = xmalloc(sizeof(*e));
	*e = (struct agg_entry){ h, k->tid, k->state, k->lock, k->owner, k->goid, k->proc,
				 (uint32_t)n, count, NULL };
	e->frames = xcalloc(n, sizeof(*e->frames));
	memcpy(e->frames, frames, n * sizeof(*frames));
	XGROW(a->entries, a->cap, a->n);
	a->entries[a->n++] = e;
	place(a, e);
	return e;
}

void aggregate_count(struct aggregate *a, struct agg_entry *e, uint64_t count)
{
	e->count += count;
	a->total += count;
}

void aggregate_thread(struct aggregate *a, pid_t tid, const char *name)
{
	uint64_t i;
	if (u64map_get(&a->thread_index, (uint64_t)tid, &i)) {
		snprintf(a->threads[i].name, sizeof(a->threads[i].name), "%s", name);
		return;
	}
	u64map_put(&a->thread_index, (uint64_t)tid, a->nthreads);
	XGROW(a->threads, a->threads_cap, a->nthreads);
	memset(&a->threads[a->nthreads], 0, sizeof(a->threads[0]));
	a->threads[a->nthreads].tid = tid;
	snprintf(a->threads[a->nthreads].name, sizeof(a->threads[0].name), "%s", name);
	a->nthreads++;
}

void aggregate_thread_run(struct aggregate *a, pid_t tid, uint64_t run_ns)
{
	uint64_t i;
	if (!u64map_get(&a->thread_index, (uint64_t)tid, &i)) {
		aggregate_thread(a, tid, "");
		i = a->nthreads - 1;
	}
	a->threads[i].have_run = true;
	a->threads[i].run_ns = run_ns;
}

const struct agg_thread *aggregate_thread_info(const struct aggregate *a, pid_t tid)
{
	uint64_t i;
	return u64map_get(&a->thread_index, (uint64_t)tid, &i) ? &a->threads[i] : NULL;
}

const char *aggregate_thread_name(const struct aggregate *a, pid_t tid)
{
	uint64_t i;
	return u64map_get(&a->thread_index, (uint64_t)tid, &i) ? a->threads[i].name : "?";
}

void aggregate_free(struct aggregate *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->entries[i]->frames);
		free(a->entries[i]);
	}
	free(a->entries);
	free(a->slots);
	free(a->threads);
	u64map_free(&a->thread_index);
	memset(a, 0, sizeof(*a));
}
