/* test_procfs.c - /proc parsers on fixed text, and the readers on this
 * process itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "target/procfs.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Fields 4..52 of a stat line (after pid, comm and state): ppid 1,
 * flags 0x400040, utime 17, stime 5, exit_signal 17, processor 3. */
#define STAT_TAIL "1 1234 1234 0 -1 4194368 10 0 0 0 17 5 0 0 20 0 1 0 100 " \
	"1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 " \
	"0 0 0 0 0 0 0 0\n"

/* --- stat ----------------------------------------------------------------- */

static void test_stat_parens_in_comm(void **state)
{
	struct proc_stat st;

	assert_int_equal(procfs_parse_stat("1234 (a) b) (c) S " STAT_TAIL, &st), 0);
	assert_int_equal(st.pid, 1234);
	assert_string_equal(st.comm, "a) b) (c");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.flags, 0x400040UL);
	assert_int_equal(st.utime_ticks, 17);
	assert_int_equal(st.stime_ticks, 5);
	assert_int_equal(st.processor, 3);

	/* A comm that is nothing but a ')' or nothing at all. */
	assert_int_equal(procfs_parse_stat("7 ()) R " STAT_TAIL, &st), 0);
	assert_string_equal(st.comm, ")");
	assert_int_equal(st.state, 'R');
	assert_int_equal(procfs_parse_stat("7 () D " STAT_TAIL, &st), 0);
	assert_string_equal(st.comm, "");
	assert_int_equal(st.state, 'D');
}

static void test_stat_spaces_in_comm(void **state)
{
	struct proc_stat st;

	assert_int_equal(procfs_parse_stat("42 (Web Content) t " STAT_TAIL, &st), 0);
	assert_int_equal(st.pid, 42);
	assert_string_equal(st.comm, "Web Content");
	assert_int_equal(st.state, 't');
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.processor, 3);
	/* Leading and trailing spaces belong to the comm too. */
	assert_int_equal(procfs_parse_stat("42 ( x ) S " STAT_TAIL, &st), 0);
	assert_string_equal(st.comm, " x ");
}

static void test_stat_long_comm_truncated(void **state)
{
	char comm[200], line[600];
	struct proc_stat st;

	memset(comm, 'c', sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = '\0';
	snprintf(line, sizeof(line), "9 (%s) S %s", comm, STAT_TAIL);
	assert_int_equal(procfs_parse_stat(line, &st), 0);
	assert_int_equal(strlen(st.comm), PROC_COMM_MAX - 1);
	assert_int_equal(st.comm[0], 'c');
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.utime_ticks, 17);
}

/* Copied from a live /proc/PID/task/TID/stat of a Python thread. */
static void test_stat_real_thread_line(void **state)
{
	static const char line[] =
		"4912 (python3) S 4864 4864 2453 0 -1 4194368 4 6608 0 0 0 0 3 0 "
		"20 0 2 0 50257 92483584 3329 18446744073709551615 94317590626304 "
		"94317590626645 140728541713776 0 0 0 0 16781312 2 1 0 0 -1 1 0 0 "
		"0 0 0 94317590638000 94317590638616 94317734461440 "
		"140728541718491 140728541718737 140728541718737 140728541720527 0\n";
	static const char kthread[] =
		"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 23 0 0 "
		"18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 "
		"0 0 0 0 0 0 0 0 0 0\n";
	struct proc_stat st;

	assert_int_equal(procfs_parse_stat(line, &st), 0);
	assert_int_equal(st.pid, 4912);
	assert_string_equal(st.comm, "python3");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 4864);
	assert_int_equal(st.flags, 4194368UL);
	assert_false(st.flags & PROC_PF_KTHREAD);
	assert_int_equal(st.utime_ticks, 0);
	assert_int_equal(st.processor, 1);

	assert_int_equal(procfs_parse_stat(kthread, &st), 0);
	assert_int_equal(st.pid, 2);
	assert_int_equal(st.ppid, 0);
	assert_true(st.flags & PROC_PF_KTHREAD);
	assert_int_equal(st.processor, 1);
}

