/* capture.c - the stack copy taken from a stopped thread. */
#include <stdlib.h>
#include <string.h>

#include "target/capture.h"

void capture_free(struct capture *c)
{
	free(c->stack);
	memset(c, 0, sizeof(*c));
}

bool stackmem_read(const struct capture *c, uint64_t addr, void *out, size_t n)
{
	uint64_t off;

	/* Each test is arranged so that no sum can wrap: addr + n is never
	 * computed. */
	if (addr < c->stack_addr)
		return false;
	off = addr - c->stack_addr;
	if (off > c->stack_len)
		return false;
	if (n > c->stack_len - off)
		return false;
	if (n == 0)
		return true;   /* memcpy with a NULL stack would be undefined */
	memcpy(out, c->stack + off, n);
	return true;
}
