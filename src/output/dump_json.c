/* dump_json.c - the dump as one JSON object, for scripts. */
#include <inttypes.h>
#include <stdio.h>

#include "output/dumpout.h"
#include "output/jsonw.h"
#include "profile/census.h"

static void json_stack(FILE *f, struct snapshot *s, const struct stack *st, const char *problem)
{
	bool first = true;
	fputs("\"frames\":[", f);
	for (size_t i = 0; i < st->n; i++) {
		const struct stack_frame *fr = &st->frames[i];
		const struct symbol *sym = symcache_get(s->sc, fr->pc, fr->is_return);
		for (size_t j = 0; j < sym->nframes; j++) {
			const struct sym_frame *sf = &sym->frames[j];
			fprintf(f, "%s{\"pc\":\"0x%" PRIx64 "\",\"function\":", first ? "" : ",", fr->pc);
			json_string(f, sf->function);
			fprintf(f, ",\"inlined\":%s,\"file\":", sf->inlined ? "true" : "false");
			json_string(f, sf->file);
			if (sf->file)
				fprintf(f, ",\"line\":%d", sf->line);
			else
				fputs(",\"line\":null", f);
			fputs(",\"module\":", f);
			json_string(f, sym->module ? sym->module->name : NULL);
			if (sym->module)
				fprintf(f, ",\"module_offset\":\"0x%" PRIx64 "\"", sym->module_offset);
			fputc('}', f);
			first = false;
		}
	}
	fputs("],\"error\":", f);
	json_string(f, problem);
}

static void json_frames(FILE *f, struct snapshot *s, const struct thread_snap *t)
{
	json_stack(f, s, &t->stack, t->problem);
}

/* One goroutine: the facts Go's debug=2 header gives, and its frames. */
static void json_goroutine(FILE *f, struct snapshot *s, const struct goroutine_snap *g)
{
	fprintf(f, "{\"id\":%" PRIu64 ",\"state\":", g->g.goid);
	json_string(f, gosnap_state(g));
	fputs(",\"status\":", f);
	json_string(f, go_status_name(g->g.status));
	fprintf(f, ",\"wait_minutes\":%" PRIu64 ",\"locked_to_thread\":%s,\"system\":%s,"
		"\"inconsistent\":%s,\"thread\":", g->wait_minutes, g->g.locked ? "true" : "false",
		g->system ? "true" : "false", g->g.inconsistent ? "true" : "false");
	if (g->thread) {
		fprintf(f, "{\"tid\":%d,\"name\":", (int)g->thread->facts.tid);
		json_string(f, g->thread->facts.name);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	fputs(",\"parent\":", f);
	if (g->g.parent_goid)
		fprintf(f, "%" PRIu64, g->g.parent_goid);
	else
		fputs("null", f);
	fputs(",\"created_by\":", f);
	const struct symbol *sym;
	const struct sym_frame *fn, *at;
	if (gosnap_creator(s->sc, g, &sym, &fn, &at)) {
		fputs("{\"function\":", f);
		json_string(f, fn->function);
		fputs(",\"file\":", f);
		json_string(f, at->file);
		fprintf(f, ",\"line\":%d}", at->line);
	} else {
		fputs("null", f);
	}
	fputc(',', f);
	json_stack(f, s, &g->stack, g->problem);
	fputc('}', f);
}

static void json_goroutines(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	bool first = true;
	fputs(",\"go\":{\"version\":", f);
	json_string(f, v->go->build.version);
	fprintf(f, ",\"read_ms\":%.3f,\"system_hidden\":%zu,\"goroutines\":[",
		(double)v->go->read_ns / 1e6, v->system ? 0 : v->go->nsystem);
	for (size_t i = 0; i < v->go->n; i++) {
		if (!dump_goroutine_shown(v, &v->go->g[i]))
			continue;
		if (!first)
			fputc(',', f);
		json_goroutine(f, s, &v->go->g[i]);
		first = false;
	}
	fputs("]}", f);
}

static void json_state(FILE *f, const struct thread_snap *t)
{
	fputs("\"state\":", f);
	json_string(f, procfs_state_name(t->facts.state));
	fputs(",\"syscall\":", f);
	json_string(f, thread_facts_syscall(&t->facts));
	if (t->facts.restarted)
		fputs(",\"syscall_restarted\":true", f);
}

static void json_wait(FILE *f, struct snapshot *s, const struct lock_wait *w)
{
	fputs(",\"waiting_on\":", f);
	if (w->kind == LOCK_NONE) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"kind\":\"%s\",\"address\":\"0x%" PRIx64 "\",\"owner\":",
		lock_kind_name(w->kind), w->addr);
	if (w->owner >= 0)
		fprintf(f, "%d}", (int)s->t[w->owner].facts.tid);
	else
		fputs("null}", f);
}

static void json_counts(FILE *f, const char *key, const struct census_count *c, size_t n)
{
	fprintf(f, "\"%s\":{", key);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_string(f, c[i].name);
		fprintf(f, ":%zu", c[i].n);
	}
	fputc('}', f);
}

