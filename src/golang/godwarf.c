/* godwarf.c - the Go runtime's layout from the program's DWARF. */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "golang/godwarf.h"
#include "util/xalloc.h"

#define RT "runtime."
#define RT_LEN (sizeof(RT) - 1)

/* A member of runtime.g or runtime.m, by its path from the struct. */
struct field_spec {
	const char *label;        /* "runtime.g.sched.sp": for the user */
	size_t off;               /* where it goes in struct go_layout */
	bool required;
};

#define G_FIELD(path, member, req) { "runtime.g." path, offsetof(struct go_layout, member), req }
#define M_FIELD(path, member, req) { "runtime.m." path, offsetof(struct go_layout, member), req }

static const struct field_spec g_fields[] = {
	G_FIELD("stack.lo", g_stack_lo, true),
	G_FIELD("stack.hi", g_stack_hi, true),
	G_FIELD("m", g_m, true),
	G_FIELD("sched.sp", g_sched_sp, true),
	G_FIELD("sched.pc", g_sched_pc, true),
	G_FIELD("sched.bp", g_sched_bp, true),
	G_FIELD("syscallsp", g_syscallsp, false),
	G_FIELD("syscallpc", g_syscallpc, false),
	G_FIELD("atomicstatus", g_atomicstatus, true),
	G_FIELD("goid", g_goid, true),
	G_FIELD("waitsince", g_waitsince, false),
	G_FIELD("waitreason", g_waitreason, false),
	G_FIELD("parentGoid", g_parent_goid, false),
	G_FIELD("gopc", g_gopc, false),
	G_FIELD("startpc", g_startpc, false),
	G_FIELD("lockedm", g_lockedm, false),
};

static const struct field_spec m_fields[] = {
	M_FIELD("g0", m_g0, false),
	M_FIELD("curg", m_curg, true),
	M_FIELD("procid", m_procid, true),
	M_FIELD("alllink", m_alllink, false),
};

/* The top-level entries the pass looks for.  Names are without "runtime.". */
enum item_kind { IT_STRUCT, IT_VAR, IT_CONST };
struct item_spec {
	enum item_kind kind;
	const char *name;
	const char *label;
	size_t off;               /* in struct go_layout (variables, constants) */
	bool required;
};

enum { ITEM_G, ITEM_M, ITEM_WAIT_REASONS = 5 };   /* indexes into items[] */

#define VAR(n, member, req) { IT_VAR, n, "variable runtime." n, offsetof(struct go_layout, member), req }
#define CONST(n, member, req) { IT_CONST, n, "constant runtime." n, offsetof(struct go_layout, member), req }

static const struct item_spec items[] = {
	[ITEM_G] = { IT_STRUCT, "g", "type runtime.g", 0, true },
	[ITEM_M] = { IT_STRUCT, "m", "type runtime.m", 0, true },
	VAR("allgs", allgs, true),
	VAR("allglen", allglen, true),
	VAR("allm", allm, false),
	[ITEM_WAIT_REASONS] = VAR("waitReasonStrings", wait_reason_strings, false),
	CONST("_Gidle", g_idle, true),
	CONST("_Grunnable", g_runnable, true),
	CONST("_Grunning", g_running, true),
	CONST("_Gsyscall", g_syscall, true),
	CONST("_Gwaiting", g_waiting, true),
	CONST("_Gdead", g_dead, true),
	CONST("_Gcopystack", g_copystack, false),
	CONST("_Gpreempted", g_preempted, false),
	CONST("_Gscan", g_scan, false),
};
#define N_ITEMS (sizeof(items) / sizeof(items[0]))

/* --- small DIE helpers -------------------------------------------------- */

static bool die_udata(Dwarf_Die *die, unsigned at, Dwarf_Word *v)
{
	Dwarf_Attribute a;
	return dwarf_attr(die, at, &a) && dwarf_formudata(&a, v) == 0;
}

static bool die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;
	return dwarf_attr(die, DW_AT_type, &a) && dwarf_formref_die(&a, type);
}

/* Through typedefs and qualifiers to the type itself (bounded: DWARF
 * from a file is not trusted to be free of cycles). */
static bool strip_type(Dwarf_Die *type)
{
	for (int i = 0; i < 16; i++) {
		int tag = dwarf_tag(type);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type)
			return true;
		if (!die_type(type, type))
			return false;
	}
	return false;
}

