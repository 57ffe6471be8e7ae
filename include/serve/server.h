/* server.h - the HTTP server: libmicrohttpd, its limits, the checks every
 * request passes, and the access log.
 *
 * libmicrohttpd parses HTTP; it runs each connection in a thread of its
 * own (thread per connection), so that a handler may simply sleep until
 * the tracer thread has answered its job: a 30 s profile holds one thread
 * and no poll loop.  Bounded: connections in all and per client address,
 * idle time per connection, memory per connection (so the size of the
 * request line and headers), the number of header lines and the size of
 * a body.  Every request passes the Host check, then the token check
 * (serve/guard.h), before routing (serve/route.h).  With log, one line
 * per request on stderr: client, method, path and query, status, bytes,
 * seconds.
 */
#ifndef PTPROF_SERVER_H
#define PTPROF_SERVER_H

#include <stdbool.h>

#include "serve/guard.h"
#include "serve/listen.h"
#include "serve/route.h"

struct server_opts {
	const struct listen_addr *l;
	const struct guard *g;
	const struct router *rt;
	bool log;
};

struct server;

/* Serving from now on, or NULL after saying why (the socket is then
 * still the caller's). */
struct server *server_start(const struct server_opts *o);
/* Stop accepting, close every connection (all must have been answered:
 * workq_stop first), free. */
void server_stop(struct server *s);

#endif
