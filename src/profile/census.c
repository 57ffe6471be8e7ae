/* census.c - counting a snapshot's threads. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "profile/census.h"
#include "util/xalloc.h"

static const char *const state_order[] = {
	"running", "sleeping", "disk-sleep", "stopped", "tracing-stop",
	"zombie", "idle", "dead", "parked", "unknown",
};

void census_pattern(const char *name, char *out)
{
	size_t n = strlen(name), end = n;
	while (end > 0 && isdigit((unsigned char)name[end - 1]))
		end--;
	memcpy(out, name, end);
	if (end < n)
		out[end++] = '*';
	out[end] = '\0';
}

/* Add one to name's count in a list (names are static strings). */
static void bump(struct census_count **v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].name, name) == 0) {
			(*v)[i].n++;
			return;
		}
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (struct census_count){ name, 1 };
}

static int by_count(const void *a, const void *b)
{
	const struct census_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_pool_size(const void *a, const void *b)
{
	const struct census_pool *x = a, *y = b;
	if (x->threads != y->threads)
		return x->threads > y->threads ? -1 : 1;
	return strcmp(x->pattern, y->pattern);
}

/* The pool of a thread name, added if new. */
static struct census_pool *pool_of(struct census_pool **pools, size_t *npools, const char *name)
{
	char pat[PROC_COMM_MAX + 1];
	census_pattern(name, pat);
	for (size_t k = 0; k < *npools; k++)
		if (strcmp((*pools)[k].pattern, pat) == 0)
			return &(*pools)[k];
	*pools = xreallocarray(*pools, *npools + 1, sizeof(**pools));
	struct census_pool *p = &(*pools)[(*npools)++];
	memset(p, 0, sizeof(*p));
	memcpy(p->pattern, pat, sizeof(pat));
	return p;
}

void census_take(const struct snapshot *s, struct census *c)
{
	census_take_all(&s, 1, c);
}

void census_take_all(const struct snapshot *const *v, size_t nv, struct census *c)
{
	size_t counts[sizeof(state_order) / sizeof(state_order[0])] = { 0 };
	struct census_pool *pools = NULL;
	size_t npools = 0;

	memset(c, 0, sizeof(*c));
	for (size_t j = 0; j < nv; j++) {
		for (size_t i = 0; i < v[j]->n; i++) {
			const struct thread_facts *f = &v[j]->t[i].facts;
			const char *state = procfs_state_name(f->state);
			const char *sc = thread_facts_syscall(f);
			for (size_t k = 0; k < sizeof(state_order) / sizeof(state_order[0]); k++)
				if (strcmp(state, state_order[k]) == 0)
					counts[k]++;
			if (sc)
				bump(&c->syscalls, &c->nsyscalls, sc);

			struct census_pool *p = pool_of(&pools, &npools, f->name);
			p->threads++;
			if (f->state == 'R')
				p->running++;
			else if (sc)
				bump(&p->blocked, &p->nblocked, sc);
			else
				bump(&p->other, &p->nother, state);
		}
	}
	for (size_t k = 0; k < sizeof(state_order) / sizeof(state_order[0]); k++) {
		if (!counts[k])
			continue;
		c->states = xreallocarray(c->states, c->nstates + 1, sizeof(*c->states));
		c->states[c->nstates++] = (struct census_count){ state_order[k], counts[k] };
	}
	/* qsort wants a real array even for none (C11 7.22.5). */
	if (c->nsyscalls > 1)
		qsort(c->syscalls, c->nsyscalls, sizeof(*c->syscalls), by_count);
	/* A name shared by one thread is no pool. */
	for (size_t k = 0; k < npools; k++) {
		if (pools[k].threads < 2) {
			free(pools[k].blocked);
			free(pools[k].other);
			continue;
		}
		if (pools[k].nblocked > 1)
			qsort(pools[k].blocked, pools[k].nblocked, sizeof(*pools[k].blocked),
			      by_count);
		c->pools = xreallocarray(c->pools, c->npools + 1, sizeof(*c->pools));
		c->pools[c->npools++] = pools[k];
	}
	free(pools);
	if (c->npools > 1)
		qsort(c->pools, c->npools, sizeof(*c->pools), by_pool_size);
}

void census_free(struct census *c)
{
	for (size_t k = 0; k < c->npools; k++) {
		free(c->pools[k].blocked);
		free(c->pools[k].other);
	}
	free(c->pools);
	free(c->states);
	free(c->syscalls);
	memset(c, 0, sizeof(*c));
}
