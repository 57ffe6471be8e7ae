/* test_perfmap.c - the perf map parser, its lookups and its bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack/perfmap.h"
#include "util/xalloc.h"

static struct perfmap *fed(const char *text)
{
	struct perfmap *pm = perfmap_open_file(NULL);
	perfmap_feed(pm, text, strlen(text));
	return pm;
}

static const char *name_at(struct perfmap *pm, uint64_t addr)
{
	const struct perfmap_entry *e = perfmap_lookup(pm, addr);
	return e ? e->name : NULL;
}

static void test_parse_both_hex_forms(void **state)
{
	uint64_t start, size;
	const char *name;
	size_t len;
	const char *v8 = "3ef4a1c0 1a0 LazyCompile:*f /tmp/x.js:1";
	assert_true(perfmap_parse_line(v8, strlen(v8), &start, &size, &name, &len));
	assert_int_equal(start, 0x3ef4a1c0);
	assert_int_equal(size, 0x1a0);
	assert_int_equal(len, strlen("LazyCompile:*f /tmp/x.js:1"));
	assert_memory_equal(name, "LazyCompile:*f /tmp/x.js:1", len);

	const char *jvm = "0x00007F0A2C001000 0x40 Interpreter";
	assert_true(perfmap_parse_line(jvm, strlen(jvm), &start, &size, &name, &len));
	assert_int_equal(start, 0x7f0a2c001000ULL);
	assert_int_equal(size, 0x40);
	assert_int_equal(len, strlen("Interpreter"));

	/* A CR before the line end is not part of the name. */
	const char *crlf = "10 20 name\r";
	assert_true(perfmap_parse_line(crlf, strlen(crlf), &start, &size, &name, &len));
	assert_int_equal(len, 4);
	(void)state;
}

static void test_parse_rejects_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"1000",
		"1000 10",
		"1000 10 ",              /* no name */
		"1000  ",
		"xyz 10 name",
		"1000 zz name",
		"0x 10 name",            /* no digits */
		"1000 0 name",           /* empty */
		"1000,10 name",
		"1000 10name",           /* 10n is not hex then a blank */
		"ffffffffffffffff 10 wraps",
		"fffffffffffffff0 10 ends past 2^64",
		"1000 fffffffffff too-big",
		"10000000000000000 10 seventeen-digits",
		"-1000 10 negative",
	};
	uint64_t start, size;
	const char *name;
	size_t len;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(perfmap_parse_line(bad[i], strlen(bad[i]), &start, &size, &name, &len));
	/* The largest piece of code taken, and one ending just below 2^64. */
	char ok[64];
	snprintf(ok, sizeof(ok), "1000 %llx big", PERFMAP_MAX_SIZE);
	assert_true(perfmap_parse_line(ok, strlen(ok), &start, &size, &name, &len));
	const char *top = "ffffffffffffffe0 10 top";
	assert_true(perfmap_parse_line(top, strlen(top), &start, &size, &name, &len));
	(void)state;
}

static void test_lookup_ranges(void **state)
{
	struct perfmap *pm = fed("1000 100 first one\n"
				 "0x2000 0x10 second(int, char) [tier 2]\n"
				 "1100 100 adjacent\n");
	assert_int_equal(perfmap_count(pm), 3);
	assert_null(name_at(pm, 0xfff));
	assert_string_equal(name_at(pm, 0x1000), "first one");
	assert_string_equal(name_at(pm, 0x10ff), "first one");
	assert_string_equal(name_at(pm, 0x1100), "adjacent");
	assert_null(name_at(pm, 0x1200));
	assert_string_equal(name_at(pm, 0x200f), "second(int, char) [tier 2]");
	assert_null(name_at(pm, 0x2010));
	const struct sym_module *m = perfmap_module(pm);
	assert_true(m->jit);
	assert_string_equal(m->name, "jit");
	assert_int_equal(m->start, 0x1000);
	assert_int_equal(m->limit, 0x2010);
	perfmap_free(pm);
	(void)state;
}

static void test_later_entry_wins(void **state)
{
	/* Code freed and the addresses reused: the later line holds. */
	struct perfmap *pm = fed("1000 100 old\n"
				 "1040 20 new-inside\n"
				 "10f0 20 new-across-end\n"
				 "1000 100 old\n"
				 "1000 10 newest-head\n");
	assert_string_equal(name_at(pm, 0x1000), "newest-head");
	assert_string_equal(name_at(pm, 0x1010), "old");
	assert_string_equal(name_at(pm, 0x1040), "old");
	assert_string_equal(name_at(pm, 0x10f0), "old");
	assert_string_equal(name_at(pm, 0x1100), "new-across-end");
	assert_string_equal(name_at(pm, 0x110f), "new-across-end");
	assert_null(name_at(pm, 0x1110));
	perfmap_free(pm);

	pm = fed("1000 100 old\n1040 20 new-inside\n");
	assert_string_equal(name_at(pm, 0x103f), "old");
	assert_string_equal(name_at(pm, 0x1040), "new-inside");
	assert_string_equal(name_at(pm, 0x1060), "old");
	perfmap_free(pm);
	(void)state;
}

