/* outfile.h - where output goes, and making sure it got there.
 *
 * A named file is written to a temporary file in the same directory and
 * renamed into place only when every byte is known to be written, so a
 * failed or interrupted run never leaves a truncated file behind.
 */
#ifndef PTPROF_OUTFILE_H
#define PTPROF_OUTFILE_H

#include <stdio.h>

struct outfile {
	FILE *f;
	char *path;               /* NULL: stdout */
	char *tmp;
};

/* path NULL or "-": stdout.  0, or EXIT_FAILED after saying why. */
int outfile_open(struct outfile *o, const char *path);
/* Flush, check, rename.  0, or EXIT_FAILED after saying why (ENOSPC, EIO). */
int outfile_commit(struct outfile *o);
/* Drop a temporary file. */
void outfile_abort(struct outfile *o);

#endif
