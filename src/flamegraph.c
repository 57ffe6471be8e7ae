/* flamegraph.c - stub, to be written. */
#include <errno.h>

#include "flamegraph.h"

int flamegraph_write(FILE *f, const struct stacks *s, const struct flamegraph_opts *o)
{
	errno = ENOSYS;
	return -1;
}
