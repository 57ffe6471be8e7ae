/* recout_folded.c - "root;...;leaf count" lines for flame graph tools. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "recout.h"
#include "xalloc.h"

void recout_frame_name(const struct symbol *sym, const struct sym_frame *sf, char *buf,
		       size_t size)
{
	if (sf->function)
		snprintf(buf, size, "%s", sf->function);
	else if (sym->module)
		snprintf(buf, size, "%s+0x%" PRIx64, sym->module->name, sym->module_offset);
	else
		snprintf(buf, size, "??");
}

/* Append a frame name.  ';' separates frames and a line is one stack, so
 * neither may occur inside a name (thread names can hold anything). */
static void append(char **s, size_t *len, size_t *cap, const char *name)
{
	size_t n = strlen(name);
	if (*len + n + 2 > *cap) {
		*cap = (*len + n + 2) * 2;
		*s = xrealloc(*s, *cap);
	}
	if (*len)
		(*s)[(*len)++] = ';';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		(*s)[(*len)++] = c == ';' ? ':' : c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	(*s)[*len] = '\0';
}

void recout_folded(FILE *f, const struct recording *rec, struct symcache *sc,
		   const struct recout_opts *o)
{
	struct strtab lines = { 0 };
	uint64_t *counts = NULL;
	size_t counts_cap = 0;
	char *s = NULL, name[512];
	size_t cap = 0;

	for (size_t i = 0; i < rec->agg.n; i++) {
		const struct agg_entry *e = rec->agg.entries[i];
		size_t len = 0;
		if (o->threads) {
			snprintf(name, sizeof(name), "%s/%d", aggregate_thread_name(&rec->agg, e->tid),
				 (int)e->tid);
			append(&s, &len, &cap, name);
		}
		for (size_t k = e->nframes; k-- > 0;) {
			const struct symbol *sym = symcache_get(sc, e->frames[k].pc, e->frames[k].is_return);
			for (size_t j = sym->nframes; j-- > 0;) {
				recout_frame_name(sym, &sym->frames[j], name, sizeof(name));
				append(&s, &len, &cap, name);
			}
		}
		if (!len)
			continue;
		size_t before = lines.n;
		size_t id = strtab_intern(&lines, s);
		if (id == before) {
			XGROW(counts, counts_cap, id);
			counts[id] = 0;
		}
		counts[id] += e->count;
	}
	for (size_t i = 0; i < lines.n; i++)
		fprintf(f, "%s %" PRIu64 "\n", lines.strs[i], counts[i]);
	free(s);
	free(counts);
	strtab_free(&lines);
}
