/* sampler.c - tick, stop, copy, resume, unwind, count. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "profile/golabel.h"
#include "profile/locks.h"
#include "profile/sampler.h"
#include "profile/snapshot.h"
#include "stack/symbolize.h"
#include "stack/symshare.h"
#include "stack/unwind.h"
#include "target/inplace.h"
#include "target/signals.h"
#include "target/proctree.h"
#include "target/threadfacts.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/numparse.h"
#include "util/hashmap.h"
#include "util/xalloc.h"

/* A thread in uninterruptible sleep is given this long to stop; it stays
 * asked and is collected at a later tick if it stops late. */
#define DISK_SLEEP_WAIT_MS 10
/* How often the process's thread count is compared with the task list
 * last read, and how often the list is read whatever the count says (a
 * thread may have exited and another started in between; one that runs
 * is noticed sooner, by the process CPU clock). */
#define SCAN_NS 100000000ULL
#define FULL_SCAN_NS 1000000000ULL
/* Longest a wait status can stay unseen after a lost SIGCHLD. */
#define DRAIN_NS 100000000ULL
/* Re-reading the modules is not free; at most this often. */
#define REFRESH_NS 250000000ULL   /* maps read again at most 4 times a second */
/* After this many looks in a row at an unchanged schedstat a thread is
 * quiet: it is no longer read at every tick.  Whether any quiet thread
 * ran is told by the process's CPU clock, one system call for all of
 * them (it sums the same counters schedstat shows). */
#define QUIET_LOOKS 2
/* Process run time not explained by the threads read this tick, past
 * which the quiet threads are read as well. */
#define UNEXPLAINED_NS 1000000LL
/* The quiet threads are read anyway this often: in wall mode a thread can
 * move to another wait with less CPU than UNEXPLAINED_NS. */
#define READ_ALL_CPU_NS 1000000000ULL
#define READ_ALL_WALL_NS 100000000ULL

struct sproc;

struct rthread {
	struct traced t;
	struct sproc *p;          /* its process */
	bool seen;                /* listed in the last task scan */
	bool lazy;                /* cpu mode: not seized until it is first sampled */
	struct thread_files files;
	bool have_run;            /* last_run_ns and last_state are known */
	uint64_t last_run_ns;     /* schedstat at the last look */
	uint64_t base_run_ns;     /* ... when the recording started to watch it */
	unsigned quiet_looks;     /* looks in a row at an unchanged last_run_ns */
	bool deferred;            /* quiet, left for after the others this tick */
	char last_state;          /* state at the last full read */
	bool have_ticks;          /* user_ticks and sys_ticks are the last read */
	uint64_t user_ticks, sys_ticks;
	bool mostly_kernel;       /* more system than user ticks since then */
	bool have_last;           /* wall mode: last is the stack of the last capture */
	struct agg_key last_key;  /* ... and what it was counted as */
	struct agg_entry *last_entry; /* ... and where */
	bool last_sc_valid;       /* last_cpu_ns and last_sc describe it */
	uint64_t last_cpu_ns;
	struct proc_syscall last_sc;
	struct stack last;
};

/* What the loop keeps of each process it samples. */
struct sproc {
	struct rec_proc *rp;      /* its part of the recording */
	uint32_t idx;             /* rp's index in the recording */
	pid_t pid;
	bool gone;                /* exited (or its task list vanished) */
	size_t nthreads;          /* its threads in th */
	struct u64map tids;       /* tid in the target's pid namespace -> tid:
				     the threads a lock owner may be */
	bool other_pidns;         /* wall mode, in another pid namespace */
	struct golabel gl;        /* a Go program: the goroutine of each sample */
	struct symbolizer sym;    /* wall mode: to tell what a futex wait is */
	struct symcache *sc;
	struct unwinder *u;
	uint64_t last_refresh;
	uint64_t maps_hash;       /* of the maps text the modules come from */
	ssize_t listed;           /* tasks in the last list read */
	int stat_fd;              /* the process's stat, for its thread count */
	/* What the process CPU clock says beyond the sum of the threads'
	 * last_run_ns, as of the last tick that read every thread: run time
	 * of threads gone or not sampled. */
	bool have_clock;
	clockid_t clock;
	bool rebase;              /* threads came or went: read them all */
	bool have_base;           /* unexplained_base is set */
	bool stranger_ran;        /* CPU spent by a thread not in th: list the tasks */
	bool read_all;            /* this tick reads every thread */
	bool have_cpu;            /* cpu is this tick's clock reading */
	uint64_t cpu;
	uint64_t cpu_base;        /* the process CPU clock when first watched */
	uint64_t sum_run;         /* sum of last_run_ns */
	int64_t unexplained_base;
	uint64_t last_read_all;
};

struct sampler {
	const struct sampler_opts *o;
	struct recording *rec;
	struct sproc **procs;     /* index = agg_key.proc */
	size_t nprocs, procs_cap;
	struct rthread **th;
	size_t n, cap;
	struct u64map index;      /* tid -> position in th */
	struct u64map refused;    /* tid -> tid: seize refused, not tried again */
	struct symshare *share;   /* lock-name symbols across processes */
	uint64_t last_tree_scan;
	long last_task;           /* the newest task of the system, at that scan */
	struct capture cap_buf;   /* reused for every capture */
	struct stack stack_buf;   /* reused for every unwind */
	struct batch_item {
		struct rthread *r;
		struct thread_facts f;
	} *batch;                 /* threads asked to stop this tick */
	size_t batch_cap;
	bool chld;                /* SIGCHLD seen: wait statuses may be pending */
	bool stopped_since_drain; /* a SIGCHLD of ours may have hidden another */
	uint64_t last_drain;
};

