/* speedscope.c - stub, to be written. */
#include <errno.h>

#include "speedscope.h"

int speedscope_write(FILE *f, const struct stacks *s)
{
	errno = ENOSYS;
	return -1;
}
