/* capture.c - the stack copy taken from a thread. */
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "target/capture.h"
#include "util/xalloc.h"

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

void capture_stack_iov(const struct maps *maps, uint64_t sp, size_t max_bytes,
		       struct capture *c, struct iovec *local, struct iovec *remote)
{
	size_t len = max_bytes;
	const struct map_entry *m = maps ? maps_find(maps, sp) : NULL;
	if (m && m->end - sp < len)
		len = (size_t)(m->end - sp);
	c->stack_addr = sp;
	c->stack_len = 0;
	if (len && c->stack_cap < len) {
		free(c->stack);
		c->stack = xmalloc(len);
		c->stack_cap = len;
	}
	*local = (struct iovec){ c->stack, len };
	*remote = (struct iovec){ (void *)(uintptr_t)sp, len };
}

void capture_copy_stack(pid_t tid, const struct maps *maps, uint64_t sp, size_t max_bytes,
			struct capture *c)
{
	struct iovec local, remote;
	capture_stack_iov(maps, sp, max_bytes, c, &local, &remote);
	if (local.iov_len == 0)
		return;
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	/* A short or failed copy still leaves the registers: frame 0 at least. */
	c->stack_len = n > 0 ? (size_t)n : 0;
}
