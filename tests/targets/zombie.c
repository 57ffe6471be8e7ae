/* zombie.c - a parent that never reaps its child.
 *
 * Forks a child that exits at once, checks in /proc that the child is a
 * zombie, prints "ready CHILDPID", then serves pings until EOF on stdin.
 */
#define _GNU_SOURCE
#include "common.h"

#include <stdio.h>
#include <unistd.h>

int main(void)
{
	char buf[32];
	pid_t child;

	/* stdout is a file: flush before fork so nothing is written twice. */
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork failed");
	if (child == 0)
		_exit(0);
	wait_zombie(child);
	snprintf(buf, sizeof(buf), "%d", (int)child);
	ready_and_serve(buf);
}
