/* worker.c - see worker.h. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "profile/snapshot.h"
#include "serve/worker.h"
#include "target/signals.h"
#include "util/error.h"
#include "util/xalloc.h"

/* How often the recording thread looks at the queue: the delay before a
 * window joins or ends, and before a dump can start. */
#define INTERVAL_MS 20
/* How long a recording outlives its last window: a scraper asks again
 * right after its answer, and joining a running recording spares the
 * attaching and the reading of the modules. */
#define LINGER_NS 2000000000ULL

static const char *mode_name(enum sample_mode m)
{
	return m == MODE_WALL ? "wall-clock" : "CPU";
}

static void answer(struct worker *w, struct job *j)
{
	workq_answer(w->q, j);
}

static void add_pending(struct worker *w, struct job *list)
{
	while (list) {
		struct job *next = list->next;
		list->next = NULL;
		*w->pending_tail = list;
		w->pending_tail = &list->next;
		list = next;
	}
}

/* Whether seg records pid (still running). */
static bool seg_has(const struct segment *seg, pid_t pid)
{
	for (size_t i = 0; i < seg->rec.nprocs; i++)
		if (seg->rec.procs[i]->pid == pid && !seg->rec.procs[i]->exited &&
		    !seg->rec.procs[i]->replaced)
			return true;
	return false;
}

static void open_window(struct worker *w, struct job *j)
{
	XGROW(w->wins, w->wins_cap, w->nwins);
	struct open_window *o = &w->wins[w->nwins++];
	/* From the request: one that waited for the recording to take it
	 * is answered when its client expects, with what was recorded. */
	window_init(&o->w, j->pid, j->mode, j->seconds, j->submitted_ns);
	o->job = j;
	if (w->seg)
		window_join(&o->w, w->seg);
}

/* Take a profile job: false when it must wait for the recording to end. */
static bool take_profile(struct worker *w, struct job *j)
{
	enum sample_mode mode = w->seg ? w->seg->mode : w->nwins ? w->wins[0].w.mode : j->mode;
	/* A recording that only lingers ends for one of the other mode. */
	if (mode != j->mode && w->seg && !w->nwins)
		return false;
	if (mode != j->mode) {
		reply_error(&j->reply, 409, "Could not enable %s profiling: a %s profile is being "
			    "recorded; ptprof serve records one mode at a time, try again when it "
			    "ends", mode_name(j->mode), mode_name(mode));
		answer(w, j);
		return true;
	}
	if (w->seg && !seg_has(w->seg, j->pid))
		return false;
	open_window(w, j);
	return true;
}

/* Everything pending that can be done now; in_seg: between two ticks of
 * a recording (no dump then: it would need the threads the recording
 * holds). */
static void run_pending(struct worker *w)
{
	struct job *list = w->pending;
	w->pending = NULL;
	w->pending_tail = &w->pending;
	while (list) {
		struct job *j = list, *keep = NULL;
		list = list->next;
		j->next = NULL;
		switch (j->kind) {
		case JOB_PROFILE:
			if (!take_profile(w, j))
				keep = j;
			break;
		case JOB_GOROUTINE:
			if (w->seg) {
				keep = j;
			} else {
				answer_goroutines(j, &w->ao);
				answer(w, j);
			}
			break;
		case JOB_GOPROF:
			answer_goprof(j, &w->ao);
			answer(w, j);
			break;
		case JOB_SYMBOL:
			answer_symbol(j, &w->ao);
			answer(w, j);
			break;
		}
		if (keep) {
			add_pending(w, keep);
			w->end_seg = true;
		}
	}
}

static void close_window(struct worker *w, size_t i)
{
	window_free(&w->wins[i].w);
	answer(w, w->wins[i].job);
	w->wins[i] = w->wins[--w->nwins];
}

/* Answer the windows whose time is up. */
static void finish_due(struct worker *w)
{
	uint64_t now = monotonic_ns();
	for (size_t i = 0; i < w->nwins;) {
		if (w->wins[i].w.end_ns > now) {
			i++;
			continue;
		}
		uint64_t t0 = monotonic_ns();
		window_profile(&w->wins[i].w, &w->wins[i].job->reply);
		pt_verbose("serve: profile of process %d ready %.3f s after its window, built in "
			   "%.3f s", (int)w->wins[i].w.pid, (double)(t0 - w->wins[i].w.end_ns) / 1e9,
			   (double)(monotonic_ns() - t0) / 1e9);
		close_window(w, i);
	}
}

