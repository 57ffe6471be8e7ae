/* recout_folded.c - "root;...;leaf count" lines for flame graph tools. */
#include "output/recout.h"

void recout_folded(FILE *f, const struct recording *rec, struct recsyms *rs,
		   const struct recout_opts *o)
{
	struct stacks st = { 0 };
	recout_stacks(&st, rec, rs, o, NULL);
	stacks_print_folded(f, &st, o->threads && !o->processes);
	stacks_free(&st);
}