static void test_stat_short_and_bad(void **state)
{
	struct proc_stat st;

	/* Ends after field 20: no processor, the rest still good. */
	assert_int_equal(procfs_parse_stat("5 (sh) R 1 5 5 0 -1 0 0 0 0 0 8 9 0 0 20 0\n", &st), 0);
	assert_int_equal(st.utime_ticks, 8);
	assert_int_equal(st.stime_ticks, 9);
	assert_int_equal(st.processor, -1);

	static const char *const bad[] = {
		"",
		"5 (sh) R 1 5 5 0 -1 0 0 0 0 0 8\n",   /* no stime */
		"5 sh R 1 5 5 0 -1 0 0 0 0 0 8 9\n",   /* no parentheses */
		"5 (sh R 1 5 5 0 -1 0 0 0 0 0 8 9\n",  /* no ')' */
		"(sh) R " STAT_TAIL,                   /* no pid */
		"-5 (sh) R " STAT_TAIL,
		"5 (sh) " STAT_TAIL,                   /* no state letter */
		"5 (sh)R " STAT_TAIL,
		"5 (sh) R x 5 5 0 -1 0 0 0 0 0 8 9\n", /* ppid not a number */
		"5 (sh) R 1 5 5 0 -1 0 0 0 0 0 -8 9\n",/* negative utime */
		"5 (sh) R 1 5 5 0 -1 0 0 0 0 0 8z 9\n",
	};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		memset(&st, 0x5a, sizeof(st));
		if (procfs_parse_stat(bad[i], &st) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(st.pid, 0x5a5a5a5a);   /* left untouched */
	}
}

