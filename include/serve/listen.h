/* listen.h - the socket serve listens on, from --listen ADDR:PORT.
 *
 * ADDR is a numeric IPv4 address, an IPv6 one in brackets, "localhost",
 * or empty (every address); PORT may be 0 (any free port: the one bound
 * is read back, for the readiness line and the tests).  Whether the
 * address is a loopback one decides the warning given when no token
 * guards a server others can reach.
 */
#ifndef PTPROF_LISTEN_H
#define PTPROF_LISTEN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

struct listen_addr {
	int fd;
	struct sockaddr_storage ss; /* as bound */
	socklen_t len;
	bool loopback;
	char host[INET6_ADDRSTRLEN + 2]; /* numeric, IPv6 in brackets */
	unsigned port;
};

/* 0 with l->fd listening, else an exit status after saying why. */
int listen_open(const char *spec, struct listen_addr *l);

#endif
