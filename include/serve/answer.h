/* answer.h - the answers that need the process but no recording: its
 * goroutines or threads now, a Go runtime profile, names of addresses.
 *
 * Each runs in the tracer thread (answer_goroutines stops threads; the
 * others only read /proc, the process's files and its memory, never
 * stopping a thread, so the worker may run them between two ticks of a
 * recording).  Each sets j->reply, success or error; nothing is written
 * into the process.
 */
#ifndef PTPROF_ANSWER_H
#define PTPROF_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "serve/workq.h"

struct answer_opts {
	size_t stack_bytes, max_frames;
	bool inlines, lines;
	const char *debug_dir;
};

/* /debug/pprof/goroutine: debug 0 a goroutine profile (pprof), 1 the
 * stacks grouped with their counts, 2 every one in full.  A Go program's
 * goroutines, else its threads (the text of `ptprof dump`). */
void answer_goroutines(struct job *j, const struct answer_opts *o);
/* /debug/pprof/heap, allocs, mutex, block: 501 for a program that is not
 * Go.  debug > 0: the text table of `ptprof heap -f text`. */
void answer_goprof(struct job *j, const struct answer_opts *o);
/* /debug/pprof/symbol: "0x<addr> <name>" per address resolved. */
void answer_symbol(struct job *j, const struct answer_opts *o);

#endif
