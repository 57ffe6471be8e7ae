/* flamegraph.c - a struct stacks drawn as one self-contained SVG flame graph.
 *
 * The samples are merged into a tree (equal prefixes share a node; a node
 * is a function, so the lines of one function are one frame, labelled with
 * its hottest line), frames narrower than MIN_PX at full width are
 * dropped, and each remaining frame becomes
 *
 *   <g class="frame" data-name="hot_b" data-module="ratio" data-file="f.c"
 *      data-line="31" data-kind="main" data-value="1130" data-x="377"
 *      data-depth="5"><title>..</title><rect/><text>hot_b</text></g>
 *
 * data-kind is main, shared, other (kernel/unknown), thread or root;
 * data-inlined="1" marks inlined frames.  The root ("all") is at the
 * bottom.  flamegraph_script.c makes the document interactive.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/flamegraph.h"
#include "output/flamegraph_script.h"
#include "util/escape.h"
#include "util/xalloc.h"

#define IMG_W      1200   /* image width, px */
#define PAD        10     /* left and right margin */
#define FRAME_H    16     /* one level of the graph, gap included */
#define TOP_H      58     /* title, controls and legend */
#define BOTTOM_H   30     /* the details line */
#define TITLE_CHARS 96    /* the title, at 16 px, between the controls */
/* An upper bound of one character's width in the 12 px monospace font
 * of the frames (most are 0.6 em): the names written in the file must fit
 * even when no script runs to trim them exactly. */
#define CHAR_W     7.4
/* Frames narrower than this at full width are not drawn: they could not
 * be seen, and a long profile would otherwise make a huge file. */
#define MIN_PX     1.0

#define NONE       UINT32_MAX     /* no node, no frame */

struct fnode {
	uint32_t fn;              /* function (or thread pseudo-function) id */
	uint32_t parent;
	uint32_t depth;
	uint64_t value;
	uint64_t x;               /* offset from the left edge, value units */
	uint32_t line_frame;      /* s->frames index with the most value here */
	uint64_t line_value;
	bool shown;
};

struct fgraph {
	const struct stacks *s;
	bool threads;
	/* Function ids: 0..nfn-1 the distinct (func, module, kind, inlined) of
	 * s->frames, then one per thread (nfn + thread index). */
	size_t nfn, nids;
	uint32_t *fn_of_frame;
	uint32_t *frame_of_fn;    /* a frame of each function */
	char **label;             /* id -> name as shown (printable UTF-8) */
	uint32_t *rank;           /* id -> place in name order */
	struct fnode *nodes;
	size_t n, cap;
	struct u64map child;      /* parent << 32 | id -> node */
	struct u64map line_value; /* node << 32 | frame -> value */
	uint32_t *order;          /* nodes but the root, by parent then rank */
	uint32_t max_depth;
	double scale;             /* px per value unit */
};

/* ------------------------------------------------------------ text */

/* Length of the valid UTF-8 sequence at p that XML allows (also not
 * U+FFFE or U+FFFF), or 0. */
static int utf8_len(const unsigned char *p)
{
	int n = utf8_seq_len(p);
	if (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return 0;
	return n;
}

/* A name made printable: XML 1.0 forbids most control characters even
 * as references, and a byte that is not UTF-8 makes the file unreadable.
 * Both become visible escapes (\n, \t, \xNN) as on ptprof's other
 * outputs; the result still needs XML escaping. */
static char *printable(const char *raw)
{
	size_t len = strlen(raw), o = 0;
	char *out = xmalloc(4 * len + 1);

	for (const unsigned char *p = (const unsigned char *)raw; *p;) {
		int n = utf8_len(p);
		if (n > 1) {
			memcpy(out + o, p, (size_t)n);
			o += (size_t)n;
			p += n;
			continue;
		}
		if (n == 1 && *p >= 0x20 && *p != 0x7f)
			out[o++] = (char)*p;
		else if (*p == '\n')
			o += (size_t)sprintf(out + o, "\\n");
		else if (*p == '\t')
			o += (size_t)sprintf(out + o, "\\t");
		else if (*p == '\r')
			o += (size_t)sprintf(out + o, "\\r");
		else
			o += (size_t)sprintf(out + o, "\\x%02x", *p);
		p++;
	}
	out[o] = '\0';
	return out;
}

/* s (printable) escaped for XML text and attribute values. */
static void put_xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void put_xml_raw(FILE *f, const char *raw)
{
	char *p = printable(raw);
	put_xml(f, p);
	free(p);
}

/* The label trimmed to max_chars characters ("abc.." when cut, nothing
 * when not even one character and ".." fit). */
static void put_trimmed(FILE *f, const char *label, size_t max_chars)
{
	size_t chars = 0, cut = 0;
	bool wide = false;

	for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		wide |= *p >= 0x80;
		chars++;
	}
	/* Outside ASCII a character may be twice as wide (CJK). */
	if (wide)
		max_chars /= 2;
	if (chars <= max_chars) {
		put_xml(f, label);
		return;
	}
	if (max_chars < 3)
		return;
	/* Byte length of the first max_chars - 2 characters. */
	chars = 0;
	for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
		if ((*p & 0xc0) != 0x80 && chars++ == max_chars - 2)
			break;
		cut++;
	}
	char *head = xstrndup(label, cut);
	put_xml(f, head);
	fputs("..", f);
	free(head);
}

