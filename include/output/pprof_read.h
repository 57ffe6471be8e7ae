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

/* 0 and *out filled with the values of the sample type go tool pprof
 * shows by default (the profile's default_sample_type when it names one
 * of its types, else the last), or -1 with a one-line reason in err ("not
 * a pprof profile: ...", "truncated gzip data", ...). */
int pprof_read(const unsigned char *buf, size_t len, struct stacks *out, char *err,
	       size_t errlen);

/* pprof_read with the sample type chosen by sample_index: a type's name
 * ("inuse_space", "alloc_objects", "delay"; "inuse_X" also finds a type
 * named "X"), or its 0-based number ("0"); NULL or "" for the default.
 * A name or number the profile does not have is an error whose message
 * lists the profile's types.  *type, when type is not NULL, gets the name
 * of the type chosen (owned by *out). */
int pprof_read_sample(const unsigned char *buf, size_t len, const char *sample_index,
		      struct stacks *out, const char **type, char *err, size_t errlen);

#endif
