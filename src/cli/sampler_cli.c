/* sampler_cli.c - the sampling options of record and top. */
#include <string.h>

#include "cli/sampler_cli.h"
#include "util/error.h"
#include "util/numparse.h"

int sampler_cli_option(const char *sub, struct sampler_opts *s, const struct cli_option *opt,
		       const char *arg)
{
	uint64_t v;

	switch (opt->id) {
	case OPT_DURATION:
		if (parse_duration_ns(arg, &v) < 0)
			return pt_usage_error("%s: -d needs a duration like 30, 30s, 500ms or 2m, "
					      "not '%s'", sub, arg);
		s->duration_ns = v;
		return 0;
	case OPT_RATE:
	case OPT_FREQ:
		if (parse_uint(arg, 1, 10000, &v) < 0)
			return pt_usage_error("%s: -r needs a rate from 1 to 10000 Hz, not '%s'", sub,
					      arg);
		s->rate_hz = (unsigned)v;
		return 0;
	case OPT_MODE:
		if (strcmp(arg, "cpu") == 0)
			s->mode = MODE_CPU;
		else if (strcmp(arg, "wall") == 0)
			s->mode = MODE_WALL;
		else
			return pt_usage_error("%s: unknown mode '%s' (cpu or wall)", sub, arg);
		return 0;
	default:
		return -1;
	}
}

void sampler_cli_common(struct sampler_opts *s, const struct common_args *c, bool command)
{
	s->children = c->children == 1 || (command && c->children != 0);
	s->pid = c->pid;
	s->pids = c->pids;
	s->npids = c->npids;
	s->tids = c->tids;
	s->ntids = c->ntids;
	s->stack_bytes = c->stack_bytes;
	s->max_frames = c->max_frames;
	s->debug_dir = c->debug_dir;
}
