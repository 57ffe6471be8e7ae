/* modules.c - the target's ELF files reported to one Dwfl. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "stack/debugcache.h"
#include "stack/debugfind.h"
#include "stack/debuginfod.h"
#include "stack/mapgroup.h"
#include "stack/modules.h"
#include "target/memread.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/xalloc.h"

struct modules {
	pid_t pid;
	Dwfl *dwfl;
	Dwfl *late;               /* files reported again (module_symbols) */
	Dwfl_Callbacks cb;
	char *debug_path;         /* what cb.debuginfo_path points to */
	char *root;               /* "/proc/PID/root" for another mount namespace, else "" */
	struct module **v;        /* sorted by start */
	size_t n, cap;
};

/* A target in another mount namespace sees other files under the same
 * paths: reach them through its /proc/PID/root, never with setns. */
static bool same_mount_ns(pid_t pid)
{
	struct stat a, b;
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	if (stat(p, &a) < 0 || stat("/proc/self/ns/mnt", &b) < 0)
		return true;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool fd_is(const struct map_entry *e, int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_ino == e->inode &&
	       major(st.st_dev) == e->dev_major && minor(st.st_dev) == e->dev_minor;
}

/* The file behind a mapping: by path under the target's root when it is
 * still the same file, else through map_files (deleted or replaced). */
static int open_mapped(struct modules *ms, const struct map_entry *e)
{
	int fd = -1;
	if (!e->deleted) {
		char *p = xasprintf("%s%s", ms->root, e->path);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		free(p);
		if (fd >= 0 && fd_is(e, fd))
			return fd;
	}
	char mf[96];
	snprintf(mf, sizeof(mf), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)ms->pid,
		 e->start, e->end);
	int fd2 = open(mf, O_RDONLY | O_CLOEXEC);
	if (fd2 >= 0) {
		if (fd >= 0)
			close(fd);
		return fd2;
	}
	/* Overlay filesystems report other inode numbers: take the path. */
	return fd;
}

/* The vDSO is two pages or so; a mapping called [vdso] of more is not one. */
#define VDSO_MAX (1u << 20)

/* The vDSO exists only in memory: copy it into a memfd for libelf. */
static int open_vdso(struct modules *ms, const struct map_entry *e)
{
	size_t len = (size_t)(e->end - e->start);
	unsigned char *buf;
	int fd = -1;
	if (e->end <= e->start || e->end - e->start > VDSO_MAX) {
		errno = EFBIG;
		return -1;
	}
	buf = xmalloc(len);
	if (!mem_read(ms->pid, e->start, buf, len))
		goto out;
	fd = memfd_create("ptprof-vdso", MFD_CLOEXEC);
	if (fd < 0)
		goto out;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		fd = -1;
	}
out:
	free(buf);
	return fd;
}

/* The file's PT_LOAD headers, for mapgroup. */
static bool read_loads(int fd, struct seg_load **loads, size_t *nloads)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t phnum, n = 0;
	bool ok = false;

	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &phnum) != 0 || !phnum)
		goto out;
	*loads = xcalloc(phnum, sizeof(**loads));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			(*loads)[n++] = (struct seg_load){ ph.p_vaddr, ph.p_memsz, ph.p_offset,
							   ph.p_filesz };
	}
	*nloads = n;
	ok = n > 0;
out:
	if (elf)
		elf_end(elf);
	return ok;
}

static uint64_t read_encoded(const unsigned char *p, int enc, size_t *size)
{
	switch (enc & 0x0f) {
	case 0x03: { uint32_t v; memcpy(&v, p, 4); *size = 4; return v; }
	case 0x0b: { int32_t v; memcpy(&v, p, 4); *size = 4; return (uint64_t)(int64_t)v; }
	case 0x00:
	case 0x04:
	case 0x0c: { uint64_t v; memcpy(&v, p, 8); *size = 8; return v; }
	default: *size = 0; return 0;
	}
}