/* ---------------------------------------------------------- colours */

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;  /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Each kind its palette, the shade from the name: the same function has
 * the same colour in every graph, and neighbours differ. */
static void put_fill(FILE *f, const char *kind, const char *name)
{
	uint32_t h = name_hash(name);
	unsigned a = h & 0xff, b = (h >> 8) & 0xff;
	unsigned r, g, bl;

	if (strcmp(kind, "main") == 0) {          /* warm: red to orange */
		r = 205 + a * 50 / 255;
		g = 60 + b * 120 / 255;
		bl = 30 + a * 40 / 255;
	} else if (strcmp(kind, "shared") == 0) { /* yellow to green */
		r = 140 + a * 50 / 255;
		g = 195 + b * 40 / 255;
		bl = 50 + b * 40 / 255;
	} else if (strcmp(kind, "other") == 0) {  /* blue-grey */
		r = 110 + a * 50 / 255;
		g = 150 + a * 40 / 255;
		bl = 205 + b * 40 / 255;
	} else if (strcmp(kind, "kernel") == 0) { /* teal */
		r = 50 + a * 40 / 255;
		g = 170 + b * 40 / 255;
		bl = 170 + a * 40 / 255;
	} else if (strcmp(kind, "thread") == 0) { /* lavender */
		r = 190 + a * 20 / 255;
		g = 180 + a * 20 / 255;
		bl = 225;
	} else {                                  /* the root */
		r = g = bl = 205;
	}
	fprintf(f, "rgb(%u,%u,%u)", r, g, bl);
}

/* ------------------------------------------------------------ tree */

static const char *kind_name(enum frame_kind k)
{
	switch (k) {
	case FK_MAIN: return "main";
	case FK_SHARED: return "shared";
	case FK_KERNEL: return "kernel";
	default: return "other";
	}
}

struct ranked {
	const char *label;
	const char *module;
	uint32_t id;
};

static int by_label(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->label, y->label);
	if (!c)
		c = strcmp(x->module, y->module);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Function ids, their labels and their order (children are drawn in name
 * order, as flamegraph.pl does: equal stacks line up across threads). */
