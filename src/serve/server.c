/* server.c - see server.h. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/snapshot.h"
#include "serve/mhd.h"
#include "serve/server.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/xalloc.h"

#define MAX_CONNECTIONS 256
#define MAX_PER_CLIENT 128
#define IDLE_SECONDS 30
#define CONNECTION_MEMORY (32 * 1024)  /* request line and headers fit in it */
#define MAX_HEADERS 64
#define MAX_BODY (64 * 1024)
#define THREAD_STACK (512 * 1024)

struct server {
	struct MHD_Daemon *d;
	struct server_opts o;
};

struct req {
	uint64_t t0;
	char *body;
	size_t len;
	bool too_big;
};

static const char *arg_of(void *ctx, const char *key)
{
	return mhd.lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

/* The Host and token checks, then routing. */
static void answer(struct server *s, struct MHD_Connection *c, const char *url, const char *method,
		   struct req *rq, struct reply *r)
{
	int nh = mhd.get_connection_values(c, MHD_HEADER_KIND, NULL, NULL);
	if (nh > MAX_HEADERS) {
		reply_error(r, 431, "too many header lines (at most %d)", MAX_HEADERS);
		return;
	}
	if (rq->too_big) {
		reply_error(r, 413, "request body larger than %d bytes", MAX_BODY);
		return;
	}
	const char *host = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!guard_host_ok(s->o.g, host)) {
		reply_error(r, 403, "Host \"%s\" is not this server: ask it by its address, its "
			    "name or localhost (a page in a browser may not make it stop threads)",
			    host);
		return;
	}
	char *pass = NULL;
	char *user = mhd.basic_auth_get_username_password(c, &pass);
	const char *authz = mhd.lookup_connection_value(c, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_AUTHORIZATION);
	bool ok = guard_token_ok(s->o.g, authz, pass);
	mhd.free(user);
	mhd.free(pass);
	if (!ok) {
		reply_error(r, 401, "%s: send \"Authorization: Bearer TOKEN\" or the token as the "
			    "password of HTTP Basic (http://user:TOKEN@host/...)",
			    authz ? "wrong token" : "a token is needed");
		r->auth_challenge = true;
		return;
	}
	struct request q = { .method = method, .path = url, .arg = arg_of, .ctx = c,
			     .body = rq->body };
	route(s->o.rt, &q, r);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *r)
{
	struct MHD_Response *resp;
	if (r->len)
		resp = mhd.create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	else
		resp = mhd.create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	if (r->len)
		r->body = NULL;  /* the response frees it */
	mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype ? r->ctype : CT_TEXT);
	mhd.add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (r->go_error)
		mhd.add_response_header(resp, "X-Go-Pprof", "1");
	if (r->filename && r->status == 200) {
		char disp[128];
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", r->filename);
		mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
	}
	if (r->allow)
		mhd.add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->auth_challenge)
		mhd.add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Basic realm=\"ptprof\"");
	enum MHD_Result ret = mhd.queue_response(c, r->status, resp);
	mhd.destroy_response(resp);
	return ret;
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	FILE *f = cls;
	fputc(ftell(f) ? '&' : '?', f);
	fputs_escaped(f, key);
	if (value) {
		fputc('=', f);
		fputs_escaped(f, value);
	}
	return MHD_YES;
}

static void log_line(struct MHD_Connection *c, const char *method, const char *url,
		     const struct reply *r, size_t len, uint64_t t0)
{
	char who[INET6_ADDRSTRLEN] = "?";
	const union MHD_ConnectionInfo *ci =
		mhd.get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, who, sizeof(who));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, who,
				  sizeof(who));
	}
	char *q = NULL;
	size_t qlen = 0;
	FILE *qf = open_memstream(&q, &qlen);
	if (qf) {
		mhd.get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query, qf);
		fclose(qf);
	}
	/* One write, so that lines of concurrent requests do not mix. */
	char *line = NULL;
	size_t llen = 0;
	FILE *lf = open_memstream(&line, &llen);
	if (lf) {
		fprintf(lf, "ptprof: %s \"", who);
		fputs_escaped(lf, method);
		fputc(' ', lf);
		fputs_escaped(lf, url);
		fprintf(lf, "%s\" %u %zu %.3fs\n", q ? q : "", r->status, len,
			(double)(monotonic_ns() - t0) / 1e9);
		fclose(lf);
		fputs(line, stderr);
	}
	free(line);
	free(q);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *rq = *con_cls;

	if (!rq) {
		rq = xcalloc(1, sizeof(*rq));
		rq->t0 = monotonic_ns();
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->len + *upload_size > MAX_BODY) {
			rq->too_big = true;
		} else {
			rq->body = xrealloc(rq->body, rq->len + *upload_size + 1);
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = 0;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	struct reply r = { 0 };
	answer(s, c, url, method, rq, &r);
	size_t len = r.len;
	enum MHD_Result ret = send_reply(c, &r);
	if (s->o.log)
		log_line(c, method, url, &r, len, rq->t0);
	reply_free(&r);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;
	if (!rq)
		return;
	free(rq->body);
	free(rq);
	*con_cls = NULL;
}

/* libmicrohttpd's own complaints (a malformed request...): with -v. */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = 0;
	pt_verbose("serve: %s", buf);
}

struct server *server_start(const struct server_opts *o)
{
	if (!mhd_load())
		return NULL;
	struct server *s = xcalloc(1, sizeof(*s));
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG;
	if (o->l->ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->o = *o;
	s->d = mhd.start_daemon(flags, 0, NULL, NULL, on_request, s,
				MHD_OPTION_EXTERNAL_LOGGER, on_log, s,
				MHD_OPTION_LISTEN_SOCKET, o->l->fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MAX_PER_CLIENT,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_SECONDS,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
				MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_END);
	if (!s->d) {
		pt_error("serve: libmicrohttpd could not start on %s:%u", o->l->host, o->l->port);
		free(s);
		return NULL;
	}
	return s;
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	mhd.stop_daemon(s->d);
	free(s);
}