/* Locate the binary-search table of .eh_frame_hdr for libunwind. */
static void parse_eh_frame_hdr(struct module *m, const GElf_Phdr *ph)
{
	if (ph->p_offset + 12 > m->image_size || ph->p_filesz < 12)
		return;
	const unsigned char *h = m->image + ph->p_offset;
	size_t sz1, sz2;
	if (h[0] != 1 || h[1] == 0xff || h[2] == 0xff || h[3] != 0x3b)
		return;  /* only the datarel|sdata4 table that every linker writes */
	read_encoded(h + 4, h[1], &sz1);
	if (!sz1 || 4 + sz1 + 8 > ph->p_filesz)
		return;
	uint64_t count = read_encoded(h + 4 + sz1, h[2], &sz2);
	if (!sz2 || count > (ph->p_filesz - 4 - sz1 - sz2) / 8)
		return;
	m->eh.present = true;
	m->eh.hdr_addr = m->bias + ph->p_vaddr;
	m->eh.table_addr = m->eh.hdr_addr + 4 + sz1 + sz2;
	m->eh.fde_count = count;
}

/* What the ELF says of the module: the home reads the file's segments,
 * build id and Go facts, the others share them; each places the text and
 * the unwind table at its own bias. */
static void fill_from_elf(struct module *m)
{
	GElf_Addr dbias;
	Elf *elf = dwfl_module_getelf(m->dwfl_mod, &dbias);
	size_t phnum;
	struct module *h = m->home;
	if (!elf || elf_getphdrnum(elf, &phnum) != 0)
		return;
	m->shift = m->bias - dbias;
	m->image = (const unsigned char *)elf_rawfile(elf, &m->image_size);
	if (h == m) {
		m->segs = xcalloc(phnum ? phnum : 1, sizeof(*m->segs));
		go_build_read(elf, &m->go);
		const unsigned char *bits;
		GElf_Addr idaddr;
		int len = dwfl_module_build_id(m->dwfl_mod, &bits, &idaddr);
		m->build_id_buf = xcalloc(len > 0 ? (size_t)len * 2 + 1 : 1, 1);
		if (len > 0)
			hex_encode(m->build_id_buf, bits, (size_t)len);
	} else {
		m->segs = h->segs;
		m->nsegs = h->nsegs;
		m->go = h->go;
	}
	m->info.build_id = h->build_id_buf ? h->build_id_buf : "";
	m->text_lo = UINT64_MAX;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_LOAD) {
			if (h == m)
				m->segs[m->nsegs++] = (struct load_seg){ ph.p_vaddr, ph.p_filesz,
									 ph.p_offset };
			if (ph.p_flags & PF_X) {
				if (m->bias + ph.p_vaddr < m->text_lo)
					m->text_lo = m->bias + ph.p_vaddr;
				if (m->bias + ph.p_vaddr + ph.p_memsz > m->text_hi)
					m->text_hi = m->bias + ph.p_vaddr + ph.p_memsz;
			}
		} else if (ph.p_type == PT_GNU_EH_FRAME && m->image) {
			parse_eh_frame_hdr(m, &ph);
		}
	}
}

/* While opening: the descriptor of each file mapgroup asked for. */
struct opener {
	struct modules *ms;
	int *fd;                  /* per file, -1 when not open */
	size_t n, cap;
};

static bool load_file(void *arg, size_t file, const struct map_entry *first,
		      struct seg_load **loads, size_t *nloads)
{
	struct opener *o = arg;
	bool vdso = strcmp(first->path, "[vdso]") == 0;

	while (o->n <= file) {
		XGROW(o->fd, o->cap, o->n);
		o->fd[o->n++] = -1;
	}
	int fd = vdso ? open_vdso(o->ms, first) : open_mapped(o->ms, first);
	if (fd < 0) {
		pt_verbose("cannot open %s of process %d: %s", first->path, (int)o->ms->pid,
			   strerror(errno));
		return false;
	}
	if (!read_loads(fd, loads, nloads)) {
		close(fd);
		return false;
	}
	o->fd[file] = fd;
	return true;
}

/* libdw takes a second report of one name and range for the same module,
 * and when its file differs drops the first one at dwfl_report_end: every
 * file gets a name of its own. */
