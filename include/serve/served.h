/* served.h - which processes `serve` answers for, and which one a
 * request means.
 *
 * The processes given with -p, each held by a pidfd taken at start (so a
 * pid the kernel hands to a new process after one exits is never
 * mistaken for it), and with children, their descendants as they are
 * when a request comes (a worker a supervisor restarts is picked up).
 * Nothing else is ever served: ?pid=N naming another process is refused.
 */
#ifndef PTPROF_SERVED_H
#define PTPROF_SERVED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "serve/reply.h"
#include "target/proctree.h"

struct served {
	const int *pids;          /* as given */
	int *pidfds;              /* one per pid, -1 when none could be had */
	size_t n;
	bool children;
};

/* 0, or an exit status after saying which process cannot be served. */
int served_open(struct served *s, const int *pids, size_t n, bool children);
void served_close(struct served *s);

/* Whether pid (one of those given) is still the process it was. */
bool served_alive(const struct served *s, size_t i);
/* Every process served now: the live given ones, then their
 * descendants (with children). */
void served_list(const struct served *s, struct pidset *out);

/* The process a request means, from its pid parameter (NULL: absent).
 * 0 with *pid set, or -1 with r holding the answer: 400 when there are
 * several and none was named (the body lists them), 400 for a bad
 * number, 404 for a process not served, 410 for one that exited. */
int served_pick(const struct served *s, const char *param, pid_t *pid, struct reply *r);

/* The command name of pid ("?" when unreadable). */
void served_comm(pid_t pid, char *buf, size_t size);

#endif
