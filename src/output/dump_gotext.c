/* dump_gotext.c - goroutines as Go's goroutine?debug=2 and SIGQUIT print
 * them, so a Go engineer (and panicparse) reads them as usual; with -g,
 * identical goroutines once with their count, like debug=1. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/dumpout.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

bool dump_goroutine_shown(const struct dump_view *v, const struct goroutine_snap *g)
{
	return v->system || !g->system;
}

/* Go's tracebacks (GOTRACEBACK=single, the default) show a frame when
 * its function is the program's or an exported part of the runtime, and
 * runtime.gopanic below the top; --system shows them all, as
 * GOTRACEBACK=system does. */
static bool frame_shown(const struct dump_view *v, const char *fn, bool first)
{
	if (v->system)
		return true;
	if (!fn || !strchr(fn, '.'))
		return false;
	if (strncmp(fn, "runtime.", 8) != 0)
		return true;
	return (fn[8] >= 'A' && fn[8] <= 'Z') || (!first && strcmp(fn, "runtime.gopanic") == 0);
}

/* "function(...)" then "\tfile:line +0xoffset", innermost first. */
static void print_go_frames(FILE *f, struct snapshot *s, const struct dump_view *v,
			    const struct goroutine_snap *g)
{
	const struct stack *st = &g->stack;
	bool first = true;
	for (size_t i = 0; i < st->n; i++) {
		const struct stack_frame *fr = &st->frames[i];
		const struct symbol *sym = symcache_get(s->sc, fr->pc, fr->is_return);
		for (size_t j = 0; j < sym->nframes; j++) {
			const struct sym_frame *sf = &sym->frames[j];
			bool shown = frame_shown(v, sf->function, first);
			first = false;
			if (!shown)
				continue;
			if (sf->function)
				fputs(sf->function, f);
			else if (sym->module)
				fprintf(f, "%s+0x%" PRIx64, sym->module->name, sym->module_offset);
			else
				fprintf(f, "0x%" PRIx64, fr->pc);
			fputs("(...)\n\t", f);
			if (sf->file)
				fprintf(f, "%s:%d", sf->file, sf->line);
			else
				fputs("?", f);
			if (!sf->inlined && sym->entry && fr->pc >= sym->entry)
				fprintf(f, " +0x%" PRIx64, fr->pc - sym->entry);
			fputc('\n', f);
		}
	}
	if (g->problem)
		fprintf(f, st->n ? "...stack incomplete: %s\n" : "...no stack: %s\n", g->problem);
}

/* "created by F [in goroutine N]\n\tfile:line +0xoff": F is the function
 * holding the go statement, the position that of the statement. */
static void print_created(FILE *f, struct snapshot *s, const struct dump_view *v,
			  const struct goroutine_snap *g)
{
	const struct symbol *sym;
	const struct sym_frame *outer, *inner;
	/* The main goroutine is started by the runtime itself. */
	if (g->g.goid == 1 || !gosnap_creator(s->sc, g, &sym, &outer, &inner) ||
	    !frame_shown(v, outer->function, false))
		return;
	fprintf(f, "created by %s", outer->function ? outer->function : "??");
	if (g->g.parent_goid)
		fprintf(f, " in goroutine %" PRIu64, g->g.parent_goid);
	fputs("\n\t", f);
	if (inner->file)
		fprintf(f, "%s:%d", inner->file, inner->line);
	else
		fputs("?", f);
	if (sym->entry && g->g.gopc >= sym->entry)
		fprintf(f, " +0x%" PRIx64, g->g.gopc - sym->entry);
	fputc('\n', f);
}

/* The bracket after "goroutine N": state, how long, what it is tied to. */
static void print_bracket(FILE *f, const struct goroutine_snap *g)
{
	fprintf(f, "[%s", gosnap_state(g));
	if (g->wait_minutes)
		fprintf(f, ", %" PRIu64 " minutes", g->wait_minutes);
	if (g->g.locked)
		fputs(", locked to thread", f);
	if (g->thread) {
		fprintf(f, ", thread %d \"", (int)g->thread->facts.tid);
		fputs_escaped(f, g->thread->facts.name);
		fputc('"', f);
	}
	if (g->g.inconsistent)
		fputs(", inconsistent", f);
	fputc(']', f);
}

static void print_goroutine(FILE *f, struct snapshot *s, const struct dump_view *v,
			    const struct goroutine_snap *g)
{
	fprintf(f, "goroutine %" PRIu64 " ", g->g.goid);
	print_bracket(f, g);
	fputs(":\n", f);
	print_go_frames(f, s, v, g);
	print_created(f, s, v, g);
}

/* "Goroutines: 282: 200 chan receive, 50 select, ..." by count. */
struct state_count {
	const char *name;
	size_t n;
};

