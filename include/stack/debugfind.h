/* debugfind.h - a module's separate debug file, found on this machine only.
 *
 * libdw's standard search ends, when nothing local matched, by asking
 * libdebuginfod, and that first ask loads it (with curl, gnutls and some
 * thirty libraries: about 30 ms of every run, for nothing when no server
 * is to be asked).  This callback does the same local search and never
 * goes further: the build-id tree of each absolute directory of the
 * debuginfo path, then the file's .gnu_debuglink name next to the file,
 * in each relative directory (".debug") and under each absolute one.  A
 * file found by name must carry the module's build id, or, lacking one,
 * the CRC the link names.
 *
 * Its userdata argument points at the debuginfo path string, as
 * Dwfl_Callbacks.debuginfo_path does.
 */
#ifndef PTPROF_DEBUGFIND_H
#define PTPROF_DEBUGFIND_H

#include <elfutils/libdwfl.h>

/* A Dwfl_Callbacks.find_debuginfo. */
int debugfind_local(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		    const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		    char **debuginfo_file_name);

#endif