static void number_functions(struct fgraph *g)
{
	const struct stacks *s = g->s;
	struct strtab keys = { 0 };
	char name[64];

	g->fn_of_frame = xcalloc(s->nframes ? s->nframes : 1, sizeof(*g->fn_of_frame));
	g->frame_of_fn = xcalloc(s->nframes ? s->nframes : 1, sizeof(*g->frame_of_fn));
	for (size_t i = 0; i < s->nframes; i++) {
		const struct sframe *fr = &s->frames[i];
		char *key = xasprintf("%s\x1f%s\x1f%d\x1f%d", fr->func, fr->module, (int)fr->kind,
				      fr->inlined);
		size_t id = strtab_intern(&keys, key);
		free(key);
		if (id == g->nfn)
			g->frame_of_fn[g->nfn++] = (uint32_t)i;
		g->fn_of_frame[i] = (uint32_t)id;
	}
	strtab_free(&keys);

	g->nids = g->nfn + s->nthreads;
	g->label = xcalloc(g->nids ? g->nids : 1, sizeof(*g->label));
	g->rank = xcalloc(g->nids ? g->nids : 1, sizeof(*g->rank));
	struct ranked *r = xcalloc(g->nids ? g->nids : 1, sizeof(*r));
	for (size_t id = 0; id < g->nids; id++) {
		const char *module = "";
		if (id < g->nfn) {
			const struct sframe *fr = &s->frames[g->frame_of_fn[id]];
			g->label[id] = printable(fr->func);
			module = fr->module;
		} else {
			const struct sthread *t = &s->threads[id - g->nfn];
			char *full;
			if (t->tid) {
				snprintf(name, sizeof(name), "/%" PRId64, t->tid);
				full = xasprintf("%s%s", t->name, name);
			} else {
				full = xstrdup(t->name);
			}
			g->label[id] = printable(full);
			free(full);
		}
		r[id] = (struct ranked){ g->label[id], module, (uint32_t)id };
	}
	if (g->nids)
		qsort(r, g->nids, sizeof(*r), by_label);
	for (size_t i = 0; i < g->nids; i++)
		g->rank[r[i].id] = (uint32_t)i;
	free(r);
}

static uint32_t child_of(struct fgraph *g, uint32_t parent, uint32_t id)
{
	uint64_t key = (uint64_t)parent << 32 | id, v;

	if (u64map_get(&g->child, key, &v))
		return (uint32_t)v;
	XGROW(g->nodes, g->cap, g->n);
	g->nodes[g->n] = (struct fnode){
		.fn = id, .parent = parent, .depth = g->nodes[parent].depth + 1,
		.line_frame = NONE,
	};
	u64map_put(&g->child, key, g->n);
	return (uint32_t)g->n++;
}

/* Remember which line of the node's function holds the most value. */
static void count_line(struct fgraph *g, uint32_t node, uint32_t frame, uint64_t value)
{
	uint64_t key = (uint64_t)node << 32 | frame, v = 0;
	struct fnode *nd = &g->nodes[node];

	u64map_get(&g->line_value, key, &v);
	v += value;
	u64map_put(&g->line_value, key, v);
	if (nd->line_frame == NONE || v > nd->line_value) {
		nd->line_frame = frame;
		nd->line_value = v;
	}
}

static void build_tree(struct fgraph *g)
{
	const struct stacks *s = g->s;

	XGROW(g->nodes, g->cap, 0);
	g->nodes[0] = (struct fnode){ .fn = NONE, .parent = NONE, .line_frame = NONE };
	g->n = 1;
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct ssample *x = &s->samples[i];
		uint32_t node = 0;
		if (!x->value)
			continue;
		g->nodes[0].value += x->value;
		if (g->threads && x->thread != STACKS_NO_THREAD) {
			node = child_of(g, node, (uint32_t)(g->nfn + x->thread));
			g->nodes[node].value += x->value;
		}
		for (uint32_t k = 0; k < x->n; k++) {
			uint32_t frame = x->frames[k];
			node = child_of(g, node, g->fn_of_frame[frame]);
			g->nodes[node].value += x->value;
			count_line(g, node, frame, x->value);
		}
	}
}

struct ordkey {
	uint32_t parent, rank, node;
};

