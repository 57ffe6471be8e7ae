/* goprof_out.c - a Go runtime profile written as pprof or as text. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/goprof_out.h"
#include "output/pprof.h"
#include "output/recout.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

int goprof_write_pprof(FILE *f, const struct goprof *p, struct symcache *sc)
{
	struct pprof *pp = pprof_new(sc);
	struct stack_frame *fr = NULL;
	size_t cap = 0;

	for (size_t k = 0; k < p->ntypes; k++)
		pprof_add_sample_type(pp, p->types[k], p->units[k]);
	pprof_set_period(pp, p->period_type, p->period_unit, p->period);
	if (p->set_default)
		pprof_set_default_type(pp, p->types[p->default_type]);
	pprof_set_time(pp, p->time_ns, 0);
	for (size_t i = 0; i < p->n; i++) {
		const struct goprof_sample *s = &p->s[i];
		XGROW(fr, cap, s->n + 1);
		for (uint32_t j = 0; j < s->n; j++)
			fr[j] = (struct stack_frame){ p->pcs[s->pc + j], true };
		struct pprof_label bytes = { "bytes", NULL, s->bytes };
		pprof_add_sample(pp, fr, s->n, s->v, &bytes, s->bytes ? 1 : 0);
	}
	free(fr);
	int ret = pprof_write(pp, f);
	pprof_free(pp);
	return ret;
}

void goprof_fmt_bytes(char *buf, size_t size, double b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;
	double v = fabs(b);
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%.0f B", b);
	else
		snprintf(buf, size, "%.*f %s", v < 10 ? 2 : 1, b < 0 ? -v : v, units[u]);
}

/* A value of type k as text. */
static void fmt_value(char *buf, size_t size, const struct goprof *p, size_t k, int64_t v)
{
	if (strcmp(p->units[k], "bytes") == 0)
		goprof_fmt_bytes(buf, size, (double)v);
	else if (strcmp(p->units[k], "nanoseconds") == 0)
		snprintf(buf, size, v >= 1000000000 ? "%.2f s" : "%.2f ms",
			 v >= 1000000000 ? (double)v / 1e9 : (double)v / 1e6);
	else
		snprintf(buf, size, "%" PRId64, v);
}

struct func_row {
	const char *name;
	int64_t v[GOPROF_MAX_TYPES];
};

/* The innermost frame's name of a sample. */
static const char *leaf_name(const struct goprof *p, const struct goprof_sample *s,
			     struct symcache *sc, char *buf, size_t size)
{
	if (s->n == 0)
		return "(no stack)";
	const struct symbol *sym = symcache_get(sc, p->pcs[s->pc], true);
	recout_frame_name(sym, &sym->frames[0], buf, size);
	return buf;
}

static int row_cmp_key;

static int row_cmp(const void *a, const void *b)
{
	const struct func_row *x = a, *y = b;
	int64_t vx = x->v[row_cmp_key], vy = y->v[row_cmp_key];
	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Flat values per function, sorted by the default type. */
static struct func_row *by_function(const struct goprof *p, struct symcache *sc, size_t *n,
				    struct strtab *names)
{
	struct func_row *rows = NULL;
	size_t cap = 0;
	char buf[512];

	*n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const char *name = leaf_name(p, &p->s[i], sc, buf, sizeof(buf));
		size_t id = strtab_intern(names, name);
		if (id >= *n) {
			XGROW(rows, cap, id + 1);
			memset(&rows[*n], 0, (id + 1 - *n) * sizeof(*rows));
			*n = id + 1;
		}
		rows[id].name = names->strs[id];
		for (size_t k = 0; k < p->ntypes; k++)
			rows[id].v[k] += p->s[i].v[k];
	}
	row_cmp_key = (int)p->default_type;
	if (*n)
		qsort(rows, *n, sizeof(*rows), row_cmp);
	return rows;
}

const char *goprof_top_function(const struct goprof *p, struct symcache *sc, char *buf,
				size_t size, double *share)
{
	struct strtab names = { 0 };
	size_t n;
	struct func_row *rows = by_function(p, sc, &n, &names);
	const char *ret = NULL;
	size_t k = p->default_type;

	*share = 0;
	if (n && rows[0].v[k] > 0) {
		snprintf(buf, size, "%s", rows[0].name);
		*share = p->total[k] ? (double)rows[0].v[k] / (double)p->total[k] : 0;
		ret = buf;
	}
	free(rows);
	strtab_free(&names);
	return ret;
}

