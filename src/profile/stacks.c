/* stacks.c - the profile model every picture and table is drawn from. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "profile/stacks.h"
#include "util/xalloc.h"

const char *stacks_str(struct stacks *s, const char *str)
{
	size_t id = strtab_intern(&s->strs, str ? str : "");  /* may move strs */
	return s->strs.strs[id];
}

uint32_t stacks_frame(struct stacks *s, const char *func, const char *module, const char *file,
		      int line, enum frame_kind kind, bool inlined)
{
	/* Fields joined with a byte no name holds: one key per frame. */
	char *key = xasprintf("%s\x1f%s\x1f%s\x1f%d\x1f%d\x1f%d", func ? func : "??",
			      module ? module : "", file ? file : "", line, (int)kind, inlined);
	size_t before = s->frame_keys.n;
	size_t id = strtab_intern(&s->frame_keys, key);
	free(key);
	if (id == before) {
		XGROW(s->frames, s->frames_cap, s->nframes);
		s->frames[s->nframes++] = (struct sframe){
			stacks_str(s, func && *func ? func : "??"), stacks_str(s, module),
			stacks_str(s, file), line < 0 ? 0 : line, kind, inlined,
		};
	}
	return (uint32_t)id;
}

uint32_t stacks_thread(struct stacks *s, const char *name, int64_t tid)
{
	const char *n = stacks_str(s, name);
	uint64_t key = tid ? (uint64_t)tid : (uint64_t)(uintptr_t)n | (1ULL << 63);
	uint64_t i;
	if (u64map_get(&s->thread_index, key, &i))
		return (uint32_t)i;
	XGROW(s->threads, s->threads_cap, s->nthreads);
	s->threads[s->nthreads] = (struct sthread){ n, tid };
	u64map_put(&s->thread_index, key, s->nthreads);
	return (uint32_t)s->nthreads++;
}

void stacks_add(struct stacks *s, const uint32_t *frames, size_t n, uint64_t value,
		uint32_t thread)
{
	XGROW(s->samples, s->samples_cap, s->nsamples);
	struct ssample *x = &s->samples[s->nsamples++];
	x->frames = xcalloc(n ? n : 1, sizeof(*x->frames));
	memcpy(x->frames, frames, n * sizeof(*frames));
	x->n = (uint32_t)n;
	x->value = value;
	x->thread = thread;
	s->total += value;
}

void stacks_free(struct stacks *s)
{
	for (size_t i = 0; i < s->nsamples; i++)
		free(s->samples[i].frames);
	free(s->samples);
	free(s->frames);
	free(s->threads);
	strtab_free(&s->strs);
	strtab_free(&s->frame_keys);
	u64map_free(&s->thread_index);
	memset(s, 0, sizeof(*s));
}

static int by_flat(const void *a, const void *b)
{
	const struct func_share *x = a, *y = b;
	if (x->flat != y->flat)
		return x->flat < y->flat ? 1 : -1;
	if (x->cum != y->cum)
		return x->cum < y->cum ? 1 : -1;
	int c = strcmp(x->func, y->func);
	return c ? c : strcmp(x->module, y->module);
}

struct func_share *stacks_top(const struct stacks *s, size_t *n)
{
	struct strtab keys = { 0 };
	struct func_share *out = NULL;
	size_t cap = 0, nf = 0;
	size_t *of_frame = xcalloc(s->nframes ? s->nframes : 1, sizeof(*of_frame));
	size_t *seen = NULL; /* per function: 1 + the last sample counted in cum */

