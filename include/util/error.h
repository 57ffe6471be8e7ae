/* error.h - the one place ptprof reports problems.
 *
 * Every message goes to stderr as one line starting with "ptprof: ".
 * Messages about a system call name the call and the pid/tid it was
 * applied to, so a user can tell which thread misbehaved.
 */
#ifndef PTPROF_ERROR_H
#define PTPROF_ERROR_H

#include <stdarg.h>
#include <sys/types.h>

/* Exit status, as documented in CLI.md and the man page. */
enum {
	EXIT_DONE = 0,     /* every thread and frame read */
	EXIT_PARTIAL = 1,  /* done, some threads or frames unreadable */
	EXIT_FAILED = 2,   /* could not attach, read or write */
	EXIT_USAGE = 64,   /* bad usage */
};

/* 0 = quiet, 1 = normal, 2 = verbose (-v). */
extern int pt_verbosity;

/* "ptprof: <message>" */
void pt_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ptprof: <message>: <strerror(errno)>" */
void pt_perror(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ptprof: <call>(<id>): <strerror(err)>" for a failed call on a pid/tid. */
void pt_syserr(const char *call, pid_t id, int err);
/* Printed only with -v: why a thread or frame was skipped. */
void pt_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and summaries; suppressed by -q. */
void pt_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a usage problem and return EXIT_USAGE. */
int pt_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
