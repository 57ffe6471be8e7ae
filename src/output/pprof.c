/* pprof.c - profile.proto messages through protobuf-c, gzipped by zlib. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "output/pprof.h"
#include "profile.pb-c.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__ValueType ValueType;

/* The locations made through one symcache. */
struct pprof_cache {
	struct symcache *sc;
	struct u64map loc_ids;    /* (pc << 1 | is_return) -> id */
};

struct pprof {
	struct pprof_cache *caches;
	size_t ncaches, caches_cap;
	struct pprof_cache *cur;  /* the one samples are resolved through */
	struct strtab strings;
	ValueType **types;
	size_t ntypes, types_cap;
	ValueType period_type;
	int64_t period;
	int64_t time_ns, duration_ns;
	int64_t default_type;     /* string index, 0: unset */
	int64_t *comments;
	size_t ncomments, comments_cap;

	Sample **samples;
	size_t nsamples, samples_cap;
	Location **locs;          /* id = index + 1 */
	const struct sym_module **loc_mod; /* module of each location */
	size_t nlocs, locs_cap, loc_mod_cap;
	Function **funcs;         /* id = index + 1 */
	size_t nfuncs, funcs_cap;
	struct strtab func_keys;  /* "name\nfile" -> index */
};

static int64_t str(struct pprof *p, const char *s)
{
	return (int64_t)strtab_intern(&p->strings, s ? s : "");
}

struct pprof *pprof_new(struct symcache *sc)
{
	struct pprof *p = xcalloc(1, sizeof(*p));
	pprof_use_symcache(p, sc);
	str(p, "");  /* string_table[0] must be "" */
	perftools__profiles__value_type__init(&p->period_type);
	return p;
}

void pprof_use_symcache(struct pprof *p, struct symcache *sc)
{
	for (size_t i = 0; i < p->ncaches; i++) {
		if (p->caches[i].sc == sc) {
			p->cur = &p->caches[i];
			return;
		}
	}
	XGROW(p->caches, p->caches_cap, p->ncaches);
	p->caches[p->ncaches] = (struct pprof_cache){ .sc = sc };
	p->cur = &p->caches[p->ncaches++];
}

void pprof_add_sample_type(struct pprof *p, const char *type, const char *unit)
{
	ValueType *vt = xmalloc(sizeof(*vt));
	perftools__profiles__value_type__init(vt);
	vt->type = str(p, type);
	vt->unit = str(p, unit);
	XGROW(p->types, p->types_cap, p->ntypes);
	p->types[p->ntypes++] = vt;
}

void pprof_set_period(struct pprof *p, const char *type, const char *unit, int64_t period)
{
	p->period_type.type = str(p, type);
	p->period_type.unit = str(p, unit);
	p->period = period;
}

void pprof_set_time(struct pprof *p, int64_t time_ns, int64_t duration_ns)
{
	p->time_ns = time_ns;
	p->duration_ns = duration_ns;
}

void pprof_set_default_type(struct pprof *p, const char *type)
{
	p->default_type = str(p, type);
}

void pprof_add_comment(struct pprof *p, const char *text)
{
	XGROW(p->comments, p->comments_cap, p->ncomments);
	p->comments[p->ncomments++] = str(p, text);
}

static uint64_t function_id(struct pprof *p, const struct symbol *sym, const struct sym_frame *f)
{
	char fallback[320];
	const char *name = f->function;
	if (!name) {
		if (sym->module)
			snprintf(fallback, sizeof(fallback), "%s+0x%llx", sym->module->name,
				 (unsigned long long)sym->module_offset);
		else
			snprintf(fallback, sizeof(fallback), "0x%llx", (unsigned long long)sym->addr);
		name = fallback;
	}
	char *key = xasprintf("%s\n%s", name, f->file ? f->file : "");
	size_t before = p->func_keys.n;
	size_t idx = strtab_intern(&p->func_keys, key);
	free(key);
	if (idx == before) {
		Function *fn = xmalloc(sizeof(*fn));
		perftools__profiles__function__init(fn);
		fn->id = idx + 1;
		fn->name = str(p, name);
		fn->system_name = fn->name;
		fn->filename = str(p, f->file);
		XGROW(p->funcs, p->funcs_cap, p->nfuncs);
		p->funcs[p->nfuncs++] = fn;
	}
	return idx + 1;
}

static uint64_t location_id(struct pprof *p, const struct stack_frame *fr)
{
	uint64_t key = fr->pc << 1 | fr->is_return, id;
	if (u64map_get(&p->cur->loc_ids, key, &id))
		return id;
	const struct symbol *sym = symcache_get(p->cur->sc, fr->pc, fr->is_return);
	Location *loc = xmalloc(sizeof(*loc));
	perftools__profiles__location__init(loc);
	id = p->nlocs + 1;
	loc->id = id;
	loc->address = fr->pc;
	loc->n_line = sym->nframes;
	loc->line = xcalloc(sym->nframes, sizeof(*loc->line));
	for (size_t i = 0; i < sym->nframes; i++) {
		Line *ln = xmalloc(sizeof(*ln));
		perftools__profiles__line__init(ln);
		ln->function_id = function_id(p, sym, &sym->frames[i]);
		ln->line = sym->frames[i].line;
		loc->line[i] = ln;
	}
	XGROW(p->locs, p->locs_cap, p->nlocs);
	XGROW(p->loc_mod, p->loc_mod_cap, p->nlocs);
	p->locs[p->nlocs] = loc;
	p->loc_mod[p->nlocs] = sym->module;
	p->nlocs++;
	u64map_put(&p->cur->loc_ids, key, id);
	return id;
}

