/* workq.h - the requests HTTP handlers hand to the tracer thread, and
 * their answers.
 *
 * A handler builds a job, submits it and sleeps until the worker has
 * answered it (libmicrohttpd runs each connection in a thread of its own,
 * so a handler may block; see serve/server.h).  The worker takes every job
 * waiting at once and answers each exactly once, in any order.  Once the
 * queue is stopped, a job submitted is answered 503 at once, and the
 * worker answers what it still holds the same way.
 */
#ifndef PTPROF_WORKQ_H
#define PTPROF_WORKQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/goprof.h"
#include "profile/sampler.h"
#include "serve/reply.h"

enum job_kind {
	JOB_PROFILE,              /* a CPU (or wall-clock) profile of a window */
	JOB_GOROUTINE,            /* every goroutine (Go) or thread, now */
	JOB_GOPROF,               /* a Go runtime profile: heap, allocs, ... */
	JOB_SYMBOL,               /* addresses to names (/debug/pprof/symbol) */
};

struct job {
	enum job_kind kind;
	pid_t pid;
	enum sample_mode mode;    /* JOB_PROFILE */
	unsigned seconds;         /* JOB_PROFILE: the window's length */
	int debug;                /* JOB_GOROUTINE, JOB_GOPROF: 0 pprof, 1 grouped, 2 full */
	enum goprof_kind gkind;   /* JOB_GOPROF */
	char *addrs;              /* JOB_SYMBOL: "0x1+0x2..." (owned by the submitter) */
	struct reply reply;       /* the answer */
	uint64_t submitted_ns;    /* monotonic, set by workq_submit_wait */
	/* private */
	bool done;
	struct job *next;
};

struct workq {
	pthread_mutex_t mu;
	pthread_cond_t work;      /* the worker's: a job came, or stop */
	pthread_cond_t answered;  /* the handlers': some job was answered */
	struct job *head, *tail;
	bool stopped;
};

void workq_init(struct workq *q);
void workq_destroy(struct workq *q);

/* Handler side: queue j and wait for its answer (j->reply). */
void workq_submit_wait(struct workq *q, struct job *j);

/* Worker side.  Every job waiting, oldest first, linked by next (NULL
 * when none); with wait, sleeps until there is one or the queue stops. */
struct job *workq_take_all(struct workq *q, bool wait);
/* j->reply is set: wake its handler.  j must not be touched after. */
void workq_answer(struct workq *q, struct job *j);
/* No more work: jobs still queued and those submitted from now on are
 * answered 503. */
void workq_stop(struct workq *q);
bool workq_stopped(struct workq *q);

#endif
