/* snapshot.c - capture every thread once, then unwind the copies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile/snapshot.h"
#include "stack/prefetch.h"
#include "target/inplace.h"
#include "target/signals.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/numparse.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

/* A thread in uninterruptible sleep stops only when the kernel lets it:
 * wait a bounded time rather than hang with the others. */
#define DISK_SLEEP_TIMEOUT_MS 2000u
/* The same, for one read in place that needs a stop for its registers:
 * its frames so far are there already. */
#define RECAPTURE_DISK_WAIT_MS 20u
/* How long stops already asked for are awaited once ptprof must quit. */
#define STOP_GRACE_MS 100

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

/* A /proc read failed because the process is gone (not for want of a
 * file descriptor or of memory). */
static bool gone_errno(int err)
{
	return err == ENOENT || err == ESRCH;
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

/* Threads asked to stop whose stop we have not collected yet.  Waking a
 * sleeping thread takes scheduler latency - milliseconds when the CPUs
 * are busy.  With several on their way at once those latencies overlap,
 * and whichever stops first is copied and let go first, so no thread
 * waits for another's latency. */
#define WINDOW 8
#define OVERDUE_NS 500000ULL

struct inflight {
	struct traced t;
	size_t idx;               /* its slot in s->t and caps */
	uint64_t t0;              /* when it was interrupted */
};

struct capture_run {
	struct snapshot *s;
	const struct snapshot_opts *o;
	struct capture *caps;
	size_t caps_cap;
	bool *dropped;            /* slot of a thread that exited */
	size_t dropped_cap;
	pid_t *gone;
	size_t ngone, gone_cap;
	struct inflight win[WINDOW];
	size_t nwin;
	struct inplace_batch batch; /* sleeping threads, read in place together */
	struct prefetch *pf;      /* loads the debug information of the code
				     threads sleep in, meanwhile (or NULL) */
	unsigned disk_wait_ms;    /* how long a thread in state D may take to stop */
	const char *disk_problem; /* what is said of one that does not */
};

static void drop(struct capture_run *r, size_t idx)
{
	pid_t tid = r->s->t[idx].facts.tid;
	pt_verbose("thread %d exited while being dumped", (int)tid);
	r->dropped[idx] = true;
	XGROW(r->gone, r->gone_cap, r->ngone);
	r->gone[r->ngone++] = tid;
}

/* The stop of in arrived (or failed): copy, detach, account. */
static void finish(struct capture_run *r, struct inflight *in, enum stop_result sr)
{
	struct thread_snap *ts = &r->s->t[in->idx];
	if (sr == STOP_OK)
		sr = tracer_capture(&in->t, &r->s->maps, r->o->stack_bytes, &r->caps[in->idx]);
	/* A thread that would not stop cannot be detached (that needs a stop);
	 * the kernel lets it go when ptprof exits, moments from now. */
	if (sr != STOP_TIMEOUT)
		tracer_detach(&in->t);
	ts->stopped_ns = monotonic_ns() - in->t0;
	r->s->stopped_total_ns += ts->stopped_ns;
	if (ts->stopped_ns > r->s->stopped_max_ns)
		r->s->stopped_max_ns = ts->stopped_ns;
	switch (sr) {
	case STOP_OK:
		break;
	case STOP_GONE:
		drop(r, in->idx);
		break;
	case STOP_TIMEOUT:
		ts->problem = r->disk_problem;
		break;
	default:
		ts->problem = "could not be stopped";
		break;
	}
}

static void remove_inflight(struct capture_run *r, size_t k)
{
	r->win[k] = r->win[--r->nwin];
}

/* The thread asked longest ago, if it has waited past OVERDUE_NS: the
 * kernel reports the newest tracees first, and an early stop must not be
 * left waiting behind later ones. */
static struct inflight *overdue(struct capture_run *r)
{
	struct inflight *old = &r->win[0];
	for (size_t k = 1; k < r->nwin; k++)
		if (r->win[k].t0 < old->t0)
			old = &r->win[k];
	return monotonic_ns() - old->t0 > OVERDUE_NS ? old : NULL;
}

/* Collect whichever thread in the window stops first. */
static void complete_one(struct capture_run *r)
{
	while (r->nwin) {
		int st;
		unsigned grace = signals_stop_requested() ? STOP_GRACE_MS : 0;
		struct inflight *old = grace ? NULL : overdue(r);
		pid_t tid;
		if (old) {
			enum stop_result sr = tracer_wait_stop(&old->t, 0);
			finish(r, old, sr);
			remove_inflight(r, (size_t)(old - r->win));
			return;
		}
		/* Asked to quit: a stop about to arrive gets a moment, no more. */
		tid = tracer_wait_any(&st, grace);
		if (tid == 0 || (tid < 0 && errno == ECHILD)) {
			/* Nothing more will come: they exited, or will not stop. */
			while (r->nwin) {
				struct inflight *in = &r->win[r->nwin - 1];
				finish(r, in, tid == 0 ? STOP_TIMEOUT : STOP_GONE);
				r->nwin--;
			}
			return;
		}
		if (tid < 0)
			continue;  /* EINTR: look at the quit request above */
		for (size_t k = 0; k < r->nwin; k++) {
			if (r->win[k].t.tid != tid)
				continue;
			enum stop_result sr = tracer_apply_status(&r->win[k].t, st);
			if (sr == STOP_FAILED)
				break;  /* a signal was handed back; still on its way */
			finish(r, &r->win[k], sr);
			remove_inflight(r, k);
			return;
		}
	}
}

/* A thread in uninterruptible sleep may not stop at all: alone, with a
 * bounded wait, so it holds up nobody else. */
static void capture_alone(struct capture_run *r, struct inflight *in)
{
	if (signals_stop_requested()) {
		tracer_detach(&in->t);
		return;
	}
	pt_verbose("thread %d is in uninterruptible sleep: waiting up to %u ms for it to stop",
		   (int)in->t.tid, r->disk_wait_ms);
	finish(r, in, tracer_stop(&in->t, r->disk_wait_ms));
}

static int stop_slot(struct capture_run *r, size_t idx);

/* Load m's debug information ahead, unless another process of the dump
 * did: symbolizing will read through that one's. */
static void prefetch(struct prefetch *pf, const struct snapshot_opts *o, struct module *m)
{
	if (m && o->share && m->info.build_id[0] && !symshare_claim(o->share, m->info.build_id))
		return;
	prefetch_add(pf, m);
}

/* Read the queued sleepers in place - after letting go of the threads
 * already asked to stop, which must not wait for these reads - and stop
 * those that moved.  Returns 0 or an exit status. */
static int flush_batch(struct capture_run *r)
{
	int ret = 0;
	if (r->batch.n == 0)
		return 0;
	while (r->nwin)
		complete_one(r);
	inplace_batch_run(&r->batch, &r->s->maps, r->o->stack_bytes, r->caps);
	for (size_t i = 0; i < r->batch.n; i++) {
		const struct inplace_item *it = &r->batch.items[i];
		if (it->result == INPLACE_OK)
			r->s->t[it->slot].in_place = true;
		else if (it->result == INPLACE_GONE)
			drop(r, it->slot);
		else if (!ret)
			ret = stop_slot(r, it->slot);
	}
	r->batch.n = 0;
	return ret;
}

/* Facts first (a stopped thread would read as stopped), then a capture in
 * place, or seize and interrupt.  Returns 0 or an exit status. */
static int start_one(struct capture_run *r, pid_t tid)
{
	struct snapshot *s = r->s;
	size_t idx = s->n;
	XGROW(s->t, s->cap, idx);
	XGROW(r->caps, r->caps_cap, idx);
	XGROW(r->dropped, r->dropped_cap, idx);
	struct thread_snap *ts = &s->t[idx];
	memset(ts, 0, sizeof(*ts));
	memset(&r->caps[idx], 0, sizeof(r->caps[idx]));
	r->dropped[idx] = false;
	s->n++;

	/* The thread's /proc files stay open from the facts to the copy. */
	struct thread_files tf = THREAD_FILES_INIT;
	int ret = 0;
	if (thread_facts_read_asleep(&tf, s->pid, tid, &ts->facts) < 0) {
		ts->facts.tid = tid;
		drop(r, idx);
		goto out;
	}
	if (ts->facts.state == 'Z' || ts->facts.state == 'X') {
		ts->problem = "thread has exited (zombie)";
		goto out;
	}
	if (ts->facts.have_syscall)
		prefetch(r->pf, r->o, modules_find(s->ms, ts->facts.sc.pc));
	/* In uninterruptible sleep: where in the kernel, if root may see. */
	if (ts->facts.state == 'D')
		kstack_read(s->pid, tid, &ts->kstack);
	/* Asleep in the kernel: its stack cannot change, read it in place,
	 * with others (flush_batch). */
	if (!r->o->stop_all && (ts->facts.state == 'S' || ts->facts.state == 'D')) {
		if (r->batch.n == INPLACE_BATCH && (ret = flush_batch(r)) != 0)
			goto out;
		if (inplace_batch_add(&r->batch, &tf, &ts->facts, idx))
			goto out;
		while (r->nwin)
			complete_one(r);
		enum inplace_result ir = inplace_capture_seen(&tf, s->pid, &ts->facts, &s->maps,
							      r->o->stack_bytes, &r->caps[idx]);
		if (ir == INPLACE_OK) {
			ts->in_place = true;
			goto out;
		}
		if (ir == INPLACE_GONE) {
			drop(r, idx);
			goto out;
		}
	}
	ret = stop_slot(r, idx);
out:
	thread_files_close(&tf);
	return ret;
}

/* Seize and interrupt the thread of slot idx (its facts read); its stop
 * is collected by complete_one.  Returns 0 or an exit status. */
static int stop_slot(struct capture_run *r, size_t idx)
{
	struct snapshot *s = r->s;
	struct thread_snap *ts = &s->t[idx];
	pid_t tid = ts->facts.tid;
	/* Every seized thread is in the window (or alone), so that any event
	 * waitpid reports belongs to a thread we are waiting for. */
	if (r->nwin == WINDOW)
		complete_one(r);
	if (ts->facts.state == 'D')
		while (r->nwin)
			complete_one(r);
	struct inflight in = { .t = { .tid = tid }, .idx = idx };
	int ret = tracer_seize(s->pid, &in.t);
	if (ret == 1) {
		drop(r, idx);
		return 0;
	}
	if (ret) {
		drop(r, idx);
		return ret;
	}
	in.t0 = monotonic_ns();
	if (ts->facts.state == 'D') {
		capture_alone(r, &in);
		return 0;
	}
	if (tracer_interrupt(&in.t) != STOP_OK) {
		tracer_detach(&in.t);
		drop(r, idx);
		return 0;
	}
	r->win[r->nwin++] = in;
	return 0;
}

/* Drop the slots of threads that exited, keeping captures aligned. */
static void compact(struct capture_run *r)
{
	struct snapshot *s = r->s;
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (r->dropped[i]) {
			capture_free(&r->caps[i]);
			kstack_free(&s->t[i].kstack);
			continue;
		}
		s->t[k] = s->t[i];
		r->caps[k] = r->caps[i];
		k++;
	}
	s->n = k;
}

