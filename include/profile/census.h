/* census.h - a dump in numbers: threads by state, the system calls the
 * blocked ones sit in, and pools of like-named threads.
 *
 * A pool is the threads whose names agree once a trailing run of digits
 * is read as '*' ("worker-1" ... "worker-64" is "worker-*").
 */
#ifndef PTPROF_CENSUS_H
#define PTPROF_CENSUS_H

#include <stddef.h>

#include "profile/snapshot.h"

struct census_count {
	const char *name;         /* a state or system call name (static) */
	size_t n;
};

struct census_pool {
	char pattern[PROC_COMM_MAX + 1];
	size_t threads, running;
	struct census_count *blocked; /* by system call, largest first */
	size_t nblocked;
	struct census_count *other;   /* other states, e.g. stopped */
	size_t nother;
};

struct census {
	struct census_count *states;  /* non-zero only, in a fixed order */
	size_t nstates;
	struct census_count *syscalls; /* largest first */
	size_t nsyscalls;
	struct census_pool *pools;    /* 2 threads or more, largest first */
	size_t npools;
};

void census_take(const struct snapshot *s, struct census *c);
/* The threads of several snapshots counted together. */
void census_take_all(const struct snapshot *const *v, size_t n, struct census *c);
void census_free(struct census *c);

/* The pool pattern of a thread name, into out (PROC_COMM_MAX + 1 bytes). */
void census_pattern(const char *name, char *out);

#endif
