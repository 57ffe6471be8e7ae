/* gopclntab.c - the Go runtime's own function table, from the file.
 *
 * The layout is the one runtime/symtab.go reads (pcHeader, then the
 * function name table, the per-CU file index table, the file name table,
 * the pc-value tables, and the function table with a _func record per
 * function).  Every read goes through a bounds check against the table
 * it belongs to; the pointers handed out point into the file image.
 */
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include "golang/goelf.h"
#include "golang/gopclntab.h"
#include "util/xalloc.h"

/* runtime/symtab.go (1.19); the same numbers in internal/abi later. */
enum {
	PCDATA_INLTREEINDEX = 2,
	FUNCDATA_INLTREE = 3,
	FUNCFLAG_TOPFRAME = 1,
	FUNCFLAG_ASM = 4,
};

/* pcHeader: magic, pad1, pad2, minLC, ptrSize, then eight words: nfunc,
 * nfiles, textStart and the offsets of funcnametab, cutab, filetab, pctab
 * and the function table (pclntab), all from the header's start. */
enum { HDR_SIZE = 8 + 8 * 8, FTAB_ENTRY = 8 };

/* Everything that differs between the formats read here, in one place.
 * Offsets are in bytes. */
struct pcln_format {
	uint32_t magic;
	uint32_t func_size;       /* fixed part of _func, before pcdata[] */
	uint32_t func_funcid;     /* _func.funcID; flag at +1, nfuncdata at +3 */
	uint32_t inl_size;        /* one inlinedCall */
	uint32_t inl_funcid;      /* inlinedCall.funcID */
	uint32_t inl_nameoff;     /* inlinedCall's name offset (func_ / nameOff) */
	uint32_t inl_parentpc;    /* inlinedCall.parentPc */
	uint32_t md_gofunc;       /* moduledata.gofunc */
	uint8_t wrapper;          /* funcID_wrapper when the table cannot say; 0 unknown */
	const char *gofunc_sym;   /* the linker's name of the funcdata base */
};

static const struct pcln_format formats[] = {
	/* Go 1.18, 1.19.  _func: entryoff nameoff args deferreturn pcsp
	 * pcfile pcln npcdata cuOffset (uint32 each), funcID flag pad
	 * nfuncdata (uint8 each).  inlinedCall: parent int16, funcID uint8,
	 * pad, file line func_ parentPc (int32 each).  moduledata: gofunc is
	 * word 38 (pcHeader, six slices, findfunctab, minpc, maxpc, text ...
	 * noptrbss enoptrbss, end gcdata gcbss, types etypes, rodata).
	 * funcID_wrapper is 21. */
	{ 0xfffffff0, 40, 36, 20, 2, 12, 16, 38 * 8, 21, "go.func.*" },
	/* Go 1.20 to 1.23.  _func gained startLine (int32) after cuOffset;
	 * inlinedCall became funcID uint8, pad[3], nameOff parentPc
	 * startLine (int32 each); moduledata gained covctrs, ecovctrs before
	 * end, moving gofunc two words on.  funcID_wrapper is 21 up to 1.22
	 * and 22 from 1.23 (FuncID_corostart was added before it), so it is
	 * learnt from the table (see learn_specials). */
	{ 0xfffffff1, 44, 40, 16, 0, 4, 8, 40 * 8, 0, "go:func.*" },
};

/* moduledata words checked before trusting a candidate: its slices of
 * the table and text (the same place in every format read here). */
enum {
	MD_FUNCNAMETAB = 1 * 8, MD_CUTAB = 4 * 8, MD_FILETAB = 7 * 8, MD_PCTAB = 10 * 8,
	MD_PCLNTABLE = 13 * 8, MD_FTAB = 16 * 8, MD_TEXT = 22 * 8,
};

struct span {
	const uint8_t *p;
	size_t n;
};

/* Functions a traceback treats specially, known by name, since their
 * funcIDs were renumbered across releases. */
enum { SP_GOEXIT, SP_MSTART, SP_MCALL, SP_MORESTACK, SP_RT0_GO, SP_SYSTEMSTACK, SP_N };
static const char *const special_names[SP_N] = {
	"runtime.goexit", "runtime.mstart", "runtime.mcall", "runtime.morestack",
	"runtime.rt0_go", "runtime.systemstack",
};

