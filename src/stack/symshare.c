/* symshare.c - see symshare.h. */
#include <stdlib.h>
#include <string.h>

#include "stack/symshare.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

struct shared {
	size_t build_id;          /* index in ids */
	uint64_t offset;
	bool is_return;
	uint64_t entry_rel;       /* entry - bias, or 0 */
	bool has_entry;
	size_t nframes;
	struct sym_frame *frames;
};

struct symshare {
	struct strtab ids;        /* build ids */
	void **lent;              /* by build id index: a module, or NULL */
	bool *claimed;            /* by build id index: symshare_claim'ed */
	size_t lent_cap;
	struct u64map index;      /* key hash -> position in v */
	struct shared *v;
	size_t n, cap;
	uint64_t hits, puts;
};

struct symshare *symshare_new(void)
{
	return xcalloc(1, sizeof(struct symshare));
}

void symshare_free(struct symshare *sh)
{
	if (!sh)
		return;
	for (size_t i = 0; i < sh->n; i++) {
		for (size_t j = 0; j < sh->v[i].nframes; j++) {
			free(sh->v[i].frames[j].function);
			free(sh->v[i].frames[j].file);
		}
		free(sh->v[i].frames);
	}
	free(sh->v);
	free(sh->lent);
	free(sh->claimed);
	u64map_free(&sh->index);
	strtab_free(&sh->ids);
	free(sh);
}

static uint64_t key_hash(size_t id, uint64_t offset, bool is_return)
{
	return hash_u64(hash_u64((uint64_t)id) ^ (offset << 1 | (uint64_t)is_return));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void copy_frames(struct sym_frame **dst, const struct sym_frame *src, size_t n)
{
	*dst = n ? xcalloc(n, sizeof(**dst)) : NULL;
	for (size_t i = 0; i < n; i++) {
		(*dst)[i] = src[i];
		(*dst)[i].function = dup_or_null(src[i].function);
		(*dst)[i].file = dup_or_null(src[i].file);
	}
}

/* The entry stored for the key, or NULL (a hash collision reads as none). */
static struct shared *find(struct symshare *sh, const char *build_id, uint64_t offset,
			   bool is_return, size_t *id, uint64_t *key)
{
	uint64_t at;
	*id = strtab_intern(&sh->ids, build_id);
	*key = key_hash(*id, offset, is_return);
	if (!u64map_get(&sh->index, *key, &at))
		return NULL;
	struct shared *e = &sh->v[at];
	return e->build_id == *id && e->offset == offset && e->is_return == is_return ? e : NULL;
}

bool symshare_get(struct symshare *sh, const char *build_id, uint64_t offset, bool is_return,
		  uint64_t bias, struct symbol *sym)
{
	size_t id;
	uint64_t key;
	const struct shared *e = find(sh, build_id, offset, is_return, &id, &key);
	if (!e)
		return false;
	copy_frames(&sym->frames, e->frames, e->nframes);
	sym->nframes = e->nframes;
	sym->entry = e->has_entry ? e->entry_rel + bias : 0;
	sh->hits++;
	return true;
}

void symshare_put(struct symshare *sh, const char *build_id, uint64_t offset, bool is_return,
		  uint64_t bias, const struct symbol *sym)
{
	size_t id;
	uint64_t key, ignored;
	if (find(sh, build_id, offset, is_return, &id, &key) || u64map_get(&sh->index, key, &ignored))
		return;  /* there already, or its slot taken by another key */
	XGROW(sh->v, sh->cap, sh->n);
	struct shared *e = &sh->v[sh->n];
	*e = (struct shared){ .build_id = id, .offset = offset, .is_return = is_return,
			      .has_entry = sym->entry != 0, .nframes = sym->nframes };
	e->entry_rel = sym->entry ? sym->entry - bias : 0;
	copy_frames(&e->frames, sym->frames, sym->nframes);
	u64map_put(&sh->index, key, sh->n);
	sh->n++;
	sh->puts++;
}

/* The slot of build_id in lent and claimed. */
static size_t slot(struct symshare *sh, const char *build_id)
{
	size_t id = strtab_intern(&sh->ids, build_id);
	if (id >= sh->lent_cap) {
		size_t old = sh->lent_cap;
		sh->lent_cap = id + 16;
		sh->lent = xreallocarray(sh->lent, sh->lent_cap, sizeof(*sh->lent));
		sh->claimed = xreallocarray(sh->claimed, sh->lent_cap, sizeof(*sh->claimed));
		memset(sh->lent + old, 0, (sh->lent_cap - old) * sizeof(*sh->lent));
		memset(sh->claimed + old, 0, (sh->lent_cap - old) * sizeof(*sh->claimed));
	}
	return id;
}

void symshare_lend(struct symshare *sh, const char *build_id, void *module)
{
	size_t id = slot(sh, build_id);
	if (!sh->lent[id])
		sh->lent[id] = module;
}

void *symshare_borrow(struct symshare *sh, const char *build_id)
{
	size_t id = strtab_intern(&sh->ids, build_id);
	return id < sh->lent_cap ? sh->lent[id] : NULL;
}

bool symshare_claim(struct symshare *sh, const char *build_id)
{
	size_t id = slot(sh, build_id);
	bool first = !sh->claimed[id];
	sh->claimed[id] = true;
	return first;
}

void symshare_counts(const struct symshare *sh, uint64_t *hits, uint64_t *puts)
{
	*hits = sh ? sh->hits : 0;
	*puts = sh ? sh->puts : 0;
}
