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

#include "stack/modules.h"
#include "target/memread.h"
#include "util/error.h"
#include "util/xalloc.h"

struct modules {
	pid_t pid;
	Dwfl *dwfl;
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

/* The vDSO exists only in memory: copy it into a memfd for libelf. */
static int open_vdso(struct modules *ms, const struct map_entry *e)
{
	size_t len = (size_t)(e->end - e->start);
	unsigned char *buf = xmalloc(len);
	int fd = -1;
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

/* Runtime address minus ELF vaddr, from the lowest mapping of the file. */
static bool compute_bias(int fd, const struct map_entry *first, uint64_t *bias)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	size_t phnum;
	bool ok = false;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getphdrnum(elf, &phnum) != 0)
		goto out;
	if (eh.e_type == ET_EXEC) {
		*bias = 0;
		ok = true;
		goto out;
	}
	*bias = first->start - first->offset;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    (ph.p_offset & ~(page - 1)) == first->offset) {
			*bias = first->start - (ph.p_vaddr & ~(page - 1));
			break;
		}
	}
	ok = true;
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

static void fill_from_elf(struct module *m)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(m->dwfl_mod, &bias);
	size_t phnum;
	if (!elf || elf_getphdrnum(elf, &phnum) != 0)
		return;
	m->bias = bias;
	m->image = (const unsigned char *)elf_rawfile(elf, &m->image_size);
	m->segs = xcalloc(phnum, sizeof(*m->segs));
	m->text_lo = UINT64_MAX;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_LOAD) {
			m->segs[m->nsegs++] = (struct load_seg){ ph.p_vaddr, ph.p_filesz, ph.p_offset };
			if (ph.p_flags & PF_X) {
				if (bias + ph.p_vaddr < m->text_lo)
					m->text_lo = bias + ph.p_vaddr;
				if (bias + ph.p_vaddr + ph.p_memsz > m->text_hi)
					m->text_hi = bias + ph.p_vaddr + ph.p_memsz;
			}
		} else if (ph.p_type == PT_GNU_EH_FRAME && m->image) {
			parse_eh_frame_hdr(m, &ph);
		}
	}

	go_build_read(elf, &m->go);

	const unsigned char *bits;
	GElf_Addr idaddr;
	int len = dwfl_module_build_id(m->dwfl_mod, &bits, &idaddr);
	m->build_id_buf = xcalloc(len > 0 ? (size_t)len * 2 + 1 : 1, 1);
	for (int i = 0; i < len; i++)
		sprintf(m->build_id_buf + 2 * i, "%02x", bits[i]);
	m->info.build_id = m->build_id_buf;
}

static bool is_code_group(const struct maps *maps, size_t i, size_t j)
{
	for (size_t k = i; k < j; k++)
		if (maps->v[k].perms[2] == 'x')
			return true;
	return false;
}

static bool same_file(const struct map_entry *a, const struct map_entry *b)
{
	return b->path && a->inode == b->inode && a->dev_major == b->dev_major &&
	       a->dev_minor == b->dev_minor && strcmp(a->path, b->path) == 0;
}

static void report_group(struct modules *ms, const struct maps *maps, size_t i, size_t j,
			 const struct stat *exe)
{
	const struct map_entry *first = &maps->v[i];
	bool vdso = strcmp(first->path, "[vdso]") == 0;
	int fd = vdso ? open_vdso(ms, first) : open_mapped(ms, first);
	uint64_t bias;
	if (fd < 0) {
		pt_verbose("cannot open %s of process %d: %s", first->path, (int)ms->pid,
			   strerror(errno));
		return;
	}
	if (!compute_bias(fd, first, &bias)) {
		close(fd);
		return;
	}
	char *file_name = vdso ? xstrdup("[vdso]") : xasprintf("%s%s", ms->root, first->path);
	Dwfl_Module *dm = dwfl_report_elf(ms->dwfl, first->path, file_name, fd, bias, true);
	free(file_name);
	if (!dm) {
		pt_verbose("libdw cannot use %s: %s", first->path, dwfl_errmsg(-1));
		close(fd);
		return;
	}
	struct module *m = xcalloc(1, sizeof(*m));
	const char *slash = strrchr(first->path, '/');
	m->dwfl_mod = dm;
	m->path_buf = xstrdup(first->path);
	m->name_buf = xstrdup(slash ? slash + 1 : first->path);
	m->info.name = m->name_buf;
	m->info.path = m->path_buf;
	m->info.build_id = "";
	m->info.start = first->start;
	m->info.limit = maps->v[j - 1].end;
	m->info.file_offset = first->offset;
	m->info.main = exe && exe->st_ino == first->inode &&
		       major(exe->st_dev) == first->dev_major && minor(exe->st_dev) == first->dev_minor;
	XGROW(ms->v, ms->cap, ms->n);
	ms->v[ms->n++] = m;
}

