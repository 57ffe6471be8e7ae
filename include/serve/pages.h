/* pages.h - the answers made from /proc alone, in the handler's thread:
 * the index page and the command line.
 *
 * The index is shaped as Go's /debug/pprof/ page (title, the debug=1
 * line, a Count | Profile table whose rows link NAME?debug=1, the
 * descriptions), with the processes served and what each profile means
 * here.  The command line is Go's: the arguments joined by NUL.
 */
#ifndef PTPROF_PAGES_H
#define PTPROF_PAGES_H

#include <sys/types.h>

#include "serve/reply.h"
#include "serve/served.h"

/* pid: the process picked, or 0 when several are served and none named. */
void page_index(struct reply *r, const struct served *s, pid_t pid);
void page_cmdline(struct reply *r, pid_t pid);

#endif
