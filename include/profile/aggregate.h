/* aggregate.h - samples counted as they arrive, per unique
 * (stack, thread, state).
 *
 * Memory grows with the number of distinct stacks, not with the duration
 * or the rate: a stack seen a million times is one entry with a count.
 * Addresses stay raw here; symbolizing is the writers' business, at the
 * end.
 */
#ifndef PTPROF_AGGREGATE_H
#define PTPROF_AGGREGATE_H

#include <stdint.h>
#include <sys/types.h>

#include "stack/unwind.h"
#include "target/procfs.h"
#include "util/hashmap.h"

/* Who was sampled, in what state, waiting for what. */
struct agg_key {
	pid_t tid;
	char state;               /* stat letter when sampled */
	uint64_t lock;            /* lock waited on (wall mode), or 0 */
	pid_t owner;              /* its holder, or 0 */
	uint64_t goid;            /* the goroutine the thread ran (Go), or 0 */
	uint32_t proc;            /* which process (the recording's index): its
				     addresses mean nothing in another */
};

struct agg_entry {
	uint64_t hash;
	pid_t tid;
	char state;
	uint64_t lock;
	pid_t owner;
	uint64_t goid;
	uint32_t proc;
	uint32_t nframes;
	uint64_t count;
	struct stack_frame *frames;
};

struct agg_thread {
	pid_t tid;
	char name[PROC_COMM_MAX]; /* the latest name seen */
	bool have_run;            /* run_ns is known */
	uint64_t run_ns;          /* CPU time used while recorded (schedstat) */
};

struct aggregate {
	struct agg_entry **slots; /* open addressing by hash */
	size_t nslots;
	struct agg_entry **entries; /* in order of first appearance */
	size_t n, cap;
	struct agg_thread *threads; /* every thread sampled, in order seen */
	size_t nthreads, threads_cap;
	struct u64map thread_index; /* tid -> index in threads */
	uint64_t total;           /* samples added */
};

/* The entry counted; it stays where it is until aggregate_free. */
struct agg_entry *aggregate_add(struct aggregate *a, const struct agg_key *k,
				const struct stack_frame *frames, size_t n, uint64_t count);
/* Count an entry aggregate_add returned again, without hashing its stack. */
void aggregate_count(struct aggregate *a, struct agg_entry *e, uint64_t count);
/* Remember (or update) a thread's name. */
void aggregate_thread(struct aggregate *a, pid_t tid, const char *name);
const char *aggregate_thread_name(const struct aggregate *a, pid_t tid);
/* The CPU time a thread has used while recorded, as last read (the thread
 * is added, unnamed, if new). */
void aggregate_thread_run(struct aggregate *a, pid_t tid, uint64_t run_ns);
/* The same, or NULL when not known. */
const struct agg_thread *aggregate_thread_info(const struct aggregate *a, pid_t tid);
void aggregate_free(struct aggregate *a);

#endif