static int by_count(const void *a, const void *b)
{
	const struct state_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void print_go_census(FILE *f, const struct gosnap *gs, const struct dump_view *v)
{
	struct state_count *c = xcalloc(gs->n ? gs->n : 1, sizeof(*c));
	size_t nc = 0, shown = 0;
	for (size_t i = 0; i < gs->n; i++) {
		const struct goroutine_snap *g = &gs->g[i];
		const char *st = gosnap_state(g);
		size_t k;
		if (!dump_goroutine_shown(v, g))
			continue;
		shown++;
		for (k = 0; k < nc && strcmp(c[k].name, st) != 0; k++)
			;
		if (k == nc)
			c[nc++] = (struct state_count){ st, 0 };
		c[k].n++;
	}
	qsort(c, nc, sizeof(*c), by_count);
	fprintf(f, "Goroutines: %zu", shown);
	for (size_t k = 0; k < nc; k++)
		fprintf(f, "%s%zu %s", k ? ", " : ": ", c[k].n, c[k].name);
	if (gs->nsystem && !v->system)
		fprintf(f, " (%zu runtime goroutines hidden: --system shows them)", gs->nsystem);
	fputc('\n', f);
	free(c);
}

/* -g: goroutines with the same state, stack and creator, once, with the
 * first GROUP_IDS of their ids (a pool of thousands would fill screens). */
#define GROUP_IDS 32

struct gogroup {
	size_t first;             /* index in gs->g */
	size_t *members;
	size_t n, cap;
};

static bool same_goroutine_stack(const struct goroutine_snap *a, const struct goroutine_snap *b)
{
	if (a->stack.n != b->stack.n || a->g.gopc != b->g.gopc || a->problem != b->problem ||
	    strcmp(gosnap_state(a), gosnap_state(b)) != 0)
		return false;
	for (size_t i = 0; i < a->stack.n; i++)
		if (a->stack.frames[i].pc != b->stack.frames[i].pc ||
		    a->stack.frames[i].is_return != b->stack.frames[i].is_return)
			return false;
	return true;
}

static uint64_t stack_hash(const struct goroutine_snap *g)
{
	uint64_t h = 1469598103934665603ULL ^ g->g.gopc;
	for (size_t i = 0; i < g->stack.n; i++)
		h = (h ^ g->stack.frames[i].pc) * 1099511628211ULL;
	return h;
}

static int by_size(const void *a, const void *b)
{
	const struct gogroup *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return x->first < y->first ? -1 : x->first > y->first;
}

static void print_grouped(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	const struct gosnap *gs = v->go;
	struct gogroup *grp = NULL;
	size_t ng = 0, cap = 0;
	struct u64map by_hash = { 0 }; /* hash -> index of the first group with it */

	for (size_t i = 0; i < gs->n; i++) {
		const struct goroutine_snap *g = &gs->g[i];
		uint64_t h = stack_hash(g), k;
		size_t at = ng;
		if (!dump_goroutine_shown(v, g))
			continue;
		if (u64map_get(&by_hash, h, &k))
			for (at = (size_t)k; at < ng; at++)
				if (same_goroutine_stack(&gs->g[grp[at].first], g))
					break;
		if (at == ng) {
			XGROW(grp, cap, ng);
			grp[ng] = (struct gogroup){ .first = i };
			if (!u64map_get(&by_hash, h, &k))
				u64map_put(&by_hash, h, ng);
			ng++;
		}
		XGROW(grp[at].members, grp[at].cap, grp[at].n);
		grp[at].members[grp[at].n++] = i;
	}
	qsort(grp, ng, sizeof(*grp), by_size);
	for (size_t k = 0; k < ng; k++) {
		const struct goroutine_snap *g = &gs->g[grp[k].first];
		fputc('\n', f);
		if (grp[k].n == 1) {
			print_goroutine(f, s, v, g);
		} else {
			/* How long and on which thread differ within a group. */
			fprintf(f, "%zu goroutines [%s]:", grp[k].n, gosnap_state(g));
			for (size_t m = 0; m < grp[k].n && m < GROUP_IDS; m++)
				fprintf(f, " %" PRIu64, gs->g[grp[k].members[m]].g.goid);
			if (grp[k].n > GROUP_IDS)
				fprintf(f, " and %zu more", grp[k].n - GROUP_IDS);
			fputc('\n', f);
			print_go_frames(f, s, v, g);
			print_created(f, s, v, g);
		}
		free(grp[k].members);
	}
	u64map_free(&by_hash);
	free(grp);
}

void dump_goroutines_text(FILE *f, struct snapshot *s, const struct dump_view *v)
{
	const struct gosnap *gs = v->go;
	print_go_census(f, gs, v);
	if (v->group) {
		print_grouped(f, s, v);
		return;
	}
	for (size_t i = 0; i < gs->n; i++) {
		if (!dump_goroutine_shown(v, &gs->g[i]))
			continue;
		fputc('\n', f);
		print_goroutine(f, s, v, &gs->g[i]);
	}
}
