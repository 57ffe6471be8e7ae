/* debuginfod.c - debug files from debuginfod servers, within a budget.
 *
 * libdw 0.188 asks the servers from dwfl_standard_find_debuginfo through
 * a client it makes with the library it dlopens (libdebuginfod.so.1) the
 * first time dwfl_get_debuginfod_client is called; the client reads
 * DEBUGINFOD_URLS, DEBUGINFOD_MAXTIME and the others from the
 * environment at each query.  With DEBUGINFOD_URLS out of the environment
 * libdw never asks; here it is put back around one query at a time.
 *
 * The budget: a query is given DEBUGINFOD_MAXTIME of what is left less
 * two seconds (the client checks it in whole seconds, once per second of
 * waiting), and a progress function that cuts it off when its next call,
 * as far off as the last one was, would come after what is left is spent
 * (the client calls it about once a second while the server is silent,
 * more often while data comes).  A query cut off that way leaves an empty
 * "not found" file in the client's cache, which would keep the next runs
 * from asking for ten minutes: it is removed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <elfutils/debuginfod.h>

#include "stack/debuginfod.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/xalloc.h"

/* Build ids listed by name in the closing line; the rest are counted. */
#define LIST_MAX 4

struct idlist {
	char **v;
	size_t n, cap;
};

static struct {
	pthread_mutex_t lock;
	char *urls;               /* DEBUGINFOD_URLS as found at start-up */
	bool enabled;
	uint64_t budget_ns, spent_ns;
	struct idlist failed;     /* asked for, not fetched */
	struct idlist unnamed;    /* frames left unnamed, debug info missing */
	size_t over_budget;       /* fetches not made: budget spent */
	bool tried;               /* a fetch was wanted */
	/* The query under way. */
	uint64_t deadline;        /* monotonic ns */
	uint64_t started;
	uint64_t last_call;       /* of on_progress, or started */
	const char *asking;       /* its build id */
	bool cut_off;
	bool show;                /* progress line on the terminal */
	bool shown;
	/* libdebuginfod, once loaded. */
	bool load_tried;
	__typeof__(debuginfod_find_debuginfo) *find;
	__typeof__(debuginfod_set_progressfn) *set_progressfn;
} g = { .lock = PTHREAD_MUTEX_INITIALIZER, .budget_ns = DEBUGINFOD_DEFAULT_BUDGET_NS };

static _Thread_local bool window;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool listed(const struct idlist *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], id) == 0)
			return true;
	return false;
}

static void list_add(struct idlist *l, const char *id)
{
	if (listed(l, id))
		return;
	XGROW(l->v, l->cap, l->n);
	l->v[l->n++] = xstrdup(id);
}

