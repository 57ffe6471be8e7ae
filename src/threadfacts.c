/* threadfacts.c - stat and syscall of one thread. */
#include <string.h>

#include "syscalls.h"
#include "threadfacts.h"

int thread_facts_read(pid_t pid, pid_t tid, struct thread_facts *f)
{
	char buf[1024];
	struct proc_stat st;

	memset(f, 0, sizeof(*f));
	f->tid = tid;
	if (procfs_read(pid, tid, "stat", buf, sizeof(buf)) < 0 ||
	    procfs_parse_stat(buf, &st) < 0)
		return -1;
	memcpy(f->name, st.comm, sizeof(f->name));
	f->state = st.state;
	f->cpu_ns = (st.utime_ticks + st.stime_ticks) * (1000000000ULL /
							  (uint64_t)procfs_clock_ticks());
	/* A thread on a CPU has no syscall to report; skip the read. */
	if (st.state != 'R' && procfs_read(pid, tid, "syscall", buf, sizeof(buf)) > 0 &&
	    procfs_parse_syscall(buf, &f->sc) == 0)
		f->have_syscall = true;
	return 0;
}

const char *thread_facts_syscall(const struct thread_facts *f)
{
	if (!f->have_syscall || f->sc.running || f->sc.nr < 0)
		return NULL;
	return syscall_name(f->sc.nr);
}
