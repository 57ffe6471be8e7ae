/* listen.c - see listen.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "serve/listen.h"
#include "util/error.h"
#include "util/numparse.h"

#define BACKLOG 128

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* Split "HOST:PORT" / "[V6]:PORT" into host (empty: any) and port. */
static int split(const char *spec, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':')
			return -1;
		colon = close + 1;
		if ((size_t)(close - spec - 1) >= hsize)
			return -1;
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = 0;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || memchr(spec, ':', (size_t)(colon - spec)) ||
		    (size_t)(colon - spec) >= hsize)
			return -1;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
	}
	if (strlen(colon + 1) >= psize)
		return -1;
	strcpy(port, colon + 1);
	return 0;
}

int listen_open(const char *spec, struct listen_addr *l)
{
	char host[256], port[16];
	uint64_t pnum;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *ai = NULL;
	int one = 1, rc;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (split(spec, host, sizeof(host), port, sizeof(port)) < 0 ||
	    parse_uint(port, 0, 65535, &pnum) < 0)
		return pt_usage_error("serve: --listen takes ADDR:PORT (127.0.0.1:6060, "
				      "[::1]:6060, 0.0.0.0:6060), not '%s'", spec);
	if (host[0] && strcmp(host, "localhost") != 0)
		hints.ai_flags |= AI_NUMERICHOST;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc != 0 || !ai)
		return pt_usage_error("serve: --listen %s: %s (give a numeric address)", spec,
				      gai_strerror(rc));
	l->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (l->fd < 0) {
		pt_perror("serve: socket");
		goto fail;
	}
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		pt_perror("serve: cannot listen on %s%s", spec,
			  errno == EADDRINUSE ? " (another server uses that port: pick another "
						"with --listen)" : "");
		goto fail;
	}
	if (listen(l->fd, BACKLOG) < 0) {
		pt_perror("serve: listen on %s", spec);
		goto fail;
	}
	l->len = sizeof(l->ss);
	if (getsockname(l->fd, (struct sockaddr *)&l->ss, &l->len) < 0) {
		pt_perror("serve: getsockname");
		goto fail;
	}
	l->loopback = is_loopback((struct sockaddr *)&l->ss);
	char num[INET6_ADDRSTRLEN] = "?";
	if (l->ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&l->ss;
		inet_ntop(AF_INET, &in->sin_addr, num, sizeof(num));
		snprintf(l->host, sizeof(l->host), "%s", num);
		l->port = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&l->ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, num, sizeof(num));
		snprintf(l->host, sizeof(l->host), "[%s]", num);
		l->port = ntohs(in6->sin6_port);
	}
	freeaddrinfo(ai);
	return 0;
fail:
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	freeaddrinfo(ai);
	return EXIT_FAILED;
}
