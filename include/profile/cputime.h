/* cputime.h - the CPU time of each counted stack, exact per thread.
 *
 * Sampling says where a thread's CPU time went; the kernel says how much
 * it was (schedstat run time, read by the sampler).  Each thread's
 * measured time is shared among its entries in proportion to their
 * counts, to the nanosecond (the remainder goes to its largest entries),
 * so a cpu profile's total is the CPU time its threads really used while
 * which stacks got it stays sampled.  A thread whose run time is unknown
 * gets count x period.  Threads that exit are last read a tick before
 * they end: the process's CPU clock, which keeps their time, makes up
 * the difference.
 */
#ifndef PTPROF_CPUTIME_H
#define PTPROF_CPUTIME_H

#include <stdint.h>

#include "profile/aggregate.h"

/* ns[i]: the nanoseconds of a->entries[i] (a->n values).  proc_ns (NULL,
 * or nprocs values, 0 for unknown): the CPU time each process used, its
 * exited threads' included; what its threads' shares leave of it is
 * shared among the process's entries the same way. */
void cputime_share(const struct aggregate *a, uint64_t period_ns, const uint64_t *proc_ns,
		   size_t nprocs, uint64_t *ns);

#endif
