/* cmd_top.c - `ptprof top`: the hottest functions and thread states, live.
 *
 * Three threads.  The sampler's recording thread calls refresh() every
 * interval: it alone may read the recording while sampling goes on, so
 * the view is built there and drawn at once.  A runner thread sits in
 * sampler_run, which returns only at the end, and then says so through a
 * pipe.  The main thread reads keys and resize notices; it draws only to
 * redraw the last view at a new size, under the lock refresh() holds
 * while it draws, so two screens never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/sampler_cli.h"
#include "cli/term.h"
#include "cli/top_view.h"
#include "output/recout.h"
#include "profile/sampler.h"
#include "stack/symbolize.h"
#include "target/launch.h"
#include "target/procfs.h"
#include "target/signals.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/numparse.h"
#include "util/xalloc.h"

const struct cli_option top_options[] = {
	{ OPT_RATE, "rate", 'r', "HZ", NULL, "samples per second (default 99)" },
	{ OPT_MODE, "mode", 'm', "MODE", "cpu wall",
	  "cpu: threads on a CPU (default); wall: every thread, whatever its state" },
	{ OPT_DURATION, "duration", 'd', "TIME", NULL, "stop after TIME; default: until q or Ctrl-C" },
	{ OPT_INTERVAL, "interval", 0, "TIME", NULL, "time between refreshes (default 1s)" },
	{ OPT_TOP, "top", 0, "N", NULL, "functions shown (default: as many as fit; 20 without a terminal)" },
	{ OPT_END, NULL, 0, NULL, NULL, NULL },
};

#define DEFAULT_INTERVAL_NS 1000000000ULL
/* A refresh costs a census and a pass over every distinct stack, taken
 * from the recording thread's time: more often than this steals ticks. */
#define MIN_INTERVAL_NS 100000000ULL
#define PLAIN_TOP 20

struct top_args {
	struct common_args c;
	struct sampler_opts s;
	size_t top;               /* --top; 0: as many as fit, or PLAIN_TOP */
};

/* What refresh() keeps from one interval to the next. */
struct top {
	const struct top_args *a;
	bool screen;              /* full screens on a terminal, else reports */
	bool keys;                /* q is read from a terminal */
	/* The recording thread's while sampling; the main thread's after. */
	struct recsyms rs;        /* a symbol cache per process */
	uint64_t *prev;           /* each aggregate entry's count at the last refresh */
	size_t nprev;
	uint64_t prev_total, prev_elapsed;
	char comm[PROC_COMM_MAX];
	unsigned reports;         /* plain reports written */
	int out_err;              /* errno of a failed write, else 0 */
	/* Shared with the main thread's redraw. */
	pthread_mutex_t lock;
	struct top_view view;
	bool have_view;
};

