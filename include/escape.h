/* escape.h - names from the target, made safe for one line of text.
 *
 * Thread names are chosen by the program and may hold newlines or other
 * control characters; printed raw they would break a line-oriented
 * output.  Control characters are written as \n, \t, \r or \xNN. */
#ifndef PTPROF_ESCAPE_H
#define PTPROF_ESCAPE_H

#include <stdio.h>

void fputs_escaped(FILE *f, const char *s);

#endif