/* Between ticks, in the recording thread. */
static void on_interval(void *arg, struct recording *rec, uint64_t elapsed_ns)
{
	struct worker *w = arg;
	add_pending(w, workq_take_all(w->q, false));
	run_pending(w);
	if (w->seg)
		segment_warm(w->seg);
	finish_due(w);
	uint64_t now = monotonic_ns();
	if (w->nwins)
		w->idle_since = 0;
	else if (!w->idle_since)
		w->idle_since = now;
	if ((!w->nwins && now - w->idle_since >= LINGER_NS) || workq_stopped(w->q))
		w->end_seg = true;
}

/* After a recording: windows whose process it could not record, or that
 * exited meanwhile, are answered now. */
static void drop_lost(struct worker *w, const struct segment *seg)
{
	for (size_t i = 0; i < w->nwins;) {
		pid_t pid = w->wins[i].w.pid;
		bool seen = false;
		for (size_t k = 0; k < seg->rec.nprocs; k++)
			seen |= seg->rec.procs[k]->pid == pid;
		if (seen && seg_has(seg, pid)) {
			i++;
			continue;
		}
		if (seen || kill(pid, 0) != 0)
			reply_error(&w->wins[i].job->reply, 410, "process %d has exited", (int)pid);
		else
			reply_error(&w->wins[i].job->reply, 500, "could not record process %d (the "
				    "reason is on ptprof's standard error)", (int)pid);
		close_window(w, i);
	}
}

/* One recording of the processes of the open windows, until none is
 * left or something needs the threads. */
static void run_segment(struct worker *w)
{
	int *pids = xcalloc(w->nwins, sizeof(*pids));
	size_t n = 0;
	for (size_t i = 0; i < w->nwins; i++) {
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= pids[k] == (int)w->wins[i].w.pid;
		if (!dup)
			pids[n++] = (int)w->wins[i].w.pid;
	}
	struct segment *seg = segment_new(w->wins[0].w.mode, w->rate_hz, w->share);
	for (size_t i = 0; i < w->nwins; i++)
		window_join(&w->wins[i].w, seg);
	struct sampler_opts o = {
		.pid = (pid_t)pids[0], .pids = pids, .npids = n, .mode = seg->mode,
		.rate_hz = w->rate_hz, .stack_bytes = w->ao.stack_bytes,
		.max_frames = w->ao.max_frames, .debug_dir = w->ao.debug_dir,
		.on_interval = on_interval, .interval_arg = w,
		.interval_ns = INTERVAL_MS * 1000000ULL, .end = &w->end_seg,
	};
	w->end_seg = false;
	w->idle_since = 0;
	w->seg = seg;
	/* Its status was said on stderr; drop_lost tells each request. */
	sampler_run(&o, &seg->rec);
	w->seg = NULL;
	drop_lost(w, seg);
	segment_unref(seg);
	free(pids);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (;;) {
		/* The recording thread may have taken the signal. */
		if (workq_stopped(w->q) || signals_stop_requested())
			break;
		bool idle = !w->pending && !w->nwins;
		add_pending(w, workq_take_all(w->q, idle));
		if (workq_stopped(w->q) || signals_stop_requested())
			break;
		run_pending(w);
		finish_due(w);
		if (w->nwins && !signals_stop_requested())
			run_segment(w);
	}
	/* Quitting: what is still held is answered so. */
	while (w->nwins) {
		reply_error(&w->wins[0].job->reply, 503, "ptprof serve is shutting down");
		close_window(w, 0);
	}
	while (w->pending) {
		struct job *j = w->pending;
		w->pending = j->next;
		reply_error(&j->reply, 503, "ptprof serve is shutting down");
		answer(w, j);
	}
	if (signals_stop_requested())
		pthread_kill(w->notify, SIGTERM);
	return NULL;
}

int worker_start(struct worker *w, struct workq *q, const struct answer_opts *ao,
		 unsigned rate_hz, pthread_t notify)
{
	memset(w, 0, sizeof(*w));
	w->q = q;
	w->ao = *ao;
	w->rate_hz = rate_hz;
	w->notify = notify;
	w->pending_tail = &w->pending;
	w->share = symshare_new();
	int err = pthread_create(&w->thread, NULL, worker_main, w);
	if (err) {
		pt_error("serve: cannot start the worker thread: %s", strerror(err));
		return -1;
	}
	return 0;
}

void worker_join(struct worker *w)
{
	pthread_join(w->thread, NULL);
	free(w->wins);
	symshare_free(w->share);
}
