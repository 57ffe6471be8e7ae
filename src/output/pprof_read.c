/* pprof_read.c - a pprof profile (gzipped or not) read back into stacks.
 *
 * The input is untrusted, so every step is bounded by the input's size:
 *   - gunzip runs twice: once only to measure (a gzip bomb costs time up
 *     to PPROF_READ_MAX of output, never memory), then into a buffer of
 *     exactly the measured size;
 *   - protobuf-c decodes through an allocator with a budget proportional
 *     to the decoded size (real profiles take 6 to 9 bytes of memory per
 *     byte; a flood of empty messages would take 60);
 *   - every string index, id and count is checked before it is used; ids
 *     are looked up by binary search, never hashed, so chosen ids cannot
 *     slow a lookup down;
 *   - the stacks built are bounded: their folded text (what every writer
 *     draws from) may be at most FOLDED_BASE + FOLDED_PER_BYTE bytes per
 *     decoded byte, and at most THREADS_MAX threads are kept.
 * Nothing recurses on the input.
 *
 * Conversion: pprof samples list locations leaf first, and a location's
 * lines innermost first (line[0] inlined into line[1] ...); stacks are
 * root first, so both are walked backwards.  Each location is converted
 * once; samples only concatenate.  The values of one sample type are read
 * (pprof_read_sample says which); samples whose value is zero or negative
 * (diff profiles) are left out: a report of shares has no use for them.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "output/pprof_read.h"
#include "profile.pb-c.h"
#include "util/numparse.h"
#include "util/xalloc.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__ValueType ValueType;

#define DECODE_BASE ((size_t)64 << 20)
#define DECODE_PER_BYTE 32
#define FOLDED_BASE ((uint64_t)16 << 20)
#define FOLDED_PER_BYTE 64
#define THREADS_MAX 16384

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------- gunzip */

#define SCRATCH (1u << 16)

/* One pass over a gzip stream (members back to back, as gzip -c a b
 * writes).  out NULL: only measure into *n.  Else out holds exactly *n
 * bytes, measured by a first pass. */
static int gunzip_pass(const unsigned char *in, size_t len, unsigned char *out, size_t *n,
		       unsigned char *scratch, char *err, size_t errlen)
{
	z_stream z;
	size_t total = 0;
	int ret = -1;

	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: gzip only; a zlib or raw stream is not pprof. */
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return fail(err, errlen, "cannot start zlib (out of memory)");
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;  /* len <= PPROF_READ_MAX < UINT_MAX */
	for (;;) {
		z.next_out = scratch;
		z.avail_out = SCRATCH;
		int zr = inflate(&z, Z_NO_FLUSH);
		size_t got = SCRATCH - z.avail_out;
		if (got > PPROF_READ_MAX - total) {
			fail(err, errlen, "gzip data inflates to more than %u MiB; not a profile "
			     "this tool reads", PPROF_READ_MAX >> 20);
			goto out;
		}
		if (out) {
			if (got > *n - total) {
				fail(err, errlen, "gzip data inflated differently twice");
				goto out;
			}
			memcpy(out + total, scratch, got);
		}
		total += got;
		if (zr == Z_STREAM_END) {
			if (!z.avail_in)
				break;
			if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
				inflateReset(&z);
				continue;
			}
			fail(err, errlen, "not a pprof profile (%u bytes of junk after the gzip data)",
			     z.avail_in);
			goto out;
		}
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && !z.avail_in)
			fail(err, errlen, "truncated gzip data (the file was cut short; copy it again)");
		else if (zr == Z_MEM_ERROR)
			fail(err, errlen, "out of memory in zlib");
		else
			fail(err, errlen, "corrupt gzip data (%s)", z.msg ? z.msg : "bad stream");
		goto out;
	}
	if (!out)
		*n = total;
	ret = 0;
out:
	inflateEnd(&z);
	return ret;
}