/* Random overlapping entries against the definition: the last line
 * covering the address. */
static void test_overlaps_match_definition(void **state)
{
	enum { N = 400, SPACE = 2000 };
	uint64_t s[N], e[N];
	char line[64];
	struct perfmap *pm = perfmap_open_file(NULL);
	srand(7);
	for (int i = 0; i < N; i++) {
		s[i] = (uint64_t)(rand() % SPACE);
		e[i] = s[i] + 1 + (uint64_t)(rand() % 60);
		int n = snprintf(line, sizeof(line), "%llx %llx e%d\n", (unsigned long long)s[i],
				 (unsigned long long)(e[i] - s[i]), i);
		assert_int_equal(perfmap_feed(pm, line, (size_t)n), (size_t)n);
	}
	for (uint64_t a = 0; a < SPACE + 70; a++) {
		int want = -1;
		for (int i = 0; i < N; i++)
			if (a >= s[i] && a < e[i])
				want = i;
		const char *got = name_at(pm, a);
		if (want < 0) {
			assert_null(got);
		} else {
			snprintf(line, sizeof(line), "e%d", want);
			assert_non_null(got);
			assert_string_equal(got, line);
		}
	}
	perfmap_free(pm);
	(void)state;
}

static void test_garbage_lines_skipped(void **state)
{
	const char text[] = "garbage\n"
			    "1000 10 good\n"
			    "\n"
			    "1000\n"
			    "zz 10 bad\n"
			    "2000 10 also good\n"
			    "\x01\x02\xff\n";
	struct perfmap *pm = perfmap_open_file(NULL);
	assert_int_equal(perfmap_feed(pm, text, sizeof(text) - 1), sizeof(text) - 1);
	assert_int_equal(perfmap_count(pm), 2);
	assert_int_equal(perfmap_rejected(pm), 5);
	assert_string_equal(name_at(pm, 0x1000), "good");
	assert_string_equal(name_at(pm, 0x2000), "also good");
	perfmap_free(pm);
	(void)state;
}

static void test_control_characters_replaced(void **state)
{
	const char text[] = "1000 10 a\033[2Jb\x7f" "c\tz\0y\n";
	struct perfmap *pm = perfmap_open_file(NULL);
	perfmap_feed(pm, text, sizeof(text) - 1);
	assert_string_equal(name_at(pm, 0x1000), "a?[2Jb?c?z?y");
	perfmap_free(pm);
	(void)state;
}

static void test_truncated_last_line_waits(void **state)
{
	const char text[] = "1000 10 whole\n2000 10 half-writ";
	struct perfmap *pm = perfmap_open_file(NULL);
	size_t used = perfmap_feed(pm, text, sizeof(text) - 1);
	assert_int_equal(used, strlen("1000 10 whole\n"));
	assert_int_equal(perfmap_count(pm), 1);
	assert_null(name_at(pm, 0x2000));
	/* The writer finishes the line: it is taken whole. */
	const char rest[] = "2000 10 half-written\n";
	assert_int_equal(perfmap_feed(pm, rest, sizeof(rest) - 1), sizeof(rest) - 1);
	assert_string_equal(name_at(pm, 0x2000), "half-written");
	perfmap_free(pm);
	(void)state;
}

static void test_empty(void **state)
{
	struct perfmap *pm = perfmap_open_file(NULL);
	assert_int_equal(perfmap_feed(pm, "", 0), 0);
	assert_int_equal(perfmap_count(pm), 0);
	assert_null(perfmap_lookup(pm, 0));
	assert_null(perfmap_lookup(pm, UINT64_MAX));
	perfmap_free(pm);

	/* A file that does not exist yet, then an empty one. */
	char path[] = "/tmp/ptprof-perfmap-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	pm = perfmap_open_file(path);
	assert_null(perfmap_lookup(pm, 0x1000));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	perfmap_read_new(pm);
	assert_null(perfmap_lookup(pm, 0x1000));
	assert_int_equal(perfmap_count(pm), 0);
	close(fd);
	unlink(path);
	perfmap_free(pm);
	(void)state;
}

