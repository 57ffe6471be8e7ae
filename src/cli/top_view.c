/* top_view.c - top's rows built from two stacks, and drawn as a screen or
 * as a plain report. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/top_view.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

/* Lines above the function rows on a screen: three of header, a blank,
 * two of column heads. */
#define SCREEN_HEAD_LINES 6

void top_census_count(struct top_census *c, char state)
{
	c->total++;
	switch (state) {
	case 'R': c->running++; break;
	case 'S': case 'I': c->sleeping++; break;
	case 'D': c->disk++; break;
	case 'T': case 't': c->stopped++; break;
	case 'Z': case 'X': c->zombie++; break;
	default: c->other++; break;
	}
}

void top_census_add(struct top_census *c, const struct top_census *more)
{
	c->gone = c->gone && more->gone;
	c->total += more->total;
	c->running += more->running;
	c->sleeping += more->sleeping;
	c->disk += more->disk;
	c->stopped += more->stopped;
	c->zombie += more->zombie;
	c->other += more->other;
}

/* Names come from the target: a control character drawn raw could move
 * the cursor or end the line. */
static char *clean_copy(const char *s)
{
	char *c = xstrdup(s ? s : "");
	for (unsigned char *p = (unsigned char *)c; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

void top_view_header(struct top_view *v, pid_t pid, const char *comm, enum sample_mode mode,
		     unsigned rate_hz)
{
	char *c = clean_copy(comm);
	v->pid = pid;
	snprintf(v->comm, sizeof(v->comm), "%s", c);
	v->mode = mode;
	v->rate_hz = rate_hz;
	free(c);
}

static int by_last_self(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	if (x->self_last != y->self_last)
		return x->self_last < y->self_last ? 1 : -1;
	if (x->total_last != y->total_last)
		return x->total_last < y->total_last ? 1 : -1;
	if (x->self_all != y->self_all)
		return x->self_all < y->self_all ? 1 : -1;
	if (x->total_all != y->total_all)
		return x->total_all < y->total_all ? 1 : -1;
	int c = strcmp(x->func, y->func);
	return c ? c : strcmp(x->module, y->module);
}

/* The row of (func, module), added when new; ids keeps the function
 * identity the way stacks_top does, function and module together. */
static struct top_row *row_of(struct top_view *v, size_t *cap, struct strtab *ids,
			      const struct func_share *f)
{
	char *key = xasprintf("%s\x1f%s", f->func, f->module);
	size_t before = ids->n;
	size_t id = strtab_intern(ids, key);
	free(key);
	if (id == before) {
		XGROW(v->rows, *cap, v->nrows);
		v->rows[v->nrows++] = (struct top_row){ clean_copy(f->func), clean_copy(f->module),
							0, 0, 0, 0 };
	}
	return &v->rows[id];
}

static void rows_free(struct top_view *v)
{
	for (size_t i = 0; i < v->nrows; i++) {
		free(v->rows[i].func);
		free(v->rows[i].module);
	}
	free(v->rows);
	v->rows = NULL;
	v->nrows = 0;
}

void top_view_rows(struct top_view *v, const struct stacks *last, const struct stacks *all)
{
	struct strtab ids = { 0 };
	size_t cap = 0, n_all, n_last;
	struct func_share *f_all = stacks_top(all, &n_all);
	struct func_share *f_last = stacks_top(last, &n_last);

	rows_free(v);
	for (size_t i = 0; i < n_all; i++) {
		struct top_row *r = row_of(v, &cap, &ids, &f_all[i]);
		r->self_all = f_all[i].flat;
		r->total_all = f_all[i].cum;
	}
	for (size_t i = 0; i < n_last; i++) {
		struct top_row *r = row_of(v, &cap, &ids, &f_last[i]);
		r->self_last = f_last[i].flat;
		r->total_last = f_last[i].cum;
	}
	if (v->nrows)
		qsort(v->rows, v->nrows, sizeof(*v->rows), by_last_self);
	strtab_free(&ids);
	free(f_last);
	free(f_all);
}

void top_view_free(struct top_view *v)
{
	rows_free(v);
}

/* ---------------------------------------------------------------- drawing */

/* Where lines go: a screen cuts them and counts them; a report does not. */
struct pen {
	FILE *f;
	bool screen;
	int cols;
	int rows_left;
	bool first;
};

/* At most cols characters of s.  A character is a UTF-8 sequence counted
 * one column wide: names are ASCII but for the odd module path. */
static void put_cut(FILE *f, const char *s, int cols)
{
	int used = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++) {
		if ((*p & 0xc0) != 0x80 && used++ == cols)
			break;
		fputc(*p, f);
	}
}

static void line(struct pen *p, const char *text)
{
	if (!p->screen) {
		fprintf(p->f, "%s\n", text);
		return;
	}
	if (p->rows_left <= 0)
		return;
	/* No newline after the last line: on the bottom row it would
	 * scroll.  The whole line is erased first, not the rest after the
	 * text: with a line as wide as the terminal, the cursor sits on its
	 * last character and "erase to the end" would take that away. */
	fprintf(p->f, "%s\033[2K", p->first ? "" : "\r\n");
	put_cut(p->f, text, p->cols);
	p->first = false;
	p->rows_left--;
}

static void census_text(const struct top_census *c, char *buf, size_t size)
{
	if (c->gone) {
		snprintf(buf, size, "threads: none (the process exited)");
		return;
	}
	int n = snprintf(buf, size, "threads: %u total, %u running, %u sleeping, %u disk-sleep, "
			 "%u stopped", c->total, c->running, c->sleeping, c->disk, c->stopped);
	if (c->zombie && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, ", %u zombie", c->zombie);
	if (c->other && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ", %u other", c->other);
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The view's lines, at most limit function rows. */
static void draw(struct pen *p, const struct top_view *v, size_t limit)
{
	char buf[1024], when[32];
	struct tm tm;

	if (!localtime_r(&v->now, &tm) || !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "--:--:--");
	snprintf(buf, sizeof(buf), "ptprof top  %s  pid %d \"%s\"  %s mode at %u Hz  elapsed %.1f s",
		 when, (int)v->pid, v->comm, v->mode == MODE_WALL ? "wall" : "cpu", v->rate_hz,
		 (double)v->elapsed_ns / 1e9);
	line(p, buf);
	snprintf(buf, sizeof(buf), "samples: %" PRIu64 " in the last %.1f s, %" PRIu64
		 " since the start%s", v->samples_last, (double)v->last_ns / 1e9, v->samples_all,
		 p->screen && v->quit_key ? "   (q: quit)" : "");
	line(p, buf);
	census_text(&v->census, buf, sizeof(buf));
	line(p, buf);
	if (p->screen)
		line(p, "");
	snprintf(buf, sizeof(buf), "%15s %15s", "last interval", "since start");
	line(p, buf);
	line(p, "  self%  total%   self%  total%  function [module]");
	if (!v->samples_all) {
		line(p, v->mode == MODE_CPU ? "  (no samples yet: cpu mode samples only threads on a CPU)"
					    : "  (no samples yet)");
		return;
	}
	for (size_t i = 0; i < v->nrows && i < limit; i++) {
		const struct top_row *r = &v->rows[i];
		snprintf(buf, sizeof(buf), "%7.1f %7.1f %7.1f %7.1f  %s%s%s%s",
			 share(r->self_last, v->samples_last), share(r->total_last, v->samples_last),
			 share(r->self_all, v->samples_all), share(r->total_all, v->samples_all),
			 r->func, *r->module ? " [" : "", r->module, *r->module ? "]" : "");
		line(p, buf);
	}
}

void top_view_screen(FILE *f, const struct top_view *v, int rows, int cols, size_t limit)
{
	struct pen p = { f, true, cols, rows, true };
	/* Rows past the bottom would be cut anyway: not even formatted. */
	size_t fit = rows > SCREEN_HEAD_LINES ? (size_t)(rows - SCREEN_HEAD_LINES) : 0;

	fputs("\033[H", f);
	draw(&p, v, limit && limit < fit ? limit : fit);
	/* Clear what an earlier, longer screen left below. */
	if (p.rows_left > 0)
		fputs("\r\n\033[J", f);
}

void top_view_report(FILE *f, const struct top_view *v, size_t limit)
{
	struct pen p = { f, false, 0, 0, true };
	draw(&p, v, limit ? limit : SIZE_MAX);
	fputc('\n', f);
}
