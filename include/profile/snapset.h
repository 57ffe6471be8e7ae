/* snapset.h - the snapshots of several processes: `dump -p A,B,C` and
 * `dump --children`.
 *
 * The processes named, then (with children) every descendant of each,
 * parents before their children, are captured in turn with snapshot_take:
 * one process held at a time, and each let go before the next is
 * touched.  Every process's symbolizer draws on one symshare, so N
 * workers of one binary pay for its symbols once.
 *
 * A process named that cannot be dumped (missing, a zombie, refused) is
 * skipped after one line on stderr that names it and the cause; the
 * others are still dumped.  A process that exits between the reading of
 * the tree and its capture is dropped without a word and counted.
 */
#ifndef PTPROF_SNAPSET_H
#define PTPROF_SNAPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "profile/snapshot.h"
#include "stack/symshare.h"

struct snapset {
	struct snapshot **v;      /* dumped, in the order taken (each
				     allocated: its symcache points into it) */
	size_t n, cap;
	pid_t *skipped;           /* named on stderr, in the order met */
	size_t nskipped, skipped_cap;
	int skip_status;          /* exit status of the first one skipped */
	size_t exited;            /* gone before their capture, said nowhere */
	struct symshare *share;
};

/* Take pids (and with children their descendants).  Returns 0 when at
 * least one process was dumped, else an exit status after saying why:
 * the first skipped process's status, or EXIT_FAILED with a line of its
 * own when none was left to dump.  If ptprof was asked to stop, the
 * processes not reached yet are left alone and 0 or a status is
 * returned as for those reached. */
int snapset_take(struct snapset *ss, const int *pids, size_t npids, bool children,
		 const struct snapshot_opts *o);
void snapset_free(struct snapset *ss);

/* Threads over all snapshots, and symbols libdw resolved vs. symbols
 * copied from another process (call after the output is written). */
size_t snapset_threads(const struct snapset *ss);
void snapset_symbol_counts(const struct snapset *ss, uint64_t *resolved, uint64_t *shared);

#endif