static struct rthread *find(struct sampler *s, pid_t tid)
{
	uint64_t i;
	return u64map_get(&s->index, (uint64_t)tid, &i) ? s->th[i] : NULL;
}

static void reindex(struct sampler *s)
{
	u64map_free(&s->index);
	for (size_t i = 0; i < s->n; i++)
		u64map_put(&s->index, (uint64_t)s->th[i]->t.tid, i);
}

/* Forget threads that exited. */
static void prune(struct sampler *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct rthread *r = s->th[i];
		if (r->t.ts == TS_GONE || (r->t.ts == TS_DETACHED && !r->lazy)) {
			r->p->nthreads--;
			r->p->rebase = true;
			stack_free(&r->last);
			thread_files_close(&r->files);
			free(r);
			continue;
		}
		s->th[k++] = r;
	}
	if (k != s->n) {
		s->n = k;
		reindex(s);
	}
}

static void note_child(struct sampler *s, const struct traced *t)
{
	if (s->o->child && t->tid == s->o->child && t->exited) {
		s->rec->st.child_status = t->wstatus;
		s->rec->st.child_done = true;
	}
}

/* Collect every wait status pending for our tracees: signals are handed
 * back, stops nobody asked for are ended, exits noted. */
static void drain_events(struct sampler *s)
{
	for (;;) {
		int st;
		pid_t tid = waitpid(-1, &st, __WALL | WNOHANG);
		if (tid <= 0)
			return;
		struct rthread *r = find(s, tid);
		if (!r) {
			/* Not (or no longer) ours: our child's exit after its
			 * threads were pruned. */
			if (s->o->child && tid == s->o->child && (WIFEXITED(st) || WIFSIGNALED(st))) {
				s->rec->st.child_status = st;
				s->rec->st.child_done = true;
			}
			continue;
		}
		tracer_handle_event(&r->t, st);
		note_child(s, &r->t);
	}
}

/* Seize r now.  False when it is gone or refused (said once). */
static bool seize(struct sampler *s, struct rthread *r)
{
	int sr = tracer_seize(r->p->pid, &r->t);
	r->lazy = false;
	if (sr > 1)
		u64map_put(&s->refused, (uint64_t)r->t.tid, (uint64_t)r->t.tid);
	return sr == 0;
}

/* Take on threads of p we have not seen; note threads that are gone.  In
 * cpu mode a thread is seized only when it is first sampled: most threads
 * of a big process never run while it is recorded, and are never touched.
 * The first is seized at once, so that a refusal is said before anything
 * is recorded. */
static int scan(struct sampler *s, struct sproc *p)
{
	pid_t *tids = NULL;
	ssize_t nt = procfs_list_tasks(p->pid, &tids);
	int ret = 0;

	if (nt <= 0) {
		p->gone = true;
		for (size_t i = 0; i < s->n; i++)
			if (s->th[i]->p == p)
				s->th[i]->t.ts = TS_GONE;
		free(tids);
		prune(s);
		return 0;
	}
	p->listed = nt;
	p->stranger_ran = false;
	for (size_t i = 0; i < s->n; i++)
		if (s->th[i]->p == p)
			s->th[i]->seen = false;
	for (ssize_t i = 0; i < nt; i++) {
		struct rthread *r = find(s, tids[i]);
		if (r) {
			r->seen = true;
			continue;
		}
		uint64_t ignored;
		if (!tid_in_list(s->o->tids, s->o->ntids, tids[i]) ||
		    u64map_get(&s->refused, (uint64_t)tids[i], &ignored))
			continue;
		r = xcalloc(1, sizeof(*r));
		r->t.tid = tids[i];
		r->p = p;
		r->files = (struct thread_files)THREAD_FILES_INIT;
		int sr = 0;
		/* Seized when first stopped: in wall mode most sleepers are
		 * read in place and never are. */
		if (p->nthreads > 0)
			r->lazy = true;
		else
			sr = tracer_seize(p->pid, &r->t);
		if (sr) {
			if (sr > 1)
				u64map_put(&s->refused, (uint64_t)tids[i], (uint64_t)tids[i]);
			free(r);
			if (sr == 1)
				continue;
			/* Refused: fatal before anything of p was recorded. */
			if (p->nthreads == 0) {
				ret = sr;
				break;
			}
			continue;
		}
		r->seen = true;
		/* Lock owners are read in the target's own numbers (its pid
		 * namespace's): keyed by those, they name our tids. */
		u64map_put(&p->tids, (uint64_t)(p->other_pidns ? lock_ns_tid(p->pid, r->t.tid) : r->t.tid),
			   (uint64_t)r->t.tid);
		XGROW(s->th, s->cap, s->n);
		u64map_put(&s->index, (uint64_t)r->t.tid, s->n);
		s->th[s->n++] = r;
		p->nthreads++;
		s->rec->st.threads_seen++;
		p->rebase = true;
	}
	free(tids);
	for (size_t i = 0; i < s->n; i++)
		if (s->th[i]->p == p && !s->th[i]->seen && s->th[i]->t.ts != TS_GONE)
			s->th[i]->t.ts = TS_GONE;  /* no longer in /proc: it exited */
	prune(s);
	return ret;
}

/* Whether p's thread count differs from its last task list: listing a
 * big process's tasks costs far more than reading this one number. */