static int capture_all(struct snapshot *s, const struct snapshot_opts *o, struct prefetch *pf,
		       struct capture **caps_out)
{
	struct capture_run r = {
		.s = s, .o = o, .pf = pf, .batch.pid = s->pid, .disk_wait_ms = DISK_SLEEP_TIMEOUT_MS,
		.disk_problem = "did not stop within 2 s (uninterruptible sleep in the kernel; "
				"see /proc/PID/task/TID/stack)",
	};
	int ret = 0;
	bool found_new = true;

	/* Rescan until a pass finds no thread we have not seen. */
	while (found_new && !ret && !signals_stop_requested()) {
		pid_t *tids = NULL;
		ssize_t nt = procfs_list_tasks(s->pid, &tids);
		int err = errno;
		found_new = false;
		if (nt < 0 && s->n == 0) {
			if (o->gone_quietly && gone_errno(err))
				s->gone = true;
			else
				pt_error("no process %d", (int)s->pid);
			ret = EXIT_FAILED;
		}
		for (ssize_t i = 0; i < nt && !ret && !signals_stop_requested(); i++) {
			if (!tid_in_list(o->tids, o->ntids, tids[i]) || seen(s, tids[i], r.gone, r.ngone))
				continue;
			found_new = true;
			ret = start_one(&r, tids[i]);
		}
		free(tids);
		if (!ret)
			ret = flush_batch(&r);
		for (size_t i = 0; i < r.batch.n; i++)   /* left by a failure */
			thread_files_close(&r.batch.items[i].tf);
		r.batch.n = 0;
		/* Every thread asked to stop is released before anything else. */
		while (r.nwin)
			complete_one(&r);
	}
	compact(&r);
	free(r.dropped);
	free(r.gone);
	*caps_out = r.caps;
	return ret;
}