static void test_stat_live_self(void **state)
{
	char buf[1024], comm[64];
	struct proc_stat st;
	ssize_t n;

	/* Reading our own stat: we are on a CPU while the kernel prints it. */
	n = procfs_read(getpid(), 0, "stat", buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_int_equal(procfs_parse_stat(buf, &st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, getppid());
	assert_true(st.processor >= 0);
	assert_false(st.flags & PROC_PF_KTHREAD);

	assert_true(procfs_read(getpid(), 0, "comm", comm, sizeof(comm)) > 0);
	comm[strcspn(comm, "\n")] = '\0';
	assert_string_equal(st.comm, comm);

	/* The same through the task directory. */
	assert_true(procfs_read(getpid(), (pid_t)syscall(SYS_gettid), "stat", buf, sizeof(buf)) > 0);
	assert_int_equal(procfs_parse_stat(buf, &st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.state, 'R');
}

/* --- status --------------------------------------------------------------- */

static void test_status_nspid_tracer(void **state)
{
	static const char text[] =
		"Name:\tweird\\nname x\n"
		"Umask:\t0022\n"
		"State:\tt (tracing stop)\n"
		"Tgid:\t4321\n"
		"Ngid:\t0\n"
		"Pid:\t4325\n"
		"PPid:\t4300\n"
		"TracerPid:\t999\n"
		"Uid:\t1000\t1001\t1002\t1003\n"
		"Gid:\t100\t100\t100\t100\n"
		"FDSize:\t64\n"
		"Groups:\t \n"
		"NStgid:\t4321\t7\n"
		"NSpid:\t4325\t11\n"
		"NSpgid:\t4300\t1\n"
		"Threads:\t3\n"
		"CapPrm:\t0000000000000000\n"
		"CapEff:\t000001ffffffffff\n"
		"CapBnd:\t000001ffffffffff\n";
	struct proc_status st;

	assert_int_equal(procfs_parse_status(text, &st), 0);
	assert_string_equal(st.name, "weird\\nname x");   /* escape kept as is */
	assert_int_equal(st.state, 't');
	assert_int_equal(st.tgid, 4321);
	assert_int_equal(st.tracer_pid, 999);
	assert_int_equal(st.uid_real, 1000);
	assert_int_equal(st.uid_effective, 1001);
	assert_int_equal(st.nspid_count, 2);
	assert_int_equal(st.nspid[0], 4325);
	assert_int_equal(st.nspid[1], 11);
	assert_int_equal(st.cap_eff, 0x000001ffffffffffULL);
}

static void test_status_optional_and_bad(void **state)
{
	struct proc_status st;

	/* An old kernel without NSpid; untraced; large uid. */
	assert_int_equal(procfs_parse_status("Name:\tinit\nState:\tS (sleeping)\nTgid:\t1\n"
					     "TracerPid:\t0\nUid:\t4294967294\t0\t0\t0\n", &st), 0);
	assert_string_equal(st.name, "init");
	assert_int_equal(st.tracer_pid, 0);
	assert_int_equal(st.nspid_count, 0);
	assert_int_equal(st.uid_real, 4294967294U);
	assert_int_equal(st.uid_effective, 0);

	/* Deeper than PROC_NSPID_MAX: the outermost levels are kept. */
	assert_int_equal(procfs_parse_status("Name:\tx\nState:\tR\nTgid:\t9\n"
					     "NSpid:\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\n", &st), 0);
	assert_int_equal(st.nspid_count, PROC_NSPID_MAX);
	assert_int_equal(st.nspid[0], 1);
	assert_int_equal(st.nspid[PROC_NSPID_MAX - 1], PROC_NSPID_MAX);

	static const char *const bad[] = {
		"",
		"State:\tR\nTgid:\t9\n",                       /* no Name */
		"Name:\tx\nTgid:\t9\n",                        /* no State */
		"Name:\tx\nState:\tR\n",                       /* no Tgid */
		"Name:\tx\nState:\tR\nTgid:\tnine\n",
		"Name:\tx\nState:\tR\nTgid:\t9\t10\n",
		"Name:\tx\nState:\tR\nTgid:\t9\nTracerPid:\t-1\n",
		"Name:\tx\nState:\tR\nTgid:\t9\nUid:\t1000\n",
		"Name:\tx\nState:\tR\nTgid:\t9\nCapEff:\tzz\n",
		"Name:\tx\nState:\tR\nTgid:\t9\nNSpid:\t9\tq\n",
	};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		memset(&st, 0x5a, sizeof(st));
		if (procfs_parse_status(bad[i], &st) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(st.tgid, 0x5a5a5a5a);
	}
}

static void test_status_live_self(void **state)
{
	struct proc_status st;
	char comm[64];
	size_t len = 0;
	char *text = procfs_read_all(getpid(), 0, "status", &len);

	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	assert_int_equal(procfs_parse_status(text, &st), 0);
	assert_int_equal(st.tgid, getpid());
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.uid_real, getuid());
	assert_int_equal(st.uid_effective, geteuid());
	assert_true(st.nspid_count >= 1);
	assert_int_equal(st.nspid[0], getpid());
	assert_true(procfs_read(getpid(), 0, "comm", comm, sizeof(comm)) > 0);
	comm[strcspn(comm, "\n")] = '\0';
	assert_string_equal(st.name, comm);
	free(text);
}

/* --- maps ----------------------------------------------------------------- */

/* Out of order on purpose (the heap line is late) to check sorting. */
static const char maps_text[] =
	"7f1c2a000000-7f1c2a021000 r-xp 00001000 fd:01 1234567                    /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7f1c2a021000-7f1c2a030000 r--p 00021000 fd:01 1234567                    /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7f1c2a100000-7f1c2a101000 r--p 00000000 fd:01 42                         /opt/my app/lib  thing.so\n"
	"7f1c2a200000-7f1c2a300000 rw-p 00000000 00:00 0 \n"
	"7f1c2a300000-7f1c2a301000 rw-p 00000000 00:00 0\n"
	"7f1c2a400000-7f1c2a401000 r-xp 00002000 103:11 99                        /tmp/old lib.so (deleted)\n"
	"55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]\n"
	"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"7ffc000f0000-7ffc000f2000 r-xp 00000000 00:00 0                          [vdso]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

static void test_maps_parse(void **state)
{
	struct maps m = { 0 };

	assert_int_equal(procfs_parse_maps(maps_text, &m), 0);
	assert_int_equal(m.n, 10);
	for (size_t i = 1; i < m.n; i++)
		assert_true(m.v[i - 1].start < m.v[i].start);

	const struct map_entry *heap = &m.v[0];
	assert_int_equal(heap->start, 0x55d0c0a00000ULL);
	assert_string_equal(heap->path, "[heap]");

	const struct map_entry *libc = &m.v[1];
	assert_int_equal(libc->start, 0x7f1c2a000000ULL);
	assert_int_equal(libc->end, 0x7f1c2a021000ULL);
	assert_string_equal(libc->perms, "r-xp");
	assert_int_equal(libc->offset, 0x1000);
	assert_int_equal(libc->dev_major, 0xfd);
	assert_int_equal(libc->dev_minor, 1);
	assert_int_equal(libc->inode, 1234567);
	assert_string_equal(libc->path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_false(libc->deleted);

	/* Spaces inside the path are kept, including a double one. */
	assert_string_equal(m.v[3].path, "/opt/my app/lib  thing.so");

	/* Anonymous, with and without the kernel's trailing space. */
	assert_null(m.v[4].path);
	assert_string_equal(m.v[4].perms, "rw-p");
	assert_null(m.v[5].path);
	assert_int_equal(m.v[5].end, 0x7f1c2a301000ULL);

	assert_string_equal(m.v[6].path, "/tmp/old lib.so");
	assert_true(m.v[6].deleted);
	assert_int_equal(m.v[6].dev_major, 0x103);
	assert_int_equal(m.v[6].dev_minor, 0x11);

	assert_string_equal(m.v[7].path, "[stack]");
	assert_string_equal(m.v[8].path, "[vdso]");
	assert_string_equal(m.v[9].path, "[vsyscall]");
	assert_int_equal(m.v[9].end, 0xffffffffff601000ULL);
	assert_string_equal(m.v[9].perms, "--xp");

	maps_free(&m);
	assert_null(m.v);
	assert_int_equal(m.n, 0);
	maps_free(&m);   /* twice is harmless */
}

static void test_maps_find_edges(void **state)
{
	struct maps m = { 0 };
	const struct map_entry *e;

	assert_int_equal(procfs_parse_maps(maps_text, &m), 0);

	/* Start inclusive, end exclusive. */
	e = maps_find(&m, 0x7f1c2a000000ULL);
	assert_non_null(e);
	assert_int_equal(e->start, 0x7f1c2a000000ULL);
	e = maps_find(&m, 0x7f1c2a020fffULL);
	assert_non_null(e);
	assert_int_equal(e->start, 0x7f1c2a000000ULL);
	/* The end of one mapping is the start of the next, adjacent one. */
	e = maps_find(&m, 0x7f1c2a021000ULL);
	assert_non_null(e);
	assert_int_equal(e->start, 0x7f1c2a021000ULL);
	assert_string_equal(e->perms, "r--p");
	/* A gap between mappings. */
	assert_null(maps_find(&m, 0x7f1c2a030000ULL));
	assert_null(maps_find(&m, 0x7f1c2a0fffffULL));
	/* Below the first and at or above the last end. */
	assert_null(maps_find(&m, 0));
	assert_null(maps_find(&m, 0x55d0c09fffffULL));
	e = maps_find(&m, 0x55d0c0a00000ULL);
	assert_non_null(e);
	assert_string_equal(e->path, "[heap]");
	e = maps_find(&m, 0xffffffffff600fffULL);
	assert_non_null(e);
	assert_string_equal(e->path, "[vsyscall]");
	assert_null(maps_find(&m, 0xffffffffff601000ULL));
	assert_null(maps_find(&m, UINT64_MAX));
	/* Middle of a deleted file's mapping. */
	e = maps_find(&m, 0x7f1c2a400800ULL);
	assert_non_null(e);
	assert_true(e->deleted);
	maps_free(&m);

	/* Empty text: no entries, nothing found. */
	assert_int_equal(procfs_parse_maps("", &m), 0);
	assert_int_equal(m.n, 0);
	assert_null(maps_find(&m, 0x1000));
	maps_free(&m);
}

static void test_maps_bad(void **state)
{
	static const char *const bad[] = {
		"garbage\n",
		"1000-2000 r-xp 00000000 fd:01\n",          /* no inode */
		"1000 r-xp 00000000 fd:01 5 /x\n",          /* no end */
		"2000-1000 r-xp 00000000 fd:01 5 /x\n",     /* end before start */
		"1000-2000 r-x 00000000 fd:01 5 /x\n",      /* short perms */
		"1000-2000 r-xp 00000000 fd01 5 /x\n",
		"1000-2000 r-xp 00000000 fd:01 5x /x\n",
		/* A good line, then a bad one: nothing is kept. */
		"1000-2000 r-xp 00000000 fd:01 5 /x\nzzzz\n",
	};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		struct maps m = { .n = 77 };
		if (procfs_parse_maps(bad[i], &m) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(m.n, 77);
		assert_null(m.v);
	}
}

static void test_maps_live_self(void **state)
{
	struct maps m = { 0 };
	int local = 0;
	const struct map_entry *e;
	char *text = procfs_read_all(getpid(), 0, "maps", NULL);

	assert_non_null(text);
	assert_int_equal(procfs_parse_maps(text, &m), 0);
	assert_true(m.n > 3);

	/* Our own code is in an executable file mapping. */
	e = maps_find(&m, (uint64_t)(uintptr_t)&test_maps_live_self);
	assert_non_null(e);
	assert_int_equal(e->perms[2], 'x');
	assert_non_null(e->path);
	assert_int_equal(e->path[0], '/');
	/* The main thread's locals are on [stack]. */
	e = maps_find(&m, (uint64_t)(uintptr_t)&local);
	assert_non_null(e);
	assert_string_equal(e->path, "[stack]");
	maps_free(&m);
	free(text);
}

/* --- syscall -------------------------------------------------------------- */

static void test_syscall_parse(void **state)
{
	struct proc_syscall sc;

	memset(&sc, 0x5a, sizeof(sc));
	assert_int_equal(procfs_parse_syscall("running\n", &sc), 0);
	assert_true(sc.running);
	assert_int_equal(procfs_parse_syscall("running", &sc), 0);
	assert_true(sc.running);

	assert_int_equal(procfs_parse_syscall("-1 0x7ffc1234abcd 0x7f0012345678\n", &sc), 0);
	assert_false(sc.running);
	assert_int_equal(sc.nr, -1);
	assert_int_equal(sc.sp, 0x7ffc1234abcdULL);
	assert_int_equal(sc.pc, 0x7f0012345678ULL);

	/* futex(uaddr, FUTEX_WAIT_PRIVATE, ...) */
	assert_int_equal(procfs_parse_syscall(
		"202 0x55d0c0a0 0x80 0x0 0x0 0x0 0x0 0x7ffd1000 0x7f2a3b4c\n", &sc), 0);
	assert_false(sc.running);
	assert_int_equal(sc.nr, 202);
	assert_int_equal(sc.args[0], 0x55d0c0a0ULL);
	assert_int_equal(sc.args[1], 0x80);
	for (int i = 2; i < 6; i++)
		assert_int_equal(sc.args[i], 0);
	assert_int_equal(sc.sp, 0x7ffd1000ULL);
	assert_int_equal(sc.pc, 0x7f2a3b4cULL);

	assert_int_equal(procfs_parse_syscall(
		"0 0x3 0xffffffffffffffff 0x1 0x2 0x3 0x4 0x7ffe2bfc0238 0x7f11583f42ad", &sc), 0);
	assert_int_equal(sc.nr, 0);
	assert_int_equal(sc.args[1], UINT64_MAX);
	assert_int_equal(sc.args[5], 4);
}

static void test_syscall_bad(void **state)
{
	static const char *const bad[] = {
		"", "\n", "runnin", "running now\n", "abc\n",
		"-1 0x1\n",                                /* no pc */
		"-1 0x1 0x2 0x3\n",                        /* junk after pc */
		"-2 0x1 0x2\n",
		"202 0x1\n",
		"202 0x1 0x2 0x3 0x4 0x5 0x6 0x7\n",       /* no pc */
		"202 1 2 3 4 5 6 7 8\n",                   /* no 0x */
		"202 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8 x\n",
		"202 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0xg\n",
		"202 0x 0x2 0x3 0x4 0x5 0x6 0x7 0x8\n",
		"202 0x10000000000000000 0x2 0x3 0x4 0x5 0x6 0x7 0x8\n",
	};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		struct proc_syscall sc;
		memset(&sc, 0x5a, sizeof(sc));
		if (procfs_parse_syscall(bad[i], &sc) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(sc.sp, 0x5a5a5a5a5a5a5a5aULL);
	}
}

static void test_state_names(void **state)
{
	static const struct { char c; const char *name; } cases[] = {
		{ 'R', "running" }, { 'S', "sleeping" }, { 'D', "disk-sleep" },
		{ 'T', "stopped" }, { 't', "tracing-stop" }, { 'Z', "zombie" },
		{ 'X', "dead" }, { 'I', "idle" }, { 'P', "parked" },
		{ 'r', "unknown" }, { '?', "unknown" }, { 0, "unknown" },
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++)
		assert_string_equal(procfs_state_name(cases[i].c), cases[i].name);
}

/* --- readers on a second thread ------------------------------------------ */

struct blocker {
	int fds[2];
	pid_t tid;
	pthread_mutex_t lock;
};

static void *blocker_main(void *arg)
{
	struct blocker *b = arg;
	char c;

	pthread_mutex_lock(&b->lock);
	b->tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_unlock(&b->lock);
	/* Sleep in read(2) until the test writes a byte. */
	if (read(b->fds[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static pid_t blocker_tid(struct blocker *b)
{
	pid_t t;

	pthread_mutex_lock(&b->lock);
	t = b->tid;
	pthread_mutex_unlock(&b->lock);
	return t;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void test_readers_second_thread(void **state)
{
	struct blocker b = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t th;
	struct proc_stat st = { 0 };
	struct proc_syscall sc = { 0 };
	char buf[512];
	pid_t *tids = NULL, tid = 0;
	ssize_t n;
	int i;

	assert_int_equal(pipe(b.fds), 0);
	assert_int_equal(pthread_create(&th, NULL, blocker_main, &b), 0);
	for (i = 0; i < 5000 && (tid = blocker_tid(&b)) == 0; i++)
		sleep_ms(1);
	assert_true(tid > 0);

	/* Wait until it sleeps in read(2), fd = our pipe. */
	for (i = 0; i < 5000; i++) {
		if (procfs_read(getpid(), tid, "stat", buf, sizeof(buf)) > 0 &&
		    procfs_parse_stat(buf, &st) == 0 && st.state == 'S' &&
		    procfs_read(getpid(), tid, "syscall", buf, sizeof(buf)) > 0 &&
		    procfs_parse_syscall(buf, &sc) == 0 && sc.nr == SYS_read)
			break;
		sleep_ms(1);
	}
	assert_int_equal(st.pid, tid);
	assert_int_equal(st.state, 'S');
	assert_false(sc.running);
	assert_int_equal(sc.nr, SYS_read);
	assert_int_equal(sc.args[0], (uint64_t)b.fds[0]);
	assert_int_equal(sc.args[2], 1);
	assert_true(sc.sp != 0 && sc.pc != 0);

	n = procfs_list_tasks(getpid(), &tids);
	assert_true(n >= 2);
	bool have_main = false, have_tid = false;
	for (ssize_t k = 0; k < n; k++) {
		if (k > 0)
			assert_true(tids[k - 1] < tids[k]);
		have_main |= tids[k] == getpid();
		have_tid |= tids[k] == tid;
	}
	assert_true(have_main);
	assert_true(have_tid);
	free(tids);

	assert_int_equal(write(b.fds[1], "x", 1), 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	close(b.fds[0]);
	close(b.fds[1]);

	/* Once joined the thread is gone. */
	errno = 0;
	assert_int_equal(procfs_read(getpid(), tid, "stat", buf, sizeof(buf)), -1);
	assert_true(errno == ENOENT || errno == ESRCH);
}

static void test_read_errors_and_truncation(void **state)
{
	char full[1024], small[8];
	pid_t *tids = (pid_t *)&tids;
	size_t len = 99;

	/* No such process: pid_max never reaches INT_MAX. */
	errno = 0;
	assert_int_equal(procfs_read(INT_MAX, 0, "stat", full, sizeof(full)), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(procfs_read_all(INT_MAX, 0, "stat", &len));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(len, 99);
	errno = 0;
	assert_int_equal(procfs_list_tasks(INT_MAX, &tids), -1);
	assert_int_equal(errno, ENOENT);
	assert_ptr_equal(tids, (pid_t *)&tids);
	errno = 0;
	assert_int_equal(procfs_read(getpid(), 0, "no-such-file", full, sizeof(full)), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(procfs_read(getpid(), 0, "stat", full, 0), -1);
	assert_int_equal(errno, EINVAL);

	/* A small buffer gets a NUL-terminated prefix. */
	assert_true(procfs_read(getpid(), 0, "stat", full, sizeof(full)) > 8);
	assert_int_equal(procfs_read(getpid(), 0, "stat", small, sizeof(small)), 7);
	assert_int_equal(small[7], '\0');
	assert_memory_equal(small, full, 7);
}

static void test_read_all_large(void **state)
{
	size_t len = 0;
	/* smaps is tens of kilobytes: several buffer growths. */
	char *text = procfs_read_all(getpid(), 0, "smaps", &len);

	assert_non_null(text);
	assert_true(len > 8192);
	assert_int_equal(strlen(text), len);
	assert_int_equal(text[len - 1], '\n');
	assert_non_null(strstr(text, "[stack]"));
	free(text);

	/* Thread-level path, len pointer optional. */
	text = procfs_read_all(getpid(), getpid(), "comm", NULL);
	assert_non_null(text);
	assert_true(strlen(text) > 1);
	free(text);
}

static void test_clock_ticks(void **state)
{
	long t = procfs_clock_ticks();

	assert_true(t > 0);
	assert_int_equal(t, sysconf(_SC_CLK_TCK));
	assert_int_equal(procfs_clock_ticks(), t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_parens_in_comm),
		cmocka_unit_test(test_stat_spaces_in_comm),
		cmocka_unit_test(test_stat_long_comm_truncated),
		cmocka_unit_test(test_stat_real_thread_line),
		cmocka_unit_test(test_stat_short_and_bad),
		cmocka_unit_test(test_stat_live_self),
		cmocka_unit_test(test_status_nspid_tracer),
		cmocka_unit_test(test_status_optional_and_bad),
		cmocka_unit_test(test_status_live_self),
		cmocka_unit_test(test_maps_parse),
		cmocka_unit_test(test_maps_find_edges),
		cmocka_unit_test(test_maps_bad),
		cmocka_unit_test(test_maps_live_self),
		cmocka_unit_test(test_syscall_parse),
		cmocka_unit_test(test_syscall_bad),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_readers_second_thread),
		cmocka_unit_test(test_read_errors_and_truncation),
		cmocka_unit_test(test_read_all_large),
		cmocka_unit_test(test_clock_ticks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
