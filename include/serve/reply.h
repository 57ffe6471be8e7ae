/* reply.h - what one HTTP request is answered: status, content type,
 * attachment name and body, built before anything is sent.
 *
 * Errors are shaped as Go's net/http/pprof sends them (text/plain, the
 * X-Go-Pprof header that makes `go tool pprof` show the body, the message
 * plus a newline), so that existing clients print the cause.  Bodies are
 * plain memory: a writer that takes a FILE * writes into reply_stream()
 * and reply_stream_end() keeps what it wrote.
 */
#ifndef PTPROF_REPLY_H
#define PTPROF_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct reply {
	unsigned status;          /* 0: not answered yet */
	const char *ctype;        /* a static string */
	const char *filename;     /* Content-Disposition attachment name, or NULL */
	bool go_error;            /* send X-Go-Pprof: 1 */
	const char *allow;        /* 405: the Allow header, else NULL */
	bool auth_challenge;      /* 401: ask for Basic credentials */
	char *body;               /* malloc'ed (or NULL when len is 0) */
	size_t len;
	/* private: the stream being written */
	FILE *f;
};

#define CT_BINARY "application/octet-stream"
#define CT_TEXT "text/plain; charset=utf-8"
#define CT_HTML "text/html; charset=utf-8"

/* An error: status, and the message (one line, no newline) as body. */
void reply_error(struct reply *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A success whose body is written to the stream returned (never NULL). */
FILE *reply_stream(struct reply *r, const char *ctype, const char *filename);
/* Close the stream: 0, or -1 (r then holds a 500) when writing failed. */
int reply_stream_end(struct reply *r);
/* A success with a copy of text as body. */
void reply_text(struct reply *r, const char *ctype, const char *text, size_t len);
void reply_free(struct reply *r);

#endif
