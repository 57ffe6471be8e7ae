/* locklayout.c - glibc's lock structures, from DWARF or a checked default. */
#include <dwarf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <elfutils/libdw.h>

#include "profile/locklayout.h"
#include "util/error.h"
#include "util/xalloc.h"

/* x86_64 glibc since 2.25 (nptl's new rwlock and condition variable). */
#define BUILTIN_MIN_MINOR 25
static const struct lock_layout builtin = {
	.source = LAYOUT_BUILTIN,
	.mutex_owner = 8, .mutex_kind = 16,
	.rw_wrphase = 8, .rw_writers = 12, .rw_cur_writer = 24,
	.cond_signals = 40,
};

/* How far into the libc the banner's version may be looked for. */
#define BANNER_TAIL 256
/* Frames of one stack whose compilation units are looked through. */
#define CU_TRIES 8
/* Stacks looked through for a kind's structure before giving up. */
#define DWARF_TRIES 4
/* DIE levels below the unit searched for a structure type. */
#define DIE_DEPTH 3

bool glibc_version_in(const unsigned char *image, size_t n, int *major, int *minor)
{
	static const char mark[] = "GNU C Library ";
	const unsigned char *p = image, *end = image + n;
	while (p && (size_t)(end - p) >= sizeof(mark) - 1) {
		p = memmem(p, (size_t)(end - p), mark, sizeof(mark) - 1);
		if (!p)
			break;
		/* The rest of this string, bounded: "... release version 2.36." */
		const unsigned char *s = p + sizeof(mark) - 1;
		size_t left = (size_t)(end - s) < BANNER_TAIL ? (size_t)(end - s) : BANNER_TAIL;
		const unsigned char *nul = memchr(s, '\0', left);
		size_t len = nul ? (size_t)(nul - s) : left;
		static const char ver[] = "version ";
		const unsigned char *v = memmem(s, len, ver, sizeof(ver) - 1);
		if (v) {
			const unsigned char *d = v + sizeof(ver) - 1, *stop = s + len;
			int a = 0, b = 0, digits = 0;
			while (d < stop && *d >= '0' && *d <= '9' && digits < 4) {
				a = a * 10 + (*d++ - '0');
				digits++;
			}
			if (digits && d < stop && *d == '.') {
				int bd = 0;
				d++;
				while (d < stop && *d >= '0' && *d <= '9' && bd < 4) {
					b = b * 10 + (*d++ - '0');
					bd++;
				}
				/* A fifth digit: not a version number. */
				if (bd && !(d < stop && *d >= '0' && *d <= '9')) {
					*major = a;
					*minor = b;
					return true;
				}
			}
		}
		p = s;
	}
	return false;
}

void lock_layout_builtin(bool have, int major, int minor, struct lock_layout *out)
{
	memset(out, 0, sizeof(*out));
	if (have && major == 2 && minor >= BUILTIN_MIN_MINOR) {
		*out = builtin;
		out->glibc_minor = minor;
		return;
	}
	out->source = LAYOUT_UNKNOWN;
	out->mutex_owner = out->mutex_kind = -1;
	out->rw_wrphase = out->rw_writers = out->rw_cur_writer = -1;
	out->cond_signals = -1;
}

/* The offset of member name of the structure type st, or -1. */
static int member_offset(Dwarf_Die *st, const char *name)
{
	Dwarf_Die child;
	if (dwarf_child(st, &child) != 0)
		return -1;
	do {
		Dwarf_Attribute a;
		Dwarf_Word off;
		const char *n;
		if (dwarf_tag(&child) != DW_TAG_member || !(n = dwarf_diename(&child)) ||
		    strcmp(n, name) != 0)
			continue;
		if (dwarf_formudata(dwarf_attr(&child, DW_AT_data_member_location, &a), &off) != 0 ||
		    off > 4096)
			return -1;
		return (int)off;
	} while (dwarf_siblingof(&child, &child) == 0);
	return -1;
}