static bool count_changed(struct sproc *p)
{
	char buf[1024];
	struct proc_stat ps;
	if (procfs_pread(&p->stat_fd, p->pid, 0, "stat", buf, sizeof(buf)) <= 0 ||
	    procfs_parse_stat(buf, &ps) < 0)
		return true;
	return ps.num_threads != p->listed;
}

static bool same_block(const struct rthread *r, const struct thread_facts *f)
{
	return r->have_last && r->last_sc_valid && f->have_syscall && !f->sc.running &&
	       r->last_cpu_ns == f->cpu_ns && r->last_sc.nr == f->sc.nr &&
	       r->last_sc.sp == f->sc.sp && r->last_sc.pc == f->sc.pc;
}

/* A symbol cache over p's current modules, for telling lock waits apart
 * (wall mode only: cpu mode never samples a blocked thread). */
static void lock_names_open(struct sampler *s, struct sproc *p)
{
	if (p->sc)
		symcache_free(p->sc);
	p->sc = NULL;
	if (s->o->mode != MODE_WALL)
		return;
	/* Read while other threads of the tick are stopped: no server asked. */
	p->sym = (struct symbolizer){ .ms = p->rp->ms, .inlines = true, .share = s->share,
				      .offline = true };
	p->sc = symcache_new(symbolize_resolve, &p->sym);
}

/* Whether every mapping of code in old is still in fresh, at the same
 * place: then fresh only adds (a library loaded), and what was sampled
 * before still means what it meant. */
static bool code_kept(const struct maps *old, const struct maps *fresh)
{
	for (size_t i = 0; i < old->n; i++) {
		const struct map_entry *o = &old->v[i];
		if (!o->path || o->perms[2] != 'x')
			continue;
		const struct map_entry *n = maps_find(fresh, o->start);
		if (!n || n->start != o->start || n->end != o->end || n->inode != o->inode ||
		    n->offset != o->offset)
			return false;
	}
	return true;
}

/* Re-read maps and modules when unwinding met code we did not know (a
 * library loaded since: a launched command's libc, a dlopen; or a new
 * program after an exec).  True when the modules changed: the capture is
 * then unwound again.  When code went away (an exec, a dlclose), the
 * process starts a new part of the recording, with the new maps: what
 * was sampled before keeps the modules it was sampled with.  An address
 * in no module that no new mapping explains (a corrupt stack) costs one
 * read of maps, at most every REFRESH_NS after a read that found nothing. */
static bool refresh_modules(struct sampler *s, struct sproc *p)
{
	uint64_t now = monotonic_ns();
	if (!unwinder_missed_module(p->u) || (p->last_refresh && now - p->last_refresh < REFRESH_NS))
		return false;
	struct maps fresh = { 0 };
	if (procfs_reread_maps(p->pid, &fresh, &p->maps_hash) != 1) {
		/* A read that found nothing new: the next waits.  One that
		 * did may be followed at once (a loader mapping library after
		 * library, a command that execs). */
		p->last_refresh = now;
		maps_free(&fresh);
		return false;
	}
	/* The old unwinder was built on the old maps. */
	unwinder_free(p->u);
	if (code_kept(&p->rp->maps, &fresh)) {
		modules_free(p->rp->ms);
		maps_free(&p->rp->maps);
		p->rp->maps = fresh;
		p->rp->modules_gen++;
	} else {
		struct recording *rec = s->rec;
		struct rec_proc *rp = xcalloc(1, sizeof(*rp));
		rp->pid = p->pid;
		rp->maps = fresh;
		p->rp->replaced = true;
		if (p->have_cpu)
			p->cpu_base = p->cpu;  /* the new part's CPU time from here */
		XGROW(rec->procs, rec->procs_cap, rec->nprocs);
		p->idx = (uint32_t)rec->nprocs;
		rec->procs[rec->nprocs++] = rp;
		p->rp = rp;
		rp->jit = perfmap_open(p->pid, &rp->maps);
		pt_verbose("process %d runs other code now (an exec?): a new part of the recording",
			   (int)p->pid);
	}
	procfs_read_comm(p->pid, p->rp->comm, sizeof(p->rp->comm));
	p->rp->ms = modules_open(p->pid, &p->rp->maps, s->o->debug_dir);
	p->u = unwinder_new(p->rp->ms, &p->rp->maps);
	lock_names_open(s, p);
	golabel_close(&p->gl);
	golabel_open(&p->gl, p->pid, p->rp->ms);
	s->rec->st.module_reloads++;
	pt_verbose("modules of process %d read again (%zu mappings)", (int)p->pid,
		   p->rp->maps.n);
	return true;
}

/* The lock a blocked thread waits on, and its holder, for the labels. */
static void label_lock(struct sampler *s, struct sproc *p, const struct thread_facts *f,
		       struct agg_key *k)
{
	struct lock_wait w;
	if (!p->sc)
		return;
	lock_wait_of(p->pid, p->sc, p->rp->ms, f, &s->stack_buf, &p->tids, &w);
	if (w.kind == LOCK_NONE)
		return;
	k->lock = w.addr;
	k->owner = w.owner > 0 ? (pid_t)w.owner : 0;
}

/* Whether a thread that has not run since its last look is dealt with
 * without stopping it: in cpu mode it is off CPU, so not sampled; in wall
 * mode its last stack is counted again, if it has one. */
static bool count_unmoved(struct sampler *s, struct rthread *r)
{
	if (s->o->mode == MODE_CPU)
		return true;
	if (!r->have_last)
		return false;
	aggregate_count(&s->rec->agg, r->last_entry, 1);
	s->rec->st.samples++;
	return true;
}

