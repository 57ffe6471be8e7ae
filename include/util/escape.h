/* escape.h - names from the target, made safe for one line of text.
 *
 * Thread names are chosen by the program and may hold newlines or other
 * control characters; printed raw they would break a line-oriented
 * output.  Control characters are written as \n, \t, \r or \xNN. */
#ifndef PTPROF_ESCAPE_H
#define PTPROF_ESCAPE_H

#include <stdio.h>

void fputs_escaped(FILE *f, const char *s);

/* Length of the valid UTF-8 sequence at p, or 0: no overlong forms, no
 * surrogates, nothing above U+10FFFF (RFC 3629).  Reads no further than
 * a NUL at p[1..3]. */
int utf8_seq_len(const unsigned char *p);

/* bits (n bytes) as lower-case hex into out, which holds 2n + 1 bytes:
 * how build ids are named. */
void hex_encode(char *out, const unsigned char *bits, size_t n);

#endif