static void json_census(FILE *f, const struct snapshot *const *v, size_t n)
{
	struct census c;
	census_take_all(v, n, &c);
	fputs(",\"census\":{", f);
	json_counts(f, "states", c.states, c.nstates);
	fputc(',', f);
	json_counts(f, "syscalls", c.syscalls, c.nsyscalls);
	fputs(",\"pools\":[", f);
	for (size_t i = 0; i < c.npools; i++) {
		const struct census_pool *p = &c.pools[i];
		fprintf(f, "%s{\"pattern\":", i ? "," : "");
		json_string(f, p->pattern);
		fprintf(f, ",\"threads\":%zu,\"running\":%zu,", p->threads, p->running);
		json_counts(f, "blocked_in", p->blocked, p->nblocked);
		fputc(',', f);
		json_counts(f, "other", p->other, p->nother);
		fputc('}', f);
	}
	fputs("]}", f);
	census_free(&c);
}

static void json_deadlocks(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	fputs(",\"deadlocks\":[", f);
	for (size_t i = 0; i < v->ndeadlocks; i++) {
		const struct deadlock *d = &v->deadlocks[i];
		fputs(i ? ",[" : "[", f);
		for (size_t k = 0; k < d->n; k++) {
			const struct lock_wait *w = &v->waits[d->threads[k]];
			fprintf(f, "%s{\"tid\":%d,\"kind\":\"%s\",\"lock\":\"0x%" PRIx64
				"\",\"owner\":%d}", k ? "," : "", (int)s->t[d->threads[k]].facts.tid,
				lock_kind_name(w->kind), w->addr,
				(int)s->t[d->threads[(k + 1) % d->n]].facts.tid);
		}
		fputc(']', f);
	}
	fputc(']', f);
}

static void json_thread(FILE *f, struct snapshot *s, const struct dump_view *v, size_t i)
{
	const struct thread_snap *t = &s->t[i];
	fputc('{', f);
	if (v->several)
		fprintf(f, "\"pid\":%d,", (int)s->pid);
	fprintf(f, "\"tid\":%d,\"name\":", (int)t->facts.tid);
	json_string(f, t->facts.name);
	fputc(',', f);
	json_state(f, t);
	fprintf(f, ",\"cpu_seconds\":%.2f", (double)t->facts.cpu_ns / 1e9);
	if (v->waits)
		json_wait(f, s, &v->waits[i]);
	if (t->kstack.n) {
		fputs(",\"kernel_frames\":[", f);
		for (size_t k = 0; k < t->kstack.n; k++) {
			if (k)
				fputc(',', f);
			json_string(f, t->kstack.fn[k]);
		}
		fputc(']', f);
	}
	fputc(',', f);
	json_frames(f, s, t);
	fputc('}', f);
}

/* One process's object, without a line end. */
static void json_process(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	fprintf(f, "{\"pid\":%d,\"name\":", (int)s->pid);
	json_string(f, s->comm);
	fprintf(f, ",\"time_ns\":%" PRIu64 ",\"capture_ms\":%.3f,\"stopped_max_ms\":%.3f,"
		"\"stopped_total_ms\":%.3f,\"threads\":[",
		s->time_ns, (double)s->capture_ns / 1e6, (double)s->stopped_max_ns / 1e6,
		(double)s->stopped_total_ns / 1e6);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			fputc(',', f);
		json_thread(f, s, v, i);
	}
	fputc(']', f);
	json_census(f, (const struct snapshot *const *)&s, 1);
	if (v->go)
		json_goroutines(f, s, v);
	if (v->waits)
		json_deadlocks(f, s, v);
	if (v->group) {
		struct dump_group *g;
		size_t ng = dump_groups(s, &g);
		fputs(",\"groups\":[", f);
		for (size_t i = 0; i < ng; i++) {
			const struct thread_snap *first = &s->t[g[i].members[0]];
			fprintf(f, "%s{\"count\":%zu,\"threads\":[", i ? "," : "", g[i].n);
			for (size_t k = 0; k < g[i].n; k++) {
				const struct thread_snap *t = &s->t[g[i].members[k]];
				fprintf(f, "%s{\"tid\":%d,\"name\":", k ? "," : "", (int)t->facts.tid);
				json_string(f, t->facts.name);
				fputc('}', f);
			}
			fputs("],", f);
			json_state(f, first);
			fputc(',', f);
			json_frames(f, s, first);
			fputc('}', f);
		}
		fputc(']', f);
		dump_groups_free(g, ng);
	}
	fputc('}', f);
}

void dump_write_json(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	json_process(f, s, v);
	fputc('\n', f);
}

void dump_write_json_set(FILE *f, const struct snapset *ss, const struct dump_view *v)
{
	fputs("{\"processes\":[", f);
	for (size_t i = 0; i < ss->n; i++) {
		if (i)
			fputc(',', f);
		json_process(f, ss->v[i], &v[i]);
	}
	fputc(']', f);
	json_census(f, (const struct snapshot *const *)ss->v, ss->n);
	fputs(",\"skipped\":[", f);
	for (size_t i = 0; i < ss->nskipped; i++)
		fprintf(f, "%s%d", i ? "," : "", (int)ss->skipped[i]);
	fprintf(f, "],\"exited\":%zu}\n", ss->exited);
}
