/* demangle.c - names through the C++ runtime's demangler, and Rust v0
 * names through libiberty's (GCC's), which reads them since GCC 11. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "stack/demangle.h"
#include "util/xalloc.h"

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

/* Rust legacy names escape what C++ identifiers cannot hold: "$LT$" is
 * '<', "$u7b$" is '{', ".." is "::".  Decode in place (it only shrinks). */
static void rust_unescape(char *s)
{
	static const struct { const char *code; char c; } esc[] = {
		{ "$SP$", '@' }, { "$BP$", '*' }, { "$RF$", '&' }, { "$LT$", '<' },
		{ "$GT$", '>' }, { "$LP$", '(' }, { "$RP$", ')' }, { "$C$", ',' },
	};
	char *out = s;
	for (const char *p = s; *p;) {
		size_t k;
		/* A component that starts with an escape got a '_' in front. */
		if (p[0] == '_' && p[1] == '$' && (p == s || (p - s >= 2 && p[-1] == ':' && p[-2] == ':'))) {
			p++;
			continue;
		}
		for (k = 0; k < sizeof(esc) / sizeof(esc[0]); k++)
			if (strncmp(p, esc[k].code, strlen(esc[k].code)) == 0)
				break;
		if (k < sizeof(esc) / sizeof(esc[0])) {
			*out++ = esc[k].c;
			p += strlen(esc[k].code);
		} else if (p[0] == '$' && p[1] == 'u' && isxdigit((unsigned char)p[2]) &&
			   isxdigit((unsigned char)p[3]) && p[4] == '$') {
			*out++ = (char)strtol((char[3]){ p[2], p[3], 0 }, NULL, 16);
			p += 5;
		} else if (p[0] == '.' && p[1] == '.') {
			*out++ = ':';
			*out++ = ':';
			p += 2;
		} else {
			*out++ = *p++;
		}
	}
	*out = '\0';
}

char *demangle(const char *name)
{
	int status = -1;
	char *out;
	/* Rust v0 ("_R"): the crate disambiguators (hashes) left out, as in
	 * Rust's own backtraces; a malformed name is kept as it is. */
	if (strncmp(name, "_R", 2) == 0) {
		out = rust_demangle(name, 0);
		if (!out)
			return xstrdup(name);
		char *copy = xstrdup(out);
		free(out);
		return copy;
	}
	if (strncmp(name, "_Z", 2) != 0)
		return xstrdup(name);
	out = __cxa_demangle(name, NULL, NULL, &status);
	if (status != 0 || !out) {
		free(out);
		return xstrdup(name);
	}
	if (strncmp(name, "_ZN", 3) == 0 && strstr(name, "17h") != NULL) {
		strip_rust_hash(out);
		rust_unescape(out);
	}
	return out;
}