static int gunzip(const unsigned char *in, size_t len, unsigned char **out, size_t *n,
		  char *err, size_t errlen)
{
	unsigned char *scratch = xmalloc(SCRATCH);
	int ret = -1;

	*out = NULL;
	if (gunzip_pass(in, len, NULL, n, scratch, err, errlen) < 0)
		goto out;
	if (*n == 0) {
		fail(err, errlen, "not a pprof profile (the gzip data is empty)");
		goto out;
	}
	*out = xmalloc(*n);
	if (gunzip_pass(in, len, *out, n, scratch, err, errlen) < 0) {
		free(*out);
		*out = NULL;
		goto out;
	}
	ret = 0;
out:
	free(scratch);
	return ret;
}

/* --------------------------------------------------- decoding budget */

struct budget {
	size_t left;
	bool exceeded;
};

static void *budget_alloc(void *data, size_t size)
{
	struct budget *b = data;
	if (size > b->left) {
		b->exceeded = true;
		return NULL;  /* protobuf-c unwinds and returns NULL */
	}
	b->left -= size;
	return xmalloc(size);
}

static void budget_free(void *data, void *p)
{
	free(p);
}

/* Whether the start of buf looks like text: the likely mistake of giving
 * report a folded or text file. */
static bool looks_like_text(const unsigned char *buf, size_t len)
{
	size_t n = len < 512 ? len : 512;
	for (size_t i = 0; i < n; i++)
		if ((buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\t' && buf[i] != '\r') ||
		    buf[i] == 0x7f)
			return false;
	return n > 0;
}

/* ------------------------------------------------------------ strings */

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned min, cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;  /* also stops at the terminating NUL */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Names end up in terminals, SVG and JSON: control characters and bytes
 * that are not UTF-8 become '?', in place. */
static void sanitize(char *str)
{
	unsigned char *s = (unsigned char *)str;
	while (*s) {
		size_t n = utf8_len(s);
		if (n == 1 && (*s < 0x20 || *s == 0x7f))
			*s = '?';
		if (!n) {
			*s = '?';
			n = 1;
		}
		s += n;
	}
}

/* ---------------------------------------------------------- id lookup */

/* pprof ids are any non-zero uint64.  Dense 1..n (what ptprof and Go
 * write) is an array index; anything else a binary search in a sorted
 * copy. */
struct id_pair {
	uint64_t id;
	uint32_t index;
};

struct idmap {
	bool dense;
	struct id_pair *pairs;
	size_t n;
};

static int by_id(const void *a, const void *b)
{
	const struct id_pair *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* ids[i] is the id of entry i; what names the kind in messages. */
static int idmap_build(struct idmap *m, const uint64_t *ids, size_t n, const char *what,
		       char *err, size_t errlen)
{
	m->n = n;
	m->dense = true;
	m->pairs = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!ids[i])
			return fail(err, errlen, "not a valid pprof profile (%s #%zu has id 0)", what,
				    i + 1);
		if (ids[i] != i + 1)
			m->dense = false;
	}
	if (m->dense)
		return 0;
	m->pairs = xcalloc(n, sizeof(*m->pairs));
	for (size_t i = 0; i < n; i++)
		m->pairs[i] = (struct id_pair){ ids[i], (uint32_t)i };
	qsort(m->pairs, n, sizeof(*m->pairs), by_id);
	for (size_t i = 1; i < n; i++)
		if (m->pairs[i].id == m->pairs[i - 1].id)
			return fail(err, errlen, "not a valid pprof profile (two %ss with id %" PRIu64 ")",
				    what, m->pairs[i].id);
	return 0;
}