static int by_parent_rank(const void *a, const void *b)
{
	const struct ordkey *x = a, *y = b;
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Sibling order, x offsets, and which frames are wide enough to draw.
 * A node is created after its parent, so walking by index meets every
 * parent first. */
static void lay_out(struct fgraph *g)
{
	struct ordkey *k = xcalloc(g->n, sizeof(*k));
	uint64_t root = g->nodes[0].value;

	g->scale = root ? (double)(IMG_W - 2 * PAD) / (double)root : 0;
	for (size_t i = 1; i < g->n; i++)
		k[i - 1] = (struct ordkey){ g->nodes[i].parent, g->rank[g->nodes[i].fn],
					    (uint32_t)i };
	if (g->n > 1)
		qsort(k, g->n - 1, sizeof(*k), by_parent_rank);
	g->order = xcalloc(g->n, sizeof(*g->order));
	for (size_t i = 0; i + 1 < g->n; i++)
		g->order[i] = k[i].node;
	free(k);

	/* order[] holds the children of each node together, the groups by
	 * parent index; a node's index is above its parent's, so its own x is
	 * set before its children's group is reached. */
	g->nodes[0].shown = root > 0;
	uint32_t last_parent = NONE;
	uint64_t next_x = 0;
	for (size_t i = 0; i + 1 < g->n; i++) {
		struct fnode *nd = &g->nodes[g->order[i]];
		const struct fnode *p = &g->nodes[nd->parent];
		if (nd->parent != last_parent) {
			last_parent = nd->parent;
			next_x = p->x;
		}
		nd->x = next_x;
		next_x += nd->value;
	}
	/* In index order, again every parent before its children. */
	for (size_t i = 1; i < g->n; i++) {
		struct fnode *nd = &g->nodes[i];
		nd->shown = g->nodes[nd->parent].shown && (double)nd->value * g->scale >= MIN_PX;
		if (nd->shown && nd->depth > g->max_depth)
			g->max_depth = nd->depth;
	}
}

/* ----------------------------------------------------------- output */

/* "1130 samples (2.26 s), 74.93%"; values that are time themselves (a
 * pprof read back) just "2.26 s, 74.93%". */
static void put_value(FILE *f, const struct stacks *s, uint64_t v, uint64_t total)
{
	const char *unit = s->unit && *s->unit ? s->unit : "samples";
	bool is_time = s->ns_per_unit && strstr(unit, "seconds");

	if (!is_time)
		fprintf(f, "%" PRIu64 " %s", v, unit);
	if (s->ns_per_unit) {
		double secs = (double)v * (double)s->ns_per_unit / 1e9;
		fprintf(f, is_time ? "%.*f %s" : " (%.*f %s)", secs >= 1 ? 2 : 1,
			secs >= 1 ? secs : secs * 1e3, secs >= 1 ? "s" : "ms");
	}
	fprintf(f, ", %.2f%%", total ? 100.0 * (double)v / (double)total : 0.0);
}

static void put_frame(FILE *f, const struct fgraph *g, uint32_t i, int height)
{
	const struct fnode *nd = &g->nodes[i];
	const struct stacks *s = g->s;
	const struct sframe *fr = NULL;
	const char *kind, *label;
	uint64_t total = g->nodes[0].value;

	if (i == 0) {
		kind = "root";
		label = "all";
	} else if (nd->fn >= g->nfn) {
		kind = "thread";
		label = g->label[nd->fn];
	} else {
		fr = &s->frames[nd->line_frame];
		kind = kind_name(fr->kind);
		label = g->label[nd->fn];
	}
	double x = PAD + (double)nd->x * g->scale, w = (double)nd->value * g->scale;
	int y = height - BOTTOM_H - (int)(nd->depth + 1) * FRAME_H;

	fputs("<g class=\"frame\" data-name=\"", f);
	put_xml(f, label);
	fputc('"', f);
	if (fr) {
		if (*fr->module) {
			fputs(" data-module=\"", f);
			put_xml_raw(f, fr->module);
			fputc('"', f);
		}
		if (*fr->file) {
			fputs(" data-file=\"", f);
			put_xml_raw(f, fr->file);
			fprintf(f, "\" data-line=\"%d\"", fr->line);
		}
		if (fr->inlined)
			fputs(" data-inlined=\"1\"", f);
	}
	fprintf(f, " data-kind=\"%s\" data-value=\"%" PRIu64 "\" data-x=\"%" PRIu64
		"\" data-depth=\"%" PRIu32 "\">", kind, nd->value, nd->x, nd->depth);

	/* The tooltip: name [module] file:line, then value and share. */
	fputs("<title>", f);
	put_xml(f, label);
	if (fr && fr->inlined)
		fputs(" (inlined)", f);
	if (fr && *fr->module) {
		fputs(" [", f);
		put_xml_raw(f, fr->module);
		fputc(']', f);
	}
	if (fr && *fr->file) {
		fputc(' ', f);
		put_xml_raw(f, fr->file);
		if (fr->line)
			fprintf(f, ":%d", fr->line);
	}
	fputc('\n', f);
	put_value(f, s, nd->value, total);
	fputs("</title>", f);

	fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"", x, y, w,
		FRAME_H - 1);
	put_fill(f, kind, label);
	fprintf(f, "\"/><text x=\"%.2f\" y=\"%d\">", x + 3, y + FRAME_H - 5);
	double room = (w - 6) / CHAR_W;
	put_trimmed(f, label, room > 0 ? (size_t)room : 0);
	fputs("</text></g>\n", f);
}