static int on_option(void *ctx, const struct cli_option *opt, const char *arg)
{
	struct top_args *a = ctx;
	uint64_t v;
	int r = cli_common_option("top", &a->c, opt, arg);

	if (r < 0)
		r = sampler_cli_option("top", &a->s, opt, arg);
	if (r >= 0)
		return r;
	switch (opt->id) {
	case OPT_INTERVAL:
		if (parse_duration_ns(arg, &v) < 0 || v < MIN_INTERVAL_NS)
			return pt_usage_error("top: --interval needs a time of at least 100ms "
					      "(1, 2s, 500ms), not '%s'", arg);
		a->s.interval_ns = v;
		break;

	case OPT_TOP:
		if (parse_uint(arg, 1, 100000, &v) < 0)
			return pt_usage_error("top: --top needs a count from 1 to 100000, not '%s'", arg);
		a->top = (size_t)v;
		break;
	default:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------- refreshes */

/* The state of every thread of the process, from /proc now (not from
 * what the sampler knows: a thread it never traced counts the same); and
 * the process's name, which an exec may have changed. */
static void census_read(pid_t pid, struct top_census *c, char *comm, size_t size)
{
	struct proc_stat ps;
	char buf[1024];
	pid_t *tids = NULL;

	memset(c, 0, sizeof(*c));
	procfs_read_comm(pid, comm, size);
	ssize_t n = procfs_list_tasks(pid, &tids);
	for (ssize_t i = 0; i < n; i++)
		/* A thread that ended since the listing is not counted. */
		if (procfs_read(pid, tids[i], "stat", buf, sizeof(buf)) > 0 &&
		    procfs_parse_stat(buf, &ps) == 0)
			top_census_count(c, ps.state);
	c->gone = c->total == 0;
	free(tids);
}

static uint64_t agg_sum(const struct aggregate *agg)
{
	uint64_t total = 0;
	for (size_t i = 0; i < agg->n; i++)
		total += agg->entries[i]->count;
	return total;
}

/* The view of the recording as of now: the last interval is each
 * entry's count minus its count at the previous refresh (entries only
 * ever get appended, so index i is the same entry every time). */
static void build(struct top *t, const struct recording *rec, uint64_t elapsed,
		  struct top_view *v)
{
	const struct top_args *a = t->a;
	struct recout_opts ro = { a->s.mode, a->s.rate_hz, false, false, a->s.pid, t->comm };
	struct stacks last = { 0 }, all = { 0 };
	size_t n = rec->agg.n;
	uint64_t *counts = xcalloc(n ? n : 1, sizeof(*counts));
	uint64_t total = 0;

	census_read(a->s.pid, &v->census, t->comm, sizeof(t->comm));
	/* Several processes: every live one counts. */
	for (size_t i = 1; i < rec->nprocs; i++) {
		struct top_census c;
		char ignored[PROC_COMM_MAX];
		if (rec->procs[i]->exited)
			continue;
		census_read(rec->procs[i]->pid, &c, ignored, sizeof(ignored));
		top_census_add(&v->census, &c);
	}
	top_view_header(v, a->s.pid, t->comm, a->s.mode, a->s.rate_hz);
	v->quit_key = t->keys;
	v->now = time(NULL);
	v->elapsed_ns = elapsed;
	v->last_ns = elapsed > t->prev_elapsed ? elapsed - t->prev_elapsed : 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t c = rec->agg.entries[i]->count;
		counts[i] = c - (i < t->nprev ? t->prev[i] : 0);
		total += c;
	}
	v->samples_all = total;
	v->samples_last = total - t->prev_total;
	recout_stacks(&all, rec, &t->rs, &ro, NULL);
	recout_stacks(&last, rec, &t->rs, &ro, counts);
	top_view_rows(v, &last, &all);

	t->prev = xreallocarray(t->prev, n ? n : 1, sizeof(*t->prev));
	for (size_t i = 0; i < n; i++)
		t->prev[i] = rec->agg.entries[i]->count;
	t->nprev = n;
	t->prev_total = total;
	t->prev_elapsed = elapsed;
	stacks_free(&last);
	stacks_free(&all);
	free(counts);
}

/* Output is gone: stop, and say so once everything is let go. */
static void output_failed(struct top *t, int err)
{
	if (!t->out_err)
		t->out_err = err ? err : EIO;
	signals_request_stop();
}

/* Draw t->view; the caller holds t->lock. */
static void show(struct top *t)
{
	if (t->out_err)
		return;
	if (!t->screen) {
		top_view_report(stdout, &t->view, t->a->top ? t->a->top : PLAIN_TOP);
		t->reports++;
		if (fflush(stdout) == EOF)
			output_failed(t, errno);
		return;
	}
	/* The size now: the terminal may have changed since the last time. */
	int rows = 24, cols = 80;
	char *buf = NULL;
	size_t len = 0;
	term_size(STDOUT_FILENO, &rows, &cols);
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		output_failed(t, errno);
		return;
	}
	top_view_screen(m, &t->view, rows, cols, t->a->top);
	/* One write per screen: a half-drawn screen is never seen for long. */
	if (fclose(m) != 0 || term_write(STDOUT_FILENO, buf, len) < 0)
		output_failed(t, errno);
	free(buf);
}

static void refresh(struct top *t, const struct recording *rec, uint64_t elapsed)
{
	struct top_view v = { 0 };
	build(t, rec, elapsed, &v);
	pthread_mutex_lock(&t->lock);
	top_view_free(&t->view);
	t->view = v;
	t->have_view = true;
	show(t);
	pthread_mutex_unlock(&t->lock);
}