static bool quiet(const struct sampler *s, const struct rthread *r)
{
	return (r->t.ts == TS_RUNNING || r->lazy) && r->have_run && r->last_state != 'R' &&
	       r->quiet_looks >= QUIET_LOOKS && (s->o->mode == MODE_CPU || r->have_last);
}

/* Names, states and run times of p's threads read before its first tick,
 * so that it reads /proc only for threads that ran since (the first read
 * of a thread's files is the slow one). */
static void prime(struct sampler *s, struct sproc *p)
{
	for (size_t i = 0; i < s->n; i++) {
		struct rthread *r = s->th[i];
		struct thread_facts f;
		uint64_t ns;
		if (r->p != p || r->have_run || (r->t.ts != TS_RUNNING && !r->lazy) ||
		    thread_facts_read_files(&r->files, p->pid, r->t.tid, &f) < 0 ||
		    thread_run_ns(&r->files, p->pid, r->t.tid, &ns) < 0)
			continue;
		aggregate_thread(&s->rec->agg, r->t.tid, f.name);
		r->have_run = true;
		r->last_run_ns = ns;
		/* New threads found later start from 0, and so do the threads
		 * of a command we started. */
		r->base_run_ns = p->pid == s->o->child ? 0 : ns;
		r->last_state = f.state;
		p->sum_run += ns;
	}
}

static bool sample_in_place(struct sampler *s, struct rthread *r, const struct thread_facts *f);

static bool want_stop(struct sampler *s, struct rthread *r, struct thread_facts *f)
{
	struct sproc *p = r->p;
	uint64_t run_ns;
	if (r->t.ts != TS_RUNNING && !r->lazy)
		return false;
	if (thread_run_ns(&r->files, p->pid, r->t.tid, &run_ns) < 0) {
		r->t.ts = TS_GONE;
		return false;
	}
	/* Most threads of a big process sleep: schedstat (cheap) tells that
	 * one has not run since the last look, so it is not on a CPU now and
	 * its stack has not moved.  Only the others need their stat read. */
	bool idle = r->have_run && run_ns == r->last_run_ns && r->last_state != 'R';
	if (r->have_run && run_ns == r->last_run_ns)
		r->quiet_looks++;
	else
		r->quiet_looks = 0;
	p->sum_run += run_ns - (r->have_run ? r->last_run_ns : 0);
	r->have_run = true;
	r->last_run_ns = run_ns;
	if (run_ns >= r->base_run_ns)
		aggregate_thread_run(&s->rec->agg, r->t.tid, run_ns - r->base_run_ns);
	if (idle && count_unmoved(s, r))
		return false;
	if (thread_facts_read_files(&r->files, p->pid, r->t.tid, f) < 0) {
		r->t.ts = TS_GONE;
		return false;
	}
	/* A job-control stop we keep in force with PTRACE_LISTEN reads as
	 * tracing-stop: it is the user's stop, say so. */
	if (f->state == 't' && r->t.group_stop)
		f->state = 'T';
	r->last_state = f->state;
	/* Whether the kernel had most of its time since the last look: a
	 * thread stopped in a system call was counted as the kernel's only
	 * then.  (An interrupt may be noticed only at the next system call,
	 * not where the thread was: a computing thread that makes system
	 * calls would otherwise look like kernel time.) */
	r->mostly_kernel = r->have_ticks && f->sys_ticks - r->sys_ticks > f->user_ticks - r->user_ticks;
	r->have_ticks = true;
	r->user_ticks = f->user_ticks;
	r->sys_ticks = f->sys_ticks;
	if (f->state == 'Z' || f->state == 'X')
		return false;
	aggregate_thread(&s->rec->agg, r->t.tid, f->name);
	if (s->o->mode == MODE_CPU && f->state != 'R')
		return false;
	if (s->o->mode == MODE_WALL && f->state != 'R' && same_block(r, f)) {
		/* Blocked where it was at its last capture: same stack. */
		struct agg_key k = r->last_key;
		k.state = f->state;
		aggregate_add(&s->rec->agg, &k, r->last.frames, r->last.n, 1);
		s->rec->st.samples++;
		return false;
	}
	/* Asleep in the kernel: read where it sleeps, without a stop. */
	if (s->o->mode == MODE_WALL && (f->state == 'S' || f->state == 'D') &&
	    sample_in_place(s, r, f))
		return false;
	return true;
}

/* Our stop of a thread sent a SIGCHLD.  It is taken before the thread
 * runs again: signals of one kind do not queue, so a SIGCHLD still
 * pending would hide the next one - the thread stopping again at once
 * for a signal of its own (a Go program's preemption or profiling
 * signal) - and leave it stopped until the next drain.  A SIGCHLD that
 * names another thread, or that the stop's wait saw, is someone else's:
 * the events are collected before the next sleep. */
static void take_own_sigchld(struct sampler *s, pid_t tid)
{
	sigset_t chld;
	siginfo_t si;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigtimedwait(&chld, &si, &(struct timespec){ 0, 0 }) == SIGCHLD && si.si_pid != tid)
		s->chld = true;
	if (tracer_foreign_sigchld) {
		tracer_foreign_sigchld = false;
		s->chld = true;
	}
	s->stopped_since_drain = true;
}

