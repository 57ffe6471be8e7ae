/* demangle.c - names through the C++ runtime's demangler. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "xalloc.h"

/* From the C++ runtime (libstdc++), which ptprof links. */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* Rust legacy symbols end in "::h" and 16 hex digits: noise to a reader. */
static void strip_rust_hash(char *s)
{
	size_t n = strlen(s);
	if (n < 19 || memcmp(s + n - 19, "::h", 3) != 0)
		return;
	for (size_t i = n - 16; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return;
	s[n - 19] = '\0';
}

char *demangle(const char *name)
{
	int status = -1;
	char *out;
	if (strncmp(name, "_Z", 2) != 0)
		return xstrdup(name);
	out = __cxa_demangle(name, NULL, NULL, &status);
	if (status != 0 || !out) {
		free(out);
		return xstrdup(name);
	}
	if (strncmp(name, "_ZN", 3) == 0 && strstr(name, "17h") != NULL)
		strip_rust_hash(out);
	return out;
}
