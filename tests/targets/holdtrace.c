/* holdtrace.c - a minimal tracer that holds a process, for the
 * "already traced" test.
 *
 *   holdtrace PID
 *
 * PTRACE_SEIZEs every thread of PID (without interrupting them: the
 * target keeps running), prints "ready", then waits for EOF on stdin and
 * exits, which makes the kernel detach every thread.
 */
#define _GNU_SOURCE
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

int main(int argc, char **argv)
{
	char path[64], line[256];
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (argc != 2)
		die("usage: holdtrace PID");
	snprintf(path, sizeof(path), "/proc/%s/task", argv[1]);
	d = opendir(path);
	if (!d)
		die("%s: %s", path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (de->d_name[0] == '.' || *end != '\0')
			continue;
		if (ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL) != 0)
			die("PTRACE_SEIZE %ld: %s", tid, strerror(errno));
		n++;
	}
	closedir(d);
	if (n == 0)
		die("no threads in %s", path);

	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}