/* Count the stack just unwound into s->stack_buf as r's sample. */
static void count_stack(struct sampler *s, struct rthread *r, const struct thread_facts *f)
{
	struct sampler_stats *st = &s->rec->st;
	struct sproc *p = r->p;
	if (s->stack_buf.n == 0) {
		st->lost_unwind++;
		return;
	}
	if (s->stack_buf.end != UNWIND_COMPLETE)
		st->truncated++;
	struct agg_key k = { .tid = r->t.tid, .state = f->state, .proc = p->idx };
	if (s->o->mode == MODE_WALL)
		label_lock(s, p, f, &k);
	k.goid = golabel_goid(&p->gl, r->t.tid);
	struct agg_entry *e = aggregate_add(&s->rec->agg, &k, s->stack_buf.frames, s->stack_buf.n, 1);
	st->samples++;
	if (s->o->mode == MODE_WALL) {
		r->last_entry = e;
		XGROW(r->last.frames, r->last.cap, s->stack_buf.n);
		memcpy(r->last.frames, s->stack_buf.frames,
		       s->stack_buf.n * sizeof(*s->stack_buf.frames));
		r->last.n = s->stack_buf.n;
		r->have_last = true;
		r->last_key = k;
		r->last_cpu_ns = f->cpu_ns;
		r->last_sc = f->sc;
		r->last_sc_valid = f->have_syscall;
	}
}

/* With r stopped (or not, after a failed wait): copy, resume, unwind, count. */
static void collect(struct sampler *s, struct rthread *r, const struct thread_facts *f)
{
	struct sampler_stats *st = &s->rec->st;
	struct sproc *p = r->p;
	enum stop_result sr = tracer_wait_stop(&r->t, f->state == 'D' ? DISK_SLEEP_WAIT_MS : 0);
	if (sr == STOP_OK)
		sr = tracer_capture(&r->t, &p->rp->maps, s->o->stack_bytes, &s->cap_buf);
	if (sr == STOP_OK)
		take_own_sigchld(s, r->t.tid);
	tracer_resume(&r->t);
	note_child(s, &r->t);
	if (sr == STOP_GONE) {
		st->lost_exited++;
		return;
	}
	if (sr != STOP_OK)
		return;  /* still asked to stop; its stop is collected later */

	unwind_capture(p->u, &s->cap_buf, s->o->max_frames, &s->stack_buf);
	if (refresh_modules(s, p))
		unwind_capture(p->u, &s->cap_buf, s->o->max_frames, &s->stack_buf);
	st->stopped++;
	/* On a CPU inside a system call: the kernel's time, shown as such. */
	long nr;
	if (f->state == 'R' && r->mostly_kernel && s->stack_buf.n &&
	    capture_in_syscall(&s->cap_buf, p->rp->ms, &nr)) {
		stack_push_kernel(&s->stack_buf, nr);
		st->kernel++;
	}
	count_stack(s, r, f);
}

/* Wall mode, a thread asleep in the kernel: its stack read in place, no
 * stop.  False when it must be stopped after all (it woke up, or a frame
 * needs a register the kernel does not show). */
static bool sample_in_place(struct sampler *s, struct rthread *r, const struct thread_facts *f)
{
	struct sproc *p = r->p;
	enum inplace_result ir = inplace_capture(&r->files, p->pid, r->t.tid, &p->rp->maps,
						 s->o->stack_bytes, &s->cap_buf);
	if (ir == INPLACE_GONE) {
		r->t.ts = TS_GONE;
		return true;
	}
	if (ir != INPLACE_OK)
		return false;
	unwind_capture(p->u, &s->cap_buf, s->o->max_frames, &s->stack_buf);
	if (refresh_modules(s, p))
		unwind_capture(p->u, &s->cap_buf, s->o->max_frames, &s->stack_buf);
	if (s->stack_buf.needs_stop)
		return false;
	s->rec->st.in_place++;
	count_stack(s, r, f);
	return true;
}

/* Which threads of p this tick reads: all of them, or (with the process
 * CPU clock to tell whether a quiet one ran) only the busy ones. */
static void tick_plan(struct sampler *s, struct sproc *p, uint64_t now)
{
	struct timespec ts;
	p->have_cpu = p->have_clock && clock_gettime(p->clock, &ts) == 0;
	p->cpu = p->have_cpu ? (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec : 0;
	if (p->have_cpu && p->cpu >= p->cpu_base) {
		p->rp->have_cpu = true;
		p->rp->cpu_ns = p->cpu - p->cpu_base;
	}
	uint64_t every = s->o->mode == MODE_WALL ? READ_ALL_WALL_NS : READ_ALL_CPU_NS;
	p->read_all = !p->have_cpu || p->rebase || now - p->last_read_all >= every;
}

/* After a tick read every thread of p: the CPU time they do not explain. */
static void tick_rebase(struct sproc *p, uint64_t now)
{
	if (!p->read_all || !p->have_cpu)
		return;
	/* Still unexplained with every known thread read: a thread we do
	 * not know ran (a new one, or one that just exited). */
	int64_t unexplained = (int64_t)(p->cpu - p->sum_run);
	if (p->have_base && unexplained - p->unexplained_base > UNEXPLAINED_NS)
		p->stranger_ran = true;
	p->have_base = true;
	p->unexplained_base = unexplained;
	p->rebase = false;
	p->last_read_all = now;
}

/* One tick: decide from /proc which threads to stop (reading it for every
 * thread takes a while, and nobody is held meanwhile), ask them all to
 * stop, then collect each in turn.  When runnable threads outnumber CPUs
 * a stop can take milliseconds to arrive; asked together, those waits
 * overlap. */
static void tick(struct sampler *s)
{
	XGROW(s->batch, s->batch_cap, s->n);
	size_t nb = 0;
	uint64_t now = monotonic_ns();

	for (size_t i = 0; i < s->nprocs; i++)
		if (!s->procs[i]->gone)
			tick_plan(s, s->procs[i], now);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->n && !signals_stop_requested(); i++) {
			struct rthread *r = s->th[i];
			if (pass == 0) {
				r->deferred = !r->p->read_all && quiet(s, r);
				if (r->deferred)
					continue;
			} else if (!r->deferred) {
				continue;
			} else if (!r->p->read_all) {
				count_unmoved(s, r);  /* quiet: true */
				continue;
			}
			s->batch[nb].r = r;
			if (want_stop(s, r, &s->batch[nb].f))
				nb++;
		}
		/* Process CPU time that the threads just read do not account
		 * for was spent by a quiet one: read them all. */
		for (size_t i = 0; pass == 0 && i < s->nprocs; i++) {
			struct sproc *p = s->procs[i];
			if (!p->gone && !p->read_all &&
			    (int64_t)(p->cpu - p->sum_run) - p->unexplained_base > UNEXPLAINED_NS)
				p->read_all = true;
		}
	}
	for (size_t i = 0; i < s->nprocs; i++)
		if (!s->procs[i]->gone)
			tick_rebase(s->procs[i], now);
	size_t k = 0;
	for (size_t i = 0; i < nb; i++) {
		if (s->batch[i].r->lazy && !seize(s, s->batch[i].r))
			continue;
		if (tracer_interrupt(&s->batch[i].r->t) != STOP_OK) {
			s->rec->st.lost_exited++;
			continue;
		}
		s->batch[k++] = s->batch[i];
	}
	for (size_t i = 0; i < k; i++)
		collect(s, s->batch[i].r, &s->batch[i].f);
}

