/* diff_text.c - two profiles' functions side by side, ranked by change.
 *
 * Each side's per-function totals come from stacks_top; functions of one
 * name in several modules are summed into one row (saturating: with
 * recursion across modules a hostile file could count one sample twice).
 * Changes are kept as a magnitude and a sign, so that no pair of 64-bit
 * values can overflow a signed difference.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/diff_text.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

enum { BEFORE, AFTER };

struct func_diff {
	const char *func;          /* owned by one side's stacks */
	uint64_t flat[2], cum[2];  /* [BEFORE], [AFTER] */
};

enum column { COL_FLAT, COL_CUM };

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* |after - before|, and the sign of the change (-1, 0, +1). */
static uint64_t change(uint64_t before, uint64_t after, int *sign)
{
	if (sign)
		*sign = after > before ? 1 : after < before ? -1 : 0;
	return after >= before ? after - before : before - after;
}

/* ------------------------------------------------------------ values */

/* Bytes per unit when unit is a memory unit, else 0: go tool pprof's
 * names, case aside, with an optional plural "s". */
static uint64_t bytes_per(const char *unit)
{
	static const struct { const char *names[3]; uint64_t bytes; } units[] = {
		{ { "b", "byte", NULL }, 1 },
		{ { "kb", "kbyte", "kilobyte" }, 1ULL << 10 },
		{ { "mb", "mbyte", "megabyte" }, 1ULL << 20 },
		{ { "gb", "gbyte", "gigabyte" }, 1ULL << 30 },
		{ { "tb", "tbyte", "terabyte" }, 1ULL << 40 },
		{ { "pb", "pbyte", "petabyte" }, 1ULL << 50 },
	};
	char low[16];
	size_t n = unit ? strlen(unit) : 0;
	if (!n || n >= sizeof(low))
		return 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)unit[i]);
	if (n > 2 && low[n - 1] == 's')
		low[--n] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		for (size_t k = 0; k < 3 && units[i].names[k]; k++)
			if (strcmp(low, units[i].names[k]) == 0)
				return units[i].bytes;
	return 0;
}

/* "%.2f" without its trailing zeros: "10", "12.5", "0.25". */
static int trimmed(char *buf, size_t size, double v)
{
	int n = snprintf(buf, size, "%.2f", v);
	if (n < 0 || (size_t)n >= size)
		return n;
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return n;
}

