/* shortlib: a dynamically linked command that lives about half a second,
 * most of it inside libc (qsort, calling strcmp through a comparator), for
 * `record -- COMMAND`: its libraries are mapped after the exec, by the
 * dynamic loader, so a profiler that knows only the modules of the moment
 * of the exec cannot name (or unwind through) them.  Prints nothing, exits
 * 0; not a "ready" target (it is launched by ptprof itself). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORDS 20000

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

__attribute__((noinline)) static void sort_words(char **w, size_t n)
{
	qsort(w, n, sizeof(*w), cmp);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	static char buf[WORDS][16];
	static char *w[WORDS];
	unsigned x = 12345;
	for (size_t i = 0; i < WORDS; i++) {
		x = x * 1103515245u + 12345u;
		snprintf(buf[i], sizeof(buf[i]), "w%08x", x);
		w[i] = buf[i];
	}
	double end = now() + 0.5;
	while (now() < end) {
		for (size_t i = WORDS - 1; i > 0; i--) {   /* shuffle, then sort */
			x = x * 1103515245u + 12345u;
			size_t j = x % (i + 1);
			char *t = w[i];
			w[i] = w[j];
			w[j] = t;
		}
		sort_words(w, WORDS);
	}
	return 0;
}