static char *unique_name(const struct map_groups *g, char **names, size_t file)
{
	const char *path = g->files[file].first->path;
	char *name = xstrdup(path);
	for (unsigned k = 2;; k++) {
		size_t f;
		for (f = 0; f < g->nfiles; f++)
			if (names[f] && strcmp(names[f], name) == 0)
				break;
		if (f == g->nfiles)
			return name;
		free(name);
		name = xasprintf("%s (%u)", path, k);
	}
}

/* Where a file was reported, to report it again (module_symbols). */
struct report_at {
	char *path;               /* NULL: not to be reported again */
	uint64_t base;
};

/* Each file with a run, once, at the bias of its home run.  Returns the
 * Dwfl_Module of each file (NULL: not reported). */
static Dwfl_Module **report_files(struct modules *ms, const struct map_groups *g,
				  struct opener *o, struct report_at *report_at)
{
	Dwfl_Module **dm = xcalloc(g->nfiles ? g->nfiles : 1, sizeof(*dm));
	char **names = xcalloc(g->nfiles ? g->nfiles : 1, sizeof(*names));

	for (size_t f = 0; f < g->nfiles; f++) {
		const struct map_file *mf = &g->files[f];
		int fd = f < o->n ? o->fd[f] : -1;
		if (mf->home == SIZE_MAX || fd < 0)
			continue;
		o->fd[f] = -1;   /* libdw's from here on, or closed */
		/* libdw places the file at base + its vaddrs: where that
		 * wraps around, report it at 0 and let the shift translate. */
		uint64_t base = g->runs[mf->home].bias, top;
		if (__builtin_add_overflow(base, mf->span_hi, &top))
			base = 0;
		bool vdso = strcmp(mf->first->path, "[vdso]") == 0;
		char *file_name = vdso ? xstrdup("[vdso]")
				       : xasprintf("%s%s", ms->root, mf->first->path);
		names[f] = unique_name(g, names, f);
		dm[f] = dwfl_report_elf(ms->dwfl, names[f], file_name, fd, base, true);
		if (dm[f] && !vdso) {
			/* For module_symbols: the file again, by the path that
			 * reached it (map_files when the path did not). */
			char *again = mf->first->deleted ? NULL : xstrdup(file_name);
			if (!again)
				again = xasprintf("/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
						  (int)ms->pid, mf->first->start, mf->first->end);
			free(file_name);
			file_name = again;
		}
		if (dm[f] && !vdso)
			report_at[f] = (struct report_at){ file_name, base };
		else
			free(file_name);
		/* Its userdata is its home module (make_modules), which
		 * find_debuginfo reads. */
		if (!dm[f]) {
			pt_verbose("libdw cannot use %s: %s", mf->first->path, dwfl_errmsg(-1));
			close(fd);
		}
	}
	for (size_t f = 0; f < g->nfiles; f++)
		free(names[f]);
	free(names);
	return dm;
}

/* One module per run of a reported file; the home run's module owns the
 * strings. */
static void make_modules(struct modules *ms, const struct map_groups *g, Dwfl_Module **dm,
			 struct report_at *report_at, const struct stat *exe)
{
	struct module **owner = xcalloc(g->nfiles ? g->nfiles : 1, sizeof(*owner));
	size_t *file_of = xcalloc(g->nruns ? g->nruns : 1, sizeof(*file_of));
	size_t first = ms->n;

