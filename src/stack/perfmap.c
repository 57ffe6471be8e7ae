/* perfmap.c - /tmp/perf-PID.map read incrementally, looked up by address. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stack/perfmap.h"
#include "util/error.h"
#include "util/xalloc.h"

#define READ_CHUNK (1U << 20)     /* bytes read at a time; > PERFMAP_MAX_LINE */
#define NAME_BLOCK (1U << 20)     /* names are kept in blocks of this size */

/* A stretch of addresses with one owner: the index lookups search. */
struct seg {
	uint64_t start, end;
	uint32_t entry;
};

struct perfmap {
	char *path;               /* NULL: fed by hand */
	bool check_owner;         /* the file must belong to owner[] or root */
	uid_t owner[2];
	int fd;                   /* -1 until the file is found */
	dev_t dev;
	ino_t ino;
	uint64_t off;             /* bytes of the file consumed */
	bool skipping;            /* inside an overlong line: up to its '\n' */
	bool polled;
	uint64_t last_poll_ns;
	struct perfmap_entry *e;  /* in file order: later lines win */
	size_t n, cap;
	struct seg *seg;          /* sorted, disjoint; rebuilt when dirty */
	size_t nseg, seg_cap;
	bool dirty;
	char **blocks;            /* name storage */
	size_t nblocks, blocks_cap, block_used, block_size;
	size_t rejected;
	bool said_full, said_big;
	struct sym_module mod;
	bool mod_used;
	char *buf;                /* READ_CHUNK bytes, on first read */
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Hex digits with an optional 0x: at most 64 bits, at least one digit. */
static bool parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	size_t digits = 0;
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (v >> 60)
			return false;     /* would not fit */
		v = v << 4 | d;
		digits++;
	}
	if (!digits)
		return false;
	*p = s;
	*out = v;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* At least one blank, then what follows it. */
static bool skip_blanks(const char **p, const char *end)
{
	const char *s = *p;
	while (s < end && is_blank(*s))
		s++;
	if (s == *p)
		return false;
	*p = s;
	return true;
}

bool perfmap_parse_line(const char *line, size_t len, uint64_t *start, uint64_t *size,
			const char **name, size_t *name_len)
{
	const char *p = line, *end = line + len;
	uint64_t a, n;
	if (len && end[-1] == '\r')
		end--;
	if (!parse_hex(&p, end, &a) || !skip_blanks(&p, end) || !parse_hex(&p, end, &n) ||
	    !skip_blanks(&p, end) || p == end)
		return false;
	/* A piece of code is never empty, never this large, and never wraps. */
	if (n == 0 || n > PERFMAP_MAX_SIZE || a > UINT64_MAX - n)
		return false;
	*start = a;
	*size = n;
	*name = p;
	*name_len = (size_t)(end - p);
	return true;
}