struct gopcln {
	const struct pcln_format *fmt;
	struct span tab;          /* the whole section */
	uint64_t tab_addr;
	uint64_t text;            /* pcHeader.textStart */
	uint32_t nfunc;
	uint32_t quantum;
	struct span names, cutab, files, pctab, pcln;
	uint8_t wrapper_id;       /* 0: wrappers not marked */
	uint32_t special[SP_N];   /* function index, UINT32_MAX when absent */
	uint64_t gofunc;          /* 0: no inline information */
	struct span gofunc_bytes; /* from gofunc to the end of its segment's file bytes */
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* The NUL-terminated string at off in s, or NULL when it runs off s. */
static const char *cstr(struct span s, uint64_t off)
{
	if (off >= s.n || memchr(s.p + off, 0, s.n - off) == NULL)
		return NULL;
	return (const char *)s.p + off;
}

/* --- the function table ---------------------------------------------- */

static uint32_t ftab_entryoff(const struct gopcln *t, uint32_t i)
{
	return rd32(t->pcln.p + (size_t)i * FTAB_ENTRY);
}

/* The _func record of function i, with room for its fixed part. */
static const uint8_t *func_rec(const struct gopcln *t, uint32_t i)
{
	uint32_t off = rd32(t->pcln.p + (size_t)i * FTAB_ENTRY + 4);

	if (off > t->pcln.n || t->pcln.n - off < t->fmt->func_size)
		return NULL;
	return t->pcln.p + off;
}

/* Field n (a uint32) of the fixed part: 1 nameoff, 4 pcsp, 5 pcfile,
 * 6 pcln, 7 npcdata, 8 cuOffset; the same in both formats. */
enum { F_NAMEOFF = 1, F_PCSP = 4, F_PCFILE = 5, F_PCLN = 6, F_NPCDATA = 7, F_CUOFFSET = 8 };

static uint32_t func_field(const uint8_t *f, int n)
{
	return rd32(f + 4 * n);
}

/* pcdata[i], or 0 (no table) when the function has fewer. */
static uint32_t func_pcdata(const struct gopcln *t, const uint8_t *f, uint32_t i)
{
	uint64_t off = t->fmt->func_size + 4 * (uint64_t)i;

	if (i >= func_field(f, F_NPCDATA) ||
	    (uint64_t)(f - t->pcln.p) + off + 4 > t->pcln.n)
		return 0;
	return rd32(f + off);
}

/* funcdata[i] (an offset from gofunc), or UINT32_MAX for none. */
static uint32_t func_funcdata(const struct gopcln *t, const uint8_t *f, uint32_t i)
{
	uint8_t nfuncdata = f[t->fmt->func_funcid + 3];
	uint64_t off = t->fmt->func_size + 4 * ((uint64_t)func_field(f, F_NPCDATA) + i);

	if (i >= nfuncdata || (uint64_t)(f - t->pcln.p) + off + 4 > t->pcln.n)
		return UINT32_MAX;
	return rd32(f + off);
}

static const char *func_name(const struct gopcln *t, int32_t nameoff)
{
	return nameoff < 0 ? NULL : cstr(t->names, (uint64_t)nameoff);
}

/* --- pc-value tables ------------------------------------------------- */

static bool varint(const uint8_t **pp, const uint8_t *end, uint32_t *out)
{
	const uint8_t *p = *pp;
	uint32_t v = 0;
	int shift;

	for (shift = 0; shift < 35; shift += 7) {
		if (p >= end)
			return false;
		v |= (uint32_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*pp = p;
			*out = v;
			return true;
		}
	}
	return false;
}

/* The value the table at off (in pctab) gives for target, in a function
 * starting at entry: pairs of (zig-zag value delta, pc delta/quantum),
 * the value starting at -1 and holding until the pc reached; a zero
 * value delta after the first pair ends the table (runtime.step). */
static bool pcvalue(const struct gopcln *t, uint32_t off, uint64_t entry, uint64_t target,
		    int32_t *out)
{
	const uint8_t *p, *end = t->pctab.p + t->pctab.n;
	uint64_t pc = entry;
	uint32_t val = (uint32_t)-1;
	bool first = true;

	if (off == 0 || off >= t->pctab.n)
		return false;
	p = t->pctab.p + off;
	for (;;) {
		uint32_t uv, pcd;

		if (!varint(&p, end, &uv) || (uv == 0 && !first))
			return false;
		first = false;
		/* zig-zag: even n is n/2, odd n is -(n+1)/2 (wrapping, as Go's int32) */
		val += (uv & 1) ? ~(uv >> 1) : (uv >> 1);
		if (!varint(&p, end, &pcd))
			return false;
		pc += (uint64_t)pcd * t->quantum;
		if (target < pc) {
			*out = (int32_t)val;
			return true;
		}
	}
}

/* File and line at pc in function f (entry), as funcline1 finds them. */
static void position(const struct gopcln *t, const uint8_t *f, uint64_t entry, uint64_t pc,
		     const char **file, int *line)
{
	int32_t fileno, ln;

	*file = NULL;
	*line = 0;
	if (pcvalue(t, func_field(f, F_PCFILE), entry, pc, &fileno) && fileno >= 0) {
		uint64_t idx = (uint64_t)func_field(f, F_CUOFFSET) + (uint64_t)fileno;

		if (idx < t->cutab.n / 4) {
			uint32_t foff = rd32(t->cutab.p + idx * 4);

			if (foff != UINT32_MAX)
				*file = cstr(t->files, foff);
		}
	}
	if (pcvalue(t, func_field(f, F_PCLN), entry, pc, &ln) && ln > 0)
		*line = ln;
}

/* --- lookups --------------------------------------------------------- */

/* The index of the function holding vaddr: the last entry at or below it
 * (runtime.findfunc), below the end sentinel. */
static bool find_index(const struct gopcln *t, uint64_t vaddr, uint32_t *out)
{
	uint64_t off;
	uint32_t lo = 0, hi = t->nfunc;

	if (vaddr < t->text)
		return false;
	off = vaddr - t->text;
	if (off >= ftab_entryoff(t, t->nfunc) || off < ftab_entryoff(t, 0))
		return false;
	/* invariant: entry(lo) <= off < entry(hi) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ftab_entryoff(t, mid) <= off)
			lo = mid;
		else
			hi = mid;
	}
	*out = lo;
	return true;
}

static bool fill_func(const struct gopcln *t, uint32_t i, struct gopcln_func *out)
{
	const uint8_t *f = func_rec(t, i);
	uint8_t funcid, flag;
	int k;

	if (f == NULL)
		return false;
	out->name = func_name(t, (int32_t)func_field(f, F_NAMEOFF));
	if (out->name == NULL)
		return false;
	funcid = f[t->fmt->func_funcid];
	flag = f[t->fmt->func_funcid + 1];
	out->entry = t->text + ftab_entryoff(t, i);
	out->end = t->text + ftab_entryoff(t, i + 1);
	out->index = i;
	out->wrapper = t->wrapper_id != 0 && funcid == t->wrapper_id;
	out->is_asm = (flag & FUNCFLAG_ASM) != 0;
	out->systemstack = i == t->special[SP_SYSTEMSTACK];
	out->top = (flag & FUNCFLAG_TOPFRAME) != 0;
	for (k = SP_GOEXIT; k <= SP_RT0_GO; k++)
		if (i == t->special[k])
			out->top = true;
	return true;
}

bool gopcln_func(const struct gopcln *t, uint64_t vaddr, struct gopcln_func *out)
{
	uint32_t i;

	return t != NULL && find_index(t, vaddr, &i) && fill_func(t, i, out);
}

bool gopcln_spdelta(const struct gopcln *t, const struct gopcln_func *f, uint64_t vaddr,
		    int32_t *delta)
{
	const uint8_t *rec;

	if (t == NULL || f->index >= t->nfunc || vaddr < f->entry || vaddr >= f->end)
		return false;
	rec = func_rec(t, f->index);
	if (rec == NULL || t->text + ftab_entryoff(t, f->index) != f->entry)
		return false;
	return pcvalue(t, func_field(rec, F_PCSP), f->entry, vaddr, delta);
}

uint64_t gopcln_gofunc(const struct gopcln *t)
{
	return t == NULL ? 0 : t->gofunc;
}

size_t gopcln_frames(const struct gopcln *t, uint64_t vaddr, struct gopcln_frame *out,
		     size_t max)
{
	struct gopcln_func fn;
	const uint8_t *f;
	uint64_t pc = vaddr;
	uint32_t inl = UINT32_MAX, inl_pcdata = 0;
	size_t n = 0;

	if (max == 0 || !gopcln_func(t, vaddr, &fn))
		return 0;
	f = func_rec(t, fn.index);
	if (t->gofunc != 0) {
		inl = func_funcdata(t, f, FUNCDATA_INLTREE);
		inl_pcdata = func_pcdata(t, f, PCDATA_INLTREEINDEX);
	}
	/* Each inlined call at pc: its entry in the tree names the callee;
	 * the instruction at parentPc is in the caller, where the next
	 * level is looked up (the runtime's traceback does the same). */
	while (inl != UINT32_MAX && inl_pcdata != 0 && n < max) {
		const struct pcln_format *F = t->fmt;
		int32_t ix, parent;
		uint64_t at;
		const uint8_t *e;
		const char *name;

		if (!pcvalue(t, inl_pcdata, fn.entry, pc, &ix) || ix < 0)
			break;
		at = (uint64_t)inl + (uint64_t)ix * F->inl_size;
		if (at > t->gofunc_bytes.n || t->gofunc_bytes.n - at < F->inl_size)
			break;
		e = t->gofunc_bytes.p + at;
		name = func_name(t, (int32_t)rd32(e + F->inl_nameoff));
		parent = (int32_t)rd32(e + F->inl_parentpc);
		if (name == NULL)
			break;
		out[n].function = name;
		position(t, f, fn.entry, pc, &out[n].file, &out[n].line);
		out[n].inlined = true;
		out[n].wrapper = t->wrapper_id != 0 && e[F->inl_funcid] == t->wrapper_id;
		n++;
		if (parent < 0 || (uint64_t)parent >= fn.end - fn.entry)
			return n;   /* a caller outside the function: stop, guess nothing */
		pc = fn.entry + (uint64_t)parent;
	}
	if (n < max) {
		out[n].function = fn.name;
		position(t, f, fn.entry, pc, &out[n].file, &out[n].line);
		out[n].inlined = false;
		out[n].wrapper = fn.wrapper;
		n++;
	}
	return n;
}

/* --- opening --------------------------------------------------------- */

/* The table's bytes: its section, else what the runtime.pclntab and
 * runtime.epclntab symbols bound. */
static bool find_table(Elf *elf, struct goelf_bytes *out)
{
	uint64_t start, end;

	if (goelf_section(elf, ".gopclntab", out) ||
	    goelf_section(elf, ".data.rel.ro.gopclntab", out))
		return true;
	if (!goelf_symbol(elf, "runtime.pclntab", &start) ||
	    !goelf_symbol(elf, "runtime.epclntab", &end) || end <= start ||
	    !goelf_at(elf, start, out, NULL, NULL) || out->n < end - start)
		return false;
	out->n = end - start;
	return true;
}

/* Cut the five tables out of the section: each runs from its offset to
 * the next table's offset (or the section's end). */
static bool cut_tables(struct gopcln *t, const uint64_t off[5], struct span *sp[5])
{
	int i, j;

	for (i = 0; i < 5; i++) {
		uint64_t end = t->tab.n;

		if (off[i] > t->tab.n)
			return false;
		for (j = 0; j < 5; j++)
			if (off[j] > off[i] && off[j] < end)
				end = off[j];
		sp[i]->p = t->tab.p + off[i];
		sp[i]->n = end - off[i];
	}
	return true;
}

/* Learn the special functions' indexes, and funcID_wrapper: in every
 * release read here it is the ID after funcID_systemstack_switch, which
 * runtime.systemstack_switch carries. */
static void learn_specials(struct gopcln *t)
{
	uint32_t i;
	int k;

	for (k = 0; k < SP_N; k++)
		t->special[k] = UINT32_MAX;
	t->wrapper_id = t->fmt->wrapper;
	for (i = 0; i < t->nfunc; i++) {
		const uint8_t *f = func_rec(t, i);
		const char *name = f ? func_name(t, (int32_t)func_field(f, F_NAMEOFF)) : NULL;

		if (name == NULL || strncmp(name, "runtime.", 8) != 0)
			continue;
		for (k = 0; k < SP_N; k++)
			if (t->special[k] == UINT32_MAX && strcmp(name, special_names[k]) == 0)
				t->special[k] = i;
		if (strcmp(name, "runtime.systemstack_switch") == 0) {
			uint8_t id = f[t->fmt->func_funcid];

			if (id != 0 && id < 0xff)
				t->wrapper_id = (uint8_t)(id + 1);
		}
	}
}

/* gofunc must lie in a loaded, read-only, non-executable segment (it is
 * part of the Go read-only data). */
static bool gofunc_ok(Elf *elf, uint64_t gofunc, struct span *bytes)
{
	struct goelf_bytes b;
	bool w, x;

	if (gofunc == 0 || !goelf_at(elf, gofunc, &b, &w, &x) || w || x)
		return false;
	bytes->p = b.p;
	bytes->n = b.n;
	return true;
}

/* runtime.firstmoduledata, found without symbols: a word in the
 * writable data that points at the table, followed by the table's own
 * slices and text start where moduledata keeps them.  The gofunc its
 * format's offset gives is the answer; 0 when no candidate, or two
 * disagreeing ones, are found. */
static uint64_t gofunc_from_moduledata(Elf *elf, const struct gopcln *t, const uint64_t off[5])
{
	size_t nph, i;
	uint64_t found = 0;
	const uint64_t a = t->tab_addr;

	if (elf_getphdrnum(elf, &nph) != 0)
		return 0;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;
		struct goelf_bytes seg;
		size_t o;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_W) || ph.p_filesz == 0 ||
		    !goelf_at(elf, ph.p_vaddr, &seg, NULL, NULL))
			continue;
		/* the segment's start is page aligned, so o keeps words aligned */
		for (o = 0; o + t->fmt->md_gofunc + 8 <= seg.n; o += 8) {
			const uint8_t *m = seg.p + o;
			uint64_t g;

			if (rd64(m) != a || rd64(m + MD_FUNCNAMETAB) != a + off[0] ||
			    rd64(m + MD_CUTAB) != a + off[1] || rd64(m + MD_FILETAB) != a + off[2] ||
			    rd64(m + MD_PCTAB) != a + off[3] || rd64(m + MD_PCLNTABLE) != a + off[4] ||
			    rd64(m + MD_FTAB) != a + off[4] || rd64(m + MD_TEXT) != t->text)
				continue;
			g = rd64(m + t->fmt->md_gofunc);
			if (found != 0 && g != found)
				return 0;
			found = g;
		}
	}
	return found;
}

