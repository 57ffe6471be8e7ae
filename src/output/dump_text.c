/* dump_text.c - the SIGQUIT-style dump people read. */
#include <inttypes.h>
#include <stdio.h>

#include "output/dumpout.h"
#include "profile/census.h"
#include "util/escape.h"

void dump_state_words(const struct thread_snap *t, char *buf, size_t size)
{
	const char *sc = thread_facts_syscall(&t->facts);
	snprintf(buf, size, "%s%s%s", procfs_state_name(t->facts.state), sc ? " in " : "",
		 sc ? sc : "");
}

static void print_frames(FILE *f, struct snapshot *s, const struct thread_snap *t)
{
	size_t k = 0;
	for (size_t i = 0; i < t->kstack.n; i++)
		fprintf(f, "  [kernel] %s\n", t->kstack.fn[i]);
	for (size_t i = 0; i < t->stack.n; i++) {
		const struct stack_frame *fr = &t->stack.frames[i];
		const struct symbol *sym = symcache_get(s->sc, fr->pc, fr->is_return);
		for (size_t j = 0; j < sym->nframes; j++) {
			const struct sym_frame *sf = &sym->frames[j];
			fprintf(f, "  #%-2zu 0x%016" PRIx64 " in ", k++, fr->pc);
			if (sf->function)
				fputs(sf->function, f);
			else if (sym->module)
				fprintf(f, "%s+0x%" PRIx64, sym->module->name, sym->module_offset);
			else
				fputs("??", f);
			if (sf->inlined)
				fputs(" (inlined)", f);
			if (sf->file)
				fprintf(f, " at %s:%d", sf->file, sf->line);
			if (sym->module && !sym->module->main)
				fprintf(f, " [%s]", sym->module->name);
			fputc('\n', f);
		}
	}
	if (t->problem)
		fprintf(f, t->stack.n ? "  (stack incomplete: %s)\n" : "  (no stack: %s)\n",
			t->problem);
}

static void print_who(FILE *f, const struct thread_snap *t)
{
	fprintf(f, "thread %d \"", (int)t->facts.tid);
	fputs_escaped(f, t->facts.name);
	fputc('"', f);
}

/* "  waiting on mutex 0x... held by thread 12 \"x\"" and its kin. */
static void print_wait(FILE *f, struct snapshot *s, const struct lock_wait *w)
{
	const struct thread_snap *owner = w->owner >= 0 ? &s->t[w->owner] : NULL;
	switch (w->kind) {
	case LOCK_MUTEX:
		fprintf(f, "  waiting on mutex 0x%" PRIx64 " held by ", w->addr);
		print_who(f, owner);
		break;
	case LOCK_RWLOCK:
		fprintf(f, "  waiting on rwlock 0x%" PRIx64, w->addr);
		if (owner) {
			fputs(" held for writing by ", f);
			print_who(f, owner);
		} else {
			fputs(" (held for reading)", f);
		}
		break;
	case LOCK_JOIN:
		fputs("  waiting to join ", f);
		print_who(f, owner);
		break;
	case LOCK_CONDVAR:
		fprintf(f, "  waiting on condition variable 0x%" PRIx64 " (no owner)", w->addr);
		break;
	case LOCK_SEMAPHORE:
		fprintf(f, "  waiting on semaphore 0x%" PRIx64 " (no owner)", w->addr);
		break;
	case LOCK_UNKNOWN:
		fprintf(f, "  waiting on unknown lock 0x%" PRIx64, w->addr);
		break;
	default:
		return;
	}
	fputc('\n', f);
}

static void print_thread(FILE *f, struct snapshot *s, const struct dump_view *v, size_t i)
{
	const struct thread_snap *t = &s->t[i];
	char state[96];
	dump_state_words(t, state, sizeof(state));
	fprintf(f, "Thread %d \"", (int)t->facts.tid);
	fputs_escaped(f, t->facts.name);
	fprintf(f, "\" %s, cpu %.2fs\n", state, (double)t->facts.cpu_ns / 1e9);
	if (v->waits)
		print_wait(f, s, &v->waits[i]);
	print_frames(f, s, t);
}

/* DEADLOCK: thread A "x" waits for mutex M1 held by thread B "y", which ... */
static void print_deadlock(FILE *f, struct snapshot *s, const struct dump_view *v,
			   const struct deadlock *d)
{
	fputs("DEADLOCK: ", f);
	for (size_t k = 0; k < d->n; k++) {
		const struct lock_wait *w = &v->waits[d->threads[k]];
		if (k == 0)
			print_who(f, &s->t[d->threads[k]]);
		else
			fputs(", which", f);
		if (w->kind == LOCK_JOIN)
			fputs(" waits to join ", f);
		else
			fprintf(f, " waits for %s 0x%" PRIx64 " held by ", lock_kind_name(w->kind),
				w->addr);
		print_who(f, &s->t[d->threads[(k + 1) % d->n]]);
	}
	fputc('\n', f);
}

