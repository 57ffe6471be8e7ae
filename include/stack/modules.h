/* modules.h - the target's mapped ELF files, as one libdw Dwfl.
 *
 * Built once per process from /proc/PID/maps.  Files are opened through
 * /proc/PID/root (other mount namespaces) or /proc/PID/map_files (deleted
 * binaries); the vDSO is copied from the target's memory.  Serves both the
 * unwinder (unwind tables and read-only bytes straight from the mapped
 * files, no target memory reads) and the symbolizer (the Dwfl).
 *
 * One module per run of stack/mapgroup.h: modules never overlap, whatever
 * the maps said.  Each distinct file is reported to libdw once; a file
 * mapped again at another bias (Node's remapped builtins, a library
 * loaded twice) gives further modules that share its Dwfl_Module, its
 * image and what is loaded lazily, and differ in bias: libdw knows their
 * addresses as runtime address - shift.
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
	Dwfl_Module *dwfl_mod;    /* shared by all modules of one file */
	struct module *home;      /* the module of the same file that owns
				     what they share (itself for one) */
	uint64_t bias;            /* runtime address - ELF vaddr */
	uint64_t shift;           /* runtime address - address in dwfl_mod
				     (0 but for a file mapped again) */
	const unsigned char *image; /* whole file, as libelf mapped it */
	size_t image_size;
	struct load_seg { uint64_t vaddr, filesz, offset; } *segs;
	size_t nsegs;
	uint64_t text_lo, text_hi; /* runtime range of executable segments */
	struct eh_frame_hdr eh;   /* present only if the table is mapped at
				     this module's bias */
	struct go_build go;       /* is it a Go program, which Go */
	/* Storage behind info's strings and segs, owned by the home. */
	char *name_buf, *path_buf, *build_id_buf;
	/* Loaded on first use, in the home (module_gopcln, module_debug_cfi,
	 * module_cutab, module_go_layout). */
	struct gopcln *pcln;
	Dwarf_CFI *debug_cfi;
	uint64_t cfi_bias;        /* in dwfl_mod's addresses */
	Dwarf_CFI *eh_cfi;        /* .eh_frame, through libdw */
	uint64_t eh_cfi_bias;     /* in dwfl_mod's addresses */
	struct go_cutab *cutab;
	struct go_layout *layout;
	const char *layout_missing;
	bool pcln_tried, cfi_tried, eh_cfi_tried, cutab_tried, layout_tried;
	/* Separate debug info (kept by the home): where libdw was given the
	 * file, to report it again; whether no local debug file was found;
	 * whether that happened with the fetch window closed (then libdw
	 * remembers the failure, and a second report of the file, in a Dwfl
	 * of its own, fetches it); whether a debug file was handed over. */
	struct modules *owner;
	char *report_path;
	uint64_t report_base;
	bool debug_missing, debug_deferred, debug_handed;
	Dwfl_Module *late_mod;
	bool late_tried;
};

struct modules;

/* Report every file-backed mapping of pid that holds code.  debug_dir
 * (may be NULL) is searched for separate debug files before
 * /usr/lib/debug. */
struct modules *modules_open(pid_t pid, const struct maps *maps, const char *debug_dir);
void modules_free(struct modules *ms);

/* The module whose mapped range contains addr, or NULL. */
struct module *modules_find(struct modules *ms, uint64_t addr);
Dwfl *modules_dwfl(struct modules *ms);

/* Copy n bytes at runtime address addr from the module's file image
 * (file-backed bytes of a loadable segment only). */
bool module_read(const struct module *m, uint64_t addr, void *out, size_t n);

/* The executable itself (the home of its modules), or NULL. */
struct module *modules_main(struct modules *ms);
/* The Dwfl_Module to read m's symbols and DWARF through: m's own, or -
 * for a file whose debug info was missing while fetching was not allowed,
 * and now is (stack/debuginfod.h) - the same file reported again, whose
 * debug info is fetched. */
Dwfl_Module *module_symbols(struct module *m);
/* The module's DWARF (from the file or its separate debug file) and the
 * bias of its addresses (runtime address - DWARF address), or NULL. */
Dwarf *module_dwarf(struct module *m, uint64_t *bias);
/* A Go module's function table, or NULL. */
const struct gopcln *module_gopcln(struct module *m);
/* The module's .debug_frame CFI, or NULL (addresses biased as by
 * module_dwarf, for this module's runtime addresses). */
Dwarf_CFI *module_debug_cfi(struct module *m, uint64_t *bias);
/* The module's .eh_frame CFI read by libdw, or NULL; bias as above.
 * Cheap: no debug file is looked for. */
Dwarf_CFI *module_eh_cfi(struct module *m, uint64_t *bias);
/* A Go module's address -> compilation unit table (its DWARF has no
 * .debug_aranges), or NULL. */
const struct go_cutab *module_cutab(struct module *m);
/* The layout of a Go module's runtime, from its DWARF (read once).  NULL
 * with *missing NULL when the module has no DWARF, or naming the first
 * required item its DWARF lacks. */
const struct go_layout *module_go_layout(struct module *m, const char **missing);

#endif