/* Index of id, or -1. */
static int64_t idmap_find(const struct idmap *m, uint64_t id)
{
	if (m->dense)
		return id >= 1 && id <= m->n ? (int64_t)(id - 1) : -1;
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->pairs[mid].id == id)
			return m->pairs[mid].index;
		if (m->pairs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ------------------------------------------------------------ reading */

struct reader {
	const Profile *p;
	struct stacks *out;
	char *err;
	size_t errlen;
	size_t plain_len;          /* decoded size: the budgets scale with it */

	struct idmap maps, funcs, locs;
	const char **map_module;   /* per mapping: basename, interned */
	enum frame_kind *map_kind;
	uint32_t *loc_frames;      /* every location's frames, root first */
	size_t *loc_start;         /* location i: loc_frames[loc_start[i] .. loc_start[i + 1]) */
	uint64_t *loc_folded;      /* location i: bytes of its names in folded text */
	const char *want;          /* the sample type asked for; NULL: the default */
	size_t vi;                 /* the value index shown */
	const char *type;          /* its name, interned in out */
};

static const char *str_at(const struct reader *r, int64_t i)
{
	return r->p->string_table[i];
}

/* The first string index found out of range, for the message. */
struct bad_index {
	const char *what;          /* "function"; NULL: none found yet */
	size_t entry;              /* 1-based; 0: a field of the profile itself */
	const char *field;         /* "name" */
	int64_t value;
};

static void check_index(struct bad_index *b, size_t nstrings, int64_t v, const char *what,
			size_t entry, const char *field)
{
	if (!b->what && (v < 0 || (uint64_t)v >= nstrings))
		*b = (struct bad_index){ what, entry, field, v };
}

/* Every string index in the profile in range, string_table[0] == "". */
static int check_strings(struct reader *r)
{
	const Profile *p = r->p;
	size_t n = p->n_string_table;
	struct bad_index b = { NULL, 0, NULL, 0 };

	if (!n)
		return fail(r->err, r->errlen, "not a pprof profile (no string table)");
	if (p->string_table[0][0])
		return fail(r->err, r->errlen,
			    "not a valid pprof profile (the first string is not empty)");
	for (size_t i = 0; i < p->n_sample_type; i++) {
		check_index(&b, n, p->sample_type[i]->type, "sample type", i + 1, "type");
		check_index(&b, n, p->sample_type[i]->unit, "sample type", i + 1, "unit");
	}
	for (size_t i = 0; i < p->n_sample; i++)
		for (size_t k = 0; k < p->sample[i]->n_label; k++) {
			const Label *l = p->sample[i]->label[k];
			check_index(&b, n, l->key, "sample", i + 1, "label key");
			check_index(&b, n, l->str, "sample", i + 1, "label value");
			check_index(&b, n, l->num_unit, "sample", i + 1, "label unit");
		}
	for (size_t i = 0; i < p->n_mapping; i++) {
		check_index(&b, n, p->mapping[i]->filename, "mapping", i + 1, "file name");
		check_index(&b, n, p->mapping[i]->build_id, "mapping", i + 1, "build id");
	}
	for (size_t i = 0; i < p->n_function; i++) {
		check_index(&b, n, p->function[i]->name, "function", i + 1, "name");
		check_index(&b, n, p->function[i]->system_name, "function", i + 1, "system name");
		check_index(&b, n, p->function[i]->filename, "function", i + 1, "file name");
	}
	check_index(&b, n, p->drop_frames, "drop_frames", 0, "");
	check_index(&b, n, p->keep_frames, "keep_frames", 0, "");
	if (p->period_type) {
		check_index(&b, n, p->period_type->type, "period type", 0, "");
		check_index(&b, n, p->period_type->unit, "period unit", 0, "");
	}
	for (size_t i = 0; i < p->n_comment; i++)
		check_index(&b, n, p->comment[i], "comment", i + 1, "text");
	check_index(&b, n, p->default_sample_type, "default sample type", 0, "");
	if (b.what && b.entry)
		return fail(r->err, r->errlen, "not a valid pprof profile (%s #%zu %s: string "
			    "index %" PRId64 " out of range 0..%zu)", b.what, b.entry, b.field,
			    b.value, n - 1);
	if (b.what)
		return fail(r->err, r->errlen, "not a valid pprof profile (%s: string index %"
			    PRId64 " out of range 0..%zu)", b.what, b.value, n - 1);
	for (size_t i = 0; i < n; i++)
		sanitize(p->string_table[i]);
	return 0;
}

/* The names of the profile's sample types, ", " between them, into buf;
 * cut with "..." when they do not fit (a hostile file may have many). */
static void type_list(const struct reader *r, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < r->p->n_sample_type; i++) {
		const char *t = str_at(r, r->p->sample_type[i]->type);
		int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", *t ? t : "?");
		if (w < 0 || (size_t)w + 8 >= size - n) {  /* room kept for ", ..." */
			snprintf(buf + n, size - n, "%s...", i ? ", " : "");
			return;
		}
		n += (size_t)w;
	}
}

