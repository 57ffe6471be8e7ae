/* gobuild.h - is an ELF file a Go program, and which Go built it.
 *
 * Read from the file alone (the target is not touched): the
 * .go.buildinfo section (Go 1.18 and later carry the version string in
 * it), else the .note.go.buildid note, else a runtime.buildVersion
 * symbol whose string is read from the file's initialised data.  A
 * stripped Go binary (-ldflags="-s -w") is still recognised: its
 * .go.buildinfo and .gopclntab survive.
 */
#ifndef PTPROF_GOBUILD_H
#define PTPROF_GOBUILD_H

#include <stdbool.h>

#include <libelf.h>

struct go_build {
	bool is_go;
	char version[40];         /* "go1.19.8"; "" when not recorded */
	int major, minor;         /* 1, 19; 0, 0 when the version is unknown */
	bool has_dwarf;           /* a .debug_info section */
	bool has_symtab;          /* a .symtab section */
	bool cgo;                 /* linked with C code (an .eh_frame section) */
};

/* Fill *out; false (and out->is_go false) for anything not built by Go. */
bool go_build_read(Elf *elf, struct go_build *out);

#endif