static bool type_size(Dwarf_Die *type, Dwarf_Word *size)
{
	Dwarf_Die t = *type;
	if (!strip_type(&t))
		return false;
	if (die_udata(&t, DW_AT_byte_size, size))
		return true;
	if (dwarf_tag(&t) == DW_TAG_pointer_type) {   /* Go gives pointers no size */
		Dwarf_Die cu;
		uint8_t asize;
		if (!dwarf_diecu(&t, &cu, &asize, NULL))
			return false;
		*size = asize;
		return true;
	}
	return false;
}

/* The member of a struct named `name`: its offset and type. */
static bool find_member(Dwarf_Die *st, const char *name, size_t nlen, Dwarf_Word *off,
			Dwarf_Die *type)
{
	Dwarf_Die c;
	if (dwarf_child(st, &c) != 0)
		return false;
	do {
		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		const char *n = dwarf_diename(&c);
		if (!n || strlen(n) != nlen || memcmp(n, name, nlen) != 0)
			continue;
		return die_udata(&c, DW_AT_data_member_location, off) && die_type(&c, type);
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

/* A field by dotted path ("sched.sp") from the start of struct st.  A
 * member whose type is a struct that is nothing but its `value`
 * (atomic.Uint32 and its kin, 1.20+) is read through that value. */
static bool resolve_path(Dwarf_Die *st, const char *path, Dwarf_Word st_size, bool scalar,
			 struct go_field *f)
{
	Dwarf_Die cur = *st, type;
	Dwarf_Word off = 0, o, size;

	while (*path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		if (!strip_type(&cur) || dwarf_tag(&cur) != DW_TAG_structure_type ||
		    !find_member(&cur, path, len, &o, &type))
			return false;
		off += o;
		cur = type;
		path += len + (dot != NULL);
	}
	if (!strip_type(&cur) || !type_size(&cur, &size))
		return false;
	if (!scalar) {
		if (off > st_size || size > st_size - off)
			return false;
		f->off = (uint32_t)off;
		f->size = (uint32_t)size;
		return true;
	}
	if (dwarf_tag(&cur) == DW_TAG_structure_type) {
		Dwarf_Die inner;
		Dwarf_Word inner_size;
		if (!find_member(&cur, "value", 5, &o, &inner) || !type_size(&inner, &inner_size) ||
		    inner_size != size)
			return false;  /* a struct of its own, not a wrapped scalar */
		off += o;
	}
	if (size == 0 || size > 8 || off > st_size || size > st_size - off)
		return false;  /* only scalars are read; a hostile size is no field */
	f->off = (uint32_t)off;
	f->size = (uint32_t)size;
	return true;
}

static bool resolve_field(Dwarf_Die *st, const char *path, Dwarf_Word st_size, struct go_field *f)
{
	return resolve_path(st, path, st_size, true, f);
}

/* A global's address: Go writes DW_OP_addr as a DW_FORM_block1, which
 * dwarf_getlocation refuses in a version 4 unit, so decode it here. */
static bool die_addr(Dwarf_Die *die, uint64_t *addr)
{
	Dwarf_Attribute a;
	Dwarf_Block b;
	if (!dwarf_attr(die, DW_AT_location, &a))
		return false;
	if (dwarf_formblock(&a, &b) == 0) {
		if (b.length != 9 || b.data[0] != DW_OP_addr)
			return false;
		uint64_t v = 0;
		for (int i = 8; i >= 1; i--)
			v = v << 8 | b.data[i];
		*addr = v;
		return true;
	}
	Dwarf_Op *ops;          /* an exprloc, as later DWARF versions write it */
	size_t nops;
	if (dwarf_getlocation(&a, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_addr)
		return false;
	*addr = ops[0].number;
	return true;
}

/* The element count of an array of Go strings (16-byte headers). */
static bool string_array_len(Dwarf_Die *var, uint32_t *n)
{
	Dwarf_Die t, el, sub;
	Dwarf_Word count, esize;
	if (!die_type(var, &t) || !strip_type(&t) || dwarf_tag(&t) != DW_TAG_array_type ||
	    !die_type(&t, &el) || !type_size(&el, &esize) || esize != 16 ||
	    dwarf_child(&t, &sub) != 0)
		return false;
	do {
		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (!die_udata(&sub, DW_AT_count, &count)) {
			if (!die_udata(&sub, DW_AT_upper_bound, &count))
				return false;
			count++;
		}
		if (count > 4096)
			return false;
		*n = (uint32_t)count;
		return true;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return false;
}

/* --- the pass over all units ------------------------------------------- */

/* Calls fn on each top-level entry of every unit until it returns true. */
typedef bool (*die_fn)(Dwarf_Die *die, int tag, void *arg);

static void each_top_die(Dwarf *dw, die_fn fn, void *arg)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, d;
	while (dwarf_get_units(dw, cu, &cu, NULL, NULL, &cudie, NULL) == 0) {
		if (dwarf_child(&cudie, &d) != 0)
			continue;
		do {
			int tag = dwarf_tag(&d);
			if (tag != DW_TAG_structure_type && tag != DW_TAG_variable &&
			    tag != DW_TAG_constant)
				continue;
			if (fn(&d, tag, arg))
				return;
		} while (dwarf_siblingof(&d, &d) == 0);
	}
}

struct layout_pass {
	struct go_layout *out;
	Dwarf_Die structs[2];     /* runtime.g, runtime.m */
	bool found[N_ITEMS];
	size_t nfound;
};

static bool layout_visit(Dwarf_Die *die, int tag, void *arg)
{
	struct layout_pass *lp = arg;
	const char *name = dwarf_diename(die);
	if (!name || strncmp(name, RT, RT_LEN) != 0)
		return false;
	name += RT_LEN;
	for (size_t i = 0; i < N_ITEMS; i++) {
		const struct item_spec *it = &items[i];
		if (lp->found[i] || strcmp(name, it->name) != 0)
			continue;
		char *slot = (char *)lp->out + it->off;
		Dwarf_Word w;
		Dwarf_Attribute a;
		Dwarf_Sword sv;
		uint64_t addr;
		switch (it->kind) {
		case IT_STRUCT:
			if (tag != DW_TAG_structure_type || !die_udata(die, DW_AT_byte_size, &w) ||
			    w == 0 || w > (1u << 20))
				return false;
			lp->structs[i] = *die;
			*(i == ITEM_G ? &lp->out->g_size : &lp->out->m_size) = (uint32_t)w;
			break;
		case IT_VAR:
			if (tag != DW_TAG_variable || !die_addr(die, &addr) || addr == 0)
				return false;
			if (i == ITEM_WAIT_REASONS &&
			    !string_array_len(die, &lp->out->wait_reason_count))
				return false;
			*(uint64_t *)(void *)slot = addr;
			break;
		case IT_CONST:
			if (tag != DW_TAG_constant || !dwarf_attr(die, DW_AT_const_value, &a) ||
			    dwarf_formsdata(&a, &sv) != 0)
				return false;
			*(int64_t *)(void *)slot = sv;
			break;
		}
		lp->found[i] = true;
		return ++lp->nfound == N_ITEMS;   /* all there: the rest need not be read */
	}
	return false;
}

/* Every field of one struct; the first required one missing, or NULL. */
static const char *fill_fields(Dwarf_Die *st, Dwarf_Word size, const struct field_spec *fs,
			       size_t n, struct go_layout *out)
{
	const char *missing = NULL;
	for (size_t i = 0; i < n; i++) {
		struct go_field *f = (struct go_field *)(void *)((char *)out + fs[i].off);
		/* The path follows "runtime.g." / "runtime.m.". */
		if (resolve_field(st, fs[i].label + RT_LEN + 2, size, f))
			continue;
		*f = (struct go_field){ 0, 0 };
		if (fs[i].required && !missing)
			missing = fs[i].label;
	}
	return missing;
}

int go_layout_read(Dwarf *dw, struct go_layout *out, const char **missing)
{
	struct layout_pass lp = { .out = out };
	const char *miss = NULL;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < N_ITEMS; i++)
		if (items[i].kind == IT_CONST)
			*(int64_t *)(void *)((char *)out + items[i].off) = -1;
	if (!dw) {
		miss = "DWARF";
		goto out;
	}
	each_top_die(dw, layout_visit, &lp);

	for (size_t i = 0; i < N_ITEMS && !miss; i++)
		if (items[i].required && !lp.found[i])
			miss = items[i].label;
	if (lp.found[ITEM_G]) {
		const char *m = fill_fields(&lp.structs[ITEM_G], out->g_size, g_fields,
					    sizeof(g_fields) / sizeof(g_fields[0]), out);
		miss = miss ? miss : m;
	}
	if (lp.found[ITEM_M]) {
		const char *m = fill_fields(&lp.structs[ITEM_M], out->m_size, m_fields,
					    sizeof(m_fields) / sizeof(m_fields[0]), out);
		miss = miss ? miss : m;
	}
out:
	if (missing)
		*missing = miss;
	return miss ? -1 : 0;
}

/* --- one variable ------------------------------------------------------- */

struct var_find {
	const char *name;
	uint64_t addr;
};

static bool var_visit(Dwarf_Die *die, int tag, void *arg)
{
	struct var_find *vf = arg;
	const char *name;
	if (tag != DW_TAG_variable || !(name = dwarf_diename(die)) || strcmp(name, vf->name) != 0)
		return false;
	return die_addr(die, &vf->addr);
}

uint64_t go_var_addr(Dwarf *dw, const char *name)
{
	struct var_find vf = { name, 0 };
	if (dw && name)
		each_top_die(dw, var_visit, &vf);
	return vf.addr;
}

/* --- items asked for by name ------------------------------------------ */

struct want_pass {
	struct go_dwarf_want *w;
	size_t n, left;
};

static bool want_visit(Dwarf_Die *die, int tag, void *arg)
{
	struct want_pass *wp = arg;
	const char *name = dwarf_diename(die);
	if (!name)
		return false;
	for (size_t i = 0; i < wp->n; i++) {
		struct go_dwarf_want *w = &wp->w[i];
		Dwarf_Word size;
		if (w->found || strcmp(name, w->name) != 0)
			continue;
		if (w->is_type) {
			if (tag != DW_TAG_structure_type || !die_udata(die, DW_AT_byte_size, &size) ||
			    size > (1u << 20))
				return false;
			w->type = *die;
		} else {
			if (tag != DW_TAG_variable || !die_addr(die, &w->addr) || w->addr == 0 ||
			    !die_type(die, &w->type) || !strip_type(&w->type) ||
			    !type_size(&w->type, &size) || size > (1u << 20))
				return false;
		}
		w->size = size;
		w->found = true;
		return --wp->left == 0;
	}
	return false;
}

void go_dwarf_find(Dwarf *dw, struct go_dwarf_want *w, size_t n)
{
	struct want_pass wp = { w, n, n };
	for (size_t i = 0; i < n; i++)
		w[i].found = false;
	if (dw && n)
		each_top_die(dw, want_visit, &wp);
}

bool go_dwarf_member(const struct go_dwarf_want *w, const char *path, bool scalar,
		     struct go_field *f)
{
	if (!w->found)
		return false;
	Dwarf_Die t = w->type;
	return resolve_path(&t, path, w->size, scalar, f);
}

/* --- code address -> unit ----------------------------------------------- */

struct cu_range {
	uint64_t lo, hi;
	Dwarf_Off cu;
};

struct go_cutab {
	Dwarf *dw;
	struct cu_range *r;
	size_t n;
};

static int range_cmp(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

struct go_cutab *go_cutab_build(Dwarf *dw)
{
	struct go_cutab *t = xcalloc(1, sizeof(*t));
	size_t cap = 0;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;

	t->dw = dw;
	while (dw && dwarf_get_units(dw, cu, &cu, NULL, NULL, &cudie, NULL) == 0) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;
		while ((off = dwarf_ranges(&cudie, off, &base, &lo, &hi)) > 0) {
			if (hi <= lo)
				continue;
			XGROW(t->r, cap, t->n);
			t->r[t->n++] = (struct cu_range){ lo, hi, dwarf_dieoffset(&cudie) };
		}
	}
	if (t->n)
		qsort(t->r, t->n, sizeof(*t->r), range_cmp);
	return t;
}

void go_cutab_free(struct go_cutab *t)
{
	if (!t)
		return;
	free(t->r);
	free(t);
}

bool go_cutab_find(const struct go_cutab *t, uint64_t vaddr, Dwarf_Die *cu)
{
	size_t lo = 0, hi = t ? t->n : 0;
	while (lo < hi) {     /* the first range starting after vaddr */
		size_t mid = lo + (hi - lo) / 2;
		if (t->r[mid].lo <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || vaddr >= t->r[lo - 1].hi)
		return false;
	return dwarf_offdie(t->dw, t->r[lo - 1].cu, cu) != NULL;
}