/* Index of the sample type named want, as go tool pprof's -sample_index
 * finds it ("inuse_space" also names a type "space"), or -1. */
static int64_t type_by_name(const struct reader *r, const char *want)
{
	const char *no_inuse = strncmp(want, "inuse_", 6) == 0 ? want + 6 : want;
	for (size_t i = 0; i < r->p->n_sample_type; i++) {
		const char *t = str_at(r, r->p->sample_type[i]->type);
		if (strcmp(t, want) == 0 || strcmp(t, no_inuse) == 0)
			return (int64_t)i;
	}
	return -1;
}

/* The value shown: the type asked for, by number or name; else the one
 * go tool pprof shows by default: the default sample type when the
 * profile names one that exists, else the last. */
static int choose_value(struct reader *r)
{
	const Profile *p = r->p;
	char types[384];
	uint64_t number;
	int64_t i;

	if (!p->n_sample_type)
		return fail(r->err, r->errlen, "not a valid pprof profile (no sample types)");
	r->vi = p->n_sample_type - 1;
	if (r->want && *r->want) {
		if (parse_uint(r->want, 0, UINT64_MAX, &number) == 0) {
			if (number < p->n_sample_type) {
				r->vi = (size_t)number;
				return 0;
			}
			type_list(r, types, sizeof(types));
			return fail(r->err, r->errlen, "no sample type %" PRIu64 " in this profile "
				    "(it has 0..%zu: %s)", number, p->n_sample_type - 1, types);
		}
		i = type_by_name(r, r->want);
		if (i < 0) {
			type_list(r, types, sizeof(types));
			return fail(r->err, r->errlen, "no sample type '%s' in this profile (it has "
				    "%s)", r->want, types);
		}
		r->vi = (size_t)i;
		return 0;
	}
	if (p->default_sample_type) {
		const char *dflt = str_at(r, p->default_sample_type);
		for (size_t k = 0; k < p->n_sample_type; k++)
			if (strcmp(str_at(r, p->sample_type[k]->type), dflt) == 0) {
				r->vi = k;
				break;
			}
	}
	return 0;
}