/* "N name, N name": fmt takes the separator, the count and the name;
 * the first separator is lead. */
static void print_counts(FILE *f, const struct census_count *c, size_t n, const char *fmt,
			 const char *lead)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, fmt, i ? ", " : lead, c[i].n, c[i].name);
}

static void print_census(FILE *f, const struct snapshot *s)
{
	struct census c;
	census_take(s, &c);
	fputs("Threads: ", f);
	print_counts(f, c.states, c.nstates, "%s%zu %s", "");
	fputc('\n', f);
	if (c.nsyscalls) {
		fputs("Blocked in: ", f);
		print_counts(f, c.syscalls, c.nsyscalls, "%s%zu %s", "");
		fputc('\n', f);
	}
	for (size_t i = 0; i < c.npools; i++) {
		const struct census_pool *p = &c.pools[i];
		fputs_escaped(f, p->pattern);
		fprintf(f, ": %zu threads, %zu running", p->threads, p->running);
		print_counts(f, p->blocked, p->nblocked, "%s%zu blocked in %s", ", ");
		print_counts(f, p->other, p->nother, "%s%zu %s", ", ");
		fputc('\n', f);
	}
	census_free(&c);
}

static void print_group(FILE *f, struct snapshot *s, const struct dump_view *v,
			const struct dump_group *g)
{
	const struct thread_snap *first = &s->t[g->members[0]];
	char state[96];
	if (g->n == 1) {
		print_thread(f, s, v, g->members[0]);
		return;
	}
	dump_state_words(first, state, sizeof(state));
	fprintf(f, "%zu threads %s:", g->n, state);
	for (size_t i = 0; i < g->n; i++) {
		const struct thread_snap *t = &s->t[g->members[i]];
		fprintf(f, "%s %d \"", i ? "," : "", (int)t->facts.tid);
		fputs_escaped(f, t->facts.name);
		fputc('"', f);
	}
	fputc('\n', f);
	print_frames(f, s, first);
}

void dump_write_text(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	fprintf(f, "ptprof dump: pid %d \"", (int)s->pid);
	fputs_escaped(f, s->comm);
	fputs("\",", f);
	if (v->go)
		fprintf(f, " Go %s, %zu goroutines read in %.2f ms,",
			v->go->build.version[0] ? v->go->build.version : "of unknown version",
			v->go->n, (double)v->go->read_ns / 1e6);
	fprintf(f, " %zu threads, captured in %.2f ms, "
		"threads stopped %.3f ms max, %.3f ms total\n", s->n, (double)s->capture_ns / 1e6,
		(double)s->stopped_max_ns / 1e6, (double)s->stopped_total_ns / 1e6);
	/* What the user came for, first. */
	for (size_t i = 0; i < v->ndeadlocks; i++)
		print_deadlock(f, s, v, &v->deadlocks[i]);
	print_census(f, s);
	if (v->go) {
		dump_goroutines_text(f, s, v);
		return;
	}
	if (v->group) {
		struct dump_group *g;
		size_t ng = dump_groups(s, &g);
		for (size_t i = 0; i < ng; i++) {
			fputc('\n', f);
			print_group(f, s, v, &g[i]);
		}
		dump_groups_free(g, ng);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		fputc('\n', f);
		print_thread(f, s, v, i);
	}
}

/* "Total: 3 processes, 12 threads: 3 running, 9 sleeping; blocked in: 9 pause" */
static void print_total(FILE *f, const struct snapset *ss)
{
	struct census c;
	census_take_all((const struct snapshot *const *)ss->v, ss->n, &c);
	fprintf(f, "Total: %zu process%s, %zu threads: ", ss->n, ss->n == 1 ? "" : "es",
		snapset_threads(ss));
	print_counts(f, c.states, c.nstates, "%s%zu %s", "");
	if (c.nsyscalls) {
		fputs("; blocked in: ", f);
		print_counts(f, c.syscalls, c.nsyscalls, "%s%zu %s", "");
	}
	fputc('\n', f);
	census_free(&c);
	if (ss->nskipped) {
		fputs("Skipped (the reason is on stderr):", f);
		for (size_t i = 0; i < ss->nskipped; i++)
			fprintf(f, "%s %d", i ? "," : "", (int)ss->skipped[i]);
		fputc('\n', f);
	}
	if (ss->exited)
		fprintf(f, "Exited before they could be dumped: %zu process%s\n", ss->exited,
			ss->exited == 1 ? "" : "es");
}

void dump_write_text_set(FILE *f, const struct snapset *ss, const struct dump_view *v)
{
	for (size_t i = 0; i < ss->n; i++) {
		if (i)
			fputc('\n', f);
		dump_write_text(f, ss->v[i], &v[i]);
	}
	if (ss->n > 1 || ss->nskipped || ss->exited) {
		fputc('\n', f);
		print_total(f, ss);
	}
}
