/* threadfacts.h - what /proc says about a thread, read before it is
 * stopped (a stopped thread would read as "tracing-stop"). */
#ifndef PTPROF_THREADFACTS_H
#define PTPROF_THREADFACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/procfs.h"

struct thread_facts {
	pid_t tid;
	char name[PROC_COMM_MAX];
	char state;               /* stat letter */
	bool have_syscall;        /* sc below is valid */
	struct proc_syscall sc;   /* the system call a blocked thread sits in */
	bool restarted;           /* sc.nr recovered from a restart_syscall */
	uint64_t cpu_ns;          /* user + system time */
	uint64_t user_ticks, sys_ticks; /* the two, in clock ticks */
	bool have_run_ns;         /* run_ns below is valid */
	uint64_t run_ns;          /* schedstat run time, read before sc */
	uint64_t runs;            /* ... and times put on a CPU */
};

/* 0, or -1 when the thread is gone (or /proc refuses). */
int thread_facts_read(pid_t pid, pid_t tid, struct thread_facts *f);

/* Descriptors kept open on one thread's /proc files, for reading them
 * at every tick.  Start with THREAD_FILES_INIT. */
struct thread_files {
	int stat, syscall, schedstat;
};
#define THREAD_FILES_INIT { -1, -1, -1 }
void thread_files_close(struct thread_files *tf);
/* thread_facts_read through tf. */
int thread_facts_read_files(struct thread_files *tf, pid_t pid, pid_t tid,
			    struct thread_facts *f);
/* The same, and for a thread asleep (S or D) its run time too, read
 * between stat and syscall: with the syscall line, what an in-place
 * capture compares after its copy (target/inplace.h). */
int thread_facts_read_asleep(struct thread_files *tf, pid_t pid, pid_t tid,
			     struct thread_facts *f);
/* Nanoseconds the thread has run (schedstat), or -1 when gone.  Cheaper
 * than stat: unchanged means the thread has not run since. */
int thread_run_ns(struct thread_files *tf, pid_t pid, pid_t tid, uint64_t *ns);
/* The same, and how many times it was put on a CPU (schedstat's third
 * field, counted when it is switched in: a thread running now that has
 * not yet been charged its time has a new count). */
int thread_run_stamp(struct thread_files *tf, pid_t pid, pid_t tid, uint64_t *ns,
		     uint64_t *runs);

/* "futex", "read", ... for a blocked thread; NULL when running or not in
 * a system call. */
const char *thread_facts_syscall(const struct thread_facts *f);

#endif
