/* xalloc.h - allocation that cannot fail silently.
 *
 * On exhaustion these print one line and exit with EXIT_FAILED; callers
 * never test for NULL.  Tracees are detached by the kernel when we exit.
 */
#ifndef PTPROF_XALLOC_H
#define PTPROF_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Overflow-checked realloc of an array. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
/* A buffer for the kernel to copy into (process_vm_readv): 2 MiB aligned,
 * advised to be backed by huge pages and touched once per 2 MiB, so that
 * the copy does not take a page fault per 4 KiB page (which costs more
 * than the copy: 16 MiB in 57 ms against 23 ms, measured).  free() it. */
void *xcopybuf(size_t n);
/* Set malloc up for a short run that allocates tens of MB of fresh heap
 * at once (a dump): the heap grown in one step over huge pages.  Not for
 * long runs, whose resident size it would raise. */
void xalloc_burst(void);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *arr (of *cap elements of size sz) so that index `need` fits. */
#define XGROW(arr, cap, need)                                             \
	do {                                                              \
		if ((size_t)(need) >= (cap)) {                            \
			size_t nc_ = (cap) ? (cap) * 2 : 16;              \
			while (nc_ <= (size_t)(need))                     \
				nc_ *= 2;                                 \
			(arr) = xreallocarray((arr), nc_, sizeof(*(arr))); \
			(cap) = nc_;                                      \
		}                                                         \
	} while (0)

#endif
