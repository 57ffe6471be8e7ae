/* guard.c - see guard.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "serve/guard.h"
#include "util/error.h"
#include "util/xalloc.h"

#define TOKEN_MAX 4096

static void add_host(struct guard *g, const char *h)
{
	char *c = xstrdup(h);
	for (char *p = c; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	g->hosts = xreallocarray(g->hosts, g->nhosts + 1, sizeof(*g->hosts));
	g->hosts[g->nhosts++] = c;
}

static int read_token(struct guard *g, const char *path)
{
	char buf[TOKEN_MAX + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pt_perror("serve: --token-file %s", path);
		return EXIT_FAILED;
	}
	ssize_t n = read(fd, buf, sizeof(buf));
	int err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		pt_perror("serve: read %s", path);
		return EXIT_FAILED;
	}
	if (n > TOKEN_MAX) {
		pt_error("serve: --token-file %s: longer than %d bytes; a token is one line",
			 path, TOKEN_MAX);
		return EXIT_FAILED;
	}
	/* The token is the file's first line, without trailing blanks. */
	size_t len = 0;
	while (len < (size_t)n && buf[len] != '\n' && buf[len] != '\r')
		len++;
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (!len || memchr(buf, 0, len)) {
		pt_error("serve: --token-file %s: %s", path,
			 len ? "holds a NUL byte" : "empty: put the token on its first line");
		return EXIT_FAILED;
	}
	g->token = xstrndup(buf, len);
	g->token_len = len;
	return 0;
}

int guard_init(struct guard *g, const char *token_file, const struct listen_addr *l)
{
	struct ifaddrs *ifs = NULL;
	char name[256];

	memset(g, 0, sizeof(*g));
	if (token_file) {
		int ret = read_token(g, token_file);
		if (ret)
			return ret;
	}
	add_host(g, l->host);
	add_host(g, "localhost");
	add_host(g, "127.0.0.1");
	add_host(g, "[::1]");
	if (gethostname(name, sizeof(name)) == 0) {
		name[sizeof(name) - 1] = 0;
		add_host(g, name);
	}
	if (getifaddrs(&ifs) == 0) {
		for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
			char num[INET6_ADDRSTRLEN], br[INET6_ADDRSTRLEN + 2];
			if (!i->ifa_addr)
				continue;
			if (i->ifa_addr->sa_family == AF_INET &&
			    inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, num,
				      sizeof(num))) {
				add_host(g, num);
			} else if (i->ifa_addr->sa_family == AF_INET6 &&
				   inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
					     num, sizeof(num))) {
				snprintf(br, sizeof(br), "[%s]", num);
				add_host(g, br);
			}
		}
		freeifaddrs(ifs);
	}
	return 0;
}

void guard_free(struct guard *g)
{
	for (size_t i = 0; i < g->nhosts; i++)
		free(g->hosts[i]);
	free(g->hosts);
	free(g->token);
	memset(g, 0, sizeof(*g));
}

bool guard_host_ok(const struct guard *g, const char *host)
{
	if (!host)
		return true;
	/* The name without its port: "[v6]" keeps its brackets. */
	size_t len;
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		if (!close)
			return false;
		len = (size_t)(close - host) + 1;
	} else {
		len = strcspn(host, ":");
	}
	/* Then nothing, or ":" and a port number. */
	const char *port = host + len;
	if (*port && (*port != ':' || strspn(port + 1, "0123456789") != strlen(port + 1)))
		return false;
	for (size_t i = 0; i < g->nhosts; i++)
		if (strlen(g->hosts[i]) == len && strncasecmp(g->hosts[i], host, len) == 0)
			return true;
	return false;
}

/* Equal, in a time that does not depend on where they differ. */
static bool same(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char d = alen != blen;
	for (size_t i = 0; i < blen; i++)
		d |= (unsigned char)(a[i % (alen ? alen : 1)] ^ b[i]);
	return alen && d == 0;
}

bool guard_token_ok(const struct guard *g, const char *authorization, const char *basic_password)
{
	if (!g->token)
		return true;
	if (basic_password && same(basic_password, strlen(basic_password), g->token, g->token_len))
		return true;
	if (authorization && strncasecmp(authorization, "Bearer ", 7) == 0) {
		const char *t = authorization + 7;
		while (*t == ' ')
			t++;
		return same(t, strlen(t), g->token, g->token_len);
	}
	return false;
}