/* A NUL-terminated copy of a name, control characters made '?'. */
static const char *keep_name(struct perfmap *pm, const char *s, size_t len)
{
	if (pm->nblocks == 0 || pm->block_size - pm->block_used < len + 1) {
		size_t size = len + 1 > NAME_BLOCK ? len + 1 : NAME_BLOCK;
		XGROW(pm->blocks, pm->blocks_cap, pm->nblocks);
		pm->blocks[pm->nblocks++] = xmalloc(size);
		pm->block_size = size;
		pm->block_used = 0;
	}
	char *d = pm->blocks[pm->nblocks - 1] + pm->block_used;
	for (size_t i = 0; i < len; i++)
		d[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	d[len] = '\0';
	pm->block_used += len + 1;
	return d;
}

static void add_line(struct perfmap *pm, const char *line, size_t len)
{
	uint64_t start, size;
	const char *name;
	size_t name_len;
	if (len > PERFMAP_MAX_LINE ||
	    !perfmap_parse_line(line, len, &start, &size, &name, &name_len)) {
		pm->rejected++;
		return;
	}
	if (pm->n >= PERFMAP_MAX_ENTRIES) {
		if (!pm->said_full)
			pt_verbose("perf map %s: more than %u entries, the rest ignored",
				   pm->path ? pm->path : "", PERFMAP_MAX_ENTRIES);
		pm->said_full = true;
		return;
	}
	XGROW(pm->e, pm->cap, pm->n);
	pm->e[pm->n++] = (struct perfmap_entry){ start, start + size, keep_name(pm, name, name_len) };
	pm->dirty = true;
}

size_t perfmap_feed(struct perfmap *pm, const char *text, size_t len)
{
	size_t used = 0;
	for (;;) {
		const char *nl = memchr(text + used, '\n', len - used);
		if (!nl)
			return used;
		size_t n = (size_t)(nl - (text + used));
		add_line(pm, text + used, n);
		used += n + 1;
	}
}

static struct perfmap *perfmap_new(const char *path)
{
	struct perfmap *pm = xcalloc(1, sizeof(*pm));
	pm->path = path ? xstrdup(path) : NULL;
	pm->fd = -1;
	pm->mod.name = "jit";
	pm->mod.path = "[jit]";
	pm->mod.build_id = "";
	pm->mod.jit = true;
	return pm;
}

struct perfmap *perfmap_open_file(const char *path)
{
	struct perfmap *pm = perfmap_new(path);
	perfmap_read_new(pm);
	return pm;
}

/* A JVM: named java, or with libjvm.so mapped. */
static bool is_jvm(const char *comm, const struct maps *maps)
{
	if (strcmp(comm, "java") == 0)
		return true;
	for (size_t i = 0; maps && i < maps->n; i++) {
		const char *p = maps->v[i].path;
		const char *slash = p ? strrchr(p, '/') : NULL;
		if (slash && strcmp(slash + 1, "libjvm.so") == 0)
			return true;
	}
	return false;
}

struct perfmap *perfmap_open(pid_t pid, const struct maps *maps)
{
	static bool hinted;       /* once per run */
	char text[4096];
	struct proc_status st;
	pid_t nspid = pid;
	bool have_status = procfs_read(pid, 0, "status", text, sizeof(text)) > 0 &&
			   procfs_parse_status(text, &st) == 0;

	/* The target names the file after its pid as it sees it. */
	if (have_status && st.nspid_count > 0)
		nspid = st.nspid[st.nspid_count - 1];
	char *path = xasprintf("/proc/%d/root/tmp/perf-%d.map", (int)pid, (int)nspid);
	struct perfmap *pm = perfmap_new(path);
	free(path);
	/* The target writes its own map: a file of another user is not its. */
	if (have_status) {
		pm->check_owner = true;
		pm->owner[0] = st.uid_real;
		pm->owner[1] = st.uid_effective;
	}
	perfmap_read_new(pm);
	if (pm->fd < 0 && !hinted && have_status && is_jvm(st.name, maps)) {
		pt_info("process %d is a JVM without /tmp/perf-%d.map: its compiled Java "
			"frames stay unnamed; `jcmd %d Compiler.perfmap` writes one",
			(int)pid, (int)nspid, (int)pid);
		hinted = true;
	}
	return pm;
}

static void forget_entries(struct perfmap *pm)
{
	for (size_t i = 0; i < pm->nblocks; i++)
		free(pm->blocks[i]);
	pm->nblocks = 0;
	pm->block_used = pm->block_size = 0;
	pm->n = 0;
	pm->nseg = 0;
	pm->dirty = false;
	pm->off = 0;
	pm->skipping = false;
}

/* Open the file when it was not open yet; true when open and usable. */
static bool ensure_open(struct perfmap *pm)
{
	struct stat st;
	if (pm->fd >= 0)
		return true;
	if (!pm->path)
		return false;
	/* O_NONBLOCK: a FIFO planted under the name must not hang us;
	 * O_NOFOLLOW: nor a link make us read some other file. */
	int fd = open(pm->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (pm->check_owner && st.st_uid != 0 && st.st_uid != pm->owner[0] &&
	     st.st_uid != pm->owner[1])) {
		pt_verbose("perf map %s: not a regular file of the process's user, ignored",
			   pm->path);
		close(fd);
		return false;
	}
	pm->fd = fd;
	pm->dev = st.st_dev;
	pm->ino = st.st_ino;
	return true;
}

/* A file replaced (another inode under the path) or cut shorter than
 * what was read: everything is read again from the start. */
static void check_replaced(struct perfmap *pm)
{
	struct stat st, now;
	bool replaced = fstat(pm->fd, &st) < 0 || (uint64_t)st.st_size < pm->off;
	if (!replaced && stat(pm->path, &now) == 0 &&
	    (now.st_dev != pm->dev || now.st_ino != pm->ino))
		replaced = true;
	if (!replaced)
		return;
	close(pm->fd);
	pm->fd = -1;
	forget_entries(pm);
	pm->dirty = true;
	ensure_open(pm);
}

void perfmap_read_new(struct perfmap *pm)
{
	if (!ensure_open(pm))
		return;
	check_replaced(pm);
	if (pm->fd < 0)
		return;
	if (!pm->buf)
		pm->buf = xmalloc(READ_CHUNK);
	while (pm->off < PERFMAP_MAX_BYTES) {
		uint64_t left = PERFMAP_MAX_BYTES - pm->off;
		size_t want = left < READ_CHUNK ? (size_t)left : READ_CHUNK;
		ssize_t got = pread(pm->fd, pm->buf, want, (off_t)pm->off);
		if (got <= 0)
			return;
		size_t n = (size_t)got;
		if (pm->skipping) {
			const char *nl = memchr(pm->buf, '\n', n);
			pm->off += nl ? (size_t)(nl - pm->buf) + 1 : n;
			pm->skipping = !nl;
			continue;
		}
		size_t used = perfmap_feed(pm, pm->buf, n);
		if (used == 0 && n > PERFMAP_MAX_LINE) {
			/* No line end within the longest line taken: skip it. */
			pm->rejected++;
			pm->skipping = true;
			pm->off += n;
			continue;
		}
		pm->off += used;
		if (n < want || used == 0)
			return;           /* the end, or an unfinished last line */
	}
	if (!pm->said_big)
		pt_verbose("perf map %s: only its first %llu MiB read", pm->path,
			   PERFMAP_MAX_BYTES >> 20);
	pm->said_big = true;
}

void perfmap_poll(struct perfmap *pm)
{
	uint64_t t = now_ns();
	if (pm->polled && t - pm->last_poll_ns < PERFMAP_POLL_MS * 1000000ULL)
		return;
	pm->polled = true;
	pm->last_poll_ns = t;
	perfmap_read_new(pm);
}

struct by_start_key {
	uint64_t start;
	uint32_t entry;
};

static int by_start(const void *a, const void *b)
{
	const struct by_start_key *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Max-heap of entry numbers: the latest line on top. */
static void heap_push(uint32_t *h, size_t *n, uint32_t v)
{
	size_t i = (*n)++;
	while (i > 0 && h[(i - 1) / 2] < v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static void heap_pop(uint32_t *h, size_t *n)
{
	uint32_t v = h[--*n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] > h[c])
			c++;
		if (h[c] <= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
}

static void add_seg(struct perfmap *pm, uint64_t start, uint64_t end, uint32_t entry)
{
	if (pm->nseg && pm->seg[pm->nseg - 1].entry == entry && pm->seg[pm->nseg - 1].end == start) {
		pm->seg[pm->nseg - 1].end = end;
		return;
	}
	XGROW(pm->seg, pm->seg_cap, pm->nseg);
	pm->seg[pm->nseg++] = (struct seg){ start, end, entry };
}

/* Entries may overlap (code freed and its addresses reused): sweep the
 * boundaries in order, and between two of them the latest entry among
 * those begun and not ended owns the stretch. */
static void rebuild(struct perfmap *pm)
{
	size_t n = pm->n;
	struct by_start_key *order = xcalloc(n ? n : 1, sizeof(*order));
	uint32_t *heap = xcalloc(n ? n : 1, sizeof(*heap));
	uint64_t *pts = xcalloc(n ? 2 * n : 1, sizeof(*pts));
	size_t npts = 0, nheap = 0, next = 0;

	for (size_t i = 0; i < n; i++) {
		order[i] = (struct by_start_key){ pm->e[i].start, (uint32_t)i };
		pts[npts++] = pm->e[i].start;
		pts[npts++] = pm->e[i].end;
	}
	qsort(order, n, sizeof(*order), by_start);
	qsort(pts, npts, sizeof(*pts), by_value);
	pm->nseg = 0;
	for (size_t k = 0; k < npts; k++) {
		uint64_t p = pts[k];
		if (k > 0 && p == pts[k - 1])
			continue;
		while (next < n && order[next].start == p)
			heap_push(heap, &nheap, order[next++].entry);
		/* Entries that ended are dropped once they reach the top. */
		while (nheap && pm->e[heap[0]].end <= p)
			heap_pop(heap, &nheap);
		size_t j = k + 1;
		while (j < npts && pts[j] == p)
			j++;
		if (nheap && j < npts)
			add_seg(pm, p, pts[j], heap[0]);
	}
	free(pts);
	free(heap);
	free(order);
	pm->dirty = false;
}

const struct perfmap_entry *perfmap_lookup(struct perfmap *pm, uint64_t addr)
{
	perfmap_poll(pm);
	if (pm->dirty)
		rebuild(pm);
	size_t lo = 0, hi = pm->nseg;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct seg *s = &pm->seg[mid];
		if (addr < s->start) {
			hi = mid;
		} else if (addr >= s->end) {
			lo = mid + 1;
		} else {
			const struct perfmap_entry *e = &pm->e[s->entry];
			if (!pm->mod_used || e->start < pm->mod.start)
				pm->mod.start = e->start;
			if (!pm->mod_used || e->end > pm->mod.limit)
				pm->mod.limit = e->end;
			pm->mod_used = true;
			return e;
		}
	}
	return NULL;
}

size_t perfmap_count(const struct perfmap *pm)
{
	return pm->n;
}

size_t perfmap_rejected(const struct perfmap *pm)
{
	return pm->rejected;
}

const struct sym_module *perfmap_module(struct perfmap *pm)
{
	return &pm->mod;
}

void perfmap_free(struct perfmap *pm)
{
	if (!pm)
		return;
	forget_entries(pm);
	if (pm->fd >= 0)
		close(pm->fd);
	free(pm->blocks);
	free(pm->e);
	free(pm->seg);
	free(pm->buf);
	free(pm->path);
	free(pm);
}
