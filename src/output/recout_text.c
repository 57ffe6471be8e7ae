/* recout_text.c - top functions, then where each thread spent its samples. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/recout.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

#define TOP 25
#define TOP_PER_THREAD 10

/* The functions of all samples, or of thread only_tid's (when not 0):
 * the same flat and cumulative counts report and top show. */
static void top_functions(FILE *f, const struct recording *rec, struct recsyms *rs,
			  const struct recout_opts *o, pid_t only_tid, size_t limit)
{
	struct stacks st = { 0 };
	uint64_t *counts = NULL;
	size_t n;

	if (only_tid) {
		counts = xcalloc(rec->agg.n ? rec->agg.n : 1, sizeof(*counts));
		for (size_t i = 0; i < rec->agg.n; i++)
			if (rec->agg.entries[i]->tid == only_tid)
				counts[i] = rec->agg.entries[i]->count;
	}
	recout_stacks(&st, rec, rs, o, counts);
	struct func_share *t = stacks_top(&st, &n);
	fprintf(f, "%10s %6s %10s %6s  %s\n", "flat", "flat%", "cum", "cum%", "function");
	for (size_t i = 0; i < n && i < limit; i++)
		fprintf(f, "%10" PRIu64 " %5.1f%% %10" PRIu64 " %5.1f%%  %s\n", t[i].flat,
			st.total ? 100.0 * (double)t[i].flat / (double)st.total : 0.0, t[i].cum,
			st.total ? 100.0 * (double)t[i].cum / (double)st.total : 0.0, t[i].func);
	free(t);
	free(counts);
	stacks_free(&st);
}

/* A name for a fixed-width column: control characters become '?'. */
static void printable(const char *in, char *out, size_t size)
{
	size_t i = 0;
	for (; in[i] && i + 1 < size; i++)
		out[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? '?' : in[i];
	out[i] = '\0';
}

struct thread_row {
	pid_t tid;
	uint64_t total, running, sleeping, disk, other;
};

static int by_total(const void *a, const void *b)
{
	const struct thread_row *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->tid < y->tid ? -1 : 1;
}

/* Threads by samples, with their split by state; with per_thread, each
 * thread's own top functions follow. */
static void thread_table(FILE *f, const struct recording *rec, struct recsyms *rs,
			 const struct recout_opts *o)
{
	const struct aggregate *a = &rec->agg;
	struct thread_row *rows = xcalloc(a->nthreads, sizeof(*rows));
	struct u64map idx = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct agg_entry *e = a->entries[i];
		uint64_t k;
		if (!u64map_get(&idx, (uint64_t)e->tid, &k)) {
			if (n == a->nthreads)
				continue;
			k = n++;
			rows[k].tid = e->tid;
			u64map_put(&idx, (uint64_t)e->tid, k);
		}
		struct thread_row *r = &rows[k];
		r->total += e->count;
		switch (e->state) {
		case 'R': r->running += e->count; break;
		case 'S': r->sleeping += e->count; break;
		case 'D': r->disk += e->count; break;
		default: r->other += e->count; break;
		}
	}
	qsort(rows, n, sizeof(*rows), by_total);
	fprintf(f, "\nThreads (share of all samples, then of the thread's samples by state)\n");
	fprintf(f, "%8s  %-16s %8s %6s %8s %9s %11s %6s\n", "tid", "name", "samples", "share",
		"running", "sleeping", "disk-sleep", "other");
	for (size_t i = 0; i < n; i++) {
		const struct thread_row *r = &rows[i];
		double t = (double)r->total;
		char name[PROC_COMM_MAX];
		printable(aggregate_thread_name(a, r->tid), name, sizeof(name));
		fprintf(f, "%8d  %-16s %8" PRIu64 " %5.1f%% %7.1f%% %8.1f%% %10.1f%% %5.1f%%\n",
			(int)r->tid, name, r->total,
			a->total ? 100.0 * t / (double)a->total : 0.0, 100.0 * (double)r->running / t,
			100.0 * (double)r->sleeping / t, 100.0 * (double)r->disk / t,
			100.0 * (double)r->other / t);
	}
	for (size_t i = 0; o->threads && i < n; i++) {
		fprintf(f, "\nThread %d \"", (int)rows[i].tid);
		fputs_escaped(f, aggregate_thread_name(a, rows[i].tid));
		fprintf(f, "\": %" PRIu64 " samples\n", rows[i].total);
		top_functions(f, rec, rs, o, rows[i].tid, TOP_PER_THREAD);
	}
	u64map_free(&idx);
	free(rows);
}

/* The first frame of a stack outside the C library: where the program
 * asked for the lock. */
static void waiter_frame(const struct recording *rec, const struct agg_entry *e,
			 struct recsyms *rs, char *buf, size_t size)
{
	struct symcache *sc = recsyms_get(rs, rec, e->proc);
	snprintf(buf, size, "??");
	for (size_t k = 0; k < e->nframes; k++) {
		const struct symbol *sym = symcache_get(sc, e->frames[k].pc, e->frames[k].is_return);
		if (sym->module && strncmp(sym->module->name, "libc.so", 7) == 0)
			continue;
		recout_frame_name(sym, &sym->frames[sym->nframes - 1], buf, size);
		return;
	}
}