static void list_free(struct idlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void debuginfod_take_env(void)
{
	const char *u = getenv(DEBUGINFOD_URLS_ENV_VAR);
	const char *on = getenv("PTPROF_DEBUGINFOD");
	if (u && *u)
		g.urls = xstrdup(u);
	unsetenv(DEBUGINFOD_URLS_ENV_VAR);
	if (on && strcmp(on, "1") == 0)
		g.enabled = true;
}

void debuginfod_enable(bool on)
{
	g.enabled = on;
}

void debuginfod_set_budget(uint64_t ns)
{
	g.budget_ns = ns ? ns : DEBUGINFOD_DEFAULT_BUDGET_NS;
}

bool debuginfod_enabled(void)
{
	return g.enabled;
}

bool debuginfod_window(bool open)
{
	bool was = window;
	window = open;
	return was;
}

bool debuginfod_window_open(void)
{
	return window;
}

/* The client library, loaded by name as libdw loads it. */
static bool load(void)
{
	if (!g.load_tried) {
		g.load_tried = true;
		void *so = dlopen(DEBUGINFOD_SONAME, RTLD_LAZY);
		if (so) {
			g.find = (__typeof__(g.find))dlsym(so, "debuginfod_find_debuginfo");
			g.set_progressfn =
				(__typeof__(g.set_progressfn))dlsym(so, "debuginfod_set_progressfn");
		}
		if (!g.find || !g.set_progressfn) {
			g.find = NULL;
			pt_error("--debuginfod: cannot load %s (install libdebuginfod1)",
				 DEBUGINFOD_SONAME);
		}
	}
	return g.find != NULL;
}

static void clear_progress(void)
{
	if (g.shown)
		fputs("\r\033[K", stderr);
	g.shown = false;
}

/* Called by the client about once a second while it waits, and as data
 * comes: a non-zero return ends the query. */
static int on_progress(debuginfod_client *c, long got, long total)
{
	uint64_t now = now_ns();
	/* The next call may be as far off as the last was (a second, when
	 * the server is silent): stop now if that would be past the end. */
	uint64_t gap = now - g.last_call;
	g.last_call = now;
	if (now + gap >= g.deadline) {
		g.cut_off = true;
		return 1;
	}
	if (g.show) {
		if (total > 0)
			fprintf(stderr, "\rptprof: debuginfod: %.12s...: %ld of %ld KiB   ",
				g.asking, got / 1024, total / 1024);
		else
			fprintf(stderr, "\rptprof: debuginfod: asking for %.12s... (%.1f s)   ",
				g.asking, (double)(now - g.started) / 1e9);
		g.shown = true;
	}
	return 0;
}

/* The client's cache directory, by the rules of its documentation. */
static char *cache_dir(void)
{
	const char *p = getenv(DEBUGINFOD_CACHE_PATH_ENV_VAR);
	const char *home = getenv("HOME");
	const char *xdg = getenv("XDG_CACHE_HOME");
	struct stat st;
	if (p && *p)
		return xstrdup(p);
	if (!home || !*home)
		home = "/";
	char *legacy = xasprintf("%s/.debuginfod_client_cache", home);
	if (stat(legacy, &st) == 0)
		return legacy;
	free(legacy);
	if (xdg && *xdg)
		return xasprintf("%s/debuginfod_client", xdg);
	return xasprintf("%s/.cache/debuginfod_client", home);
}

/* A query we cut off is cached as "not found": forget that. */
static void forget_miss(const char *id, time_t since)
{
	char *dir = cache_dir();
	char *f = xasprintf("%s/%s/debuginfo", dir, id);
	struct stat st;
	if (stat(f, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && st.st_mtime >= since)
		unlink(f);
	free(f);
	free(dir);
}

/* Set name to value (NULL: unset); returns the old value, malloc'ed. */
static char *swap_env(const char *name, const char *value)
{
	const char *old = getenv(name);
	char *keep = old ? xstrdup(old) : NULL;
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
	return keep;
}

static void restore_env(const char *name, char *old)
{
	if (old)
		setenv(name, old, 1);
	else
		unsetenv(name);
	free(old);
}

static int ask(Dwfl *dwfl, const unsigned char *id, size_t len, const char *hex, char **path)
{
	uint64_t left = g.budget_ns - g.spent_ns;
	debuginfod_client *c = dwfl_get_debuginfod_client(dwfl);
	if (!c)
		return -1;
	g.set_progressfn(c, on_progress);
	/* The client's own limit, in whole seconds, ends most queries before
	 * the progress function has to (see the top of this file). */
	char maxtime[32];
	uint64_t secs = left / 1000000000ULL;
	snprintf(maxtime, sizeof(maxtime), "%llu", (unsigned long long)(secs > 3 ? secs - 2 : 1));
	const char *user_max = getenv(DEBUGINFOD_MAXTIME_ENV_VAR);
	bool keep_user = user_max && atol(user_max) > 0 && (uint64_t)atol(user_max) < (secs > 3 ? secs - 2 : 1);
	char *old_urls = swap_env(DEBUGINFOD_URLS_ENV_VAR, g.urls);
	char *old_max = swap_env(DEBUGINFOD_MAXTIME_ENV_VAR, keep_user ? user_max : maxtime);

	g.started = now_ns();
	g.last_call = g.started;
	g.deadline = g.started + left;
	g.asking = hex;
	g.cut_off = false;
	g.show = pt_verbosity > 0 && isatty(STDERR_FILENO);
	time_t wall = time(NULL);
	int fd = g.find(c, id, (int)len, path);
	uint64_t took = now_ns() - g.started;
	clear_progress();
	restore_env(DEBUGINFOD_MAXTIME_ENV_VAR, old_max);
	restore_env(DEBUGINFOD_URLS_ENV_VAR, old_urls);
	g.spent_ns += took < left ? took : left;
	if (g.cut_off)
		forget_miss(hex, wall);
	if (fd < 0) {
		pt_verbose("debuginfod: no debug info for build id %s: %s", hex,
			   g.cut_off ? "--debuginfod-timeout spent" : strerror(-fd));
		return -1;
	}
	pt_verbose("debuginfod: debug info for build id %s fetched in %.2f s", hex,
		   (double)took / 1e9);
	return fd;
}

int debuginfod_fetch(Dwfl *dwfl, const unsigned char *id, size_t len, char **path)
{
	int fd = -1;
	if (!g.enabled || !window || len == 0 || len > 64)
		return -1;
	char hex[129];
	hex_encode(hex, id, len);
	pthread_mutex_lock(&g.lock);
	g.tried = true;
	if (!g.urls || listed(&g.failed, hex))
		goto out;
	if (g.spent_ns >= g.budget_ns) {
		g.over_budget++;
		list_add(&g.failed, hex);
		goto out;
	}
	if (!load())
		goto out;
	fd = ask(dwfl, id, len, hex, path);
	if (fd < 0)
		list_add(&g.failed, hex);
out:
	pthread_mutex_unlock(&g.lock);
	return fd;
}

void debuginfod_note_unnamed(const char *build_id)
{
	if (!build_id || !*build_id)
		return;
	pthread_mutex_lock(&g.lock);
	list_add(&g.unnamed, build_id);
	pthread_mutex_unlock(&g.lock);
}

/* "a, b and 3 more" */
static void print_ids(FILE *f, const struct idlist *l)
{
	for (size_t i = 0; i < l->n && i < LIST_MAX; i++)
		fprintf(f, "%s%s", i ? ", " : "", l->v[i]);
	if (l->n > LIST_MAX)
		fprintf(f, " and %zu more", l->n - LIST_MAX);
}

void debuginfod_report(void)
{
	pthread_mutex_lock(&g.lock);
	if (pt_verbosity > 0 && !g.enabled && g.unnamed.n) {
		fprintf(stderr, "ptprof: no debug info for build id%s ", g.unnamed.n > 1 ? "s" : "");
		print_ids(stderr, &g.unnamed);
		fprintf(stderr, " (frames left unnamed); --debuginfod fetches %s from the servers "
				"in DEBUGINFOD_URLS\n", g.unnamed.n > 1 ? "them" : "it");
	}
	if (pt_verbosity > 0 && g.enabled && g.tried && !g.urls)
		pt_error("--debuginfod: DEBUGINFOD_URLS is not set: no server was asked");
	if (pt_verbosity > 0 && g.enabled && g.over_budget)
		pt_error("--debuginfod-timeout of %.1f s spent: debug info of %zu build id%s "
			 "not asked for", (double)g.budget_ns / 1e9, g.over_budget,
			 g.over_budget > 1 ? "s" : "");
	if (g.enabled && g.tried)
		pt_verbose("debuginfod: %.2f s of the %.2f s budget spent", (double)g.spent_ns / 1e9,
			   (double)g.budget_ns / 1e9);
	list_free(&g.unnamed);
	list_free(&g.failed);
	free(g.urls);
	g.urls = NULL;
	pthread_mutex_unlock(&g.lock);
}
