/* test_debugcache.c - the cache directory kept under its size: the copies
 * used least recently go first, and nothing but our *.debug files is
 * counted or removed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stack/debugcache.h"

static char dir[64];
static int dfd = -1;

/* A file of `size` bytes, last modified `age` seconds ago. */
static void put(const char *name, size_t size, time_t age)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	struct timespec t[2] = { { time(NULL) - age, 0 }, { time(NULL) - age, 0 } };
	assert_int_equal(futimens(fd, t), 0);
	close(fd);
}

static bool here(const char *name)
{
	struct stat st;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ptprof-test-debugcache.XXXXXX");
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	const char *names[] = { "old.debug", "mid.debug", "new.debug", "notes.txt", "big.debugx",
				"link.debug" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(dfd, names[i], 0);
	close(dfd);
	return rmdir(dir);
}

static void test_oldest_go_first(void **state)
{
	put("old.debug", 4000, 300);
	put("mid.debug", 4000, 200);
	put("new.debug", 4000, 100);
	/* 12000 kept + 3000 needed under 10000: the two oldest go. */
	debugcache_trim(dfd, 3000, 10000);
	assert_false(here("old.debug"));
	assert_false(here("mid.debug"));
	assert_true(here("new.debug"));
}

static void test_under_the_cap_nothing_goes(void **state)
{
	put("old.debug", 4000, 300);
	put("new.debug", 4000, 100);
	debugcache_trim(dfd, 2000, 10000);
	assert_true(here("old.debug"));
	assert_true(here("new.debug"));
}

static void test_other_files_untouched(void **state)
{
	put("notes.txt", 50000, 900);
	put("big.debugx", 50000, 900);
	assert_int_equal(symlinkat("/etc/passwd", dfd, "link.debug"), 0);
	put("new.debug", 4000, 100);
	/* Only new.debug counts: 4000 + 7000 > 10000, and it is all there is. */
	debugcache_trim(dfd, 7000, 10000);
	assert_true(here("notes.txt"));
	assert_true(here("big.debugx"));
	assert_true(here("link.debug"));
	assert_false(here("new.debug"));
	assert_int_equal(access("/etc/passwd", F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_oldest_go_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_under_the_cap_nothing_goes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_files_untouched, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
