/* gosnap.h - every goroutine of a Go program now, with its stack: what
 * `dump` shows of a Go program.
 *
 * Taken after the thread snapshot, from the program's memory, with no
 * thread stopped: a parked goroutine does not move, so its saved
 * registers and stack are read as they are (one batched read for all
 * stacks) and unwound like a thread's; a goroutine in a system call is
 * unwound from where it entered it; a running one takes the stack of the
 * thread that runs it, from the snapshot.  Go's own rules decide what is
 * a system goroutine.  Nothing is written into the target.
 */
#ifndef PTPROF_GOSNAP_H
#define PTPROF_GOSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "golang/gobuild.h"
#include "golang/goruntime.h"
#include "profile/snapshot.h"

struct goroutine_snap {
	struct goroutine g;
	struct stack stack;
	const char *problem;      /* why there is no (complete) stack, or NULL */
	bool system;              /* a runtime goroutine: hidden unless --system */
	const struct thread_snap *thread; /* the thread running it, or NULL */
	uint64_t wait_minutes;    /* as Go prints it: whole minutes waited, 0 if under one */
};

struct gosnap {
	struct go_build build;
	struct goroutine_snap *g; /* ascending goroutine id */
	size_t n;
	size_t nsystem;           /* of which system goroutines */
	size_t incomplete;        /* user goroutines without a complete stack */
	uint64_t read_ns;         /* time to read and unwind them */
	uint64_t reads;           /* system calls the reading took */
	char why[200];            /* GOSNAP_UNAVAILABLE: the cause and the fix */
};

enum gosnap_result {
	GOSNAP_OK,
	GOSNAP_NOT_GO,            /* not a Go program: show threads */
	GOSNAP_UNAVAILABLE,       /* Go, but the goroutines cannot be read: why */
};

/* s: a complete thread snapshot of the same process. */
enum gosnap_result gosnap_take(struct gosnap *gs, struct snapshot *s, size_t stack_bytes,
			       size_t max_frames);
void gosnap_free(struct gosnap *gs);

/* Where g was created, as Go's "created by" says it: *fn is the function
 * holding the go statement (the outermost frame at its pc), *at the
 * frame that gives the statement's file and line (the innermost), *sym
 * the symbol of that pc.  False when the runtime does not record it. */
bool gosnap_creator(struct symcache *sc, const struct goroutine_snap *g,
		    const struct symbol **sym, const struct sym_frame **fn,
		    const struct sym_frame **at);

/* The state Go prints between the brackets: the wait reason of a waiting
 * goroutine, else its status ("running", "runnable", "syscall", ...). */
const char *gosnap_state(const struct goroutine_snap *g);

#endif