	for (size_t k = 0; k < g->nruns; k++) {
		const struct map_run *r = &g->runs[k];
		const struct map_entry *e = g->files[r->file].first;
		if (!dm[r->file])
			continue;
		struct module *m = xcalloc(1, sizeof(*m));
		m->dwfl_mod = dm[r->file];
		m->bias = r->bias;
		m->info.build_id = "";
		m->info.start = r->start;
		m->info.limit = r->end;
		m->info.file_offset = r->offset;
		m->info.main = exe && exe->st_ino == e->inode && major(exe->st_dev) == e->dev_major &&
			       minor(exe->st_dev) == e->dev_minor;
		m->owner = ms;
		if (k == g->files[r->file].home) {
			const char *slash = strrchr(e->path, '/');
			void **ud;
			owner[r->file] = m;
			m->report_path = report_at[r->file].path;
			m->report_base = report_at[r->file].base;
			report_at[r->file].path = NULL;
			/* find_debuginfo learns the module from libdw's userdata. */
			dwfl_module_info(m->dwfl_mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
			*ud = m;
			m->path_buf = xstrdup(e->path);
			m->name_buf = xstrdup(slash ? slash + 1 : e->path);
		}
		XGROW(ms->v, ms->cap, ms->n);
		file_of[ms->n - first] = r->file;
		ms->v[ms->n++] = m;
	}
	for (size_t k = first; k < ms->n; k++) {
		struct module *m = ms->v[k];
		m->home = owner[file_of[k - first]];
		m->info.name = m->home->name_buf;
		m->info.path = m->home->path_buf;
	}
	free(file_of);
	free(owner);
}

struct live {
	Dwfl_Module **v;
	size_t n, cap;
};

static int collect_module(Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr start,
			  void *arg)
{
	struct live *live = arg;
	XGROW(live->v, live->cap, live->n);
	live->v[live->n++] = mod;
	return DWARF_CB_OK;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(Dwfl_Module *const *)a, y = (uintptr_t)*(Dwfl_Module *const *)b;
	return x < y ? -1 : x > y;
}

static void free_module(struct module *m)
{
	if (m->home == m) {
		gopcln_free(m->pcln);
		go_cutab_free(m->cutab);
		free(m->layout);
		free(m->segs);
		free(m->name_buf);
		free(m->path_buf);
		free(m->build_id_buf);
		free(m->report_path);
	}
	free(m);
}

/* Free modules (and clear v); those sharing a home's strings before the
 * home. */
static void free_modules(struct module **v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (v[k]->home != v[k]) {
			free_module(v[k]);
			v[k] = NULL;
		}
	for (size_t k = 0; k < n; k++)
		if (v[k]) {
			free_module(v[k]);
			v[k] = NULL;
		}
}

/* Whatever libdw freed at dwfl_report_end must not stay behind as a
 * dangling Dwfl_Module: keep only the modules libdw still lists.  All
 * modules of a file share one, so a file goes as a whole. */
static void keep_live(struct modules *ms)
{
	struct live live = { 0 };
	struct module **dead = xcalloc(ms->n ? ms->n : 1, sizeof(*dead));
	size_t kept = 0, ndead = 0;

	dwfl_getmodules(ms->dwfl, collect_module, &live, 0);
	if (live.n)
		qsort(live.v, live.n, sizeof(*live.v), ptr_cmp);
	for (size_t k = 0; k < ms->n; k++) {
		struct module *m = ms->v[k];
		if (live.n && bsearch(&m->dwfl_mod, live.v, live.n, sizeof(*live.v), ptr_cmp)) {
			ms->v[kept++] = m;
		} else {
			pt_verbose("libdw dropped %s", m->info.path);
			dead[ndead++] = m;
		}
	}
	ms->n = kept;
	free_modules(dead, ndead);
	free(dead);
	free(live.v);
}

/* libunwind reads the .eh_frame_hdr table through the modules at its
 * runtime addresses: a piece of a file mapped again elsewhere (Node's
 * builtins) has no table there, and then none at all rather than another
 * file's bytes. */
static void check_eh(struct modules *ms, struct module *m)
{
	if (!m->eh.present)
		return;
	uint64_t lo = m->eh.hdr_addr, hi = m->eh.table_addr + m->eh.fde_count * 8;
	struct module *a = modules_find(ms, lo);
	struct module *b = hi > lo ? modules_find(ms, hi - 1) : NULL;
	if (!a || !b || a->home != m->home || b->home != m->home || a->bias != m->bias ||
	    b->bias != m->bias)
		m->eh.present = false;
}

/* Whether the file libdw read has DWARF of its own: then a call of
 * find_debuginfo is for the alternate file (dwz) of that DWARF. */
static bool has_own_dwarf(Dwfl_Module *mod)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
		    (name = elf_strptr(elf, shstrndx, sh.sh_name)) && strcmp(name, ".debug_info") == 0)
			return true;
	}
	return false;
}

