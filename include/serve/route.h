/* route.h - a request's path and parameters to its answer, with the
 * semantics of Go's net/http/pprof.
 *
 * Paths: /debug/pprof/ (index), profile, goroutine, heap, allocs, mutex,
 * block, cmdline, symbol, and /debug/fgprof.  Parameters are checked
 * before anything touches a process: seconds from 1 to max_seconds
 * (default 30), debug a number, pid one of the processes served, gc=1
 * refused.  What needs the process goes to the tracer thread through the
 * work queue, and the caller's thread waits for the answer there.  Knows
 * nothing of HTTP framing: the server hands it the decoded path, a way to
 * read parameters, and the body.
 */
#ifndef PTPROF_ROUTE_H
#define PTPROF_ROUTE_H

#include <stddef.h>

#include "serve/reply.h"
#include "serve/served.h"
#include "serve/workq.h"

struct request {
	const char *method;
	const char *path;         /* decoded, without the query */
	/* The value of query parameter key, NULL when absent. */
	const char *(*arg)(void *ctx, const char *key);
	void *ctx;
	const char *body;         /* POST body (NUL-terminated), or NULL */
};

struct router {
	const struct served *served;
	struct workq *q;
	unsigned max_seconds;
};

void route(const struct router *rt, const struct request *rq, struct reply *r);

#endif
