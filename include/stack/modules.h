/* modules.h - the target's mapped ELF files, as one libdw Dwfl.
 *
 * Built once per process from /proc/PID/maps.  Files are opened through
 * /proc/PID/root (other mount namespaces) or /proc/PID/map_files (deleted
 * binaries); the vDSO is copied from the target's memory.  Serves both the
 * unwinder (unwind tables and read-only bytes straight from the mapped
 * files, no target memory reads) and the symbolizer (the Dwfl).
 */
#ifndef PTPROF_MODULES_H
#define PTPROF_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <elfutils/libdwfl.h>

#include "golang/gobuild.h"
#include "golang/godwarf.h"
#include "golang/gopclntab.h"
#include "stack/symcache.h"
#include "target/procfs.h"

struct eh_frame_hdr {
	bool present;
	uint64_t hdr_addr;        /* runtime address of .eh_frame_hdr */
	uint64_t table_addr;      /* runtime address of the search table */
	uint64_t fde_count;
};

struct module {
	struct sym_module info;   /* what output shows of it */
	Dwfl_Module *dwfl_mod;
	uint64_t bias;            /* runtime address - ELF vaddr */
	const unsigned char *image; /* whole file, as libelf mapped it */
	size_t image_size;
	struct load_seg { uint64_t vaddr, filesz, offset; } *segs;
	size_t nsegs;
	uint64_t text_lo, text_hi; /* runtime range of executable segments */
	struct eh_frame_hdr eh;
	struct go_build go;       /* is it a Go program, which Go */
	/* storage behind info's strings */
	char *name_buf, *path_buf, *build_id_buf;
	/* Loaded on first use (module_gopcln, module_debug_cfi, module_cutab,
	 * module_go_layout). */
	struct gopcln *pcln;
	Dwarf_CFI *debug_cfi;
	uint64_t cfi_bias;
	struct go_cutab *cutab;
	struct go_layout *layout;
	const char *layout_missing;
	bool pcln_tried, cfi_tried, cutab_tried, layout_tried;
};

struct modules;

/* Report every file-backed mapping of pid.  debug_dir (may be NULL) is
 * searched for separate debug files before /usr/lib/debug. */
struct modules *modules_open(pid_t pid, const struct maps *maps, const char *debug_dir);
void modules_free(struct modules *ms);

/* The module whose mapped range contains addr, or NULL. */
struct module *modules_find(struct modules *ms, uint64_t addr);
Dwfl *modules_dwfl(struct modules *ms);

/* Copy n bytes at runtime address addr from the module's file image
 * (file-backed bytes of a loadable segment only). */
bool module_read(const struct module *m, uint64_t addr, void *out, size_t n);

/* The executable itself, or NULL. */
struct module *modules_main(struct modules *ms);
/* The module's DWARF (from the file or its separate debug file) and the
 * bias of its addresses, or NULL. */
Dwarf *module_dwarf(struct module *m, uint64_t *bias);
/* A Go module's function table, or NULL. */
const struct gopcln *module_gopcln(struct module *m);
/* The module's .debug_frame CFI, or NULL (addresses biased as by
 * module_dwarf). */
Dwarf_CFI *module_debug_cfi(struct module *m, uint64_t *bias);
/* A Go module's address -> compilation unit table (its DWARF has no
 * .debug_aranges), or NULL. */
const struct go_cutab *module_cutab(struct module *m);
/* The layout of a Go module's runtime, from its DWARF (read once).  NULL
 * with *missing NULL when the module has no DWARF, or naming the first
 * required item its DWARF lacks. */
const struct go_layout *module_go_layout(struct module *m, const char **missing);

#endif
