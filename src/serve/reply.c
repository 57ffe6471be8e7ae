/* reply.c - see reply.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "serve/reply.h"
#include "util/error.h"
#include "util/xalloc.h"

void reply_error(struct reply *r, unsigned status, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	reply_free(r);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	r->status = status;
	r->ctype = CT_TEXT;
	r->go_error = true;
	r->body = xasprintf("%s\n", msg ? msg : "error");
	r->len = strlen(r->body);
	free(msg);
}

FILE *reply_stream(struct reply *r, const char *ctype, const char *filename)
{
	reply_free(r);
	r->f = open_memstream(&r->body, &r->len);
	if (!r->f) {
		/* As xalloc.h does: memory ran out, nothing sensible is left. */
		pt_perror("open_memstream");
		exit(EXIT_FAILED);
	}
	r->status = 200;
	r->ctype = ctype;
	r->filename = filename;
	return r->f;
}

int reply_stream_end(struct reply *r)
{
	bool bad = ferror(r->f) != 0;
	int err = errno;
	if (fclose(r->f) != 0)
		bad = true;
	r->f = NULL;
	if (!bad)
		return 0;
	reply_error(r, 500, "could not build the answer: %s", strerror(err));
	return -1;
}

void reply_text(struct reply *r, const char *ctype, const char *text, size_t len)
{
	reply_free(r);
	r->status = 200;
	r->ctype = ctype;
	r->body = xmalloc(len + 1);
	memcpy(r->body, text, len);
	r->body[len] = 0;
	r->len = len;
}

void reply_free(struct reply *r)
{
	if (r->f)
		fclose(r->f);
	free(r->body);
	memset(r, 0, sizeof(*r));
}
