/* pprof_read.h - any pprof profile read back into named stacks.
 *
 * Reads what ptprof, Go's runtime/pprof, perf_to_profile and other
 * producers write: gzipped or not.  The input is untrusted: sizes are
 * bounded, every index and id is checked, and a bad file is an error
 * message, never a crash or a hang.
 */
#ifndef PTPROF_PPROF_READ_H
#define PTPROF_PPROF_READ_H

#include <stddef.h>

#include "profile/stacks.h"

/* Largest profile accepted, before and after gunzip. */
#define PPROF_READ_MAX (512u << 20)

/* 0 and *out filled (values of the last sample type, as go tool pprof
 * shows by default), or -1 with a one-line reason in err ("not a pprof
 * profile: ...", "truncated gzip data", ...). */
int pprof_read(const unsigned char *buf, size_t len, struct stacks *out, char *err,
	       size_t errlen);

#endif