/* libdw's find_debuginfo: the files on this machine (stack/debugfind.h),
 * then, with --debuginfod and the fetch window open, the servers. */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			  Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			  GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	struct module *h = *userdata;
	const unsigned char *bits;
	GElf_Addr idaddr;
	int len, fd;
	if (!h)
		return -1;
	/* Once the module's own debug file was handed, or when its file has
	 * DWARF itself, libdw asks for the alternate (dwz) file. */
	bool alternate = h->debug_handed || has_own_dwarf(mod);
	len = dwfl_module_build_id(mod, &bits, &idaddr);
	/* The inflated copy of an earlier run, for the module's own file. */
	if (!alternate && len > 0 && (fd = debugcache_open(bits, (size_t)len)) >= 0) {
		h->debug_handed = true;
		return fd;
	}
	/* debugfind_local's userdata is the search path. */
	void *path = &h->owner->debug_path;
	fd = debugfind_local(mod, &path, modname, base, file_name, debuglink_file,
			     debuglink_crc, debuginfo_file_name);

	if (alternate) {
		if (fd >= 0)
			h->debug_handed = true;
		return fd;  /* the alternate file: only what is here */
	}
	if (fd >= 0) {
		h->debug_handed = true;
		if (len > 0)
			debugcache_note(fd, bits, (size_t)len);
		return fd;
	}
	h->debug_missing = true;
	if (!debuginfod_enabled())
		return -1;
	if (!debuginfod_window_open()) {
		h->debug_deferred = true;
		return -1;
	}
	if (len <= 0)
		return -1;
	fd = debuginfod_fetch(h->owner->dwfl, bits, (size_t)len, debuginfo_file_name);
	if (fd >= 0) {
		h->debug_handed = true;
		debugcache_note(fd, bits, (size_t)len);
	}
	return fd;
}

struct modules *modules_open(pid_t pid, const struct maps *maps, const char *debug_dir)
{
	struct modules *ms = xcalloc(1, sizeof(*ms));
	struct stat exe;
	char exe_path[64];
	bool have_exe;
	struct opener o = { .ms = ms };
	struct map_groups g;

	ms->pid = pid;
	ms->root = same_mount_ns(pid) ? xstrdup("") : xasprintf("/proc/%d/root", (int)pid);
	ms->cb.find_elf = dwfl_linux_proc_find_elf;
	/* This machine's files (libdw's own search would load libdebuginfod
	 * when it finds nothing), then, with --debuginfod, the servers. */
	ms->cb.find_debuginfo = find_debuginfo;
	ms->cb.section_address = dwfl_offline_section_address;
	/* Where separate debug files are looked for: next to the file, in its
	 * .debug/, in --debug-dir, in the target's and then our /usr/lib/debug. */
	ms->debug_path = xasprintf(":.debug%s%s%s%s%s:/usr/lib/debug", debug_dir ? ":" : "",
				   debug_dir ? debug_dir : "", *ms->root ? ":" : "", ms->root,
				   *ms->root ? "/usr/lib/debug" : "");
	ms->cb.debuginfo_path = &ms->debug_path;
	ms->dwfl = dwfl_begin(&ms->cb);
	if (!ms->dwfl) {
		pt_error("libdw: dwfl_begin: %s", dwfl_errmsg(-1));
		exit(EXIT_FAILED);
	}
	snprintf(exe_path, sizeof(exe_path), "/proc/%d/exe", (int)pid);
	have_exe = stat(exe_path, &exe) == 0;