struct lock_row {
	uint64_t lock;
	uint64_t samples;
	pid_t owner;              /* the holder seen most recently */
	struct strtab where;      /* waiters' frames */
	uint64_t *where_n;
	size_t where_cap;
};

static int by_samples(const void *a, const void *b)
{
	const struct lock_row *x = a, *y = b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return x->lock < y->lock ? -1 : 1;
}

/* Wall mode: the locks threads spent the most samples waiting on. */
static void contended_locks(FILE *f, const struct recording *rec, struct recsyms *rs)
{
	struct lock_row *rows = NULL;
	size_t n = 0;
	struct u64map idx = { 0 };
	char name[512];

	for (size_t i = 0; i < rec->agg.n; i++) {
		const struct agg_entry *e = rec->agg.entries[i];
		uint64_t k;
		if (!e->lock)
			continue;
		if (!u64map_get(&idx, e->lock, &k)) {
			rows = xreallocarray(rows, n + 1, sizeof(*rows));
			memset(&rows[n], 0, sizeof(rows[n]));
			rows[n].lock = e->lock;
			u64map_put(&idx, e->lock, n);
			k = n++;
		}
		struct lock_row *r = &rows[k];
		r->samples += e->count;
		if (e->owner)
			r->owner = e->owner;
		waiter_frame(rec, e, rs, name, sizeof(name));
		size_t before = r->where.n, w = strtab_intern(&r->where, name);
		if (w == before) {
			XGROW(r->where_n, r->where_cap, w);
			r->where_n[w] = 0;
		}
		r->where_n[w] += e->count;
	}
	if (n) {
		qsort(rows, n, sizeof(*rows), by_samples);
		fprintf(f, "\nMost contended locks (thread-samples spent waiting)\n");
		fprintf(f, "%10s  %-18s  %-24s  %s\n", "samples", "lock", "holder", "waiters in");
	}
	for (size_t i = 0; i < n && i < TOP; i++) {
		struct lock_row *r = &rows[i];
		char holder[64] = "-";
		if (r->owner)
			snprintf(holder, sizeof(holder), "%d %s", (int)r->owner,
				 aggregate_thread_name(&rec->agg, r->owner));
		fprintf(f, "%10" PRIu64 "  0x%-16" PRIx64 "  %-24s  ", r->samples, r->lock, holder);
		/* The three places waited from most, largest first. */
		for (size_t shown = 0; shown < 3 && shown < r->where.n; shown++) {
			size_t best = 0;
			for (size_t w = 1; w < r->where.n; w++)
				if (r->where_n[w] > r->where_n[best])
					best = w;
			fprintf(f, "%s%s (%" PRIu64 ")", shown ? ", " : "", r->where.strs[best],
				r->where_n[best]);
			r->where_n[best] = 0;
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < n; i++) {
		strtab_free(&rows[i].where);
		free(rows[i].where_n);
	}
	free(rows);
	u64map_free(&idx);
}

/* Several processes: the samples of each. */
static void process_table(FILE *f, const struct recording *rec)
{
	uint64_t *samples = xcalloc(rec->nprocs, sizeof(*samples));
	for (size_t i = 0; i < rec->agg.n; i++)
		samples[rec->agg.entries[i]->proc] += rec->agg.entries[i]->count;
	fprintf(f, "\nProcesses (share of all samples)\n");
	fprintf(f, "%8s  %-16s %8s %6s  %s\n", "pid", "name", "samples", "share", "");
	for (size_t i = 0; i < rec->nprocs; i++) {
		char name[PROC_COMM_MAX];
		printable(rec->procs[i]->comm, name, sizeof(name));
		fprintf(f, "%8d  %-16s %8" PRIu64 " %5.1f%%  %s\n", (int)rec->procs[i]->pid, name,
			samples[i],
			rec->agg.total ? 100.0 * (double)samples[i] / (double)rec->agg.total : 0.0,
			rec->procs[i]->replaced ? "then exec'd (or unmapped code)"
			: rec->procs[i]->exited ? "exited" : "");
	}
	free(samples);
}

void recout_text(FILE *f, const struct recording *rec, struct recsyms *rs,
		 const struct recout_opts *o)
{
	if (rec->nprocs > 1)
		fprintf(f, "ptprof record: %zu processes, the first pid %d \"", rec->nprocs,
			(int)o->pid);
	else
		fprintf(f, "ptprof record: pid %d \"", (int)o->pid);
	fputs_escaped(f, o->comm);
	fprintf(f, "\", %s mode at %u Hz, %.1f s, %" PRIu64
		" samples, %zu threads seen\n\n",
		o->mode == MODE_WALL ? "wall" : "cpu", o->rate_hz,
		(double)rec->st.duration_ns / 1e9, rec->agg.total, rec->st.threads_seen);
	fprintf(f, "Top functions (flat: samples on top of the stack; cum: anywhere in it)\n");
	top_functions(f, rec, rs, o, 0, TOP);
	if (rec->nprocs > 1 || o->processes)
		process_table(f, rec);
	thread_table(f, rec, rs, o);
	contended_locks(f, rec, rs);
}