static void put_legend(FILE *f, int y)
{
	static const struct { const char *kind, *text, *sample; } items[] = {
		{ "main", "main program", "main" },
		{ "shared", "shared library", "libc.so.6" },
		{ "other", "kernel or unknown", "??" },
	};
	int x = PAD;

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"", x, y - 10);
		put_fill(f, items[i].kind, items[i].sample);
		fprintf(f, "\"/><text class=\"hint\" x=\"%d\" y=\"%d\">%s</text>\n", x + 16, y,
			items[i].text);
		x += 16 + (int)(strlen(items[i].text) * CHAR_W) + 20;
	}
	fprintf(f, "<text class=\"hint\" x=\"%d\" y=\"%d\" text-anchor=\"end\">click a frame "
		"to zoom, Ctrl-F or / to search, Esc to reset</text>\n", IMG_W - PAD, y);
}

static void put_document(FILE *f, const struct fgraph *g, const char *title)
{
	uint64_t total = g->nodes[0].value;
	int height = TOP_H + (int)(g->max_depth + 1) * FRAME_H + BOTTOM_H;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" data-total=\"%" PRIu64 "\" data-pad=\"%d\">\n",
		IMG_W, height, IMG_W, height, total, PAD);
	fprintf(f, "<style type=\"text/css\"><![CDATA[\n%s]]></style>\n", flamegraph_css);
	fputs("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#f7f7f2\"/>\n", f);
	/* Between the two controls: about 100 characters of the larger font. */
	char *t = printable(title);
	fprintf(f, "<text id=\"title\" x=\"%d\" y=\"22\" text-anchor=\"middle\">", IMG_W / 2);
	put_trimmed(f, t, TITLE_CHARS);
	fputs("</text>\n", f);
	free(t);
	fprintf(f, "<text id=\"unzoom\" class=\"control hide\" x=\"%d\" y=\"22\">Reset zoom</text>\n",
		PAD);
	fprintf(f, "<text id=\"search\" class=\"control\" x=\"%d\" y=\"22\" "
		"text-anchor=\"end\">Search</text>\n", IMG_W - PAD);
	put_legend(f, 44);
	fprintf(f, "<text id=\"details\" x=\"%d\" y=\"%d\"></text>\n", PAD, height - 10);
	fprintf(f, "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n",
		IMG_W - PAD, height - 10);
	if (!total)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no samples</text>\n",
			IMG_W / 2, height - BOTTOM_H - 4);

	fputs("<g id=\"frames\">\n", f);
	if (g->nodes[0].shown)
		put_frame(f, g, 0, height);
	for (size_t i = 0; i + 1 < g->n; i++)
		if (g->nodes[g->order[i]].shown)
			put_frame(f, g, g->order[i], height);
	fputs("</g>\n", f);
	fprintf(f, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n", flamegraph_js);
	fputs("</svg>\n", f);
}

int flamegraph_write(FILE *f, const struct stacks *s, const struct flamegraph_opts *o)
{
	struct fgraph g = { .s = s, .threads = o && o->threads };
	const char *title = o && o->title ? o->title : s->title ? s->title : "Flame graph";
	int ret = 0;

	number_functions(&g);
	build_tree(&g);
	lay_out(&g);
	errno = 0;
	put_document(f, &g, title);
	if (fflush(f) != 0 || ferror(f)) {
		if (!errno)
			errno = EIO;
		ret = -1;
	}

	free(g.order);
	u64map_free(&g.line_value);
	u64map_free(&g.child);
	free(g.nodes);
	for (size_t i = 0; i < g.nids; i++)
		free(g.label[i]);
	free(g.rank);
	free(g.label);
	free(g.frame_of_fn);
	free(g.fn_of_frame);
	return ret;
}
