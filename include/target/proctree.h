/* proctree.h - the processes a command line names: a pid list, and with
 * --children every descendant of each.
 *
 * Descendants are found from /proc/PID/task/TID/children (a child belongs
 * to the thread that forked it), breadth first, so a parent always comes
 * before its children.  A pid is listed once however it was named.  The
 * tree is read without stopping anything: a process forked meanwhile is
 * found at the next read.
 */
#ifndef PTPROF_PROCTREE_H
#define PTPROF_PROCTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pidset {
	pid_t *v;
	size_t n, cap;
};

/* Add pid unless present; true when added. */
bool pidset_add(struct pidset *s, pid_t pid);
bool pidset_has(const struct pidset *s, pid_t pid);
void pidset_free(struct pidset *s);

/* Add to s every descendant of every pid already in s (those that still
 * exist).  Returns how many were added. */
size_t proctree_add_descendants(struct pidset *s);

/* The newest task of the system (the last field of /proc/loadavg), or
 * -1: when it has not changed, nothing was forked anywhere meanwhile. */
long proctree_newest_task(void);

#endif
