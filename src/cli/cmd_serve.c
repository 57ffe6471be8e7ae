/* cmd_serve.c - `ptprof serve`: Go's /debug/pprof endpoints for any
 * process, over HTTP (see serve/ for the server, the checks and the
 * tracer thread). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "serve/guard.h"
#include "serve/listen.h"
#include "serve/route.h"
#include "serve/served.h"
#include "serve/server.h"
#include "serve/worker.h"
#include "serve/workq.h"
#include "target/signals.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/numparse.h"

#define DEFAULT_LISTEN "127.0.0.1:6060"
#define DEFAULT_MAX_SECONDS 300
#define RATE_HZ 99

/* The options of dump that apply here, and serve's own: no -t (every
 * endpoint shows every thread). */
const struct cli_option serve_options[] = {
	{ OPT_PID, "pid", 'p', "PID[,PID...]", NULL,
	  "the processes served (with several, requests name one with ?pid=N)" },
	{ OPT_CHILDREN, "children", 0, NULL, NULL,
	  "also every descendant of each process, as it is when a request comes" },
	{ OPT_LISTEN, "listen", 0, "ADDR:PORT", NULL,
	  "where to listen (default 127.0.0.1:6060; port 0 picks a free one); another address "
	  "than loopback must be given here" },
	{ OPT_TOKEN_FILE, "token-file", 0, "FILE", NULL,
	  "require the token on FILE's first line: Authorization: Bearer TOKEN, or the "
	  "password of HTTP Basic" },
	{ OPT_MAX_SECONDS, "max-seconds", 0, "N", NULL,
	  "longest profile a request may ask for (default 300)" },
	CLI_STACK_ROWS,
	{ OPT_QUIET, "quiet", 'q', NULL, NULL, "no access log on stderr" },
	{ OPT_VERBOSE, "verbose", 'v', NULL, NULL,
	  "say why threads or frames were skipped, and how long each profile took" },
	{ OPT_HELP, "help", 'h', NULL, NULL, "show this help" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

struct serve_args {
	struct common_args c;
	const char *listen;
	const char *token_file;
	unsigned max_seconds;
};

static int on_option(void *ctx, const struct cli_option *opt, const char *arg)
{
	struct serve_args *a = ctx;
	uint64_t v;
	int r = cli_common_option("serve", &a->c, opt, arg);

	if (r >= 0)
		return r;
	switch (opt->id) {
	case OPT_LISTEN:
		a->listen = arg;
		break;
	case OPT_TOKEN_FILE:
		a->token_file = arg;
		break;
	case OPT_MAX_SECONDS:
		if (parse_uint(arg, 1, 24 * 3600, &v) < 0)
			return pt_usage_error("serve: --max-seconds needs a number of seconds from 1 "
					      "to 86400, not '%s'", arg);
		a->max_seconds = (unsigned)v;
		break;
	default:
		break;
	}
	return 0;
}

/* Wait for SIGINT, SIGTERM or SIGHUP (blocked everywhere else but in the
 * recording thread, whose end the worker reports with a SIGTERM here). */
static void wait_for_stop(const sigset_t *blocked)
{
	sigset_t wait = *blocked;
	sigdelset(&wait, SIGINT);
	sigdelset(&wait, SIGTERM);
	sigdelset(&wait, SIGHUP);
	while (!signals_stop_requested())
		sigsuspend(&wait);
}

static int check_args(struct serve_args *a, int first, int argc, char **argv)
{
	if (first < argc)
		return pt_usage_error("serve: unexpected argument '%s'", argv[first]);
	if (!a->c.pid)
		return pt_usage_error("serve: which process? give -p PID");
	if (a->c.children == 0)
		return pt_usage_error("serve: --no-children is the default here");
	return 0;
}

int cmd_serve(const struct subcommand *self, int argc, char **argv)
{
	struct serve_args a = { .c = COMMON_ARGS_DEFAULTS, .listen = DEFAULT_LISTEN,
				.max_seconds = DEFAULT_MAX_SECONDS };
	struct served sv;
	struct listen_addr l;
	struct guard g;
	struct workq q;
	struct worker w;
	struct server *srv;
	sigset_t block, old;
	int first, ret;

	ret = cli_parse(self, argc, argv, on_option, &a, &first);
	if (ret || (ret = check_args(&a, first, argc, argv)) != 0)
		goto out_args;
	bool log = pt_verbosity > 0;
	for (size_t i = 0; i < a.c.npids; i++)
		if ((ret = tracer_precheck((pid_t)a.c.pids[i])) != 0)
			goto out_args;
	ret = served_open(&sv, a.c.pids, a.c.npids, a.c.children == 1);
	if (ret)
		goto out_args;
	ret = listen_open(a.listen, &l);
	if (ret)
		goto out_served;
	ret = guard_init(&g, a.token_file, &l);
	if (ret)
		goto out_listen;
	if (!l.loopback && !g.token)
		pt_error("serve: warning: %s:%u can be reached from other machines and no "
			 "--token-file is set: anyone who can connect can stop the threads of the "
			 "processes served and read their stacks and command lines", l.host, l.port);

	/* Every thread started from here blocks these: the signals go to the
	 * one that waits for them (or to the recording thread, which unblocks
	 * them for itself), and SIGCHLD stays for the tracer's waits. */
	signals_install();
	signals_stop_set(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	sigset_t blocked;
	pthread_sigmask(SIG_BLOCK, NULL, &blocked);

	struct answer_opts ao = { .stack_bytes = a.c.stack_bytes, .max_frames = a.c.max_frames,
				  .inlines = a.c.inlines, .lines = a.c.lines,
				  .debug_dir = a.c.debug_dir };
	struct router rt = { .served = &sv, .q = &q, .max_seconds = a.max_seconds };
	struct server_opts so = { .l = &l, .g = &g, .rt = &rt, .log = log };
	workq_init(&q);
	if (worker_start(&w, &q, &ao, RATE_HZ, pthread_self()) < 0) {
		ret = EXIT_FAILED;
		goto out_q;
	}
	srv = server_start(&so);
	if (!srv) {
		ret = EXIT_FAILED;
		goto out_worker;
	}
	char comm[PROC_COMM_MAX];
	served_comm((pid_t)a.c.pids[0], comm, sizeof(comm));
	fprintf(stderr, "ptprof: serving http://%s:%u/debug/pprof/ for process %d (%s)%s%s\n",
		l.host, l.port, a.c.pids[0], comm, a.c.npids > 1 ? " and others" : "",
		a.c.children == 1 ? " and its descendants" : "");
	/* The pipelines' progress lines would mix with the access log. */
	if (pt_verbosity < 2)
		pt_verbosity = 0;
	wait_for_stop(&blocked);
	fprintf(stderr, "ptprof: stopping: every thread is let go\n");
	ret = 0;
	workq_stop(&q);
	worker_join(&w);
	server_stop(srv);
	goto out_q;
out_worker:
	workq_stop(&q);
	worker_join(&w);
out_q:
	workq_destroy(&q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	guard_free(&g);
out_listen:
	close(l.fd);
out_served:
	served_close(&sv);
out_args:
	common_args_free(&a.c);
	return ret < 0 ? 0 : ret;
}