const char *diff_format_value(char *buf, size_t size, uint64_t value, int sign,
			      const struct stacks *s)
{
	static const struct { double ns; const char *unit; } times[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" }, { 1, "ns" },
	};
	static const char *const memory[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	const char *pre = !value || !sign ? "" : sign < 0 ? "-" : "+";
	uint64_t per_byte = bytes_per(s->unit);
	size_t n = strlen(pre);

	if (size <= n + 1) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	memcpy(buf, pre, n + 1);
	if (!value) {
		snprintf(buf, size, "0");
	} else if (s->ns_per_unit && s->unit && strstr(s->unit, "seconds")) {
		/* As the text report prints time: the largest unit of which
		 * there is at least one (999.999ms rounds to 1s), 2 decimals
		 * at most, trailing zeros dropped. */
		double ns = (double)value * (double)s->ns_per_unit;
		size_t i = 0;
		while (i + 1 < sizeof(times) / sizeof(times[0]) && ns < times[i].ns * 0.999995)
			i++;
		int w = trimmed(buf + n, size - n, ns / times[i].ns);
		if (w >= 0 && (size_t)w < size - n)
			snprintf(buf + n + w, size - n - (size_t)w, "%s", times[i].unit);
	} else if (per_byte) {
		/* As go tool pprof prints memory: the largest unit of which
		 * there is at least one, "%.2f" with ".00" dropped. */
		double b = (double)value * (double)per_byte, f = 1;
		size_t i = 0;
		while (i + 1 < sizeof(memory) / sizeof(memory[0]) && b / (f * 1024) >= 1.0) {
			f *= 1024;
			i++;
		}
		int w = snprintf(buf + n, size - n, "%.2f", b / f);
		if (w >= 3 && (size_t)w < size - n && strcmp(buf + n + w - 3, ".00") == 0)
			w -= 3;
		if (w >= 0 && (size_t)w < size - n)
			snprintf(buf + n + w, size - n - (size_t)w, "%s", memory[i]);
	} else {
		snprintf(buf + n, size - n, "%" PRIu64, value);
	}
	return buf;
}

/* "+12.5%": a change as a share of base; "-" without a base. */
static const char *share(char *buf, size_t size, uint64_t mag, int sign, uint64_t base)
{
	if (!base)
		snprintf(buf, size, "-");
	else if (!sign)
		snprintf(buf, size, "0.0%%");
	else
		snprintf(buf, size, "%c%.1f%%", sign < 0 ? '-' : '+',
			 100.0 * (double)mag / (double)base);
	return buf;
}

/* ------------------------------------------------------------ tables */

/* Every function of both sides, matched by name. */
static struct func_diff *merge(const struct diff_side *before, const struct diff_side *after,
			       size_t *n)
{
	const struct diff_side *sides[2] = { before, after };
	struct strtab names = { 0 };
	struct func_diff *out = NULL;
	size_t cap = 0, nf = 0;

	for (int side = BEFORE; side <= AFTER; side++) {
		size_t nt;
		struct func_share *t = stacks_top(sides[side]->s, &nt);
		for (size_t i = 0; i < nt; i++) {
			size_t id = strtab_intern(&names, t[i].func);
			if (id == nf) {
				XGROW(out, cap, nf);
				out[nf++] = (struct func_diff){ t[i].func, { 0, 0 }, { 0, 0 } };
			}
			out[id].flat[side] = add_sat(out[id].flat[side], t[i].flat);
			out[id].cum[side] = add_sat(out[id].cum[side], t[i].cum);
		}
		free(t);
	}
	strtab_free(&names);
	*n = nf;
	return out;
}

/* Largest change first; equal changes by name. */
static int by_change(uint64_t xb, uint64_t xa, const char *xf, uint64_t yb, uint64_t ya,
		     const char *yf)
{
	uint64_t dx = change(xb, xa, NULL), dy = change(yb, ya, NULL);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(xf, yf);
}

static int by_flat_change(const void *a, const void *b)
{
	const struct func_diff *x = a, *y = b;
	return by_change(x->flat[BEFORE], x->flat[AFTER], x->func, y->flat[BEFORE],
			 y->flat[AFTER], y->func);
}

static int by_cum_change(const void *a, const void *b)
{
	const struct func_diff *x = a, *y = b;
	return by_change(x->cum[BEFORE], x->cum[AFTER], x->func, y->cum[BEFORE], y->cum[AFTER],
			 y->func);
}

/* One table: the rows of functions with a value on either side. */
static void print_table(FILE *f, struct func_diff *d, size_t n, enum column c,
			const struct stacks *units, uint64_t base, size_t top)
{
	char vb[40], va[40], vd[40], pc[24];
	size_t rows = 0, shown = 0;

	if (n)
		qsort(d, n, sizeof(*d), c == COL_FLAT ? by_flat_change : by_cum_change);
	fprintf(f, "%11s %11s %12s %8s  %s\n", "before", "after", "delta", "delta%", "function");
	for (size_t i = 0; i < n; i++) {
		const uint64_t *v = c == COL_FLAT ? d[i].flat : d[i].cum;
		int sign;
		if (!v[BEFORE] && !v[AFTER])
			continue;
		rows++;
		if (top && shown == top)
			continue;
		shown++;
		uint64_t mag = change(v[BEFORE], v[AFTER], &sign);
		fprintf(f, "%11s %11s %12s %8s  %s\n",
			diff_format_value(vb, sizeof(vb), v[BEFORE], 0, units),
			diff_format_value(va, sizeof(va), v[AFTER], 0, units),
			diff_format_value(vd, sizeof(vd), mag, sign, units),
			share(pc, sizeof(pc), mag, sign, base), d[i].func);
	}
	if (rows > shown)
		fprintf(f, "(%zu more functions; --top 0 shows all)\n", rows - shown);
}

void diff_text_write(FILE *f, const struct diff_side *before, const struct diff_side *after,
		     size_t top)
{
	const struct stacks *sb = before->s, *sa = after->s;
	char vb[40], va[40], vd[40], pc[24];
	size_t n;
	int sign;
	struct func_diff *d = merge(before, after, &n);
	uint64_t mag = change(sb->total, sa->total, &sign);

	fputs("Before: ", f);
	fputs_escaped(f, before->name);
	fputs("\nAfter:  ", f);
	fputs_escaped(f, after->name);
	if (strcmp(before->type, after->type) == 0)
		fprintf(f, "\nType: %s", before->type);
	else
		fprintf(f, "\nType: %s before, %s after", before->type, after->type);
	fprintf(f, ", unit: %s\n", *sb->unit ? sb->unit : "?");
	fprintf(f, "Total: before %s, after %s, delta %s",
		diff_format_value(vb, sizeof(vb), sb->total, 0, sb),
		diff_format_value(va, sizeof(va), sa->total, 0, sb),
		diff_format_value(vd, sizeof(vd), mag, sign, sb));
	if (sb->total)
		fprintf(f, " (%s)", share(pc, sizeof(pc), mag, sign, sb->total));
	fputs("\n\nFlat (value with the function innermost), largest change first; "
	      "delta% of the total before\n", f);
	print_table(f, d, n, COL_FLAT, sb, sb->total, top);
	fputs("\nCum (value with the function anywhere on the stack), largest change first\n",
	      f);
	print_table(f, d, n, COL_CUM, sb, sb->total, top);
	free(d);
}
