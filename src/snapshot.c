/* snapshot.c - capture every thread once, then unwind the copies. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "signals.h"
#include "snapshot.h"
#include "tracer.h"
#include "xalloc.h"

/* A thread in uninterruptible sleep stops only when the kernel lets it:
 * wait a bounded time rather than hang with the others. */
#define DISK_SLEEP_TIMEOUT_MS 2000

uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool wanted(const struct snapshot_opts *o, pid_t tid)
{
	if (!o->tids)
		return true;
	for (size_t i = 0; i < o->ntids; i++)
		if (o->tids[i] == tid)
			return true;
	return false;
}

static bool seen(const struct snapshot *s, pid_t tid, const pid_t *gone, size_t ngone)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].facts.tid == tid)
			return true;
	for (size_t i = 0; i < ngone; i++)
		if (gone[i] == tid)
			return true;
	return false;
}

/* Facts, then seize, stop, copy, detach: the thread is held only for the
 * copy.  Returns 0, 1 if the thread vanished, or an exit status. */
static int capture_one(struct snapshot *s, pid_t tid, const struct snapshot_opts *o,
		       struct capture *cap, struct thread_snap *ts)
{
	struct traced t = { .tid = tid };
	int r;

	memset(ts, 0, sizeof(*ts));
	memset(cap, 0, sizeof(*cap));
	if (thread_facts_read(s->pid, tid, &ts->facts) < 0)
		return 1;
	if (ts->facts.state == 'Z' || ts->facts.state == 'X') {
		ts->problem = "thread has exited (zombie)";
		return 0;
	}
	r = tracer_seize(s->pid, &t);
	if (r)
		return r;
	uint64_t t0 = monotonic_ns();
	enum stop_result sr = tracer_stop(&t, ts->facts.state == 'D' ? DISK_SLEEP_TIMEOUT_MS : 0);
	if (sr == STOP_OK)
		sr = tracer_capture(&t, &s->maps, o->stack_bytes, cap);
	tracer_detach(&t);
	ts->stopped_ns = monotonic_ns() - t0;
	switch (sr) {
	case STOP_OK:
		return 0;
	case STOP_GONE:
		return 1;
	case STOP_TIMEOUT:
		ts->problem = "did not stop within 2 s (uninterruptible sleep in the kernel)";
		return 0;
	default:
		ts->problem = "could not be stopped";
		return 0;
	}
}

static int capture_all(struct snapshot *s, const struct snapshot_opts *o,
		       struct capture **caps_out)
{
	struct capture *caps = NULL;
	size_t caps_cap = 0;
	pid_t *gone = NULL;
	size_t ngone = 0, gone_cap = 0;
	int ret = 0;
	bool found_new = true;

	/* Rescan until a pass finds no thread we have not seen. */
	while (found_new && !signals_stop_requested()) {
		pid_t *tids = NULL;
		ssize_t nt = procfs_list_tasks(s->pid, &tids);
		found_new = false;
		if (nt < 0 && s->n == 0) {
			pt_error("no process %d", (int)s->pid);
			ret = EXIT_FAILED;
		}
		for (ssize_t i = 0; i < nt && !ret && !signals_stop_requested(); i++) {
			if (!wanted(o, tids[i]) || seen(s, tids[i], gone, ngone))
				continue;
			found_new = true;
			XGROW(s->t, s->cap, s->n);
			XGROW(caps, caps_cap, s->n);
			int r = capture_one(s, tids[i], o, &caps[s->n], &s->t[s->n]);
			if (r == 1) {
				pt_verbose("thread %d exited while being dumped", (int)tids[i]);
				XGROW(gone, gone_cap, ngone);
				gone[ngone++] = tids[i];
				continue;
			}
			if (r) {
				ret = r;
				break;
			}
			uint64_t st = s->t[s->n].stopped_ns;
			s->stopped_total_ns += st;
			if (st > s->stopped_max_ns)
				s->stopped_max_ns = st;
			s->n++;
		}
		free(tids);
	}
	free(gone);
	*caps_out = caps;
	return ret;
}

int snapshot_take(struct snapshot *s, pid_t pid, const struct snapshot_opts *o)
{
	struct capture *caps = NULL;
	char *text;
	struct proc_stat st;
	char buf[1024];
	int ret;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	ret = tracer_precheck(pid);
	if (ret)
		return ret;
	if (procfs_read(pid, 0, "stat", buf, sizeof(buf)) > 0 && procfs_parse_stat(buf, &st) == 0)
		memcpy(s->comm, st.comm, sizeof(s->comm));
	for (size_t i = 0; i < o->ntids; i++) {
		if (procfs_read(pid, o->tids[i], "stat", buf, sizeof(buf)) < 0) {
			pt_error("no thread %d in process %d (see /proc/%d/task)", o->tids[i],
				 (int)pid, (int)pid);
			return EXIT_FAILED;
		}
	}
	text = procfs_read_all(pid, 0, "maps", NULL);
	if (!text) {
		pt_error("no process %d", (int)pid);
		return EXIT_FAILED;
	}
	procfs_parse_maps(text, &s->maps);
	free(text);

	s->time_ns = realtime_ns();
	uint64_t t0 = monotonic_ns();
	ret = capture_all(s, o, &caps);
	s->capture_ns = monotonic_ns() - t0;
	if (ret || signals_stop_requested())
		goto out;

	/* Every thread runs again: now the slow part. */
	s->ms = modules_open(pid, &s->maps, o->debug_dir);
	struct unwinder *u = unwinder_new(s->ms);
	for (size_t i = 0; i < s->n; i++) {
		struct thread_snap *ts = &s->t[i];
		if (ts->problem) {
			s->incomplete++;
			continue;
		}
		unwind_capture(u, &caps[i], o->max_frames, &ts->stack);
		if (ts->stack.end != UNWIND_COMPLETE) {
			ts->problem = unwind_end_reason(ts->stack.end);
			s->incomplete++;
		}
	}
	unwinder_free(u);
	s->sym = (struct symbolizer){ s->ms, o->inlines, o->lines };
	s->sc = symcache_new(symbolize_resolve, &s->sym);
out:
	for (size_t i = 0; i < s->n && caps; i++)
		capture_free(&caps[i]);
	free(caps);
	return ret;
}

void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		stack_free(&s->t[i].stack);
	free(s->t);
	if (s->sc)
		symcache_free(s->sc);
	modules_free(s->ms);
	maps_free(&s->maps);
	memset(s, 0, sizeof(*s));
}
