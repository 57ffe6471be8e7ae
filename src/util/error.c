/* error.c - one-line messages on stderr. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

int pt_verbosity = 1;

static void vsay(const char *fmt, va_list ap, int err)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "ptprof: ");
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if (err)
		fprintf(stderr, "%s: %s\n", buf, strerror(err));
	else
		fprintf(stderr, "%s\n", buf);
}

void pt_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap, 0);
	va_end(ap);
}

void pt_perror(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap, err);
	va_end(ap);
}

void pt_syserr(const char *call, pid_t id, int err)
{
	fprintf(stderr, "ptprof: %s(%d): %s\n", call, (int)id, strerror(err));
}

void pt_verbose(const char *fmt, ...)
{
	va_list ap;
	if (pt_verbosity < 2)
		return;
	va_start(ap, fmt);
	vsay(fmt, ap, 0);
	va_end(ap);
}

void pt_info(const char *fmt, ...)
{
	va_list ap;
	if (pt_verbosity < 1)
		return;
	va_start(ap, fmt);
	vsay(fmt, ap, 0);
	va_end(ap);
}

int pt_usage_error(const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One line: the problem and where the answer is. */
	fprintf(stderr, "ptprof: %s (see 'ptprof --help')\n", buf);
	return EXIT_USAGE;
}