static bool all_zombies(const struct sampler *s, const struct sproc *p)
{
	for (size_t i = 0; i < s->n; i++) {
		char buf[512];
		struct proc_stat ps;
		if (s->th[i]->p == p && procfs_read(p->pid, s->th[i]->t.tid, "stat", buf, sizeof(buf)) > 0 &&
		    procfs_parse_stat(buf, &ps) == 0 && ps.state != 'Z' && ps.state != 'X')
			return false;
	}
	return true;
}

static void progress(struct sampler *s, uint64_t elapsed)
{
	size_t live = 0;
	for (size_t i = 0; i < s->nprocs; i++)
		live += !s->procs[i]->gone;
	fprintf(stderr, "\rptprof: %.1fs, %llu samples, %zu threads", (double)elapsed / 1e9,
		(unsigned long long)s->rec->st.samples, s->n);
	if (s->nprocs > 1)
		fprintf(stderr, " in %zu processes", live);
	fputs("   ", stderr);
}

/* Sleep until deadline, waking for every tracee event on the way. */
static void wait_for_tick(struct sampler *s, uint64_t deadline)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		/* waitpid(-1) walks every tracee: only when SIGCHLD said so,
		 * or when one may have gone unseen (see take_own_sigchld). */
		uint64_t now = monotonic_ns();
		if (s->chld || (s->stopped_since_drain && now - s->last_drain >= DRAIN_NS)) {
			s->chld = false;
			s->stopped_since_drain = false;
			s->last_drain = now;
			drain_events(s);
			now = monotonic_ns();
		}
		if (now >= deadline || signals_stop_requested())
			return;
		uint64_t left = deadline - now;
		struct timespec ts = { (time_t)(left / 1000000000ULL), (long)(left % 1000000000ULL) };
		if (sigtimedwait(&chld, NULL, &ts) == SIGCHLD)
			s->chld = true;
	}
}

static void proc_free(struct sproc *p)
{
	if (p->sc)
		symcache_free(p->sc);
	golabel_close(&p->gl);
	unwinder_free(p->u);
	u64map_free(&p->tids);
	if (p->stat_fd >= 0)
		close(p->stat_fd);
	free(p);
}

/* Start sampling process pid: its maps, threads and modules.  0 when it
 * is sampled from now on; 1 when it is gone (or has no thread to
 * sample); else an exit status after saying why. */
static int add_proc(struct sampler *s, pid_t pid)
{
	struct recording *rec = s->rec;
	struct rec_proc *rp = xcalloc(1, sizeof(*rp));
	struct sproc *p = xcalloc(1, sizeof(*p));
	int ret;

	rp->pid = pid;
	p->rp = rp;
	p->pid = pid;
	p->stat_fd = -1;
	p->rebase = true;
	p->idx = (uint32_t)rec->nprocs;
	if (procfs_read_maps(pid, &rp->maps, &p->maps_hash) < 0) {
		ret = pid == s->o->child || s->nprocs ? 1 : tracer_maps_failed(pid);
		goto fail;
	}
	/* Lock owners are told only in wall mode. */
	p->other_pidns = s->o->mode == MODE_WALL && lock_other_pidns(pid);
	/* Added first so that scan's threads point at it. */
	XGROW(s->procs, s->procs_cap, s->nprocs);
	s->procs[s->nprocs++] = p;
	ret = scan(s, p);
	if (ret || p->nthreads == 0) {
		s->nprocs--;
		for (size_t i = 0; i < s->n; i++)
			if (s->th[i]->p == p)
				s->th[i]->t.ts = TS_GONE;
		prune(s);
		if (!ret)
			ret = 1;
		goto fail;
	}
	procfs_read_comm(pid, rp->comm, sizeof(rp->comm));
	rp->ms = modules_open(pid, &rp->maps, s->o->debug_dir);
	rp->jit = perfmap_open(pid, &rp->maps);
	p->u = unwinder_new(rp->ms, &rp->maps);
	lock_names_open(s, p);
	golabel_open(&p->gl, pid, rp->ms);
	p->have_clock = clock_getcpuclockid(pid, &p->clock) == 0;
	/* A command we started is recorded from its first instruction: all
	 * its CPU time counts.  A process found running counts from now. */
	struct timespec ts;
	if (pid != s->o->child && p->have_clock && clock_gettime(p->clock, &ts) == 0)
		p->cpu_base = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	prime(s, p);
	XGROW(rec->procs, rec->procs_cap, rec->nprocs);
	rec->procs[rec->nprocs++] = rp;
	rec->st.procs_seen++;
	return 0;
fail:
	maps_free(&rp->maps);
	free(rp);
	proc_free(p);
	return ret;
}

