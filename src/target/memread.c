/* memread.c - process_vm_readv, batched, counted, and never a write. */
#include <errno.h>
#include <limits.h>
#include <sys/uio.h>

#include "target/memread.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* Relaxed atomics: a count, read only for reports. */
static uint64_t calls;

static ssize_t readv_counted(pid_t pid, const struct iovec *local, unsigned long nl,
			     const struct iovec *remote, unsigned long nr)
{
	__atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
	return process_vm_readv(pid, local, nl, remote, nr, 0);
}

bool mem_read(pid_t pid, uint64_t addr, void *out, size_t n)
{
	if (n == 0)
		return true;
	if (n > SSIZE_MAX)
		return false;
	struct iovec local = { out, n }, remote = { (void *)(uintptr_t)addr, n };
	return readv_counted(pid, &local, 1, &remote, 1) == (ssize_t)n;
}

bool mem_read_u64(pid_t pid, uint64_t addr, uint64_t *out)
{
	return mem_read(pid, addr, out, sizeof(*out));
}

size_t mem_read_prefix(pid_t pid, uint64_t addr, void *out, size_t n)
{
	if (n == 0 || n > SSIZE_MAX)
		return 0;
	struct iovec local = { out, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t got = readv_counted(pid, &local, 1, &remote, 1);
	return got > 0 ? (size_t)got : 0;
}

/* The kernel copies the remote pieces in order and stops at the first
 * byte it cannot read, returning what it copied (or -1 when that was
 * nothing).  So after a short count the pieces wholly inside it were read,
 * the piece it stopped in is unreadable, and the ones after it were not
 * tried: they go into the next call. */
size_t mem_readv(pid_t pid, struct mem_piece *p, size_t n)
{
	struct iovec local[IOV_MAX], remote[IOV_MAX];
	size_t idx[IOV_MAX];
	size_t good = 0, next = 0;

	for (size_t i = 0; i < n; i++)
		p[i].ok = false;
	while (next < n) {
		size_t k = 0, total = 0;
		while (next < n && k < IOV_MAX) {
			struct mem_piece *q = &p[next];
			if (q->len == 0) {  /* may be met again after a retry */
				good += !q->ok;
				q->ok = true;
				next++;
				continue;
			}
			/* Keep the batch's byte count within what the call returns. */
			if (q->len > SSIZE_MAX - total) {
				if (k > 0)
					break;
				next++;   /* a piece no call can return whole */
				continue;
			}
			local[k] = (struct iovec){ q->out, q->len };
			remote[k] = (struct iovec){ (void *)(uintptr_t)q->addr, q->len };
			idx[k++] = next++;
			total += q->len;
		}
		if (k == 0)
			break;

		ssize_t got = readv_counted(pid, local, k, remote, k);
		if (got < 0 && errno != EFAULT)
			return good;  /* gone, or not allowed: nothing more will read */
		size_t done = got < 0 ? 0 : (size_t)got, j = 0;
		for (; j < k && done >= remote[j].iov_len; j++) {
			done -= remote[j].iov_len;
			p[idx[j]].ok = true;
			good++;
		}
		if (j < k)    /* stopped in piece j: it fails, retry after it */
			next = idx[j] + 1;
	}
	return good;
}

uint64_t mem_read_calls(void)
{
	return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}
