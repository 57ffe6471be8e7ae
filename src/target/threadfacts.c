/* threadfacts.c - stat and syscall of one thread. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "target/memread.h"
#include "target/syscalls.h"
#include "target/threadfacts.h"

/* A sleep cut short by a signal or a tracer resumes as restart_syscall,
 * and /proc then names that.  The call it continues is usually plain in
 * the code: "mov $NR, %eax; syscall" right before the return address. */
static void resolve_restart(pid_t tid, struct thread_facts *f)
{
	unsigned char code[7];
	uint32_t nr;
	if (f->sc.pc < sizeof(code) || !mem_read(tid, f->sc.pc - sizeof(code), code, sizeof(code)))
		return;
	if (code[0] != 0xb8 || code[5] != 0x0f || code[6] != 0x05)
		return;
	memcpy(&nr, code + 1, sizeof(nr));
	if (syscall_name((long)nr)) {
		f->sc.nr = (long)nr;
		f->restarted = true;
	}
}

/* Both readers share this; tf NULL opens and closes each file. */
static ssize_t read_file(struct thread_files *tf, int *fd, pid_t pid, pid_t tid,
			 const char *name, char *buf, size_t size)
{
	return tf ? procfs_pread(fd, pid, tid, name, buf, size)
		  : procfs_read(pid, tid, name, buf, size);
}

static int read_facts(struct thread_files *tf, pid_t pid, pid_t tid, struct thread_facts *f,
		      bool run_time)
{
	char buf[1024];
	struct proc_stat st;

	memset(f, 0, sizeof(*f));
	f->tid = tid;
	if (read_file(tf, tf ? &tf->stat : NULL, pid, tid, "stat", buf, sizeof(buf)) < 0 ||
	    procfs_parse_stat(buf, &st) < 0)
		return -1;
	memcpy(f->name, st.comm, sizeof(f->name));
	f->state = st.state;
	f->cpu_ns = (st.utime_ticks + st.stime_ticks) * (1000000000ULL /
							  (uint64_t)procfs_clock_ticks());
	f->user_ticks = st.utime_ticks;
	f->sys_ticks = st.stime_ticks;
	if (run_time && (st.state == 'S' || st.state == 'D'))
		f->have_run_ns = thread_run_stamp(tf, pid, tid, &f->run_ns, &f->runs) == 0;
	/* A thread on a CPU has no syscall to report; skip the read. */
	if (st.state != 'R' &&
	    read_file(tf, tf ? &tf->syscall : NULL, pid, tid, "syscall", buf, sizeof(buf)) > 0 &&
	    procfs_parse_syscall(buf, &f->sc) == 0)
		f->have_syscall = true;
	if (f->have_syscall && f->sc.nr == SYS_restart_syscall)
		resolve_restart(tid, f);
	return 0;
}

int thread_facts_read(pid_t pid, pid_t tid, struct thread_facts *f)
{
	return read_facts(NULL, pid, tid, f, false);
}

int thread_facts_read_files(struct thread_files *tf, pid_t pid, pid_t tid,
			    struct thread_facts *f)
{
	return read_facts(tf, pid, tid, f, false);
}

int thread_facts_read_asleep(struct thread_files *tf, pid_t pid, pid_t tid,
			     struct thread_facts *f)
{
	return read_facts(tf, pid, tid, f, true);
}

int thread_run_stamp(struct thread_files *tf, pid_t pid, pid_t tid, uint64_t *ns,
		     uint64_t *runs)
{
	char buf[128];
	unsigned long long v, w;
	if (procfs_pread(&tf->schedstat, pid, tid, "schedstat", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%llu %*u %llu", &v, &w) != 2)
		return -1;
	*ns = v;
	*runs = w;
	return 0;
}

int thread_run_ns(struct thread_files *tf, pid_t pid, pid_t tid, uint64_t *ns)
{
	uint64_t runs;
	return thread_run_stamp(tf, pid, tid, ns, &runs);
}

void thread_files_close(struct thread_files *tf)
{
	int *fds[] = { &tf->stat, &tf->syscall, &tf->schedstat };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

const char *thread_facts_syscall(const struct thread_facts *f)
{
	if (!f->have_syscall || f->sc.running || f->sc.nr < 0)
		return NULL;
	return syscall_name(f->sc.nr);
}
