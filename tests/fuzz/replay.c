/* replay.c - run saved fuzz inputs through the fuzz target, without
 * libFuzzer: `replay FILE...`, each in a child process of its own so one
 * sanitizer abort does not hide the rest.  A child that exits non-zero or
 * dies of a signal (a sanitizer report, a failed check, a leak) fails its
 * file.  One line per file, then "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;
	if (!f) {
		perror(path);
		return 2;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf) {
				perror("realloc");
				return 2;
			}
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		perror(path);
		return 2;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	for (int i = 1; i < argc; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			exit(run_one(argv[i]));  /* exit, not _exit: LeakSanitizer checks at exit */
		int st;
		if (waitpid(pid, &st, 0) < 0) {
			perror("waitpid");
			return 2;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			printf("ok    %s\n", argv[i]);
			passed++;
		} else if (WIFEXITED(st)) {
			printf("FAIL  %s (exit status %d)\n", argv[i], WEXITSTATUS(st));
			failed++;
		} else {
			printf("FAIL  %s (signal %d)\n", argv[i], WTERMSIG(st));
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
