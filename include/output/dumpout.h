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

#include "profile/gosnap.h"
#include "profile/locks.h"
#include "profile/snapset.h"
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
	const struct gosnap *go;  /* a Go program's goroutines: shown instead
				     of the threads' stacks; NULL otherwise */
	bool system;              /* --system: runtime goroutines too */
	bool several;             /* one process of several: JSON threads carry
				     their pid */
};

void dump_write_text(FILE *f, struct snapshot *s, const struct dump_view *v);
void dump_write_json(FILE *f, struct snapshot *s, const struct dump_view *v);
/* 0, or -1 with errno.  With v->go, a goroutine profile (one sample per
 * goroutine, as /debug/pprof/goroutine), else a thread profile. */
int dump_write_pprof(FILE *f, struct snapshot *s, const struct dump_view *v);

/* A dump of several processes, v[i] the view of ss->v[i].  Text: each
 * process as dump_write_text writes it (its header line and census, then
 * its threads), then the census of them all and what was not dumped.
 * JSON: {"processes":[each as dump_write_json writes it], "census":{...},
 * "skipped":[pid...], "exited":N}.  pprof: one profile (every sample
 * labelled pid and process, as always); a goroutine profile when every
 * process is a Go program with goroutines, else a thread profile (a Go
 * program's threads then). */
void dump_write_text_set(FILE *f, const struct snapset *ss, const struct dump_view *v);
void dump_write_json_set(FILE *f, const struct snapset *ss, const struct dump_view *v);
int dump_write_pprof_set(FILE *f, const struct snapset *ss, const struct dump_view *v);

/* The goroutine part of a text dump: a census line, then each goroutine
 * the way Go's goroutine?debug=2 prints it (with -g: identical ones once,
 * with their count, like debug=1). */
void dump_goroutines_text(FILE *f, struct snapshot *s, const struct dump_view *v);
/* Whether a goroutine is shown (system ones only with --system). */
bool dump_goroutine_shown(const struct dump_view *v, const struct goroutine_snap *g);

/* "sleeping in futex", "running", ... into buf. */
void dump_state_words(const struct thread_snap *t, char *buf, size_t size);

#endif
