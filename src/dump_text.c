/* dump_text.c - the SIGQUIT-style dump people read. */
#include <inttypes.h>
#include <stdio.h>

#include "dumpout.h"
#include "escape.h"

void dump_state_words(const struct thread_snap *t, char *buf, size_t size)
{
	const char *sc = thread_facts_syscall(&t->facts);
	snprintf(buf, size, "%s%s%s", procfs_state_name(t->facts.state), sc ? " in " : "",
		 sc ? sc : "");
}

static void print_frames(FILE *f, struct snapshot *s, const struct thread_snap *t)
{
	size_t k = 0;
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

static void print_thread(FILE *f, struct snapshot *s, const struct thread_snap *t)
{
	char state[96];
	dump_state_words(t, state, sizeof(state));
	fprintf(f, "Thread %d \"", (int)t->facts.tid);
	fputs_escaped(f, t->facts.name);
	fprintf(f, "\" %s, cpu %.2fs\n", state, (double)t->facts.cpu_ns / 1e9);
	print_frames(f, s, t);
}

static void print_group(FILE *f, struct snapshot *s, const struct dump_group *g)
{
	const struct thread_snap *first = &s->t[g->members[0]];
	char state[96];
	if (g->n == 1) {
		print_thread(f, s, first);
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

void dump_write_text(FILE *f, struct snapshot *s, bool group)
{
	fprintf(f, "ptprof dump: pid %d \"", (int)s->pid);
	fputs_escaped(f, s->comm);
	fprintf(f, "\", %zu threads, captured in %.2f ms, "
		"threads stopped %.3f ms max, %.3f ms total\n", s->n, (double)s->capture_ns / 1e6,
		(double)s->stopped_max_ns / 1e6, (double)s->stopped_total_ns / 1e6);
	if (group) {
		struct dump_group *g;
		size_t ng = dump_groups(s, &g);
		for (size_t i = 0; i < ng; i++) {
			fputc('\n', f);
			print_group(f, s, &g[i]);
		}
		dump_groups_free(g, ng);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		fputc('\n', f);
		print_thread(f, s, &s->t[i]);
	}
}