void pprof_add_sample(struct pprof *p, const struct stack_frame *frames, size_t n,
		      const int64_t *values, const struct pprof_label *labels, size_t nlabels)
{
	Sample *s = xmalloc(sizeof(*s));
	perftools__profiles__sample__init(s);
	s->n_location_id = n;
	s->location_id = xcalloc(n, sizeof(*s->location_id));
	for (size_t i = 0; i < n; i++)
		s->location_id[i] = location_id(p, &frames[i]);
	s->n_value = p->ntypes;
	s->value = xcalloc(p->ntypes, sizeof(*s->value));
	memcpy(s->value, values, p->ntypes * sizeof(*s->value));
	s->n_label = nlabels;
	s->label = xcalloc(nlabels, sizeof(*s->label));
	for (size_t i = 0; i < nlabels; i++) {
		Label *l = xmalloc(sizeof(*l));
		perftools__profiles__label__init(l);
		l->key = str(p, labels[i].key);
		if (labels[i].str)
			l->str = str(p, labels[i].str);
		else
			l->num = labels[i].num;
		s->label[i] = l;
	}
	XGROW(p->samples, p->samples_cap, p->nsamples);
	p->samples[p->nsamples++] = s;
}

/* Mappings in use, the main executable first as readers expect. */
static Mapping **build_mappings(struct pprof *p, size_t *count)
{
	struct u64map ids = { 0 };
	const struct sym_module **mods = NULL;
	size_t n = 0, cap = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->nlocs; i++) {
			const struct sym_module *m = p->loc_mod[i];
			uint64_t id;
			if (!m || (pass == 0) != m->main || u64map_get(&ids, (uintptr_t)m, &id))
				continue;
			XGROW(mods, cap, n);
			mods[n++] = m;
			u64map_put(&ids, (uintptr_t)m, n);
		}
	}
	Mapping **out = xcalloc(n, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		Mapping *mp = xmalloc(sizeof(*mp));
		perftools__profiles__mapping__init(mp);
		mp->id = i + 1;
		mp->memory_start = mods[i]->start;
		mp->memory_limit = mods[i]->limit;
		mp->file_offset = mods[i]->file_offset;
		mp->filename = str(p, mods[i]->path);
		mp->build_id = str(p, mods[i]->build_id);
		mp->has_functions = mp->has_filenames = mp->has_line_numbers = true;
		mp->has_inline_frames = true;
		out[i] = mp;
	}
	for (size_t i = 0; i < p->nlocs; i++) {
		uint64_t id = 0;
		if (p->loc_mod[i])
			u64map_get(&ids, (uintptr_t)p->loc_mod[i], &id);
		p->locs[i]->mapping_id = id;
	}
	free(mods);
	u64map_free(&ids);
	*count = n;
	return out;
}

static int gzip_write(const uint8_t *buf, size_t len, FILE *f)
{
	z_stream z;
	unsigned char out[65536];
	int ret = 0;
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip wrapper, as pprof files carry on disk. */
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		errno = ENOMEM;
		return -1;
	}
	z.next_in = (unsigned char *)buf;
	z.avail_in = (uInt)len;
	int zr;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = deflate(&z, Z_FINISH);
		size_t have = sizeof(out) - z.avail_out;
		if (have && fwrite(out, 1, have, f) != have) {
			ret = -1;
			break;
		}
	} while (zr == Z_OK);
	if (ret == 0 && zr != Z_STREAM_END) {
		errno = EIO;
		ret = -1;
	}
	deflateEnd(&z);
	return ret;
}

int pprof_write(struct pprof *p, FILE *f)
{
	Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	size_t nmaps;
	Mapping **maps = build_mappings(p, &nmaps);
	int ret;

	prof.n_sample_type = p->ntypes;
	prof.sample_type = p->types;
	prof.n_sample = p->nsamples;
	prof.sample = p->samples;
	prof.n_mapping = nmaps;
	prof.mapping = maps;
	prof.n_location = p->nlocs;
	prof.location = p->locs;
	prof.n_function = p->nfuncs;
	prof.function = p->funcs;
	prof.n_string_table = p->strings.n;
	prof.string_table = p->strings.strs;
	prof.time_nanos = p->time_ns;
	prof.duration_nanos = p->duration_ns;
	prof.period_type = &p->period_type;
	prof.period = p->period;
	prof.default_sample_type = p->default_type;
	prof.n_comment = p->ncomments;
	prof.comment = p->comments;

	size_t len = perftools__profiles__profile__get_packed_size(&prof);
	uint8_t *buf = xmalloc(len);
	perftools__profiles__profile__pack(&prof, buf);
	ret = gzip_write(buf, len, f);
	free(buf);
	for (size_t i = 0; i < nmaps; i++)
		free(maps[i]);
	free(maps);
	return ret;
}

void pprof_free(struct pprof *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nsamples; i++) {
		Sample *s = p->samples[i];
		for (size_t k = 0; k < s->n_label; k++)
			free(s->label[k]);
		free(s->label);
		free(s->value);
		free(s->location_id);
		free(s);
	}
	free(p->samples);
	for (size_t i = 0; i < p->nlocs; i++) {
		for (size_t k = 0; k < p->locs[i]->n_line; k++)
			free(p->locs[i]->line[k]);
		free(p->locs[i]->line);
		free(p->locs[i]);
	}
	free(p->locs);
	free(p->loc_mod);
	for (size_t i = 0; i < p->nfuncs; i++)
		free(p->funcs[i]);
	free(p->funcs);
	for (size_t i = 0; i < p->ntypes; i++)
		free(p->types[i]);
	free(p->types);
	free(p->comments);
	for (size_t i = 0; i < p->ncaches; i++)
		u64map_free(&p->caches[i].loc_ids);
	free(p->caches);
	strtab_free(&p->func_keys);
	strtab_free(&p->strings);
	free(p);
}
