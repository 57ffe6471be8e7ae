/* test_proctree.c - pid sets, and descendants found from /proc, on real
 * processes this test forks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/proctree.h"

/* A child that (optionally) forks a grandchild, says it is in place, and
 * waits for SIGTERM before it kills and reaps its own child and exits.
 * (A signal, not EOF on a pipe: every later fork would hold the pipe.) */
struct kid {
	pid_t pid;
	pid_t grandchild;         /* read from the kid, 0 if none */
};

static void kid_main(int ready_fd, bool with_grandchild)
{
	sigset_t term;
	pid_t g = 0;
	int sig;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	if (with_grandchild) {
		g = fork();
		if (g < 0)
			_exit(1);
		if (g == 0) {
			for (;;)
				pause();
		}
	}
	if (write(ready_fd, &g, sizeof(g)) != sizeof(g))
		_exit(1);
	while (sigwait(&term, &sig) != 0)
		;
	if (g > 0) {
		kill(g, SIGKILL);
		waitpid(g, NULL, 0);
	}
	_exit(0);
}

static void start_kid(struct kid *k, bool with_grandchild)
{
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		close(ready[0]);
		kid_main(ready[1], with_grandchild);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &k->grandchild, sizeof(k->grandchild)),
			 sizeof(k->grandchild));
	close(ready[0]);
}

static void end_kid(struct kid *k)
{
	int st;
	kill(k->pid, SIGTERM);
	assert_int_equal(waitpid(k->pid, &st, 0), k->pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static size_t index_of(const struct pidset *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return i;
	fail_msg("pid %d not in the set", (int)pid);
	return 0;
}

static void test_pidset(void **state)
{
	struct pidset s = { 0 };
	assert_true(pidset_add(&s, 30));
	assert_true(pidset_add(&s, 10));
	assert_false(pidset_add(&s, 30));
	assert_true(pidset_add(&s, 20));
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0], 30);
	assert_int_equal(s.v[1], 10);
	assert_int_equal(s.v[2], 20);
	assert_true(pidset_has(&s, 10));
	assert_false(pidset_has(&s, 11));
	pidset_free(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
}

/* Two children, each with a child of its own: all four are found, each
 * once, every parent before its children. */
static void test_children_and_grandchildren(void **state)
{
	struct kid a, b;
	struct pidset s = { 0 };

	start_kid(&a, true);
	start_kid(&b, true);
	pidset_add(&s, getpid());
	assert_int_equal(proctree_add_descendants(&s), 4);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.v[0], getpid());
	size_t ia = index_of(&s, a.pid), ib = index_of(&s, b.pid);
	size_t iga = index_of(&s, a.grandchild), igb = index_of(&s, b.grandchild);
	assert_true(ia < iga);
	assert_true(ib < igb);
	/* Breadth first: both children before either grandchild. */
	assert_true(ia < igb && ib < iga);

	/* Asked again, nothing new. */
	assert_int_equal(proctree_add_descendants(&s), 0);
	assert_int_equal(s.n, 5);
	pidset_free(&s);

	/* From a child only: its own child, not its sibling. */
	pidset_add(&s, a.pid);
	assert_int_equal(proctree_add_descendants(&s), 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[1], a.grandchild);
	pidset_free(&s);

	end_kid(&a);
	end_kid(&b);
}

struct forker {
	struct kid k;
	int ready[2], hold[2];    /* the thread says it forked; is let go */
};

static void *fork_from_thread(void *arg)
{
	struct forker *f = arg;
	char c = 0;
	start_kid(&f->k, false);
	if (write(f->ready[1], &c, 1) != 1)
		return NULL;
	/* Alive until told: a thread's children pass to another when it ends. */
	while (read(f->hold[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* A child belongs to the thread that forked it: one forked by another
 * thread than main is found too. */
static void test_child_of_another_thread(void **state)
{
	struct forker f;
	pthread_t t;
	struct pidset s = { 0 };
	char c;

	assert_int_equal(pipe(f.ready), 0);
	assert_int_equal(pipe(f.hold), 0);
	assert_int_equal(pthread_create(&t, NULL, fork_from_thread, &f), 0);
	assert_int_equal(read(f.ready[0], &c, 1), 1);
	pidset_add(&s, getpid());
	assert_int_equal(proctree_add_descendants(&s), 1);
	assert_int_equal(s.v[1], f.k.pid);
	pidset_free(&s);
	/* A byte, not EOF: the kid holds a copy of the write end too. */
	assert_int_equal(write(f.hold[1], &c, 1), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	end_kid(&f.k);
	close(f.hold[0]);
	close(f.hold[1]);
	close(f.ready[0]);
	close(f.ready[1]);
}

/* A pid that names nothing adds nothing and breaks nothing. */
static void test_missing_pid(void **state)
{
	struct pidset s = { 0 };
	pid_t gone = fork();
	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	assert_int_equal(waitpid(gone, NULL, 0), gone);
	pidset_add(&s, gone);
	assert_int_equal(proctree_add_descendants(&s), 0);
	assert_int_equal(s.n, 1);
	pidset_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pidset),
		cmocka_unit_test(test_children_and_grandchildren),
		cmocka_unit_test(test_child_of_another_thread),
		cmocka_unit_test(test_missing_pid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