static void unwind_all(struct snapshot *s, const struct snapshot_opts *o, struct unwinder *u,
		       struct capture *caps)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->t[i].problem)
			unwind_capture(u, &caps[i], o->max_frames, &s->t[i].stack);
}

/* Threads read in place whose unwinding needed a register the kernel
 * does not show: captured again, stopped, into their own slots.  A thread
 * that exited meanwhile keeps its partial frames with a problem said. */
static size_t recapture(struct snapshot *s, const struct snapshot_opts *o, struct capture *caps)
{
	/* Its frames so far are kept if it does not stop: a thread in
	 * uninterruptible sleep is given little time. */
	struct capture_run r = {
		.s = s, .o = o, .caps = caps, .caps_cap = s->n,
		.disk_wait_ms = RECAPTURE_DISK_WAIT_MS,
		.disk_problem = "a frame needs registers the kernel does not show, and the thread, "
				"in uninterruptible sleep, did not stop for them",
	};
	size_t again = 0;
	r.dropped = xcalloc(s->n ? s->n : 1, sizeof(*r.dropped));
	r.dropped_cap = s->n;
	for (size_t i = 0; i < s->n && !signals_stop_requested(); i++) {
		if (!s->t[i].in_place || !s->t[i].stack.needs_stop)
			continue;
		s->t[i].in_place = false;
		again++;
		if (stop_slot(&r, i))
			break;
	}
	while (r.nwin)
		complete_one(&r);
	for (size_t i = 0; i < s->n; i++)
		if (r.dropped[i] && !s->t[i].problem)
			s->t[i].problem = "exited while being dumped";
	free(r.dropped);
	free(r.gone);
	return again;
}