/* The ids of mappings, functions and locations, each kind indexed. */
static int index_ids(struct reader *r)
{
	const Profile *p = r->p;
	size_t most = p->n_mapping > p->n_function ? p->n_mapping : p->n_function;
	most = most > p->n_location ? most : p->n_location;
	uint64_t *ids = xcalloc(most ? most : 1, sizeof(*ids));
	int ret = -1;

	for (size_t i = 0; i < p->n_mapping; i++)
		ids[i] = p->mapping[i]->id;
	if (idmap_build(&r->maps, ids, p->n_mapping, "mapping", r->err, r->errlen) < 0)
		goto out;
	for (size_t i = 0; i < p->n_function; i++)
		ids[i] = p->function[i]->id;
	if (idmap_build(&r->funcs, ids, p->n_function, "function", r->err, r->errlen) < 0)
		goto out;
	for (size_t i = 0; i < p->n_location; i++)
		ids[i] = p->location[i]->id;
	if (idmap_build(&r->locs, ids, p->n_location, "location", r->err, r->errlen) < 0)
		goto out;
	ret = 0;
out:
	free(ids);
	return ret;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

/* Whether a file name is a shared object's: "libc.so.6", "x.so". */
static bool is_shared_object(const char *name)
{
	for (const char *s = strstr(name, ".so"); s; s = strstr(s + 1, ".so"))
		if (s[3] == '\0' || s[3] == '.')
			return true;
	return false;
}

/* Colour class of a mapping: the first is the main program (pprof's
 * convention) unless its name says otherwise; "[vdso]" is shared code, as
 * record draws it; other bracketed names ("[kernel.kallsyms]") and
 * unnamed mappings are neither. */
static enum frame_kind mapping_kind(const struct reader *r, size_t i)
{
	const char *file = str_at(r, r->p->mapping[i]->filename);
	const char *main_file = str_at(r, r->p->mapping[0]->filename);
	if (!*file)
		return FK_OTHER;
	if (strcmp(file, "[kernel]") == 0 || strcmp(file, "[kernel.kallsyms]") == 0)
		return FK_KERNEL;
	if (file[0] == '[')
		return strcmp(file, "[vdso]") == 0 ? FK_SHARED : FK_OTHER;
	if (is_shared_object(base_name(file)))
		return FK_SHARED;
	return i == 0 || strcmp(file, main_file) == 0 ? FK_MAIN : FK_SHARED;
}

static void read_mappings(struct reader *r)
{
	size_t n = r->p->n_mapping;
	r->map_module = xcalloc(n ? n : 1, sizeof(*r->map_module));
	r->map_kind = xcalloc(n ? n : 1, sizeof(*r->map_kind));
	for (size_t i = 0; i < n; i++) {
		const char *file = str_at(r, r->p->mapping[i]->filename);
		r->map_module[i] = stacks_str(r->out, base_name(file));
		r->map_kind[i] = mapping_kind(r, i);
	}
}

/* "module+0xOFFSET" (offset in the file) or "0xADDRESS": a location
 * without function. */
static char *unknown_name(const struct reader *r, const Location *l, int64_t m)
{
	if (m >= 0 && *r->map_module[m]) {
		const Mapping *mp = r->p->mapping[m];
		uint64_t off = l->address;
		if (l->address >= mp->memory_start && l->address < mp->memory_limit)
			off = l->address - mp->memory_start + mp->file_offset;
		return xasprintf("%s+0x%" PRIx64, r->map_module[m], off);
	}
	return xasprintf("0x%" PRIx64, l->address);
}

static void add_frame(struct reader *r, size_t *cap, const char *func, const char *module,
		      const char *file, int64_t line, enum frame_kind kind, bool inlined, size_t i)
{
	int ln = line < 0 || line > INT_MAX ? 0 : (int)line;
	uint32_t id = stacks_frame(r->out, func, module, file, ln, kind, inlined);
	XGROW(r->loc_frames, *cap, r->loc_start[i + 1]);
	r->loc_frames[r->loc_start[i + 1]++] = id;
	r->loc_folded[i] += strlen(r->out->frames[id].func) + 1;
}

/* Every location's frames, root first, each interned once. */
static int read_locations(struct reader *r)
{
	const Profile *p = r->p;
	size_t n = p->n_location, cap = 0;

	r->loc_start = xcalloc(n + 1, sizeof(*r->loc_start));
	r->loc_folded = xcalloc(n ? n : 1, sizeof(*r->loc_folded));
	for (size_t i = 0; i < n; i++) {
		const Location *l = p->location[i];
		int64_t m = -1;
		r->loc_start[i + 1] = r->loc_start[i];
		if (l->mapping_id) {
			m = idmap_find(&r->maps, l->mapping_id);
			if (m < 0)
				return fail(r->err, r->errlen, "not a valid pprof profile (location %"
					    PRIu64 " refers to mapping %" PRIu64 ", which does not "
					    "exist)", l->id, l->mapping_id);
		}
		const char *module = m >= 0 ? r->map_module[m] : "";
		enum frame_kind kind = m >= 0 ? r->map_kind[m] : FK_OTHER;
		if (!l->n_line) {
			char *name = unknown_name(r, l, m);
			add_frame(r, &cap, name, module, "", 0, kind, false, i);
			free(name);
			continue;
		}
		/* line[0] is inlined into line[1] ...: the last is the root. */
		for (size_t k = l->n_line; k-- > 0;) {
			const Line *ln = l->line[k];
			const char *func = "", *file = "";
			if (ln->function_id) {
				int64_t f = idmap_find(&r->funcs, ln->function_id);
				if (f < 0)
					return fail(r->err, r->errlen, "not a valid pprof profile "
						    "(location %" PRIu64 " refers to function %" PRIu64
						    ", which does not exist)", l->id, ln->function_id);
				const Function *fn = p->function[f];
				func = str_at(r, fn->name);
				if (!*func)
					func = str_at(r, fn->system_name);
				file = str_at(r, fn->filename);
			}
			char *unknown = *func ? NULL : unknown_name(r, l, m);
			add_frame(r, &cap, unknown ? unknown : func, module, file, ln->line, kind,
				  k + 1 < l->n_line, i);
			free(unknown);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ threads */

/* A sample's thread, from the labels ptprof writes ("thread" = name,
 * "tid" = number) or the common alternatives. */
struct thread_key {
	int64_t tid;               /* 0: unknown */
	int64_t name;              /* string index; 0: none */
	uint32_t index;            /* into stacks.threads, once assigned */
};

static struct thread_key thread_of(const struct reader *r, const Sample *s)
{
	struct thread_key k = { 0, 0, STACKS_NO_THREAD };
	int64_t goroutine = 0;
	for (size_t i = 0; i < s->n_label; i++) {
		const Label *l = s->label[i];
		const char *key = str_at(r, l->key);
		if (strcmp(key, "thread") == 0 || strcmp(key, "thread_name") == 0) {
			if (l->str)
				k.name = l->str;
			else if (l->num > 0)
				k.tid = l->num;
		} else if (strcmp(key, "tid") == 0 || strcmp(key, "thread_id") == 0) {
			if (l->num > 0)
				k.tid = l->num;
		} else if (strcmp(key, "goroutine") == 0) {
			goroutine = l->num > 0 ? l->num : l->str ? strtoll(str_at(r, l->str), NULL, 10) : 0;
		}
	}
	if (!k.name && !k.tid && goroutine > 0) {
		k.tid = goroutine;
		k.name = -1;       /* "goroutine" */
	}
	return k;
}

static int by_thread(const void *a, const void *b)
{
	const struct thread_key *x = a, *y = b;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Distinct threads, sorted, each with its stacks index; *n 0 when the
 * samples have none or too many to be worth keeping apart (and to keep a
 * hostile file's tids from flooding stacks' hash table). */
static struct thread_key *read_threads(struct reader *r, size_t *n)
{
	const Profile *p = r->p;
	struct thread_key *keys = xcalloc(p->n_sample ? p->n_sample : 1, sizeof(*keys));
	size_t nk = 0, distinct = 0;
	for (size_t i = 0; i < p->n_sample; i++) {
		struct thread_key k = thread_of(r, p->sample[i]);
		if (k.tid || k.name)
			keys[nk++] = k;
	}
	if (nk)
		qsort(keys, nk, sizeof(*keys), by_thread);
	for (size_t i = 0; i < nk; i++)
		if (!distinct || by_thread(&keys[i], &keys[distinct - 1]))
			keys[distinct++] = keys[i];
	if (distinct > THREADS_MAX) {
		char *t = xasprintf("%s (thread labels ignored: over %d threads)", r->out->title,
				    THREADS_MAX);
		r->out->title = stacks_str(r->out, t);
		free(t);
		distinct = 0;
	}
	for (size_t i = 0; i < distinct; i++) {
		const char *name = keys[i].name > 0 ? str_at(r, keys[i].name)
				 : keys[i].name < 0 ? "goroutine" : "thread";
		keys[i].index = stacks_thread(r->out, name, keys[i].tid);
	}
	*n = distinct;
	return keys;
}

static uint32_t thread_index(const struct reader *r, const struct thread_key *keys, size_t n,
			     const Sample *s)
{
	struct thread_key k = thread_of(r, s);
	const struct thread_key *found;
	if (!n || (!k.tid && !k.name))
		return STACKS_NO_THREAD;
	found = bsearch(&k, keys, n, sizeof(*keys), by_thread);
	return found ? found->index : STACKS_NO_THREAD;
}

/* ------------------------------------------------------------ samples */

static int read_samples(struct reader *r)
{
	const Profile *p = r->p;
	uint64_t folded = 0, folded_max = FOLDED_BASE + FOLDED_PER_BYTE * (uint64_t)r->plain_len;
	uint32_t *ids = NULL;
	size_t cap = 0, nthreads;
	int ret = -1;
	struct thread_key *threads = read_threads(r, &nthreads);

	XGROW(ids, cap, 0);  /* never NULL, even for a sample without stack */

	for (size_t i = 0; i < p->n_sample; i++) {
		const Sample *s = p->sample[i];
		size_t n = 0;
		if (s->n_value != p->n_sample_type) {
			fail(r->err, r->errlen, "not a valid pprof profile (sample #%zu has %zu values "
			     "for %zu sample types)", i + 1, s->n_value, p->n_sample_type);
			goto out;
		}
		for (size_t k = 0; k < s->n_location_id; k++)
			if (idmap_find(&r->locs, s->location_id[k]) < 0) {
				fail(r->err, r->errlen, "not a valid pprof profile (sample #%zu "
				     "refers to location %" PRIu64 ", which does not exist)", i + 1,
				     s->location_id[k]);
				goto out;
			}
		int64_t v = s->value[r->vi];
		if (v <= 0)
			continue;
		if ((uint64_t)v > UINT64_MAX - r->out->total) {
			fail(r->err, r->errlen, "not a valid pprof profile (the values add up past "
			     "2^64)");
			goto out;
		}
		uint32_t t = thread_index(r, threads, nthreads, s);
		/* What the sample adds to folded text: its names, " VALUE\n",
		 * and with --threads the thread's name (cut at 512 bytes). */
		folded += 24;
		if (t != STACKS_NO_THREAD)
			folded += strnlen(r->out->threads[t].name, 512) + 1;
		for (size_t k = 0; k < s->n_location_id && folded <= folded_max; k++)
			folded += r->loc_folded[idmap_find(&r->locs, s->location_id[k])];
		if (folded > folded_max) {
			fail(r->err, r->errlen, "not a valid pprof profile (its stacks expand to over "
			     "%" PRIu64 " MiB of names, too much for a file of its size)",
			     folded_max >> 20);
			goto out;
		}
		/* Leaf first in pprof: walk backwards for root first. */
		for (size_t k = s->n_location_id; k-- > 0;) {
			size_t l = (size_t)idmap_find(&r->locs, s->location_id[k]);
			size_t from = r->loc_start[l], to = r->loc_start[l + 1];
			XGROW(ids, cap, n + (to - from));
			memcpy(ids + n, r->loc_frames + from, (to - from) * sizeof(*ids));
			n += to - from;
		}
		stacks_add(r->out, ids, n, (uint64_t)v, t);
	}
	ret = 0;
out:
	free(ids);
	free(threads);
	return ret;
}

/* ----------------------------------------------------- header, whole */

static uint64_t ns_per(const struct reader *r, const char *unit)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "nanoseconds", 1 }, { "microseconds", 1000 }, { "milliseconds", 1000000 },
		{ "seconds", 1000000000 },
	};
	const Profile *p = r->p;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].unit) == 0)
			return units[i].ns;
	/* Counted events of a time period: each one stands for period ns. */
	if ((strcmp(unit, "count") == 0 || strcmp(unit, "samples") == 0) && p->period_type &&
	    strcmp(str_at(r, p->period_type->unit), "nanoseconds") == 0 && p->period > 0)
		return (uint64_t)p->period;
	return 0;
}