static void append(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_file_grows_and_is_replaced(void **state)
{
	char path[] = "/tmp/ptprof-perfmap-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	append(fd, "1000 10 one\n2000 10 tw");
	struct perfmap *pm = perfmap_open_file(path);
	assert_string_equal(name_at(pm, 0x1000), "one");
	assert_null(name_at(pm, 0x2000));

	/* Appended: the unfinished line completed, one more, and a later
	 * entry for an address already known. */
	append(fd, "o\n3000 10 three\n1000 10 one again\n");
	perfmap_read_new(pm);
	assert_int_equal(perfmap_count(pm), 4);
	assert_string_equal(name_at(pm, 0x2000), "two");
	assert_string_equal(name_at(pm, 0x3000), "three");
	assert_string_equal(name_at(pm, 0x1000), "one again");

	/* Written anew, shorter: what it held before is forgotten. */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	append(fd, "4000 10 four\n");
	perfmap_read_new(pm);
	assert_int_equal(perfmap_count(pm), 1);
	assert_null(name_at(pm, 0x1000));
	assert_string_equal(name_at(pm, 0x4000), "four");

	/* Replaced by another file under the same name. */
	char path2[] = "/tmp/ptprof-perfmap-XXXXXX";
	int fd2 = mkstemp(path2);
	assert_true(fd2 >= 0);
	append(fd2, "5000 10 five\n6000 10 six\n7000 10 seven\n");
	assert_int_equal(rename(path2, path), 0);
	perfmap_read_new(pm);
	assert_null(name_at(pm, 0x4000));
	assert_string_equal(name_at(pm, 0x7000), "seven");
	close(fd2);
	close(fd);
	unlink(path);
	perfmap_free(pm);
	(void)state;
}

static void test_overlong_lines_skipped(void **state)
{
	char path[] = "/tmp/ptprof-perfmap-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* One line just over the limit, one of 3 MiB (longer than a read),
	 * then good lines. */
	size_t big = 3u << 20;
	char *s = xmalloc(big + 1);
	memset(s, 'n', big);
	s[big] = '\0';
	memcpy(s, "1000 10 ", 8);
	append(fd, "0 10 first\n");
	s[PERFMAP_MAX_LINE + 1] = '\0';
	append(fd, s);
	append(fd, "\n");
	s[PERFMAP_MAX_LINE + 1] = 'n';
	append(fd, s);
	append(fd, "\n2000 10 after\n");
	struct perfmap *pm = perfmap_open_file(path);
	assert_string_equal(name_at(pm, 0x0), "first");
	assert_null(name_at(pm, 0x1000));
	assert_string_equal(name_at(pm, 0x2000), "after");
	assert_int_equal(perfmap_count(pm), 2);
	assert_int_equal(perfmap_rejected(pm), 2);
	free(s);
	close(fd);
	unlink(path);
	perfmap_free(pm);
	(void)state;
}

/* Past PERFMAP_MAX_BYTES nothing is read (a sparse file: NUL bytes). */
static void test_huge_file_bounded(void **state)
{
	char path[] = "/tmp/ptprof-perfmap-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	append(fd, "1000 10 early\n");
	assert_int_equal(lseek(fd, (off_t)PERFMAP_MAX_BYTES + 4096, SEEK_SET),
			 (off_t)PERFMAP_MAX_BYTES + 4096);
	append(fd, "\n2000 10 late\n");
	struct perfmap *pm = perfmap_open_file(path);
	assert_string_equal(name_at(pm, 0x1000), "early");
	assert_null(name_at(pm, 0x2000));
	perfmap_read_new(pm);
	assert_null(name_at(pm, 0x2000));
	close(fd);
	unlink(path);
	perfmap_free(pm);
	(void)state;
}

static void test_entry_limit(void **state)
{
	size_t n = PERFMAP_MAX_ENTRIES + 10;
	size_t cap = n * 24, len = 0;
	char *text = xmalloc(cap);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%zx 10 f%zu\n", i * 16, i);
	struct perfmap *pm = perfmap_open_file(NULL);
	assert_int_equal(perfmap_feed(pm, text, len), len);
	assert_int_equal(perfmap_count(pm), PERFMAP_MAX_ENTRIES);
	assert_string_equal(name_at(pm, 16), "f1");
	assert_non_null(name_at(pm, (uint64_t)(PERFMAP_MAX_ENTRIES - 1) * 16));
	assert_null(name_at(pm, (uint64_t)PERFMAP_MAX_ENTRIES * 16));
	free(text);
	perfmap_free(pm);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_both_hex_forms),
		cmocka_unit_test(test_parse_rejects_malformed),
		cmocka_unit_test(test_lookup_ranges),
		cmocka_unit_test(test_later_entry_wins),
		cmocka_unit_test(test_overlaps_match_definition),
		cmocka_unit_test(test_garbage_lines_skipped),
		cmocka_unit_test(test_control_characters_replaced),
		cmocka_unit_test(test_truncated_last_line_waits),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_file_grows_and_is_replaced),
		cmocka_unit_test(test_overlong_lines_skipped),
		cmocka_unit_test(test_huge_file_bounded),
		cmocka_unit_test(test_entry_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
