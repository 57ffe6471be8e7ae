/* jsonw.h - the little JSON the writers need: strings escaped properly. */
#ifndef PTPROF_JSONW_H
#define PTPROF_JSONW_H

#include <stdio.h>

/* A JSON string literal for s (NULL writes null).  Control characters
 * and invalid UTF-8 bytes are escaped so the output always parses. */
void json_string(FILE *f, const char *s);

#endif