static void header(FILE *f, const struct goprof *p, const struct goprof_text_opts *o)
{
	char when[64], b1[32], b2[32];
	time_t t = (time_t)(p->time_ns / 1000000000);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));

	fprintf(f, "Go %s profile of process %d \"", goprof_kind_name(p->kind), (int)o->pid);
	fputs_escaped(f, o->comm ? o->comm : "");
	fprintf(f, "\" (%s), read %s\n", p->build.version[0] ? p->build.version : "Go",
		when);
	if (p->kind == GOPROF_HEAP || p->kind == GOPROF_ALLOCS) {
		goprof_fmt_bytes(b1, sizeof(b1), (double)p->period);
		if (p->period > 1)
			fprintf(f, "Sampling: one allocation per %s allocated "
				   "(runtime.MemProfileRate %" PRId64 "); values are estimates\n",
				b1, p->period);
		else
			fprintf(f, "Sampling: every allocation (runtime.MemProfileRate %" PRId64 ")\n",
				p->period);
		if (p->data.before_first_gc)
			fprintf(f, "No garbage collection yet: every allocation so far counts\n");
		else
			fprintf(f, "As of the last garbage collection (profile cycle %u)\n",
				p->data.cycle);
		goprof_fmt_bytes(b1, sizeof(b1), (double)p->total[3]);
		fprintf(f, "In use:     %-12s in %" PRId64 " objects\n", b1, p->total[2]);
		goprof_fmt_bytes(b1, sizeof(b1), (double)p->total[1]);
		fprintf(f, "Allocated:  %-12s in %" PRId64 " objects since the program started\n",
			b1, p->total[0]);
	} else {
		if (p->kind == GOPROF_MUTEX)
			fprintf(f, "Sampling: one contention event in %" PRId64
				   " (runtime.SetMutexProfileFraction)\n", p->data.rate);
		else
			fprintf(f, "Sampling: blocking events of %" PRId64 " CPU cycles and more "
				   "(runtime.SetBlockProfileRate)\n", p->data.rate);
		fmt_value(b1, sizeof(b1), p, 1, p->total[1]);
		fprintf(f, "Total:      %" PRId64 " contentions, %s delay%s\n", p->total[0], b1,
			p->own_clock ? " (the program never measured its clock rate: "
				       "ptprof's was used)" : "");
	}
	if (o->rss >= 0) {
		goprof_fmt_bytes(b2, sizeof(b2), (double)o->rss);
		fprintf(f, "RSS:        %s\n", b2);
	}
	if (!p->data.settled)
		fprintf(f, "Note: the records changed under every read; numbers may mix two "
			   "garbage collections\n");
}

void goprof_write_text(FILE *f, const struct goprof *p, struct symcache *sc,
		       const struct goprof_text_opts *o)
{
	struct strtab names = { 0 };
	size_t n;
	struct func_row *rows = by_function(p, sc, &n, &names);
	size_t k = p->default_type, shown = o->top && o->top < n ? o->top : n;
	char b[4][32];

	header(f, p, o);
	if (p->kind == GOPROF_HEAP || p->kind == GOPROF_ALLOCS) {
		bool inuse = p->kind == GOPROF_HEAP;
		fprintf(f, "\nTop functions by %s (where the memory was allocated)\n",
			inuse ? "in-use space" : "allocated space");
		fprintf(f, "%12s %6s %12s %12s %12s  %s\n", inuse ? "inuse_space" : "alloc_space",
			"share", inuse ? "inuse_objs" : "alloc_objs",
			inuse ? "alloc_space" : "inuse_space", inuse ? "alloc_objs" : "inuse_objs",
			"function");
		for (size_t i = 0; i < shown; i++) {
			const struct func_row *r = &rows[i];
			size_t a = inuse ? 3 : 1, ao = inuse ? 2 : 0, c = inuse ? 1 : 3,
			       co = inuse ? 0 : 2;
			fmt_value(b[0], 32, p, a, r->v[a]);
			fmt_value(b[1], 32, p, c, r->v[c]);
			fprintf(f, "%12s %5.1f%% %12" PRId64 " %12s %12" PRId64 "  ", b[0],
				p->total[k] ? 100.0 * (double)r->v[k] / (double)p->total[k] : 0.0,
				r->v[ao], b[1], r->v[co]);
			fputs_escaped(f, r->name);
			fputc('\n', f);
		}
	} else {
		fprintf(f, "\nTop functions by delay (where the %s)\n",
			p->kind == GOPROF_MUTEX ? "contended lock was released" :
						  "goroutine blocked");
		fprintf(f, "%12s %6s %12s  %s\n", "delay", "share", "contentions", "function");
		for (size_t i = 0; i < shown; i++) {
			const struct func_row *r = &rows[i];
			fmt_value(b[0], 32, p, 1, r->v[1]);
			fprintf(f, "%12s %5.1f%% %12" PRId64 "  ", b[0],
				p->total[k] ? 100.0 * (double)r->v[k] / (double)p->total[k] : 0.0,
				r->v[0]);
			fputs_escaped(f, r->name);
			fputc('\n', f);
		}
	}
	if (shown < n)
		fprintf(f, "(%zu more functions; --top 0 shows all)\n", n - shown);
	free(rows);
	strtab_free(&names);
}