	mapgroup_build(maps, load_file, &o, &g);
	struct report_at *report_at = xcalloc(g.nfiles ? g.nfiles : 1, sizeof(*report_at));
	dwfl_report_begin(ms->dwfl);
	Dwfl_Module **dm = report_files(ms, &g, &o, report_at);
	make_modules(ms, &g, dm, report_at, have_exe ? &exe : NULL);
	for (size_t f = 0; f < g.nfiles; f++)
		free(report_at[f].path);
	free(report_at);
	dwfl_report_end(ms->dwfl, NULL, NULL);
	keep_live(ms);
	for (size_t k = 0; k < ms->n; k++)
		if (ms->v[k]->home == ms->v[k])
			fill_from_elf(ms->v[k]);
	for (size_t k = 0; k < ms->n; k++)
		if (ms->v[k]->home != ms->v[k])
			fill_from_elf(ms->v[k]);
	for (size_t k = 0; k < ms->n; k++)
		check_eh(ms, ms->v[k]);
	free(dm);
	for (size_t f = 0; f < o.n; f++)
		if (o.fd[f] >= 0)
			close(o.fd[f]);
	free(o.fd);
	mapgroup_free(&g);
	return ms;
}

/* A copy of an inflated debug file is written from the bytes libdw
 * holds, if libdw read the module's DWARF at all (stack/debugcache.h). */
static void keep_debug_copy(Dwfl_Module *dm)
{
	Dwarf_Addr dwbias = (Dwarf_Addr)-1, bias;
	const unsigned char *bits;
	GElf_Addr idaddr;
	Dwarf *dw;
	int len;

	if (!dm)
		return;
	dwfl_module_info(dm, NULL, NULL, NULL, &dwbias, NULL, NULL, NULL);
	if (dwbias == (Dwarf_Addr)-1)
		return;
	len = dwfl_module_build_id(dm, &bits, &idaddr);
	dw = len > 0 ? dwfl_module_getdwarf(dm, &bias) : NULL;
	if (dw)
		debugcache_keep(dwarf_getelf(dw), bits, (size_t)len);
}

void modules_free(struct modules *ms)
{
	if (!ms)
		return;
	for (size_t k = 0; k < ms->n; k++)
		if (ms->v[k]->home == ms->v[k]) {
			keep_debug_copy(ms->v[k]->dwfl_mod);
			keep_debug_copy(ms->v[k]->late_mod);
		}
	free_modules(ms->v, ms->n);
	free(ms->v);
	dwfl_end(ms->dwfl);
	if (ms->late)
		dwfl_end(ms->late);
	free(ms->debug_path);
	free(ms->root);
	free(ms);
}

