/* dumpout.h - a snapshot written as text, JSON or a pprof thread profile.
 *
 * Writers only format: the snapshot is complete and every thread already
 * runs again when they are called.  Grouping (-g) folds threads whose
 * state, system call and stack are identical.
 */
#ifndef PTPROF_DUMPOUT_H
#define PTPROF_DUMPOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "profile/locks.h"
#include "profile/snapshot.h"

struct dump_group {
	size_t *members;          /* indices into snapshot->t, ascending tid */
	size_t n;
};

/* Groups of identical threads, largest first.  Returns the count. */
size_t dump_groups(const struct snapshot *s, struct dump_group **out);
void dump_groups_free(struct dump_group *g, size_t n);

/* What a dump shows besides the stacks. */
struct dump_view {
	bool group;               /* -g */
	const struct lock_wait *waits; /* --locks: one per thread, else NULL */
	const struct deadlock *deadlocks;
	size_t ndeadlocks;
};

void dump_write_text(FILE *f, struct snapshot *s, const struct dump_view *v);
void dump_write_json(FILE *f, struct snapshot *s, const struct dump_view *v);
/* 0, or -1 with errno. */
int dump_write_pprof(FILE *f, struct snapshot *s);

/* "sleeping in futex", "running", ... into buf. */
void dump_state_words(const struct thread_snap *t, char *buf, size_t size);

#endif
