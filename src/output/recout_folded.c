/* recout_folded.c - "root;...;leaf count" lines for flame graph tools. */
#include "output/recout.h"

void recout_folded(FILE *f, const struct recording *rec, struct symcache *sc,
		   const struct recout_opts *o)
{
	struct stacks st = { 0 };
	recout_stacks(&st, rec, sc, o, NULL);
	stacks_print_folded(f, &st, o->threads);
	stacks_free(&st);
}