struct module *modules_find(struct modules *ms, uint64_t addr)
{
	size_t lo = 0, hi = ms->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct module *m = ms->v[mid];
		if (addr < m->info.start)
			hi = mid;
		else if (addr >= m->info.limit)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

Dwfl *modules_dwfl(struct modules *ms)
{
	return ms->dwfl;
}

bool module_read(const struct module *m, uint64_t addr, void *out, size_t n)
{
	if (!m->image)
		return false;
	/* Modular: a piece mapped below its link address has a bias
	 * above the addresses. */
	uint64_t vaddr = addr - m->bias;
	for (size_t i = 0; i < m->nsegs; i++) {
		const struct load_seg *s = &m->segs[i];
		if (vaddr < s->vaddr || vaddr - s->vaddr > s->filesz || n > s->filesz - (vaddr - s->vaddr))
			continue;
		uint64_t d = vaddr - s->vaddr;
		if (s->offset > m->image_size || d > m->image_size - s->offset ||
		    n > m->image_size - s->offset - d)
			return false;
		memcpy(out, m->image + s->offset + d, n);
		return true;
	}
	return false;
}

struct module *modules_main(struct modules *ms)
{
	for (size_t k = 0; k < ms->n; k++)
		if (ms->v[k]->info.main)
			return ms->v[k]->home;
	return NULL;
}

Dwfl_Module *module_symbols(struct module *m)
{
	struct module *h = m->home;
	struct modules *ms = h->owner;
	if (h->late_mod)
		return h->late_mod;
	if (!h->debug_deferred || h->late_tried || !h->report_path || !debuginfod_enabled() ||
	    !debuginfod_window_open())
		return m->dwfl_mod;
	h->late_tried = true;
	if (!ms->late && !(ms->late = dwfl_begin(&ms->cb)))
		return m->dwfl_mod;
	int fd = open(h->report_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return m->dwfl_mod;
	/* A name of its own: the late Dwfl holds each file once. */
	char *name = xasprintf("%s#%p", h->info.path, (void *)h);
	dwfl_report_begin_add(ms->late);
	Dwfl_Module *dm = dwfl_report_elf(ms->late, name, h->report_path, fd, h->report_base, true);
	dwfl_report_end(ms->late, NULL, NULL);
	free(name);
	if (!dm) {
		close(fd);
		return m->dwfl_mod;
	}
	/* The same file still, or nothing. */
	const unsigned char *bits;
	GElf_Addr idaddr;
	int len = dwfl_module_build_id(dm, &bits, &idaddr);
	char hex[129] = "";
	if (len > 0)
		hex_encode(hex, bits, len < 64 ? (size_t)len : 64);
	if (len <= 0 || !h->build_id_buf || strcmp(hex, h->build_id_buf) != 0)
		return m->dwfl_mod;
	void **ud;
	dwfl_module_info(dm, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
	*ud = h;
	h->debug_handed = false;
	h->late_mod = dm;
	pt_verbose("%s reported again, to fetch the debug info it lacked", h->info.path);
	return dm;
}

Dwarf *module_dwarf(struct module *m, uint64_t *bias)
{
	Dwarf_Addr b = 0;
	Dwarf *dw = dwfl_module_getdwarf(m->dwfl_mod, &b);
	*bias = b + m->shift;
	return dw;
}

const struct gopcln *module_gopcln(struct module *m)
{
	struct module *h = m->home;
	if (!h->pcln_tried && h->go.is_go) {
		GElf_Addr bias;
		Elf *elf = dwfl_module_getelf(h->dwfl_mod, &bias);
		const char *why = NULL;
		h->pcln = elf ? gopcln_open(elf, &why) : NULL;
		if (!h->pcln)
			pt_verbose("%s: no usable Go function table: %s", h->info.path,
				   why ? why : "no ELF");
	}
	h->pcln_tried = true;
	return h->pcln;
}

Dwarf_CFI *module_debug_cfi(struct module *m, uint64_t *bias)
{
	struct module *h = m->home;
	if (!h->cfi_tried) {
		Dwarf_Addr b = 0;
		Dwarf *dw = dwfl_module_getdwarf(h->dwfl_mod, &b);
		h->cfi_bias = b;
		h->debug_cfi = dw ? dwarf_getcfi(dw) : NULL;
		h->cfi_tried = true;
	}
	*bias = h->cfi_bias + m->shift;
	return h->debug_cfi;
}

Dwarf_CFI *module_eh_cfi(struct module *m, uint64_t *bias)
{
	struct module *h = m->home;
	if (!h->eh_cfi_tried) {
		Dwarf_Addr b = 0;
		h->eh_cfi = dwfl_module_eh_cfi(h->dwfl_mod, &b);
		h->eh_cfi_bias = b;
		h->eh_cfi_tried = true;
	}
	*bias = h->eh_cfi_bias + m->shift;
	return h->eh_cfi;
}

const struct go_cutab *module_cutab(struct module *m)
{
	struct module *h = m->home;
	uint64_t bias;
	if (!h->cutab_tried && h->go.is_go && h->go.has_dwarf) {
		Dwarf *dw = module_dwarf(h, &bias);
		h->cutab = dw ? go_cutab_build(dw) : NULL;
	}
	h->cutab_tried = true;
	return h->cutab;
}

const struct go_layout *module_go_layout(struct module *m, const char **missing)
{
	struct module *h = m->home;
	uint64_t bias;
	if (!h->layout_tried && h->go.is_go) {
		Dwarf *dw = module_dwarf(h, &bias);
		h->layout = xmalloc(sizeof(*h->layout));
		if (!dw || go_layout_read(dw, h->layout, &h->layout_missing) != 0) {
			free(h->layout);
			h->layout = NULL;
		}
	}
	h->layout_tried = true;
	*missing = h->layout_missing;
	return h->layout;
}
