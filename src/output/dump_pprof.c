/* dump_pprof.c - a thread profile: one sample per thread. */
#include <stdio.h>

#include "output/dumpout.h"
#include "output/pprof.h"

int dump_write_pprof(FILE *f, struct snapshot *s)
{
	struct pprof *p = pprof_new(s->sc);
	int ret;

	pprof_add_sample_type(p, "threads", "count");
	pprof_set_period(p, "threads", "count", 1);
	pprof_set_time(p, (int64_t)s->time_ns, (int64_t)s->capture_ns);
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
	ret = pprof_write(p, f);
	pprof_free(p);
	return ret;
}