	/* Frames with the same function and module are one function. */
	for (size_t i = 0; i < s->nframes; i++) {
		char *key = xasprintf("%s\x1f%s", s->frames[i].func, s->frames[i].module);
		size_t id = strtab_intern(&keys, key);
		free(key);
		if (id == nf) {
			XGROW(out, cap, nf);
			out[nf++] = (struct func_share){ s->frames[i].func, s->frames[i].module, 0, 0 };
		}
		of_frame[i] = id;
	}
	seen = xcalloc(nf ? nf : 1, sizeof(*seen));
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct ssample *x = &s->samples[i];
		if (!x->n)
			continue;
		out[of_frame[x->frames[x->n - 1]]].flat += x->value;
		for (size_t k = 0; k < x->n; k++) {
			size_t f = of_frame[x->frames[k]];
			if (seen[f] == i + 1)
				continue;  /* recursion counts once */
			seen[f] = i + 1;
			out[f].cum += x->value;
		}
	}
	if (nf)
		qsort(out, nf, sizeof(*out), by_flat);
	free(seen);
	free(of_frame);
	strtab_free(&keys);
	*n = nf;
	return out;
}

static double pct(uint64_t v, uint64_t total)
{
	return total ? 100.0 * (double)v / (double)total : 0.0;
}

/* A value as go tool pprof shows it when values are time ("1.98s",
 * "250ms"), else the plain count. */
static const char *fmt_value(char *buf, size_t size, uint64_t v, const struct stacks *s)
{
	static const struct { double ns; const char *unit; } scale[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" }, { 1, "ns" },
	};
	if (!s->ns_per_unit || !s->unit || !strstr(s->unit, "seconds") || !v) {
		snprintf(buf, size, "%" PRIu64, v);
		return buf;
	}
	double ns = (double)v * (double)s->ns_per_unit;
	size_t i = 0;
	/* 999.999ms rounds to 1000.00: that is 1s. */
	while (i + 1 < sizeof(scale) / sizeof(scale[0]) && ns < scale[i].ns * 0.999995)
		i++;
	int n = snprintf(buf, size, "%.2f", ns / scale[i].ns);
	/* "10.00" -> "10", "12.50" -> "12.5" */
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	snprintf(buf + n, size - (size_t)n, "%s", scale[i].unit);
	return buf;
}

void stacks_print_top(FILE *f, const struct stacks *s, size_t limit)
{
	size_t n;
	struct func_share *t = stacks_top(s, &n);
	char flat[32], cum[32];
	fprintf(f, "%12s %6s %12s %6s  %s\n", "flat", "flat%", "cum", "cum%", "function");
	for (size_t i = 0; i < n && (!limit || i < limit); i++) {
		fprintf(f, "%12s %5.1f%% %12s %5.1f%%  %s", fmt_value(flat, sizeof(flat), t[i].flat, s),
			pct(t[i].flat, s->total), fmt_value(cum, sizeof(cum), t[i].cum, s),
			pct(t[i].cum, s->total), t[i].func);
		if (*t[i].module)
			fprintf(f, " [%s]", t[i].module);
		fputc('\n', f);
	}
	free(t);
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

void stacks_print_folded(FILE *f, const struct stacks *s, bool threads)
{
	struct strtab lines = { 0 };
	uint64_t *values = NULL;
	size_t values_cap = 0, cap = 0;
	char *line = NULL, name[512];

	for (size_t i = 0; i < s->nsamples; i++) {
		const struct ssample *x = &s->samples[i];
		size_t len = 0;
		if (threads && x->thread != STACKS_NO_THREAD) {
			const struct sthread *t = &s->threads[x->thread];
			if (t->tid)
				snprintf(name, sizeof(name), "%s/%" PRId64, t->name, t->tid);
			else
				snprintf(name, sizeof(name), "%s", t->name);
			append(&line, &len, &cap, name);
		}
		for (size_t k = 0; k < x->n; k++)
			append(&line, &len, &cap, s->frames[x->frames[k]].func);
		if (!len)
			continue;
		size_t before = lines.n;
		size_t id = strtab_intern(&lines, line);
		if (id == before) {
			XGROW(values, values_cap, id);
			values[id] = 0;
		}
		values[id] += x->value;
	}
	for (size_t i = 0; i < lines.n; i++)
		fprintf(f, "%s %" PRIu64 "\n", lines.strs[i], values[i]);
	free(line);
	free(values);
	strtab_free(&lines);
}
