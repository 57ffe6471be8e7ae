/* debugcache.h - inflated copies of compressed debug files, kept by
 * build id for the next runs.
 *
 * libdw inflates every compressed .debug_* section of a file it opens:
 * for Debian's libc debug file, 10 MB and about half of a whole dump.
 * The first run that meets such a file writes, as it frees the file's
 * module, a copy with the sections stored plain (stack/elfinflate.h),
 * from the bytes libdw inflated; later runs hand libdw that copy, which
 * it reads in place.  Like perf's build-id
 * cache, it lives under the user's cache directory:
 *   $PTPROF_CACHE_DIR, else $XDG_CACHE_HOME/ptprof/debug, else
 *   $HOME/.cache/ptprof/debug;  PTPROF_CACHE_DIR=off (or empty) turns it
 *   off.
 * A copy is used only when it is a regular file of ours that nobody else
 * may write and carries the same build id with nothing compressed;
 * anything else there is passed over and written again.  The directory
 * is kept under 1 GiB, the copies used least recently going first.
 */
#ifndef PTPROF_DEBUGCACHE_H
#define PTPROF_DEBUGCACHE_H

#include <stddef.h>
#include <stdint.h>

#include <libelf.h>

/* The cached copy for the build id (id, len bytes), open, or -1.  Asked
 * before any search: libdw keeps the first file its own build-id search
 * opens, whatever descriptor is handed back afterwards.  Safe from any
 * thread. */
int debugcache_open(const unsigned char *id, size_t len);

/* fd: a debug file found for that build id, left open for the caller.
 * When its sections are compressed, a copy is due (debugcache_keep). */
void debugcache_note(int fd, const unsigned char *id, size_t len);

/* elf: the debug file of that build id as libdw holds it once its DWARF
 * was read, the sections inflated in memory.  If a copy is due, it is
 * written now from those bytes (no second inflating); called as the
 * module is freed, after the run's output. */
void debugcache_keep(Elf *elf, const unsigned char *id, size_t len);

/* Makes room in the directory open on dfd for `need` more bytes under
 * `max`: the *.debug files of ours there used least recently (oldest
 * modification time: a copy read is touched) are removed first; nothing
 * else is counted or removed. */
void debugcache_trim(int dfd, uint64_t need, uint64_t max);

/* At the end of the run: says with -v how many copies were read. */
void debugcache_report(void);

#endif
