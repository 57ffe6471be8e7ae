/* test_serve_guard.c - serve's Host and token checks, and the routing of
 * requests that never reach the tracer thread (refusals, index, cmdline). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve/guard.h"
#include "serve/route.h"
#include "serve/served.h"
#include "util/xalloc.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void init_guard(struct guard *g, const char *token)
{
	struct listen_addr l = { .fd = -1 };
	strcpy(l.host, "127.0.0.1");
	l.port = 6060;
	assert_int_equal(guard_init(g, NULL, &l), 0);
	if (token) {
		g->token = xstrdup(token);
		g->token_len = strlen(token);
	}
}

static void test_host(void **state)
{
	static const char *const ok[] = {
		"127.0.0.1:6060", "127.0.0.1", "localhost:6060", "LocalHost:1", "[::1]:6060",
	};
	static const char *const bad[] = {
		"evil.example:6060", "127.0.0.1.evil.example", "localhostx:6060", "[::1", "",
		"[::1]x", "evil.example", "localhost:80x", "localhost:6060:1",
	};
	struct guard g;
	init_guard(&g, NULL);
	assert_true(guard_host_ok(&g, NULL));
	for (size_t i = 0; i < N_ELEMS(ok); i++)
		if (!guard_host_ok(&g, ok[i]))
			fail_msg("refused Host \"%s\"", ok[i]);
	for (size_t i = 0; i < N_ELEMS(bad); i++)
		if (guard_host_ok(&g, bad[i]))
			fail_msg("accepted Host \"%s\"", bad[i]);
	guard_free(&g);
}

static void test_token(void **state)
{
	struct guard g;
	init_guard(&g, NULL);
	assert_true(guard_token_ok(&g, NULL, NULL));  /* no token asked */
	guard_free(&g);

	init_guard(&g, "s3cret");
	assert_true(guard_token_ok(&g, "Bearer s3cret", NULL));
	assert_true(guard_token_ok(&g, "bearer s3cret", NULL));
	assert_true(guard_token_ok(&g, NULL, "s3cret"));
	assert_false(guard_token_ok(&g, NULL, NULL));
	assert_false(guard_token_ok(&g, "Bearer s3cre", NULL));
	assert_false(guard_token_ok(&g, "Bearer s3crett", NULL));
	assert_false(guard_token_ok(&g, "Bearer ", NULL));
	assert_false(guard_token_ok(&g, "Basic czNjcmV0", NULL));
	assert_false(guard_token_ok(&g, "s3cret", NULL));
	assert_false(guard_token_ok(&g, NULL, ""));
	assert_false(guard_token_ok(&g, NULL, "S3CRET"));
	guard_free(&g);
}

/* Query parameters as "k=v" strings. */
struct args {
	const char *const *kv;
};

static const char *arg_of(void *ctx, const char *key)
{
	const struct args *a = ctx;
	size_t n = strlen(key);
	for (const char *const *p = a->kv; *p; p++)
		if (strncmp(*p, key, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

struct route_case {
	const char *method, *path;
	const char *kv[4];
	unsigned status;
	const char *body;         /* a substring of the answer */
};

static void test_route(void **state)
{
	static const struct route_case cases[] = {
		{ "GET", "/", { NULL }, 404, "404 page not found" },
		{ "GET", "/debug/pprof/nosuch", { NULL }, 404, "Unknown profile" },
		{ "GET", "/debug/pprof/../cmdline", { NULL }, 404, "Unknown profile" },
		{ "POST", "/debug/pprof/profile", { NULL }, 405, "not allowed" },
		{ "DELETE", "/debug/pprof/", { NULL }, 405, "not allowed" },
		{ "GET", "/debug/pprof/profile", { "seconds=abc", NULL }, 400, "invalid value for \"seconds\"" },
		{ "GET", "/debug/pprof/profile", { "seconds=0", NULL }, 400, "invalid value" },
		{ "GET", "/debug/pprof/profile", { "seconds=-1", NULL }, 400, "invalid value" },
		{ "GET", "/debug/pprof/profile", { "seconds=11", NULL }, 400, "at most 10" },
		{ "GET", "/debug/fgprof", { "seconds=99999999999999999999", NULL }, 400, "invalid value" },
		{ "GET", "/debug/pprof/goroutine", { "debug=x", NULL }, 400, "\"debug\"" },
		{ "GET", "/debug/pprof/goroutine", { "seconds=1", NULL }, 400, "not supported" },
		{ "GET", "/debug/pprof/heap", { "gc=1", NULL }, 400, "never changes it" },
		{ "GET", "/debug/pprof/heap", { "gc=x", NULL }, 400, "never changes it" },
		{ "GET", "/debug/pprof/goroutine", { "pid=1", NULL }, 404, "process 1 is not served" },
		{ "GET", "/debug/pprof/goroutine", { "pid=x1", NULL }, 400, "\"pid\"" },
		{ "GET", "/debug/pprof/symbol", { NULL }, 200, "num_symbols: 1" },
		{ "GET", "/debug/pprof/", { NULL }, 200, "<title>/debug/pprof/</title>" },
		{ "GET", "/debug/pprof", { NULL }, 200, "profile?seconds=30" },
		{ "GET", "/debug/pprof/cmdline", { NULL }, 200, "test_serve_guard" },
	};
	int self = (int)getpid();
	struct served sv;
	assert_int_equal(served_open(&sv, &self, 1, false), 0);
	struct router rt = { .served = &sv, .q = NULL, .max_seconds = 10 };
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		const struct route_case *c = &cases[i];
		struct args a = { c->kv };
		struct request rq = { .method = c->method, .path = c->path, .arg = arg_of, .ctx = &a };
		struct reply r = { 0 };
		route(&rt, &rq, &r);
		if (r.status != c->status || !r.body || !strstr(r.body, c->body))
			fail_msg("%s %s: %u \"%s\", expected %u with \"%s\"", c->method, c->path, r.status,
				 r.body ? r.body : "", c->status, c->body);
		/* Errors carry Go's header, successes do not. */
		assert_int_equal(r.go_error, c->status != 200);
		reply_free(&r);
	}
	served_close(&sv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_route),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
