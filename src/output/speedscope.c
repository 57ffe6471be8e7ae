/* speedscope.c - a struct stacks in speedscope's file format.
 *
 * The format (https://www.speedscope.app/file-format-schema.json):
 *   {"$schema": ..., "exporter", "name", "activeProfileIndex",
 *    "shared": {"frames": [{"name", "file"?, "line"?}]},
 *    "profiles": [{"type": "sampled", "name", "unit", "startValue": 0,
 *                  "endValue", "samples": [[frame, ...]], "weights"}]}
 * Stacks are root first, as in struct stacks.  A frame is a function:
 * speedscope's own importers give a function one frame with its first
 * line, and frames per line would split every box of its views, so the
 * lines of one function share a frame carrying the lowest line sampled.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsonw.h"
#include "output/speedscope.h"
#include "util/xalloc.h"

struct sframe_out {
	uint32_t frame;           /* a frame of s with this function */
	int line;                 /* lowest known line, 0 if none */
};

struct profile_out {
	uint32_t thread;          /* STACKS_NO_THREAD: samples without one */
	uint64_t weight;
};

/* What a value is in speedscope's units, and the unit's name. */
static const char *unit_of(const struct stacks *s, uint64_t *mult)
{
	*mult = 1;
	if (s->ns_per_unit) {
		*mult = s->ns_per_unit;
		return "nanoseconds";
	}
	if (s->unit && (strcmp(s->unit, "nanoseconds") == 0 || strcmp(s->unit, "bytes") == 0))
		return s->unit;
	return "none";
}

static void put_frames(FILE *f, const struct stacks *s, const struct sframe_out *out, size_t n)
{
	fputs("\"shared\":{\"frames\":[", f);
	for (size_t i = 0; i < n; i++) {
		const struct sframe *fr = &s->frames[out[i].frame];
		fputs(i ? ",\n" : "\n", f);
		fputs("{\"name\":", f);
		json_string(f, fr->func);
		/* Without a source file the module says at least where it is. */
		if (*fr->file || *fr->module) {
			fputs(",\"file\":", f);
			json_string(f, *fr->file ? fr->file : fr->module);
		}
		if (*fr->file && out[i].line > 0)
			fprintf(f, ",\"line\":%d", out[i].line);
		fputc('}', f);
	}
	fputs("]},\n", f);
}

static void put_profile_name(FILE *f, const struct stacks *s, const struct profile_out *p,
			     bool any_thread)
{
	if (p->thread == STACKS_NO_THREAD) {
		json_string(f, any_thread ? "(no thread)" : s->title ? s->title : "all samples");
		return;
	}
	const struct sthread *t = &s->threads[p->thread];
	if (!t->tid) {
		json_string(f, t->name);
		return;
	}
	char *name = xasprintf("%s/%" PRId64, t->name, t->tid);
	json_string(f, name);
	free(name);
}

static void put_profile(FILE *f, const struct stacks *s, const struct profile_out *p,
			const uint32_t *shared_of, bool any_thread)
{
	uint64_t mult;
	const char *unit = unit_of(s, &mult);
	bool first = true;

	fputs("{\"type\":\"sampled\",\"name\":", f);
	put_profile_name(f, s, p, any_thread);
	fprintf(f, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%" PRIu64 ",\n\"samples\":[",
		unit, p->weight * mult);
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct ssample *x = &s->samples[i];
		if (!x->value || x->thread != p->thread)
			continue;
		fputs(first ? "[" : ",[", f);
		first = false;
		for (uint32_t k = 0; k < x->n; k++)
			fprintf(f, k ? ",%" PRIu32 : "%" PRIu32, shared_of[x->frames[k]]);
		fputc(']', f);
	}
	fputs("],\n\"weights\":[", f);
	first = true;
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct ssample *x = &s->samples[i];
		if (!x->value || x->thread != p->thread)
			continue;
		fprintf(f, first ? "%" PRIu64 : ",%" PRIu64, x->value * mult);
		first = false;
	}
	fputs("]}", f);
}

int speedscope_write(FILE *f, const struct stacks *s)
{
	struct strtab keys = { 0 };
	struct sframe_out *out = NULL;
	size_t nout = 0, out_cap = 0, nprof = 0, active = 0;
	uint32_t *shared_of = xcalloc(s->nframes ? s->nframes : 1, sizeof(*shared_of));
	/* Profile of each thread, then of samples without one; + 1, 0 = none. */
	size_t *prof_of = xcalloc(s->nthreads + 1, sizeof(*prof_of));
	struct profile_out *prof = xcalloc(s->nthreads + 1, sizeof(*prof));
	bool any_thread = false;
	int ret = 0;

	for (size_t i = 0; i < s->nframes; i++) {
		const struct sframe *fr = &s->frames[i];
		char *key = xasprintf("%s\x1f%s\x1f%s", fr->func, fr->module, fr->file);
		size_t id = strtab_intern(&keys, key);
		free(key);
		if (id == nout) {
			XGROW(out, out_cap, nout);
			out[nout++] = (struct sframe_out){ (uint32_t)i, 0 };
		}
		if (fr->line > 0 && (!out[id].line || fr->line < out[id].line))
			out[id].line = fr->line;
		shared_of[i] = (uint32_t)id;
	}

	/* Profiles in the order the threads were first seen. */
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct ssample *x = &s->samples[i];
		size_t slot = x->thread == STACKS_NO_THREAD ? s->nthreads : x->thread;
		if (!x->value)
			continue;
		any_thread |= x->thread != STACKS_NO_THREAD;
		if (!prof_of[slot]) {
			prof[nprof] = (struct profile_out){ x->thread, 0 };
			prof_of[slot] = ++nprof;
		}
		prof[prof_of[slot] - 1].weight += x->value;
	}
	/* An empty recording is still a file speedscope opens. */
	if (!nprof)
		prof[nprof++] = (struct profile_out){ STACKS_NO_THREAD, 0 };
	/* speedscope opens on the busiest thread. */
	for (size_t i = 1; i < nprof; i++)
		if (prof[i].weight > prof[active].weight)
			active = i;

	errno = 0;
	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n", f);
	fputs("\"exporter\":\"ptprof " PTPROF_VERSION "\",\"name\":", f);
	json_string(f, s->title ? s->title : "ptprof");
	fprintf(f, ",\"activeProfileIndex\":%zu,\n", active);
	put_frames(f, s, out, nout);
	fputs("\"profiles\":[", f);
	for (size_t i = 0; i < nprof; i++) {
		fputs(i ? ",\n" : "\n", f);
		put_profile(f, s, &prof[i], shared_of, any_thread);
	}
	fputs("]}\n", f);
	if (fflush(f) != 0 || ferror(f)) {
		if (!errno)
			errno = EIO;
		ret = -1;
	}

	free(prof);
	free(prof_of);
	free(out);
	free(shared_of);
	strtab_free(&keys);
	return ret;
}
