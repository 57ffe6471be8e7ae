/* dump_pprof.c - a thread profile (one sample per thread), or for a Go
 * program a goroutine profile like /debug/pprof/goroutine (one sample per
 * goroutine); of one process or of several. */
#include <stdio.h>

#include "output/dumpout.h"
#include "output/pprof.h"

/* The labels naming the process, after the n already in labels (on every
 * sample, as record's: a profile merged with others still says whose). */
static size_t process_labels(struct pprof_label *labels, size_t n, const struct snapshot *s,
			     const struct dump_view *v)
{
	labels[n++] = (struct pprof_label){ "pid", NULL, s->pid };
	labels[n++] = (struct pprof_label){ "process", s->comm, 0 };
	return n;
}

static void thread_type(struct pprof *p)
{
	pprof_add_sample_type(p, "threads", "count");
	pprof_set_period(p, "threads", "count", 1);
}

static void goroutine_type(struct pprof *p)
{
	pprof_add_sample_type(p, "goroutine", "count");
	pprof_set_period(p, "goroutine", "count", 1);
}

static void add_threads(struct pprof *p, struct snapshot *s, const struct dump_view *v)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct thread_snap *t = &s->t[i];
		const char *sc = thread_facts_syscall(&t->facts);
		struct pprof_label labels[6] = {
			{ "thread", t->facts.name, 0 },
			{ "tid", NULL, t->facts.tid },
			{ "state", procfs_state_name(t->facts.state), 0 },
			{ "syscall", sc, 0 },
		};
		int64_t one = 1;
		size_t nl = process_labels(labels, sc ? 4 : 3, s, v);
		pprof_add_sample(p, t->stack.frames, t->stack.n, &one, labels, nl);
	}
}

/* Labels: state (the wait reason, or running/runnable/syscall), the
 * goroutine id, and for one on a thread, that thread. */
static void add_goroutines(struct pprof *p, const struct snapshot *s, const struct dump_view *v)
{
	const struct gosnap *gs = v->go;
	for (size_t i = 0; i < gs->n; i++) {
		const struct goroutine_snap *g = &gs->g[i];
		struct pprof_label labels[6] = {
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
		nl = process_labels(labels, nl, s, v);
		pprof_add_sample(p, g->stack.frames, g->stack.n, &one, labels, nl);
	}
}

int dump_write_pprof(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	struct pprof *p = pprof_new(s->sc);
	int ret;

	pprof_set_time(p, (int64_t)s->time_ns, (int64_t)s->capture_ns);
	if (v->go) {
		goroutine_type(p);
		add_goroutines(p, s, v);
	} else {
		thread_type(p);
		add_threads(p, s, v);
	}
	ret = pprof_write(p, f);
	pprof_free(p);
	return ret;
}

int dump_write_pprof_set(FILE *f, const struct snapset *ss, const struct dump_view *v)
{
	const struct snapshot *first = ss->v[0], *last = ss->v[ss->n - 1];
	struct pprof *p = pprof_new(first->sc);
	bool goroutines = true;
	int ret;

	/* One profile has one sample type: goroutines only if all have them. */
	for (size_t i = 0; i < ss->n; i++)
		if (!v[i].go)
			goroutines = false;
	uint64_t end = last->time_ns + last->capture_ns;
	pprof_set_time(p, (int64_t)first->time_ns,
		       end > first->time_ns ? (int64_t)(end - first->time_ns) : 0);
	if (goroutines)
		goroutine_type(p);
	else
		thread_type(p);
	for (size_t i = 0; i < ss->n; i++) {
		pprof_use_symcache(p, ss->v[i]->sc);
		if (goroutines)
			add_goroutines(p, ss->v[i], &v[i]);
		else
			add_threads(p, ss->v[i], &v[i]);
	}
	ret = pprof_write(p, f);
	pprof_free(p);
	return ret;
}