/* sampler_opts.on_interval, in the recording thread. */
static void on_interval(void *arg, struct recording *rec, uint64_t elapsed_ns)
{
	refresh(arg, rec, elapsed_ns);
}

/* --------------------------------------------------------- the main thread */

struct runner {
	const struct sampler_opts *o;
	struct recording *rec;
	int ret;
	int done_fd;              /* written to when sampler_run returned */
};

static void *run_sampler(void *p)
{
	struct runner *r = p;
	r->ret = sampler_run(r->o, r->rec);
	while (write(r->done_fd, "", 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* Keys and resizes until the sampler is done.  A signal (Ctrl-C) needs
 * nothing here: it is blocked in this thread, and goes to the recording
 * thread, which stops. */
static void watch(struct top *t, int in_fd, int winch_fd, int done_fd)
{
	struct pollfd p[3] = {
		{ .fd = done_fd, .events = POLLIN },
		{ .fd = in_fd, .events = POLLIN },
		{ .fd = winch_fd, .events = POLLIN },
	};
	char keys[64];

	for (;;) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			pt_perror("poll");
			signals_request_stop();
			return;
		}
		if (p[0].revents)
			return;
		if (p[1].revents & POLLIN) {
			ssize_t n = read(in_fd, keys, sizeof(keys));
			/* At the end of input, or when the terminal is gone, keys
			 * are over; Ctrl-C and SIGTERM still work. */
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				p[1].fd = -1;
			for (ssize_t i = 0; i < n; i++)
				if (keys[i] == 'q' || keys[i] == 'Q')
					signals_request_stop();
		} else if (p[1].revents) {
			p[1].fd = -1;
		}
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(winch_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			pthread_mutex_lock(&t->lock);
			if (t->have_view)
				show(t);
			pthread_mutex_unlock(&t->lock);
		}
	}
}

/* Whether the terminal on stdout takes the escape sequences drawn. */
static bool screen_wanted(void)
{
	const char *term = getenv("TERM");
	return isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

/* The end, said once the terminal is back. */
static void end_message(const struct top *t, const struct recording *rec)
{
	if (rec->st.end == END_TARGET_EXIT)
		pt_info("process %d \"%s\" exited; watched for %.1f s", (int)t->a->s.pid, t->comm,
			(double)rec->st.duration_ns / 1e9);
}

/* A command ptprof started ends with the view: whatever ended the view
 * (q, Ctrl-C, -d), the command is stopped and reaped.  Its exit status
 * when it ended by itself, else 0. */
static int end_command(const struct top_args *a, const struct recording *rec)
{
	int st = rec->st.child_status;
	bool by_itself = rec->st.child_done && !signals_stop_requested();

	if (!rec->st.child_done) {
		kill(a->s.child, pt_stop_signal ? pt_stop_signal : SIGTERM);
		while (waitpid(a->s.child, &st, 0) < 0 && errno == EINTR)
			;
	}
	return by_itself ? launch_exit_code(st) : 0;
}

/* Options into *a; 0, or the exit status after saying what is wrong.
 * *command tells whether a command follows, at argv[*first]. */
static int parse_args(const struct subcommand *self, int argc, char **argv, struct top_args *a,
		      bool *command, int *first)
{
	int ret = cli_parse(self, argc, argv, on_option, a, first);
	if (ret)
		return ret;
	*command = *first < argc;
	if (*command && strcmp(argv[*first - 1], "--") != 0)
		return pt_usage_error("top: unexpected argument '%s' (a command goes after --)",
				      argv[*first]);
	if (!*command && *first > 1 && strcmp(argv[*first - 1], "--") == 0)
		return pt_usage_error("top: no command after --");
	if (*command == (a->c.pid != 0))
		return pt_usage_error(*command ? "top: give -p PID or -- COMMAND, not both"
					       : "top: which process? give -p PID or -- COMMAND");
	sampler_cli_common(&a->s, &a->c, *command);
	return 0;
}

/* The sampler in a runner thread, keys and resizes here, until the end.
 * sampler_run's status, or EXIT_FAILED when no thread could start. */
static int run(struct top *t, struct recording *rec, int in_fd, int winch_fd)
{
	struct runner r = { .o = &t->a->s, .rec = rec };
	int done[2], ret;
	pthread_t runner;

	if (pipe2(done, O_CLOEXEC) < 0) {
		pt_perror("pipe");
		return EXIT_FAILED;
	}
	r.done_fd = done[1];
	if ((errno = pthread_create(&runner, NULL, run_sampler, &r)) != 0) {
		pt_perror("pthread_create");
		ret = EXIT_FAILED;
		goto out_pipe;
	}
	watch(t, in_fd, winch_fd, done[0]);
	pthread_join(runner, NULL);
	ret = r.ret;
out_pipe:
	close(done[0]);
	close(done[1]);
	return ret;
}

int cmd_top(const struct subcommand *self, int argc, char **argv)
{
	struct top_args a = {
		.c = COMMON_ARGS_DEFAULTS,
		.s = { .mode = MODE_CPU, .rate_hz = 99, .interval_ns = DEFAULT_INTERVAL_NS },
	};
	struct top t = { .a = &a, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct top_census census;
	struct recording rec;
	int in_fd = -1, winch_fd = -1, first, ret;
	int verbosity = pt_verbosity;
	bool command = false, masked = false, entered = false;
	sigset_t block, winch, old_mask;

	memset(&rec, 0, sizeof(rec));
	ret = parse_args(self, argc, argv, &a, &command, &first);
	if (ret)
		goto out_args;
	a.s.on_interval = on_interval;
	a.s.interval_arg = &t;
	/* No file:line on the screen: not worth looking up. */
	recsyms_init(&t.rs, a.c.inlines, false);
	t.screen = screen_wanted();

	signals_install();
	if (command) {
		a.s.child = launch_command(argv + first);
		if (a.s.child < 0) {
			ret = 127;
			goto out_args;
		}
		a.s.pid = a.s.child;
	}
	/* Keys from a terminal: one at a time with the screen, else a line
	 * at a time ("q", Enter). */
	if (isatty(STDIN_FILENO))
		in_fd = STDIN_FILENO;
	t.keys = in_fd >= 0;
	/* The name, for a target that ends before the first refresh. */
	census_read(a.s.pid, &census, t.comm, sizeof(t.comm));
	/* Blocked here before any thread starts, so blocked in every thread
	 * but the one that unblocks them.  As for sampler_run's own caller:
	 * SIGCHLD is for the recording thread's sigtimedwait (taken here, it
	 * would be lost), and the stop signals must interrupt its waits.
	 * SIGWINCH is read from a signalfd by this thread. */
	signals_stop_set(&block);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	masked = true;
	if (t.screen) {
		sigemptyset(&winch);
		sigaddset(&winch, SIGWINCH);
		winch_fd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
		if (term_enter(in_fd, STDOUT_FILENO) < 0) {
			ret = EXIT_FAILED;
			goto out_command;
		}
		entered = true;
		/* The screen is the progress report. */
		if (pt_verbosity == 1)
			pt_verbosity = 0;
	}
	ret = run(&t, &rec, in_fd, winch_fd);
	if (entered) {
		term_leave();
		entered = false;
		pt_verbosity = verbosity;
	}
	/* The last, shorter interval, unless it was just reported. */
	if (!ret && !t.screen && !t.out_err && (!t.reports || agg_sum(&rec.agg) != t.prev_total))
		refresh(&t, &rec, rec.st.duration_ns);
	if (!ret && t.out_err && t.out_err != EPIPE) {
		errno = t.out_err;
		pt_perror("write(fd %d)", STDOUT_FILENO);
		ret = EXIT_FAILED;
	}
	if (!ret)
		end_message(&t, &rec);
	tracer_report_counts(rec.st.stopped);
out_command:
	if (command) {
		int cret = end_command(&a, &rec);
		if (!ret)
			ret = cret;
	}
	recording_free(&rec);
	if (winch_fd >= 0)
		close(winch_fd);
	if (masked)
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	top_view_free(&t.view);
	recsyms_free(&t.rs);
	free(t.prev);
	pthread_mutex_destroy(&t.lock);
	pt_verbosity = verbosity;
	/* A reader that went away ends us the way it would any filter, now
	 * that no thread of the target is held. */
	if (t.out_err == EPIPE && !ret) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
out_args:
	common_args_free(&a.c);
	return ret < 0 ? 0 : ret;
}