/* The process has exited: no stat to read, or a zombie with no thread
 * left (a leader that called pthread_exit is a zombie with live ones). */
static bool has_exited(pid_t pid)
{
	char buf[1024];
	struct proc_stat st;
	if (procfs_read(pid, 0, "stat", buf, sizeof(buf)) < 0)
		return gone_errno(errno);
	if (procfs_parse_stat(buf, &st) < 0)
		return false;
	if (st.state != 'Z' && st.state != 'X')
		return false;
	pid_t *tids = NULL;
	ssize_t n = procfs_list_tasks(pid, &tids);
	free(tids);
	return n <= 1;
}

int snapshot_take(struct snapshot *s, pid_t pid, const struct snapshot_opts *o)
{
	struct capture *caps = NULL;
	char buf[1024];
	int ret;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	if (o->gone_quietly && has_exited(pid)) {
		s->gone = true;
		return EXIT_FAILED;
	}
	ret = tracer_precheck(pid);
	if (ret)
		return ret;
	procfs_read_comm(pid, s->comm, sizeof(s->comm));
	for (size_t i = 0; i < o->ntids; i++) {
		if (procfs_read(pid, o->tids[i], "stat", buf, sizeof(buf)) < 0) {
			pt_error("no thread %d in process %d (see /proc/%d/task)", o->tids[i],
				 (int)pid, (int)pid);
			return EXIT_FAILED;
		}
	}
	/* maps needs the same permission as ptrace: the first place to fail. */
	uint64_t maps_hash;
	if (procfs_read_maps(pid, &s->maps, &maps_hash) < 0) {
		if (o->gone_quietly && has_exited(pid)) {
			s->gone = true;
			return EXIT_FAILED;
		}
		return tracer_maps_failed(pid);
	}

	/* The files first, so that their debug information loads while the
	 * threads are read (stack/prefetch.h): the program's own at once,
	 * then that of the code each thread sleeps in. */
	s->ms = modules_open(pid, &s->maps, o->debug_dir);
	struct prefetch *pf = prefetch_start();
	prefetch(pf, o, modules_main(s->ms));
	s->time_ns = realtime_ns();
	uint64_t t0 = monotonic_ns();
	ret = capture_all(s, o, pf, &caps);
	s->capture_ns = monotonic_ns() - t0;
	size_t loaded = prefetch_finish(pf);
	pt_verbose("process %d: debug information of %zu files loaded while its threads were read",
		   (int)pid, loaded);
	if (ret || signals_stop_requested())
		goto out;

	/* Every thread runs again: now the slow part. */
	struct unwinder *u = unwinder_new(s->ms, &s->maps);
	unwind_all(s, o, u, caps);
	/* Code in no known module: a library mapped since maps was read.
	 * Read it again and unwind the same captures once more. */
	if (unwinder_missed_module(u) && procfs_reread_maps(pid, &s->maps, &maps_hash) == 1) {
		pt_verbose("modules of process %d read again (%zu mappings)", (int)pid,
			   s->maps.n);
		unwinder_free(u);
		modules_free(s->ms);
		s->ms = modules_open(pid, &s->maps, o->debug_dir);
		u = unwinder_new(s->ms, &s->maps);
		unwind_all(s, o, u, caps);
	}
	/* Read in place but not unwindable from RIP and RSP alone: stopped
	 * after all, and unwound again. */
	size_t again = recapture(s, o, caps);
	if (again) {
		for (size_t i = 0; i < s->n; i++)
			if (!s->t[i].problem && !s->t[i].in_place && s->t[i].stack.needs_stop)
				unwind_capture(u, &caps[i], o->max_frames, &s->t[i].stack);
	}
	for (size_t i = 0; i < s->n; i++)
		s->in_place += s->t[i].in_place;
	pt_verbose("process %d: %zu threads read in place without stopping them, %zu stopped "
		   "(%zu of them because a frame needed more registers than the kernel shows)",
		   (int)pid, s->in_place, s->n - s->in_place, again);
	for (size_t i = 0; i < s->n; i++) {
		struct thread_snap *ts = &s->t[i];
		if (ts->problem) {
			s->incomplete++;
			pt_verbose("thread %d: no stack: %s", (int)ts->facts.tid, ts->problem);
			continue;
		}
		if (ts->stack.end != UNWIND_COMPLETE) {
			ts->problem = unwind_end_reason(ts->stack.end);
			s->incomplete++;
			pt_verbose("thread %d: stack incomplete after %zu frames: %s",
				   (int)ts->facts.tid, ts->stack.n, ts->problem);
		}
	}
	unwinder_free(u);
	s->jit = perfmap_open(pid, &s->maps);
	s->sym = (struct symbolizer){ .ms = s->ms, .jit = s->jit, .inlines = o->inlines,
				      .lines = o->lines, .share = o->share,
				      .lend = o->share != NULL };
	s->sc = symcache_new(symbolize_resolve, &s->sym);
out:
	for (size_t i = 0; i < s->n && caps; i++)
		capture_free(&caps[i]);
	free(caps);
	return ret;
}

void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		stack_free(&s->t[i].stack);
		kstack_free(&s->t[i].kstack);
	}
	free(s->t);
	if (s->sc)
		symcache_free(s->sc);
	perfmap_free(s->jit);
	modules_free(s->ms);
	maps_free(&s->maps);
	memset(s, 0, sizeof(*s));
}
