/* route.c - see route.h. */
#include <stdlib.h>
#include <string.h>

#include "serve/pages.h"
#include "serve/route.h"
#include "util/numparse.h"

#define PREFIX "/debug/pprof/"
#define DEFAULT_SECONDS 30

/* seconds for a profile: absent means 30 (or the cap, if lower). */
static int seconds_of(const struct router *rt, const struct request *rq, unsigned *out,
		      struct reply *r)
{
	const char *s = rq->arg(rq->ctx, "seconds");
	uint64_t v;
	if (!s) {
		*out = DEFAULT_SECONDS < rt->max_seconds ? DEFAULT_SECONDS : rt->max_seconds;
		return 0;
	}
	if (parse_uint(s, 1, rt->max_seconds, &v) == 0) {
		*out = (unsigned)v;
		return 0;
	}
	if (parse_uint(s, 1, UINT64_MAX, &v) == 0)
		reply_error(r, 400, "profile duration exceeds the server's limit: seconds must be "
			    "at most %u (ptprof serve --max-seconds)", rt->max_seconds);
	else
		reply_error(r, 400, "invalid value for \"seconds\" - must be a positive integer "
			    "(at most %u)", rt->max_seconds);
	return -1;
}

/* debug: 0 (or absent), 1, 2 and above (as 2). */
static int debug_of(const struct request *rq, int *out, struct reply *r)
{
	const char *s = rq->arg(rq->ctx, "debug");
	uint64_t v;
	*out = 0;
	if (!s)
		return 0;
	if (parse_uint(s, 0, UINT32_MAX, &v) < 0) {
		reply_error(r, 400, "invalid value for \"debug\" - must be 0, 1 or 2");
		return -1;
	}
	*out = v > 2 ? 2 : (int)v;
	return 0;
}

static int no_seconds(const struct request *rq, struct reply *r)
{
	if (!rq->arg(rq->ctx, "seconds"))
		return 0;
	reply_error(r, 400, "\"seconds\" parameter is not supported for this profile type "
		    "(ptprof answers with the profile as it is now)");
	return -1;
}

static void submit(const struct router *rt, struct job *j, struct reply *r)
{
	workq_submit_wait(rt->q, j);
	*r = j->reply;
}

static bool named(const char *name, enum goprof_kind *k)
{
	static const struct {
		const char *name;
		enum goprof_kind k;
	} names[] = {
		{ "heap", GOPROF_HEAP }, { "allocs", GOPROF_ALLOCS },
		{ "mutex", GOPROF_MUTEX }, { "block", GOPROF_BLOCK },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0) {
			*k = names[i].k;
			return true;
		}
	return false;
}

void route(const struct router *rt, const struct request *rq, struct reply *r)
{
	const char *path = rq->path;
	const char *name = strncmp(path, PREFIX, strlen(PREFIX)) == 0 ? path + strlen(PREFIX) : NULL;
	bool is_post = strcmp(rq->method, "POST") == 0;
	struct job j = { 0 };
	enum goprof_kind gk;
	pid_t pid;

	if (strcmp(path, "/debug/pprof") == 0)
		name = "";
	bool fg = strcmp(path, "/debug/fgprof") == 0;
	if (!name && !fg) {
		reply_error(r, 404, "404 page not found");
		return;
	}
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0 &&
	    !(is_post && name && strcmp(name, "symbol") == 0)) {
		reply_error(r, 405, "method %s not allowed here", rq->method);
		r->allow = name && strcmp(name, "symbol") == 0 ? "GET, HEAD, POST" : "GET, HEAD";
		return;
	}
	if (fg || strcmp(name, "profile") == 0) {
		if (seconds_of(rt, rq, &j.seconds, r) < 0 ||
		    served_pick(rt->served, rq->arg(rq->ctx, "pid"), &pid, r) < 0)
			return;
		j.kind = JOB_PROFILE;
		j.mode = fg ? MODE_WALL : MODE_CPU;
	} else if (strcmp(name, "goroutine") == 0) {
		if (no_seconds(rq, r) < 0 || debug_of(rq, &j.debug, r) < 0 ||
		    served_pick(rt->served, rq->arg(rq->ctx, "pid"), &pid, r) < 0)
			return;
		j.kind = JOB_GOROUTINE;
	} else if (named(name, &gk)) {
		const char *gc = rq->arg(rq->ctx, "gc");
		uint64_t v;
		if (gc && (parse_uint(gc, 0, UINT64_MAX, &v) < 0 || v > 0)) {
			reply_error(r, 400, "gc=%s is not done here: a garbage collection would run "
				    "code in the process, and ptprof never changes it; ask without gc "
				    "(the profile is as of the last collection, as Go's is)", gc);
			return;
		}
		if (no_seconds(rq, r) < 0 || debug_of(rq, &j.debug, r) < 0 ||
		    served_pick(rt->served, rq->arg(rq->ctx, "pid"), &pid, r) < 0)
			return;
		j.kind = JOB_GOPROF;
		j.gkind = gk;
	} else if (strcmp(name, "") == 0) {
		const char *p = rq->arg(rq->ctx, "pid");
		struct reply ignored = { 0 };
		if (p ? served_pick(rt->served, p, &pid, r) < 0
		      : served_pick(rt->served, NULL, &pid, &ignored) < 0)
			pid = 0;
		reply_free(&ignored);
		if (!p || pid)
			page_index(r, rt->served, pid);
		return;
	} else if (strcmp(name, "cmdline") == 0) {
		if (served_pick(rt->served, rq->arg(rq->ctx, "pid"), &pid, r) == 0)
			page_cmdline(r, pid);
		return;
	} else if (strcmp(name, "symbol") == 0) {
		if (!is_post) {
			/* Go's answer to a GET: symbols can be looked up. */
			reply_text(r, CT_TEXT, "num_symbols: 1\n", 15);
			return;
		}
		if (served_pick(rt->served, rq->arg(rq->ctx, "pid"), &pid, r) < 0)
			return;
		j.kind = JOB_SYMBOL;
		j.addrs = (char *)(rq->body ? rq->body : "");
	} else {
		reply_error(r, 404, "Unknown profile");
		return;
	}
	j.pid = pid;
	submit(rt, &j, r);
}
