/* recout_pprof.c - the Go CPU-profile layout. */
#include <inttypes.h>

#include <stdlib.h>

#include "output/pprof.h"
#include "output/recout.h"
#include "profile/cputime.h"
#include "util/xalloc.h"

int recout_pprof(FILE *f, const struct recording *rec, struct recsyms *rs,
		 const struct recout_opts *o)
{
	struct pprof *p = pprof_new(NULL);
	const char *kind = o->mode == MODE_WALL ? "wall" : "cpu";
	int64_t period = 1000000000LL / o->rate_hz;
	int ret;

	pprof_add_sample_type(p, "samples", "count");
	pprof_add_sample_type(p, kind, "nanoseconds");
	pprof_set_period(p, kind, "nanoseconds", period);
	pprof_set_time(p, (int64_t)rec->st.start_time_ns, (int64_t)rec->st.duration_ns);
	/* cpu: each thread's time is what it used; wall: what passed. */
	uint64_t *ns = xcalloc(rec->agg.n ? rec->agg.n : 1, sizeof(*ns));
	if (o->mode == MODE_CPU) {
		uint64_t *proc_ns = xcalloc(rec->nprocs ? rec->nprocs : 1, sizeof(*proc_ns));
		for (size_t i = 0; i < rec->nprocs; i++)
			proc_ns[i] = rec->procs[i]->have_cpu ? rec->procs[i]->cpu_ns : 0;
		cputime_share(&rec->agg, (uint64_t)period, proc_ns, rec->nprocs, ns);
		free(proc_ns);
	}
	for (size_t i = 0; i < rec->agg.n; i++) {
		const struct agg_entry *e = rec->agg.entries[i];
		int64_t values[2] = { (int64_t)e->count,
				      o->mode == MODE_CPU ? (int64_t)ns[i] : (int64_t)e->count * period };
		char lock[32];
		snprintf(lock, sizeof(lock), "0x%" PRIx64, e->lock);
		const struct rec_proc *rp = rec->procs[e->proc];
		struct pprof_label labels[8] = {
			{ "thread", aggregate_thread_name(&rec->agg, e->tid), 0 },
			{ "tid", NULL, e->tid },
			{ "state", procfs_state_name(e->state), 0 },
			{ "pid", NULL, rp->pid },
			{ "process", rp->comm, 0 },
		};
		size_t nl = 5;
		if (e->lock)
			labels[nl++] = (struct pprof_label){ "lock", lock, 0 };
		if (e->lock && e->owner)
			labels[nl++] = (struct pprof_label){ "owner", NULL, e->owner };
		if (e->goid)
			labels[nl++] = (struct pprof_label){ "goroutine", NULL, (int64_t)e->goid };
		pprof_use_symcache(p, recsyms_get(rs, rec, e->proc));
		pprof_add_sample(p, e->frames, e->nframes, values, labels, nl);
	}
	free(ns);
	ret = pprof_write(p, f);
	pprof_free(p);
	return ret;
}
