/* xalloc.c - allocation that exits on failure instead of returning NULL. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"

static void *check(void *p)
{
	if (!p) {
		pt_error("out of memory");
		exit(EXIT_FAILED);
	}
	return p;
}

void *xmalloc(size_t n)
{
	return check(malloc(n ? n : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

#define HUGE_PAGE ((size_t)2 << 20)

void *xcopybuf(size_t n)
{
	void *p = NULL;
	size_t len = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	if (!len || posix_memalign(&p, HUGE_PAGE, len) != 0)
		p = NULL;
	check(p);
	madvise(p, len, MADV_HUGEPAGE);   /* advice only: may be refused */
	for (size_t o = 0; o < len; o += HUGE_PAGE)
		((volatile unsigned char *)p)[o] = 0;
	return p;
}

/* How far the heap grows at a time, and the largest block it serves. */
#define HEAP_STEP ((size_t)32 << 20)

void xalloc_burst(void)
{
	/* Big blocks (inflated debug sections, stack copies) from the heap
	 * too, grown in large steps and never given back: one region the
	 * kernel may back with huge pages. */
	mallopt(M_MMAP_THRESHOLD, (int)HEAP_STEP);
	/* One arena: a second thread's blocks come from the same heap. */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_TOP_PAD, (int)HEAP_STEP);
	mallopt(M_TRIM_THRESHOLD, (int)(4 * HEAP_STEP));
	/* Grow the heap now by one step, and ask for huge pages over it:
	 * what is freed stays in the heap, for the blocks that follow. */
	void *p = malloc(HEAP_STEP / 2);
	uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	uintptr_t hi = (uintptr_t)sbrk(0) & ~(uintptr_t)(HUGE_PAGE - 1);
	/* On some VMs a fault per 4 KiB page costs more than the work done
	 * on it: a dump of 1000 threads touched 4000 pages. */
	if (p && hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);   /* advice only */
	free(p);
}

void *xrealloc(void *p, size_t n)
{
	return check(realloc(p, n ? n : 1));
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size) {
		pt_error("out of memory (array of %zu x %zu bytes)", nmemb, size);
		exit(EXIT_FAILED);
	}
	return xrealloc(p, nmemb * size);
}

char *xstrdup(const char *s)
{
	return check(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}

char *xasprintf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		check(NULL);
	return s;
}
