/* test_inplace.c - sleeping threads of this process read in place
 * together: one copy for all, a stack that cannot be read costs only its
 * own thread, and a thread whose run stamp changed between its two
 * readings is found to have moved. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "target/inplace.h"
#include "util/xalloc.h"

#define NSLEEPERS 3

static int pipe_fds[2];
static pid_t tids[NSLEEPERS];
static uint64_t marks[NSLEEPERS];

static void *sleeper(void *arg)
{
	size_t i = (size_t)(uintptr_t)arg;
	volatile uint64_t mark = 0x5ca1ab1e00000000ULL | i;   /* on this stack */
	char c;
	marks[i] = mark;
	__atomic_store_n(&tids[i], (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	if (read(pipe_fds[0], &c, 1) < 0)
		return NULL;
	return (void *)(uintptr_t)mark;
}

/* Until each sleeper sits in read (its /proc syscall line says 0). */
static void wait_asleep(void)
{
	for (size_t i = 0; i < NSLEEPERS; i++) {
		for (int tries = 0;; tries++) {
			char p[64], line[256] = "";
			pid_t tid = __atomic_load_n(&tids[i], __ATOMIC_ACQUIRE);
			FILE *f;
			assert_true(tries < 10000);
			if (tid) {
				snprintf(p, sizeof(p), "/proc/self/task/%d/syscall", (int)tid);
				f = fopen(p, "r");
				if (f) {
					if (!fgets(line, sizeof(line), f))
						line[0] = 0;
					fclose(f);
				}
				if (strncmp(line, "0 ", 2) == 0)
					break;
			}
			usleep(1000);
		}
	}
}

/* The stack copy holds the sleeper's own mark. */
static bool holds(const struct capture *c, uint64_t mark)
{
	for (size_t off = 0; off + 8 <= c->stack_len; off += 8)
		if (memcmp(c->stack + off, &mark, 8) == 0)
			return true;
	return false;
}

static void test_batch(void **state)
{
	pthread_t th[NSLEEPERS];
	struct maps maps;
	uint64_t hash;
	pid_t pid = getpid();
	struct capture caps[NSLEEPERS + 1];
	struct inplace_batch b = { .pid = pid };

	assert_int_equal(pipe(pipe_fds), 0);
	for (size_t i = 0; i < NSLEEPERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, sleeper, (void *)(uintptr_t)i), 0);
	wait_asleep();
	assert_int_equal(procfs_read_maps(pid, &maps, &hash), 0);
	memset(caps, 0, sizeof(caps));

	/* An unreadable stack (an unmapped page) between readable ones: the
	 * copy fails there and goes on after it. */
	void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(hole != MAP_FAILED);
	assert_int_equal(munmap(hole, 4096), 0);
	for (size_t i = 0; i < NSLEEPERS; i++) {
		struct thread_files tf = THREAD_FILES_INIT;
		struct thread_facts f;
		assert_int_equal(thread_facts_read_asleep(&tf, pid, tids[i], &f), 0);
		assert_true(f.have_run_ns && f.have_syscall);
		assert_true(inplace_batch_add(&b, &tf, &f, i == 1 ? NSLEEPERS : i));
		if (i == 0) {
			/* Another first reading of thread 0 that the second
			 * does not match (one run fewer): it moved.  Its stack
			 * pointer in the hole. */
			struct thread_files tf2 = THREAD_FILES_INIT;
			struct thread_facts g = f;
			g.sc.sp = (uint64_t)(uintptr_t)hole;
			g.runs--;
			assert_true(inplace_batch_add(&b, &tf2, &g, 1));
		}
	}
	assert_int_equal(b.n, NSLEEPERS + 1);
	inplace_batch_run(&b, &maps, 64 * 1024, caps);

	/* Slots: 0 = sleeper 0, 1 = the hole, 2 = sleeper 2, 3 = sleeper 1. */
	assert_int_equal(b.items[1].result, INPLACE_MOVED);
	assert_int_equal(caps[1].stack_len, 0);
	for (size_t k = 0; k < b.n; k++) {
		if (k == 1)
			continue;
		size_t slot = b.items[k].slot;
		size_t who = slot == NSLEEPERS ? 1 : slot;
		assert_int_equal(b.items[k].result, INPLACE_OK);
		assert_true(caps[slot].partial_regs && caps[slot].syscall_regs);
		assert_true(caps[slot].stack_len > 0);
		assert_true(holds(&caps[slot], marks[who]));
		assert_false(holds(&caps[slot], marks[(who + 1) % NSLEEPERS]));
	}

	assert_int_equal(write(pipe_fds[1], "xxx", NSLEEPERS), NSLEEPERS);
	for (size_t i = 0; i < NSLEEPERS; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i <= NSLEEPERS; i++)
		capture_free(&caps[i]);
	maps_free(&maps);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

/* A full batch takes no more. */
static void test_full(void **state)
{
	struct inplace_batch b = { .pid = getpid(), .n = INPLACE_BATCH };
	struct thread_files tf = THREAD_FILES_INIT;
	struct thread_facts f = { .tid = getpid(), .have_run_ns = true, .have_syscall = true,
				  .sc = { .nr = 0, .sp = 4096, .pc = 4096 } };
	assert_false(inplace_batch_add(&b, &tf, &f, 0));
	b.n = 0;
	f.sc.running = true;
	assert_false(inplace_batch_add(&b, &tf, &f, 0));
	assert_int_equal(b.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
