/* proctree.c - see proctree.h. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/procfs.h"
#include "target/proctree.h"
#include "util/numparse.h"
#include "util/xalloc.h"

bool pidset_has(const struct pidset *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return true;
	return false;
}

bool pidset_add(struct pidset *s, pid_t pid)
{
	if (pidset_has(s, pid))
		return false;
	XGROW(s->v, s->cap, s->n);
	s->v[s->n++] = pid;
	return true;
}

void pidset_free(struct pidset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The children of every thread of pid, added to s. */
static size_t add_children(struct pidset *s, pid_t pid)
{
	pid_t *tids = NULL;
	ssize_t nt = procfs_list_tasks(pid, &tids);
	size_t added = 0;

	for (ssize_t i = 0; i < nt; i++) {
		size_t len;
		char *text = procfs_read_all(pid, tids[i], "children", &len);
		if (!text)
			continue;
		/* "123 456 " */
		for (char *p = text, *tok; (tok = strtok_r(p, " \n", &p)) != NULL;) {
			uint64_t v;
			if (parse_uint(tok, 1, INT32_MAX, &v) == 0 && pidset_add(s, (pid_t)v))
				added++;
		}
		free(text);
	}
	free(tids);
	return added;
}

size_t proctree_add_descendants(struct pidset *s)
{
	size_t added = 0;
	/* s grows as it is walked: children's children are reached too. */
	for (size_t i = 0; i < s->n; i++)
		added += add_children(s, s->v[i]);
	return added;
}

long proctree_newest_task(void)
{
	char buf[128];
	int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *last = strrchr(buf, ' ');
	uint64_t v;
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (!last || parse_uint(last + 1, 1, INT32_MAX, &v) < 0)
		return -1;
	return (long)v;
}