/* The base of the funcdata (moduledata.gofunc): from the data, and from
 * the symbol table when there is one; both must agree, and the address
 * must be in read-only data.  Otherwise no inline information. */
static void find_gofunc(Elf *elf, struct gopcln *t, const uint64_t off[5])
{
	uint64_t from_md = 0, from_sym = 0, g;

	if (t->tab_addr != 0)
		from_md = gofunc_from_moduledata(elf, t, off);
	if (!goelf_symbol(elf, t->fmt->gofunc_sym, &from_sym))
		from_sym = 0;
	if (from_md != 0 && from_sym != 0 && from_md != from_sym)
		return;
	g = from_md != 0 ? from_md : from_sym;
	if (gofunc_ok(elf, g, &t->gofunc_bytes))
		t->gofunc = g;
}

struct gopcln *gopcln_open(Elf *elf, const char **why)
{
	struct gopcln *t;
	struct goelf_bytes sec;
	const uint8_t *h;
	uint32_t magic;
	uint64_t nfunc, off[5];
	struct span *sp[5];
	size_t i;

	if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
		*why = "not an ELF file";
		return NULL;
	}
	if (!find_table(elf, &sec)) {
		*why = "no .gopclntab";
		return NULL;
	}
	if (sec.n < HDR_SIZE) {
		*why = ".gopclntab too short";
		return NULL;
	}
	h = sec.p;
	magic = rd32(h);
	t = xcalloc(1, sizeof(*t));
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].magic == magic)
			t->fmt = &formats[i];
	if (t->fmt == NULL) {
		*why = "unsupported .gopclntab version (Go 1.18 to 1.23 are read)";
		goto fail;
	}
	if (h[4] != 0 || h[5] != 0 || (h[6] != 1 && h[6] != 2 && h[6] != 4) || h[7] != 8) {
		*why = "unsupported .gopclntab header (64-bit little-endian only)";
		goto fail;
	}
	t->tab.p = sec.p;
	t->tab.n = sec.n;
	t->tab_addr = sec.addr;
	t->quantum = h[6];
	nfunc = rd64(h + 8);
	t->text = rd64(h + 24);
	for (i = 0; i < 5; i++)
		off[i] = rd64(h + 32 + 8 * i);
	sp[0] = &t->names;
	sp[1] = &t->cutab;
	sp[2] = &t->files;
	sp[3] = &t->pctab;
	sp[4] = &t->pcln;
	if (!cut_tables(t, off, sp)) {
		*why = ".gopclntab table offsets outside the section";
		goto fail;
	}
	if (nfunc == 0 || nfunc >= t->pcln.n / FTAB_ENTRY || t->text == 0) {
		*why = ".gopclntab function table does not fit";
		goto fail;
	}
	t->nfunc = (uint32_t)nfunc;
	for (i = 0; i < t->nfunc; i++)
		if (ftab_entryoff(t, (uint32_t)i) > ftab_entryoff(t, (uint32_t)i + 1)) {
			*why = ".gopclntab function table not sorted";
			goto fail;
		}
	learn_specials(t);
	find_gofunc(elf, t, off);
	return t;
fail:
	free(t);
	return NULL;
}

void gopcln_free(struct gopcln *t)
{
	free(t);
}
