/* window.h - one request's CPU (or wall-clock) profile, cut out of a
 * recording that other requests share.
 *
 * A segment is one run of the sampler (one recording); the worker ends a
 * segment and starts another when the threads must be free for other
 * work (a goroutine dump) or another process joins.  A window is the
 * time span one request asked for: it holds, for each segment it
 * overlaps, the counts of that segment's aggregate when it joined, so
 * that its profile is what was counted since (its own window, whatever
 * other windows share the segments), for its process only.  Segments are
 * counted references: the last window (or the worker) to let one go
 * frees it.  Everything here runs in the thread that owns the recording.
 */
#ifndef PTPROF_WINDOW_H
#define PTPROF_WINDOW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/recsyms.h"
#include "profile/sampler.h"
#include "serve/reply.h"
#include "stack/symshare.h"

struct segment {
	struct recording rec;
	enum sample_mode mode;
	unsigned rate_hz;
	unsigned refs;
	struct recsyms rs;        /* its processes' symbols, resolved as samples come */
	size_t warmed;            /* entries whose frames rs has resolved */
};

struct window_part {
	struct segment *seg;
	uint64_t *base;           /* the counts of seg's entries when joined */
	size_t nbase;
};

struct window {
	pid_t pid;
	enum sample_mode mode;
	uint64_t start_ns, end_ns; /* monotonic */
	uint64_t start_real_ns;   /* wall clock at the start */
	struct window_part *parts;
	size_t nparts, parts_cap;
};

/* share: symbols kept across segments (the caller's, outliving s). */
struct segment *segment_new(enum sample_mode mode, unsigned rate_hz, struct symshare *share);
void segment_unref(struct segment *s);
/* Resolve the frames of the entries counted since the last call, so that
 * a window's answer has little left to resolve when its time is up. */
void segment_warm(struct segment *s);

/* A window of seconds from start_ns (monotonic: when it was asked). */
void window_init(struct window *w, pid_t pid, enum sample_mode mode, unsigned seconds,
		 uint64_t start_ns);
/* From now on, what seg counts for w's process is w's too. */
void window_join(struct window *w, struct segment *seg);
/* The profile of what the window's parts counted: gzipped pprof in the
 * Go CPU-profile layout, as `record` writes it, symbolized with its
 * segments' symbols, in the thread that owns the recording (its modules
 * are not shared with another thread). */
void window_profile(const struct window *w, struct reply *r);
void window_free(struct window *w);

#endif