struct modules *modules_open(pid_t pid, const struct maps *maps, const char *debug_dir)
{
	struct modules *ms = xcalloc(1, sizeof(*ms));
	struct stat exe;
	char exe_path[64];
	bool have_exe;

	ms->pid = pid;
	ms->root = same_mount_ns(pid) ? xstrdup("") : xasprintf("/proc/%d/root", (int)pid);
	ms->cb.find_elf = dwfl_linux_proc_find_elf;
	ms->cb.find_debuginfo = dwfl_standard_find_debuginfo;
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

	dwfl_report_begin(ms->dwfl);
	for (size_t i = 0; i < maps->n;) {
		const struct map_entry *e = &maps->v[i];
		size_t j = i + 1;
		if (!e->path || (e->path[0] == '[' && strcmp(e->path, "[vdso]") != 0)) {
			i++;
			continue;
		}
		while (j < maps->n && same_file(e, &maps->v[j]))
			j++;
		if (is_code_group(maps, i, j))
			report_group(ms, maps, i, j, have_exe ? &exe : NULL);
		i = j;
	}
	dwfl_report_end(ms->dwfl, NULL, NULL);
	for (size_t k = 0; k < ms->n; k++)
		fill_from_elf(ms->v[k]);
	return ms;
}

void modules_free(struct modules *ms)
{
	if (!ms)
		return;
	for (size_t k = 0; k < ms->n; k++) {
		struct module *m = ms->v[k];
		gopcln_free(m->pcln);
		go_cutab_free(m->cutab);
		free(m->layout);
		free(m->segs);
		free(m->name_buf);
		free(m->path_buf);
		free(m->build_id_buf);
		free(m);
	}
	free(ms->v);
	dwfl_end(ms->dwfl);
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
	if (!m->image || addr < m->bias)
		return false;
	uint64_t vaddr = addr - m->bias;
	for (size_t i = 0; i < m->nsegs; i++) {
		const struct load_seg *s = &m->segs[i];
		if (vaddr < s->vaddr || vaddr - s->vaddr > s->filesz || n > s->filesz - (vaddr - s->vaddr))
			continue;
		uint64_t off = s->offset + (vaddr - s->vaddr);
		if (off > m->image_size || n > m->image_size - off)
			return false;
		memcpy(out, m->image + off, n);
		return true;
	}
	return false;
}

struct module *modules_main(struct modules *ms)
{
	for (size_t k = 0; k < ms->n; k++)
		if (ms->v[k]->info.main)
			return ms->v[k];
	return NULL;
}

Dwarf *module_dwarf(struct module *m, uint64_t *bias)
{
	Dwarf_Addr b = 0;
	Dwarf *dw = dwfl_module_getdwarf(m->dwfl_mod, &b);
	*bias = b;
	return dw;
}

const struct gopcln *module_gopcln(struct module *m)
{
	if (!m->pcln_tried && m->go.is_go) {
		GElf_Addr bias;
		Elf *elf = dwfl_module_getelf(m->dwfl_mod, &bias);
		const char *why = NULL;
		m->pcln = elf ? gopcln_open(elf, &why) : NULL;
		if (!m->pcln)
			pt_verbose("%s: no usable Go function table: %s", m->info.path,
				   why ? why : "no ELF");
	}
	m->pcln_tried = true;
	return m->pcln;
}

Dwarf_CFI *module_debug_cfi(struct module *m, uint64_t *bias)
{
	if (!m->cfi_tried) {
		Dwarf *dw = module_dwarf(m, &m->cfi_bias);
		m->debug_cfi = dw ? dwarf_getcfi(dw) : NULL;
		m->cfi_tried = true;
	}
	*bias = m->cfi_bias;
	return m->debug_cfi;
}

const struct go_cutab *module_cutab(struct module *m)
{
	uint64_t bias;
	if (!m->cutab_tried && m->go.is_go && m->go.has_dwarf) {
		Dwarf *dw = module_dwarf(m, &bias);
		m->cutab = dw ? go_cutab_build(dw) : NULL;
	}
	m->cutab_tried = true;
	return m->cutab;
}

const struct go_layout *module_go_layout(struct module *m, const char **missing)
{
	uint64_t bias;
	if (!m->layout_tried && m->go.is_go) {
		Dwarf *dw = module_dwarf(m, &bias);
		m->layout = xmalloc(sizeof(*m->layout));
		if (!dw || go_layout_read(dw, m->layout, &m->layout_missing) != 0) {
			free(m->layout);
			m->layout = NULL;
		}
	}
	m->layout_tried = true;
	*missing = m->layout_missing;
	return m->layout;
}
