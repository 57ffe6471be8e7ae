/* dump_group.c - fold threads with the same state and stack. */
#include <stdlib.h>
#include <string.h>

#include "output/dumpout.h"
#include "util/xalloc.h"

static long syscall_key(const struct thread_snap *t)
{
	const struct thread_facts *f = &t->facts;
	return f->have_syscall && !f->sc.running ? f->sc.nr : -2;
}

static int cmp_threads(const struct thread_snap *a, const struct thread_snap *b)
{
	if (a->facts.state != b->facts.state)
		return a->facts.state < b->facts.state ? -1 : 1;
	long sa = syscall_key(a), sb = syscall_key(b);
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if ((a->problem == NULL) != (b->problem == NULL))
		return a->problem ? 1 : -1;
	if (a->problem && b->problem && strcmp(a->problem, b->problem))
		return strcmp(a->problem, b->problem);
	if (a->stack.n != b->stack.n)
		return a->stack.n < b->stack.n ? -1 : 1;
	for (size_t i = 0; i < a->stack.n; i++) {
		const struct stack_frame *x = &a->stack.frames[i], *y = &b->stack.frames[i];
		if (x->pc != y->pc)
			return x->pc < y->pc ? -1 : 1;
		if (x->is_return != y->is_return)
			return x->is_return ? 1 : -1;
	}
	return 0;
}

static const struct snapshot *sort_snap;  /* qsort has no context argument */

static int cmp_index(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = cmp_threads(&sort_snap->t[a], &sort_snap->t[b]);
	if (c)
		return c;
	return sort_snap->t[a].facts.tid < sort_snap->t[b].facts.tid ? -1 : 1;
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct dump_group *a = pa, *b = pb;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return sort_snap->t[a->members[0]].facts.tid < sort_snap->t[b->members[0]].facts.tid ? -1 : 1;
}

size_t dump_groups(const struct snapshot *s, struct dump_group **out)
{
	size_t *idx = xcalloc(s->n, sizeof(*idx));
	struct dump_group *g = NULL;
	size_t ng = 0, gcap = 0;

	for (size_t i = 0; i < s->n; i++)
		idx[i] = i;
	sort_snap = s;
	qsort(idx, s->n, sizeof(*idx), cmp_index);
	for (size_t i = 0; i < s->n;) {
		size_t j = i + 1;
		while (j < s->n && cmp_threads(&s->t[idx[i]], &s->t[idx[j]]) == 0)
			j++;
		XGROW(g, gcap, ng);
		g[ng].n = j - i;
		g[ng].members = xcalloc(j - i, sizeof(size_t));
		memcpy(g[ng].members, idx + i, (j - i) * sizeof(size_t));
		ng++;
		i = j;
	}
	qsort(g, ng, sizeof(*g), cmp_group);
	sort_snap = NULL;
	free(idx);
	*out = g;
	return ng;
}

void dump_groups_free(struct dump_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].members);
	free(g);
}
