/* guard.h - who may ask: the Host check and the token.
 *
 * A GET here stops threads of another process, so a web page a browser
 * shows must not be able to send one: a request whose Host header names
 * anything but the listen address, localhost or an address (or the name)
 * of this machine is refused (DNS rebinding).  With a token (read from a
 * file: a token on the command line shows in /proc/PID/cmdline), a
 * request must carry it as "Authorization: Bearer TOKEN" or as the
 * password of HTTP Basic (what `go tool pprof http://u:TOKEN@host/...`
 * sends).  Tokens are compared in constant time.
 */
#ifndef PTPROF_GUARD_H
#define PTPROF_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "serve/listen.h"

struct guard {
	char *token;              /* NULL: no token asked */
	size_t token_len;
	char **hosts;             /* names a Host header may give, lowercase */
	size_t nhosts;
};

/* 0, or an exit status after saying what is wrong with the token file. */
int guard_init(struct guard *g, const char *token_file, const struct listen_addr *l);
void guard_free(struct guard *g);

/* host: the Host header without change, NULL when absent (HTTP/1.0). */
bool guard_host_ok(const struct guard *g, const char *host);
/* authorization: the header, or NULL; basic_password: the password of
 * Basic credentials as the server decoded them, or NULL. */
bool guard_token_ok(const struct guard *g, const char *authorization, const char *basic_password);

#endif