static void read_header(struct reader *r)
{
	const ValueType *vt = r->p->sample_type[r->vi];
	const char *type = str_at(r, vt->type);
	char *title;
	r->type = stacks_str(r->out, type);
	r->out->unit = stacks_str(r->out, str_at(r, vt->unit));
	r->out->ns_per_unit = ns_per(r, r->out->unit);
	double secs = (double)r->p->duration_nanos / 1e9;
	if (secs >= 0.01)
		title = xasprintf("Type: %s, Duration: %.2f s", *type ? type : "?", secs);
	else if (r->p->duration_nanos > 0)
		title = xasprintf("Type: %s, Duration: %.2f ms", *type ? type : "?", secs * 1e3);
	else
		title = xasprintf("Type: %s", *type ? type : "?");
	r->out->title = stacks_str(r->out, title);
	free(title);
}

static int convert(struct reader *r)
{
	if (check_strings(r) < 0 || choose_value(r) < 0 || index_ids(r) < 0)
		return -1;
	read_header(r);
	read_mappings(r);
	if (read_locations(r) < 0)
		return -1;
	return read_samples(r);
}

int pprof_read(const unsigned char *buf, size_t len, struct stacks *out, char *err,
	       size_t errlen)
{
	return pprof_read_sample(buf, len, NULL, out, NULL, err, errlen);
}

