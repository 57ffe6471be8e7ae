/* proctree.c - a parent and its worker processes, for several-process
 * dumps and recordings.
 *
 *   proctree [-n N] [-t THREADS] [-s] [-w MS]
 *
 * The parent forks N children (default 3).  Child i runs in one of three
 * named functions, tree_alpha, tree_beta or tree_gamma (i mod 3), and is
 * named "tree-alpha" etc.; it has THREADS threads in all (default 1), the
 * others blocked in tree_idle.  With -s the children spin in their
 * function, else they sleep in it (pause).  Each child checks from
 * /proc that its other threads are in position before it reports to the
 * parent, and without -s the parent waits until the first one sleeps in
 * its function; the parent then prints "ready PID,PID,...".
 *
 * Commands on stdin (besides ping): "fork" starts one more child, in
 * tree_late (spinning with -s), and prints "forked PID" once it is in
 * position.  At EOF the children are killed and reaped, and the parent
 * exits 0.
 *
 * With -w MS the parent does not wait for stdin: every child spins until
 * it has used MS ms of CPU time and exits; the parent reaps them and
 * exits 0 (a short command for `record -- ...`).
 */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEEP __attribute__((noinline, noipa))
#define MAX_CHILDREN 256
#define NR_PAUSE 34

static int nthreads = 1;
static int spin;
static long work_ms;
static pid_t children[MAX_CHILDREN];
static int nchildren;
static volatile unsigned long sink;

/* Spin, or sleep, here forever (or until work_ms of CPU is used). */
KEEP static void work_here(void)
{
	if (!spin) {
		for (;;)
			pause();
	}
	for (;;) {
		/* About a millisecond between looks at the clock. */
		for (int i = 0; i < 1000000; i++)
			sink += (unsigned long)i * 7;
		if (work_ms && thread_cpu_ms() >= (uint64_t)work_ms)
			exit(0);
	}
}

KEEP void tree_alpha(void) { work_here(); sink++; }
KEEP void tree_beta(void) { work_here(); sink++; }
KEEP void tree_gamma(void) { work_here(); sink++; }
KEEP void tree_late(void) { work_here(); sink++; }

KEEP void *tree_idle(void *arg)
{
	announce_self(arg, "tree-idle");
	for (;;)
		pause();
	return NULL;
}

static const struct {
	const char *name;
	void (*fn)(void);
} roles[] = {
	{ "tree-alpha", tree_alpha },
	{ "tree-beta", tree_beta },
	{ "tree-gamma", tree_gamma },
	{ "tree-late", tree_late },
};

/* Runs in the child: threads into position, one byte to the parent, work. */
static void child_main(int role, int report_fd)
{
	static struct announce a[64];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, roles[role].name);
	for (int i = 0; i < nthreads - 1; i++) {
		pthread_t t;
		announce_init(&a[i]);
		if (pthread_create(&t, NULL, tree_idle, &a[i]) != 0)
			die("pthread_create failed");
	}
	for (int i = 0; i < nthreads - 1; i++)
		wait_in_syscall(announce_wait(&a[i]), NR_PAUSE, 0, 0);
	if (write(report_fd, "x", 1) != 1)
		die("write to parent: %s", strerror(errno));
	close(report_fd);
	roles[role].fn();
	exit(0);
}

/* Without -s a child's first thread reports, then goes to pause in its
 * function: wait until /proc says it sleeps there, so that "ready" means
 * every thread of every child is in position. */
static void wait_child_paused(pid_t pid)
{
	char path[64], buf[512];
	for (int i = 0; i < 10000; i++) {
		long nr = -1;
		char *p;
		FILE *f;
		size_t n;
		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
		if ((f = fopen(path, "re")) != NULL) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = '\0';
			sscanf(buf, "%ld", &nr);
		}
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (nr == NR_PAUSE && (f = fopen(path, "re")) != NULL) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = '\0';
			if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'S')
				return;
		}
		poll_pause();
	}
	die("child %d never paused in its function", (int)pid);
}

static pid_t start_child(int role)
{
	int p[2];
	char c;
	if (nchildren >= MAX_CHILDREN)
		die("too many children");
	if (pipe(p) != 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		child_main(role, p[1]);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		die("child %d did not get into position", (int)pid);
	close(p[0]);
	if (!spin)
		wait_child_paused(pid);
	children[nchildren++] = pid;
	return pid;
}

static void on_line(const char *line)
{
	if (strcmp(line, "fork") == 0) {
		pid_t pid = start_child(3);
		printf("forked %d\n", (int)pid);
		fflush(stdout);
	}
}

static void on_eof(void)
{
	for (int i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	for (int i = 0; i < nchildren; i++)
		while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
			;
}

int main(int argc, char **argv)
{
	int n = 3, opt;
	char list[MAX_CHILDREN * 12] = "";

	while ((opt = getopt(argc, argv, "n:t:sw:")) != -1) {
		switch (opt) {
		case 'n': n = atoi(optarg); break;
		case 't': nthreads = atoi(optarg); break;
		case 's': spin = 1; break;
		case 'w': work_ms = atol(optarg); spin = 1; break;
		default: die("usage: proctree [-n N] [-t THREADS] [-s] [-w MS]");
		}
	}
	if (n < 1 || n > MAX_CHILDREN - 16 || nthreads < 1 || nthreads > 64)
		die("bad -n or -t");
	for (int i = 0; i < n; i++) {
		pid_t pid = start_child(i % 3);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i ? "," : "",
			 (int)pid);
	}
	if (work_ms) {
		int failed = 0, st;
		for (int i = 0; i < nchildren; i++)
			if (waitpid(children[i], &st, 0) < 0 || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0)
				failed = 1;
		return failed;
	}
	ready_and_serve_cmds(list, on_line, on_eof);
}
