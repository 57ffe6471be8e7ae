/* cputime.c - see cputime.h. */
#include <stdbool.h>
#include <stdlib.h>

#include "profile/cputime.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

struct tsum {
	uint64_t samples;         /* the thread's counts, summed */
	uint64_t given;           /* ns handed out so far */
	size_t largest;           /* its entry with the largest count */
};

static void top_up(const struct aggregate *a, const uint64_t *proc_ns, size_t nprocs,
		   uint64_t *ns)
{
	uint64_t *sum = xcalloc(nprocs, sizeof(*sum));
	size_t *largest = xcalloc(nprocs, sizeof(*largest));
	bool *any = xcalloc(nprocs, sizeof(*any));
	uint64_t *given = xcalloc(nprocs, sizeof(*given));
	for (size_t i = 0; i < a->n; i++) {
		uint32_t p = a->entries[i]->proc;
		if (p >= nprocs)
			continue;
		if (!any[p] || ns[i] > ns[largest[p]])
			largest[p] = i;
		any[p] = true;
		sum[p] += ns[i];
	}
	for (size_t i = 0; i < a->n; i++) {
		uint32_t p = a->entries[i]->proc;
		if (p >= nprocs || !proc_ns[p] || proc_ns[p] <= sum[p] || !sum[p])
			continue;
		unsigned __int128 extra = (unsigned __int128)(proc_ns[p] - sum[p]) * ns[i];
		uint64_t add = (uint64_t)(extra / sum[p]);
		given[p] += add;
		ns[i] += add;
	}
	for (size_t p = 0; p < nprocs; p++)
		if (any[p] && proc_ns[p] > sum[p] && sum[p])
			ns[largest[p]] += proc_ns[p] - sum[p] - given[p];
	free(given);
	free(any);
	free(largest);
	free(sum);
}

void cputime_share(const struct aggregate *a, uint64_t period_ns, const uint64_t *proc_ns,
		   size_t nprocs, uint64_t *ns)
{
	struct tsum *t = xcalloc(a->nthreads ? a->nthreads : 1, sizeof(*t));
	struct u64map idx = { 0 };
	uint64_t k;

	for (size_t i = 0; i < a->nthreads; i++)
		u64map_put(&idx, (uint64_t)a->threads[i].tid, i);
	for (size_t i = 0; i < a->n; i++) {
		const struct agg_entry *e = a->entries[i];
		if (!u64map_get(&idx, (uint64_t)e->tid, &k))
			continue;
		if (!t[k].samples || e->count > a->entries[t[k].largest]->count)
			t[k].largest = i;
		t[k].samples += e->count;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct agg_entry *e = a->entries[i];
		ns[i] = e->count * period_ns;
		if (!u64map_get(&idx, (uint64_t)e->tid, &k) || !a->threads[k].have_run)
			continue;
		/* count / samples of the run time, without overflow. */
		unsigned __int128 share = (unsigned __int128)a->threads[k].run_ns * e->count;
		ns[i] = (uint64_t)(share / t[k].samples);
		t[k].given += ns[i];
	}
	/* What the divisions left over, to each thread's largest entry. */
	for (size_t j = 0; j < a->nthreads; j++)
		if (a->threads[j].have_run && t[j].samples && a->threads[j].run_ns > t[j].given)
			ns[t[j].largest] += a->threads[j].run_ns - t[j].given;
	u64map_free(&idx);
	free(t);
	if (proc_ns && nprocs)
		top_up(a, proc_ns, nprocs, ns);
}