int pprof_read_sample(const unsigned char *buf, size_t len, const char *sample_index,
		      struct stacks *out, const char **type, char *err, size_t errlen)
{
	unsigned char *inflated = NULL;
	const unsigned char *plain = buf;
	size_t plain_len = len;
	struct budget budget = { 0, false };
	ProtobufCAllocator alloc = { budget_alloc, budget_free, &budget };
	Profile *p = NULL;
	struct reader r = { 0 };
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!len) {
		fail(err, errlen, "empty file (not a pprof profile)");
		goto out;
	}
	if (len > PPROF_READ_MAX) {
		fail(err, errlen, "larger than %u MiB; not a profile this tool reads",
		     PPROF_READ_MAX >> 20);
		goto out;
	}
	if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
		if (gunzip(buf, len, &inflated, &plain_len, err, errlen) < 0)
			goto out;
		plain = inflated;
	}
	budget.left = DECODE_BASE + DECODE_PER_BYTE * plain_len;
	p = perftools__profiles__profile__unpack(&alloc, plain_len, plain);
	if (!p) {
		if (budget.exceeded)
			fail(err, errlen, "not a pprof profile (decoding it takes more memory than "
			     "a profile of its size may)");
		else if (looks_like_text(plain, plain_len))
			fail(err, errlen, "not a pprof profile (this is text; report reads the "
			     "binary profiles of record -f pprof, go tool pprof and others)");
		else
			fail(err, errlen, "not a pprof profile (protobuf decoding failed)");
		goto out;
	}
	free(inflated);  /* protobuf-c copied what it keeps */
	inflated = NULL;
	r.p = p;
	r.out = out;
	r.err = err;
	r.errlen = errlen;
	r.plain_len = plain_len;
	r.want = sample_index;
	if (convert(&r) < 0)
		goto out;
	if (type)
		*type = r.type;
	ret = 0;
out:
	free(r.loc_folded);
	free(r.loc_start);
	free(r.loc_frames);
	free(r.map_kind);
	free(r.map_module);
	free(r.locs.pairs);
	free(r.funcs.pairs);
	free(r.maps.pairs);
	if (p)
		perftools__profiles__profile__free_unpacked(p, &alloc);
	free(inflated);
	if (ret)
		stacks_free(out);
	return ret;
}
