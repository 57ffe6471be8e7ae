/* numparse.h - the one strict number parser.
 *
 * Every numeric command-line value goes through here.  Parsers reject
 * empty strings, signs, whitespace, trailing junk and out-of-range values,
 * returning -1 and leaving *out untouched.
 */
#ifndef PTPROF_NUMPARSE_H
#define PTPROF_NUMPARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* Decimal unsigned integer in [min, max]. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Byte count with optional K, M or G suffix (powers of 1024, case
 * insensitive, optional trailing 'B' or 'iB'), in [min, max]. */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Duration: a number with optional unit ns, us, ms, s, m, h (bare number
 * means seconds); fractions allowed ("1.5s").  Result in nanoseconds,
 * must be > 0 and fit in 64 bits. */
int parse_duration_ns(const char *s, uint64_t *out);

/* Comma-separated list of thread ids ("12,13,40").  On success *out is
 * a malloc'ed array of *n pids (duplicates removed, order kept). */
int parse_tid_list(const char *s, int **out, size_t *n);

/* Whether tid is in a list from parse_tid_list; a NULL list holds all. */
bool tid_in_list(const int *tids, size_t n, int tid);

#endif
