/* served.c - see served.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "serve/served.h"
#include "target/procfs.h"
#include "util/error.h"
#include "util/numparse.h"
#include "util/xalloc.h"

/* Alive and not a zombie, by /proc (for processes without a pidfd). */
static bool running(pid_t pid)
{
	char buf[1024];
	struct proc_stat st;
	return procfs_read(pid, 0, "stat", buf, sizeof(buf)) > 0 && procfs_parse_stat(buf, &st) == 0 &&
	       st.state != 'Z' && st.state != 'X';
}

int served_open(struct served *s, const int *pids, size_t n, bool children)
{
	memset(s, 0, sizeof(*s));
	s->pids = pids;
	s->n = n;
	s->children = children;
	s->pidfds = xcalloc(n ? n : 1, sizeof(*s->pidfds));
	for (size_t i = 0; i < n; i++) {
		s->pidfds[i] = (int)syscall(SYS_pidfd_open, (pid_t)pids[i], 0);
		if (s->pidfds[i] < 0 && errno == ESRCH) {
			pt_error("serve: no process %d", pids[i]);
			served_close(s);
			return EXIT_FAILED;
		}
		if (!running((pid_t)pids[i])) {
			pt_error("serve: process %d has exited", pids[i]);
			served_close(s);
			return EXIT_FAILED;
		}
	}
	return 0;
}

void served_close(struct served *s)
{
	for (size_t i = 0; s->pidfds && i < s->n; i++)
		if (s->pidfds[i] >= 0)
			close(s->pidfds[i]);
	free(s->pidfds);
	memset(s, 0, sizeof(*s));
}

bool served_alive(const struct served *s, size_t i)
{
	if (s->pidfds[i] >= 0) {
		/* A pidfd turns readable when its process exits. */
		struct pollfd p = { .fd = s->pidfds[i], .events = POLLIN };
		if (poll(&p, 1, 0) != 0)
			return false;
	}
	return running((pid_t)s->pids[i]);
}

void served_list(const struct served *s, struct pidset *out)
{
	for (size_t i = 0; i < s->n; i++)
		if (served_alive(s, i))
			pidset_add(out, (pid_t)s->pids[i]);
	if (s->children)
		proctree_add_descendants(out);
}

void served_comm(pid_t pid, char *buf, size_t size)
{
	if (procfs_read_comm(pid, buf, size) < 0 || !buf[0])
		snprintf(buf, size, "?");
}

/* "1234 (nginx), 1240 (nginx)" */
static char *list_text(const struct pidset *set)
{
	char *text = xstrdup("");
	for (size_t i = 0; i < set->n; i++) {
		char comm[PROC_COMM_MAX];
		served_comm(set->v[i], comm, sizeof(comm));
		char *t = xasprintf("%s%s%d (%s)", text, i ? ", " : "", (int)set->v[i], comm);
		free(text);
		text = t;
	}
	return text;
}

int served_pick(const struct served *s, const char *param, pid_t *pid, struct reply *r)
{
	struct pidset set = { 0 };
	uint64_t v;
	int ret = -1;

	if (param) {
		if (parse_uint(param, 1, INT32_MAX, &v) < 0) {
			reply_error(r, 400, "invalid value for \"pid\" - must be a process id");
			return -1;
		}
		for (size_t i = 0; i < s->n; i++) {
			if (s->pids[i] != (int)v)
				continue;
			if (!served_alive(s, i)) {
				reply_error(r, 410, "process %d has exited", (int)v);
				return -1;
			}
			*pid = (pid_t)v;
			return 0;
		}
		served_list(s, &set);
		if (pidset_has(&set, (pid_t)v)) {
			*pid = (pid_t)v;
			ret = 0;
		} else {
			reply_error(r, 404, "process %d is not served here (ptprof serve answers only "
				    "for the processes it was given%s)", (int)v,
				    s->children ? " and their descendants" : "");
		}
		pidset_free(&set);
		return ret;
	}
	served_list(s, &set);
	if (set.n == 1) {
		*pid = set.v[0];
		ret = 0;
	} else if (set.n == 0 && s->n == 1) {
		reply_error(r, 410, "process %d has exited", s->pids[0]);
	} else if (set.n == 0) {
		reply_error(r, 410, "every process served has exited");
	} else {
		char *list = list_text(&set);
		reply_error(r, 400, "several processes are served: add ?pid=N for one of %s", list);
		free(list);
	}
	pidset_free(&set);
	return ret;
}