/* A definition of struct name at most depth levels below die. */
static bool find_struct(Dwarf_Die *die, const char *name, int depth, Dwarf_Die *out)
{
	Dwarf_Die child;
	if (depth <= 0 || dwarf_child(die, &child) != 0)
		return false;
	do {
		const char *n;
		if (dwarf_tag(&child) == DW_TAG_structure_type && !dwarf_hasattr(&child, DW_AT_declaration) &&
		    (n = dwarf_diename(&child)) && strcmp(n, name) == 0) {
			*out = child;
			return true;
		}
		if (dwarf_haschildren(&child) > 0 && find_struct(&child, name, depth - 1, out))
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The structure type name, from the unit of any of the pcs. */
static bool struct_at(struct module *m, const uint64_t *pcs, size_t npcs, const char *name,
		      Dwarf_Die *out)
{
	Dwfl_Module *dm = module_symbols(m);
	for (size_t i = 0; i < npcs && i < CU_TRIES; i++) {
		Dwarf_Addr bias;
		Dwarf_Die *cu = dwfl_module_addrdie(dm, pcs[i] - m->shift, &bias);
		if (cu && find_struct(cu, name, DIE_DEPTH, out))
			return true;
	}
	return false;
}

/* Every layout read, by libc build id. */
struct known {
	char *build_id;
	struct lock_layout l;
	unsigned dwarf_tries[LL_KINDS];
	bool builtin_tried;
	struct lock_layout fallback;
};

static struct {
	pthread_mutex_t lock;
	struct known *v;
	size_t n, cap;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct known *known_of(const struct module *m)
{
	/* A libc without a build id is told by its path. */
	const char *id = m->home->info.build_id[0] ? m->home->info.build_id : m->home->info.path;
	for (size_t i = 0; i < cache.n; i++)
		if (strcmp(cache.v[i].build_id, id) == 0)
			return &cache.v[i];
	XGROW(cache.v, cache.cap, cache.n);
	struct known *k = &cache.v[cache.n++];
	memset(k, 0, sizeof(*k));
	k->build_id = xstrdup(id);
	lock_layout_builtin(false, 0, 0, &k->l);
	return k;
}

/* The members each kind needs, from the unit of one of pcs. */
static void read_dwarf(struct module *m, const uint64_t *pcs, size_t npcs, enum ll_kind kind,
		       struct lock_layout *l)
{
	Dwarf_Die st;
	switch (kind) {
	case LL_MUTEX:
		if (struct_at(m, pcs, npcs, "__pthread_mutex_s", &st)) {
			l->mutex_owner = member_offset(&st, "__owner");
			l->mutex_kind = member_offset(&st, "__kind");
		}
		break;
	case LL_RWLOCK:
		if (struct_at(m, pcs, npcs, "__pthread_rwlock_arch_t", &st)) {
			l->rw_wrphase = member_offset(&st, "__wrphase_futex");
			l->rw_writers = member_offset(&st, "__writers_futex");
			l->rw_cur_writer = member_offset(&st, "__cur_writer");
		}
		break;
	case LL_COND:
		if (struct_at(m, pcs, npcs, "__pthread_cond_s", &st))
			l->cond_signals = member_offset(&st, "__g_signals");
		break;
	default:
		break;
	}
}

static bool complete(const struct lock_layout *l, enum ll_kind kind)
{
	switch (kind) {
	case LL_MUTEX: return l->mutex_owner >= 0 && l->mutex_kind >= 0;
	case LL_RWLOCK: return l->rw_wrphase >= 0 && l->rw_writers >= 0 && l->rw_cur_writer >= 0;
	case LL_COND: return l->cond_signals >= 0;
	default: return false;
	}
}

static const char *const kind_names[LL_KINDS] = { "mutex", "rwlock", "condition variable" };

bool lock_layout_of(struct module *m, const uint64_t *pcs, size_t npcs, enum ll_kind kind,
		    struct lock_layout *out)
{
	bool ok;
	pthread_mutex_lock(&cache.lock);
	struct known *k = known_of(m);
	/* Another stack may lead to a unit that has the structure. */
	if (!complete(&k->l, kind) && k->dwarf_tries[kind] < DWARF_TRIES) {
		k->dwarf_tries[kind]++;
		read_dwarf(m, pcs, npcs, kind, &k->l);
		if (complete(&k->l, kind))
			pt_verbose("%s layout of %s taken from its debug info", kind_names[kind],
				   m->info.path);
	}
	if (complete(&k->l, kind)) {
		*out = k->l;
		out->source = LAYOUT_DWARF;
		ok = true;
		goto out;
	}
	if (!k->builtin_tried) {
		int major = 0, minor = 0;
		const struct module *h = m->home;
		bool have = h->image && glibc_version_in(h->image, h->image_size, &major, &minor);
		k->builtin_tried = true;
		lock_layout_builtin(have, major, minor, &k->fallback);
		if (k->fallback.source == LAYOUT_BUILTIN)
			pt_verbose("lock layout of %s: no debug info; the built-in one of x86_64 "
				   "glibc 2.25 and later, for glibc %d.%d", m->info.path, major, minor);
		else if (have)
			pt_verbose("lock layout of %s: no debug info, and glibc %d.%d predates the "
				   "built-in one: locks unknown", m->info.path, major, minor);
		else
			pt_verbose("lock layout of %s: no debug info and no glibc version: locks "
				   "unknown", m->info.path);
	}
	*out = k->fallback;
	ok = out->source == LAYOUT_BUILTIN;
out:
	pthread_mutex_unlock(&cache.lock);
	return ok;
}
