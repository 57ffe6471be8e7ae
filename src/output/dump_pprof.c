/* dump_pprof.c - a thread profile (one sample per thread), or for a Go
 * program a goroutine profile like /debug/pprof/goroutine (one sample per
 * goroutine). */
#include <stdio.h>

#include "output/dumpout.h"
#include "output/pprof.h"

static void add_threads(struct pprof *p, struct snapshot *s)
{
	pprof_add_sample_type(p, "threads", "count");
	pprof_set_period(p, "threads", "count", 1);
	for (size_t i = 0; i < s->n; i++) {
		const struct thread_snap *t = &s->t[i];
		const char *sc = thread_facts_syscall(&t->facts);
		struct pprof_label labels[4] = {
			{ "thread", t->facts.name, 0 },
			{ "tid", NULL, t->facts.tid },
			{ "state", procfs_state_name(t->facts.state), 0 },
			{ "syscall", sc, 0 },
		};
		int64_t one = 1;
		pprof_add_sample(p, t->stack.frames, t->stack.n, &one, labels, sc ? 4 : 3);
	}
}

/* Labels: state (the wait reason, or running/runnable/syscall), the
 * goroutine id, and for one on a thread, that thread. */
static void add_goroutines(struct pprof *p, const struct dump_view *v)
{
	const struct gosnap *gs = v->go;
	pprof_add_sample_type(p, "goroutine", "count");
	pprof_set_period(p, "goroutine", "count", 1);
	for (size_t i = 0; i < gs->n; i++) {
		const struct goroutine_snap *g = &gs->g[i];
		struct pprof_label labels[4] = {
			{ "state", gosnap_state(g), 0 },
			{ "goroutine", NULL, (int64_t)g->g.goid },
		};
		size_t nl = 2;
		int64_t one = 1;
		if (!dump_goroutine_shown(v, g))
			continue;
		if (g->thread) {
			labels[nl++] = (struct pprof_label){ "thread", g->thread->facts.name, 0 };
			labels[nl++] = (struct pprof_label){ "tid", NULL, g->thread->facts.tid };
		}
		pprof_add_sample(p, g->stack.frames, g->stack.n, &one, labels, nl);
	}
}

int dump_write_pprof(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	struct pprof *p = pprof_new(s->sc);
	int ret;

	pprof_set_time(p, (int64_t)s->time_ns, (int64_t)s->capture_ns);
	if (v->go)
		add_goroutines(p, v);
	else
		add_threads(p, s);
	ret = pprof_write(p, f);
	pprof_free(p);
	return ret;
}