static bool have_proc(const struct sampler *s, pid_t pid)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i]->pid == pid && !s->procs[i]->gone)
			return true;
	return false;
}

/* Whether a task was created anywhere since the last look. */
static bool task_created(struct sampler *s)
{
	long last = proctree_newest_task();
	if (last >= 0 && last == s->last_task)
		return false;
	s->last_task = last;
	return true;
}

/* With children followed: add the descendants of the live processes. */
static void scan_tree(struct sampler *s)
{
	struct pidset set = { 0 };
	for (size_t i = 0; i < s->nprocs; i++)
		if (!s->procs[i]->gone)
			pidset_add(&set, s->procs[i]->pid);
	size_t known = set.n;
	proctree_add_descendants(&set);
	for (size_t i = known; i < set.n && !signals_stop_requested(); i++) {
		if (have_proc(s, set.v[i]))
			continue;
		if (add_proc(s, set.v[i]) == 0)
			pt_verbose("recording process %d (%s) too", (int)set.v[i],
				   s->rec->procs[s->rec->nprocs - 1]->comm);
	}
	pidset_free(&set);
}

/* A process whose threads are all gone (or zombies) has exited. */
static void note_exits(struct sampler *s)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		struct sproc *p = s->procs[i];
		if (!p->gone && (p->nthreads == 0 || all_zombies(s, p))) {
			p->gone = true;
			for (size_t j = 0; j < s->n; j++)
				if (s->th[j]->p == p)
					s->th[j]->t.ts = TS_GONE;
		}
		if (p->gone && !p->rp->exited) {
			p->rp->exited = true;
			s->rec->st.procs_exited++;
			pt_verbose("process %d (%s) exited", (int)p->pid, p->rp->comm);
		}
	}
	prune(s);
}

static bool all_gone(const struct sampler *s)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (!s->procs[i]->gone)
			return false;
	return true;
}

/* The processes asked for; with several, one that cannot be recorded is
 * skipped (said why), and only when none can is it an error. */
static int add_initial(struct sampler *s)
{
	const struct sampler_opts *o = s->o;
	const int one[1] = { (int)o->pid };
	const int *pids = o->pids ? o->pids : one;
	size_t n = o->pids ? o->npids : 1;
	int first_err = 0;

	for (size_t i = 0; i < n && !signals_stop_requested(); i++) {
		pid_t pid = (pid_t)pids[i];
		int ret = pid == o->child ? 0 : tracer_precheck(pid);
		if (!ret)
			ret = add_proc(s, pid);
		if (ret == 1 && pid == o->child)
			continue;  /* the command was quicker than us */
		if (ret == 1) {
			if (n == 1)
				pt_error("no thread of process %d to record%s", (int)pid,
					 o->tids ? " (check the -t thread ids)" : "");
			else
				pt_error("process %d: no thread to record; skipped", (int)pid);
			ret = EXIT_FAILED;
		}
		if (ret) {
			s->rec->st.procs_skipped++;
			if (!first_err)
				first_err = ret;
		}
	}
	if (o->children)
		scan_tree(s);
	if (s->nprocs == 0 && !o->child)
		return first_err ? first_err : EXIT_FAILED;
	return 0;
}

