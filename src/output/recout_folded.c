/* recout_folded.c - "root;...;leaf count" lines for flame graph tools. */
#include <inttypes.h>

#include "output/recout.h"

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

void recout_folded(FILE *f, const struct recording *rec, struct symcache *sc,
		   const struct recout_opts *o)
{
	struct stacks st = { 0 };
	recout_stacks(&st, rec, sc, o, NULL);
	stacks_print_folded(f, &st, o->threads);
	stacks_free(&st);
}
