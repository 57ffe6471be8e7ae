/* test_hashseed.c - hash tables keyed per run: names built to collide
 * under one seed cost linear time under the run's own.
 *
 * The colliding names are found by brute force against a seed the test
 * sets (as an attacker would against a fixed hash function); interned
 * under that seed they pile into one run of slots, quadratic probing in
 * all; under a fresh random seed they spread out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/hashmap.h"
#include "util/xalloc.h"

#define NAMES 1000
/* A table of NAMES strings has at most this many slots: names equal in
 * these low bits share a home slot at every size on the way. */
#define SLOT_MASK 2047u

static char *names[NAMES];

static void find_colliding_names(void)
{
	char buf[32];
	hash_seed(0x0123456789abcdefULL, 0xfedcba9876543210ULL);
	uint64_t want = hash_bytes("f0", 2) & SLOT_MASK;
	size_t n = 0;
	for (uint64_t i = 0; n < NAMES; i++) {
		int len = snprintf(buf, sizeof(buf), "f%" PRIu64, i);
		if ((hash_bytes(buf, (size_t)len) & SLOT_MASK) == want)
			names[n++] = xstrdup(buf);
	}
}

static size_t probes_to_intern_all(void)
{
	struct strtab t = { 0 };
	for (size_t i = 0; i < NAMES; i++)
		assert_int_equal(strtab_intern(&t, names[i]), i);
	/* Interned once each: looking up again finds the same index. */
	assert_int_equal(strtab_intern(&t, names[NAMES / 2]), NAMES / 2);
	size_t probes = t.probes;
	strtab_free(&t);
	return probes;
}

static void test_collisions_linear_under_a_fresh_seed(void **state)
{
	(void)state;
	find_colliding_names();
	/* Under the seed they were built against: one long run of slots. */
	size_t attacked = probes_to_intern_all();
	assert_true(attacked > (size_t)NAMES * NAMES / 4);
	/* The run's own seed: a few probes per name. */
	hash_seed_random();
	size_t seeded = probes_to_intern_all();
	assert_true(seeded < 4 * (size_t)NAMES);
	for (size_t i = 0; i < NAMES; i++)
		free(names[i]);
}

static uint64_t hash_in_new_process(const char *self)
{
	int fd[2];
	char buf[64] = "";
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		execl(self, self, "--print-hash", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	ssize_t n = read(fd[0], buf, sizeof(buf) - 1);
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	assert_true(n > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return strtoull(buf, NULL, 16);
}

static void test_seed_differs_per_run(void **state)
{
	(void)state;
	uint64_t a = hash_in_new_process("/proc/self/exe");
	uint64_t b = hash_in_new_process("/proc/self/exe");
	assert_true(a != b);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--print-hash") == 0) {
		printf("%" PRIx64 "\n", hash_bytes("ptprof", 6));
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collisions_linear_under_a_fresh_seed),
		cmocka_unit_test(test_seed_differs_per_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