static int sample_all(const struct sampler_opts *o, struct recording *rec)
{
	struct sampler s = { .o = o, .rec = rec, .chld = true };
	sigset_t chld;
	int ret;

	memset(rec, 0, sizeof(*rec));
	/* Up to three /proc files stay open per thread: allow what the hard
	 * limit allows (past it, reads fall back to open and close). */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	/* SIGCHLD stays pending for sigtimedwait instead of being delivered. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);

	if (o->children) {
		s.share = symshare_new();
		task_created(&s);
	}
	ret = add_initial(&s);
	if (ret)
		goto out;
	if (s.nprocs == 0) {
		/* The command was quicker than us: an empty profile, no error. */
		rec->st.end = END_TARGET_EXIT;
		rec->st.start_time_ns = realtime_ns();
		goto out;
	}
	/* Said once every thread is attached: from here on, what the target
	 * does is recorded. */
	if (s.nprocs == 1)
		pt_info("recording process %d%s in %s mode at %u Hz%s", (int)s.procs[0]->pid,
			o->children ? " and its children" : "", o->mode == MODE_WALL ? "wall" : "cpu",
			o->rate_hz, o->duration_ns ? "" : "; Ctrl-C to stop");
	else
		pt_info("recording %zu processes%s in %s mode at %u Hz%s", s.nprocs,
			o->children ? " and their children" : "", o->mode == MODE_WALL ? "wall" : "cpu",
			o->rate_hz, o->duration_ns ? "" : "; Ctrl-C to stop");

	uint64_t period = 1000000000ULL / o->rate_hz;
	uint64_t start = monotonic_ns();
	uint64_t end = o->duration_ns ? start + o->duration_ns : 0;
	uint64_t next = start, next_progress = start + 1000000000ULL, next_scan = start + SCAN_NS;
	uint64_t next_full_scan = start + FULL_SCAN_NS;
	uint64_t next_interval = start + o->interval_ns;
	s.last_tree_scan = start;
	rec->st.start_time_ns = realtime_ns();
	rec->st.end = END_DURATION;
	for (;;) {
		wait_for_tick(&s, next);
		if (signals_stop_requested()) {
			rec->st.end = END_SIGNAL;
			break;
		}
		uint64_t now = monotonic_ns();
		if ((end && now >= end) || (o->end && *o->end))
			break;
		/* New threads are looked for every SCAN_NS, not at every tick:
		 * listing a big process's tasks costs more than sampling it.
		 * Threads that exit are noticed at once, by their files. */
		if (now >= next_scan) {
			bool full = now >= next_full_scan;
			for (size_t i = 0; i < s.nprocs && !ret; i++) {
				struct sproc *p = s.procs[i];
				if (!p->gone && (full || p->stranger_ran || count_changed(p)))
					ret = scan(&s, p);
			}
			if (ret) {
				/* A refusal of a process already recorded from:
				 * only the first process's is fatal, as before. */
				if (s.nprocs > 1 || o->children)
					ret = 0;
				else
					break;
			}
			if (full)
				next_full_scan = now + FULL_SCAN_NS;
			/* Children: at least once a second, and whenever a task
			 * was created somewhere since the last look. */
			if (o->children && (now - s.last_tree_scan >= FULL_SCAN_NS || task_created(&s))) {
				scan_tree(&s);
				s.last_tree_scan = now;
			}
			next_scan = now + SCAN_NS;
		}
		note_exits(&s);
		if (all_gone(&s)) {
			rec->st.end = END_TARGET_EXIT;
			break;
		}
		rec->st.ticks++;
		tick(&s);
		/* Read while the targets live: /proc/PID/root goes with them. */
		for (size_t i = 0; i < s.nprocs; i++)
			if (!s.procs[i]->gone)
				perfmap_poll(s.procs[i]->rp->jit);
		/* Absolute deadlines: the rate does not drift; ticks that could
		 * not be kept are skipped, not bunched. */
		next += period;
		now = monotonic_ns();
		if (next < now) {
			uint64_t behind = (now - next) / period + 1;
			rec->st.ticks_missed += behind;
			next += behind * period;
		}
		if (o->progress && now >= next_progress) {
			progress(&s, now - start);
			next_progress += 1000000000ULL;
		}
		if (o->on_interval && now >= next_interval) {
			o->on_interval(o->interval_arg, rec, now - start);
			next_interval += o->interval_ns;
			if (next_interval < now)
				next_interval = now + o->interval_ns;
		}
	}
	rec->st.duration_ns = monotonic_ns() - start;
	/* The CPU time each thread used, to the end (quiet ones were not
	 * read at every tick). */
	for (size_t i = 0; i < s.n; i++) {
		struct rthread *r = s.th[i];
		uint64_t ns;
		if (r->have_run && thread_run_ns(&r->files, r->p->pid, r->t.tid, &ns) == 0 &&
		    ns >= r->base_run_ns)
			aggregate_thread_run(&rec->agg, r->t.tid, ns - r->base_run_ns);
	}
	if (o->progress)
		fputs("\r\033[K", stderr);
out:
	/* Hand back what is pending; the threads themselves are let go when
	 * this thread exits (see sampler_run). */
	drain_events(&s);
	for (size_t i = 0; i < s.n; i++) {
		stack_free(&s.th[i]->last);
		thread_files_close(&s.th[i]->files);
		free(s.th[i]);
	}
	free(s.th);
	for (size_t i = 0; i < s.nprocs; i++)
		proc_free(s.procs[i]);
	free(s.procs);
	symshare_free(s.share);
	u64map_free(&s.index);
	u64map_free(&s.refused);
	capture_free(&s.cap_buf);
	free(s.batch);
	stack_free(&s.stack_buf);
	return ret;
}

struct run_args {
	const struct sampler_opts *o;
	struct recording *rec;
	int ret;
};

static void *sampler_thread(void *p)
{
	struct run_args *a = p;
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	/* Ctrl-C and friends interrupt this thread's waits. */
	pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	a->ret = sample_all(a->o, a->rec);
	return NULL;
}

/* The recording runs in a thread of its own, which is the tracer of every
 * thread it seized.  When it exits the kernel detaches them all without
 * stopping them: a thread blocked in epoll_wait, which any stop would end
 * with EINTR, never notices the detach.  Detaching from the main thread
 * would need a stop of each. */
int sampler_run(const struct sampler_opts *o, struct recording *rec)
{
	struct run_args a = { o, rec, 0 };
	sigset_t block, old;
	pthread_t t;

	/* Empty before the thread that fills it starts: if it cannot start,
	 * the caller's recording_free still meets a valid recording. */
	memset(rec, 0, sizeof(*rec));
	signals_stop_set(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if ((errno = pthread_create(&t, NULL, sampler_thread, &a)) != 0) {
		pt_perror("pthread_create");
		a.ret = EXIT_FAILED;
	} else {
		pthread_join(t, NULL);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return a.ret;
}

void recording_free(struct recording *rec)
{
	aggregate_free(&rec->agg);
	for (size_t i = 0; i < rec->nprocs; i++) {
		perfmap_free(rec->procs[i]->jit);
		modules_free(rec->procs[i]->ms);
		maps_free(&rec->procs[i]->maps);
		free(rec->procs[i]);
	}
	free(rec->procs);
	memset(rec, 0, sizeof(*rec));
}
