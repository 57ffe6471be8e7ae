/* snapset.c - see snapset.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "profile/snapset.h"
#include "target/proctree.h"
#include "target/signals.h"
#include "target/tracer.h"
#include "util/error.h"
#include "util/xalloc.h"

static void skip(struct snapset *ss, pid_t pid, int status)
{
	if (ss->nskipped == 0)
		ss->skip_status = status;
	XGROW(ss->skipped, ss->skipped_cap, ss->nskipped);
	ss->skipped[ss->nskipped++] = pid;
}

/* One process, captured and kept, or skipped or counted as exited. */
static void take_one(struct snapset *ss, pid_t pid, const struct snapshot_opts *o)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));
	int ret = snapshot_take(s, pid, o);

	if (ret == 0 && s->n > 0 && !signals_stop_requested()) {
		XGROW(ss->v, ss->cap, ss->n);
		ss->v[ss->n++] = s;
		return;
	}
	if (signals_stop_requested())
		;  /* the caller stops: nothing to count */
	else if (s->gone || ret == 0) {
		/* Exited, or every thread ended while it was being dumped. */
		pt_verbose("process %d exited before it could be dumped", (int)pid);
		ss->exited++;
	} else {
		skip(ss, pid, ret);
	}
	snapshot_free(s);
	free(s);
}

/* Every snapshot keeps its modules' files open until the output is
 * written: a few per process, which a few hundred processes would take
 * past the usual soft limit of 1024.  The hard limit is ours to use. */
static void more_files(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			pt_verbose("cannot raise the limit of open files: %s", strerror(errno));
	}
}

int snapset_take(struct snapset *ss, const int *pids, size_t npids, bool children,
		 const struct snapshot_opts *o)
{
	struct snapshot_opts so = *o;
	struct pidset set = { 0 }, refused = { 0 };
	int ret = 0;

	memset(ss, 0, sizeof(*ss));
	ss->share = symshare_new();
	so.share = ss->share;
	so.gone_quietly = true;
	more_files();

	/* The processes named must exist now and be ours to read: each that
	 * is not is said once, here.  Its descendants may still be. */
	for (size_t i = 0; i < npids; i++) {
		if (!pidset_add(&set, (pid_t)pids[i]))
			continue;
		int st = tracer_precheck((pid_t)pids[i]);
		if (st) {
			skip(ss, (pid_t)pids[i], st);
			pidset_add(&refused, (pid_t)pids[i]);
		}
	}
	if (children) {
		size_t added = proctree_add_descendants(&set);
		pt_verbose("%zu descendant processes found", added);
	}
	for (size_t i = 0; i < set.n && !signals_stop_requested(); i++)
		if (!pidset_has(&refused, set.v[i]))
			take_one(ss, set.v[i], &so);

	if (ss->n == 0 && !signals_stop_requested()) {
		if (ss->nskipped) {
			ret = ss->skip_status;
		} else {
			pt_error("no process left to dump: %zu exited before they could be captured",
				 ss->exited);
			ret = EXIT_FAILED;
		}
	}
	pidset_free(&refused);
	pidset_free(&set);
	return ret;
}

void snapset_free(struct snapset *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		snapshot_free(ss->v[i]);
		free(ss->v[i]);
	}
	free(ss->v);
	free(ss->skipped);
	symshare_free(ss->share);
	memset(ss, 0, sizeof(*ss));
}

size_t snapset_threads(const struct snapset *ss)
{
	size_t n = 0;
	for (size_t i = 0; i < ss->n; i++)
		n += ss->v[i]->n;
	return n;
}

void snapset_symbol_counts(const struct snapset *ss, uint64_t *resolved, uint64_t *shared)
{
	uint64_t looked = 0, puts;
	for (size_t i = 0; i < ss->n; i++)
		looked += ss->v[i]->sc ? symcache_size(ss->v[i]->sc) : 0;
	symshare_counts(ss->share, shared, &puts);
	*resolved = looked - *shared;
}
