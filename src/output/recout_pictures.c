/* recout_pictures.c - a recording as a flame graph or a speedscope file. */
#include "output/flamegraph.h"
#include "output/recout.h"
#include "output/speedscope.h"

int recout_flamegraph(FILE *f, const struct recording *rec, struct recsyms *rs,
		      const struct recout_opts *o)
{
	struct stacks st = { 0 };
	recout_stacks(&st, rec, rs, o, NULL);
	struct flamegraph_opts fo = { o->threads && !o->processes, NULL };
	int ret = flamegraph_write(f, &st, &fo);
	stacks_free(&st);
	return ret;
}

int recout_speedscope(FILE *f, const struct recording *rec, struct recsyms *rs,
		      const struct recout_opts *o)
{
	struct stacks st = { 0 };
	recout_stacks(&st, rec, rs, o, NULL);
	int ret = speedscope_write(f, &st);
	stacks_free(&st);
	return ret;
}
