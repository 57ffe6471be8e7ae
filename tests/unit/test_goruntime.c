/* test_goruntime.c - memread, the Go runtime's layout from DWARF, and the
 * goroutines read from a live Go program, checked against the program's
 * own goroutine dump.
 *
 * The target is build/targets/go-gostates (tests/go/gostates): it parks
 * goroutines in known states, writes its own `goroutine` debug=2 dump and
 * prints "ready".  That dump lists user goroutines only (runtime.Stack
 * forces traceback level 1, whatever GOTRACEBACK says), while
 * go_state_read returns every live goroutine; so this side leaves out the
 * system goroutines by the runtime's own rule (isSystemGoroutine): those
 * whose start function is in package runtime, other than runtime.main.
 * Run from the top of the tree (make unit does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "golang/godwarf.h"
#include "golang/goruntime.h"
#include "target/memread.h"
#include "util/xalloc.h"

#define TARGETS "build/targets/"
#define GO_TARGET TARGETS "go-gostates"
#define C_TARGET TARGETS "chain"
#define READY_TIMEOUT_MS 60000
#define MANY 3000                 /* extra goroutines for the batching test */

/* --- the program's own dump ------------------------------------------- */

struct dumped {
	uint64_t goid;
	char state[48];           /* first item in brackets */
	bool locked;              /* ", locked to thread" */
	bool spin, locked_waiter; /* main.spin / main.lockedWaiter on its stack */
};

struct dump {
	struct dumped *g;
	size_t n;
};

static void parse_dump(const char *path, struct dump *d)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t cap = 0;

	assert_non_null(f);
	memset(d, 0, sizeof(*d));
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "goroutine ", 10) == 0) {
			char *end, *br = strchr(line, '[');
			XGROW(d->g, cap, d->n);
			struct dumped *g = &d->g[d->n++];
			memset(g, 0, sizeof(*g));
			g->goid = strtoull(line + 10, &end, 10);
			assert_true(end > line + 10);
			assert_non_null(br);
			size_t len = strcspn(br + 1, ",]");
			assert_true(len < sizeof(g->state));
			memcpy(g->state, br + 1, len);
			g->locked = strstr(br, ", locked to thread") != NULL;
		} else if (d->n > 0 && strncmp(line, "main.spin(", 10) == 0) {
			d->g[d->n - 1].spin = true;
		} else if (d->n > 0 && strncmp(line, "main.lockedWaiter(", 18) == 0) {
			d->g[d->n - 1].locked_waiter = true;
		}
	}
	fclose(f);
	assert_true(d->n > 0);
}

/* --- the target ------------------------------------------------------- */

struct target {
	pid_t pid;
	char dir[64];
	char dump_path[128];
	struct dump dump;
};

/* Start go-gostates (with `extra` more receivers) and wait for "ready". */
static void start_target(struct target *t, const char *extra)
{
	int pfd[2];
	char buf[256];
	size_t have = 0;
	struct timespec t0, t1;

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_goruntime.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->dump_path, sizeof(t->dump_path), "%s/dump.txt", t->dir);
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		/* Dies with this test, however it ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pfd[1], 1);
		execl(GO_TARGET, GO_TARGET, t->dump_path, extra, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!memmem(buf, have, "ready\n", 6)) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long left = READY_TIMEOUT_MS - ((t1.tv_sec - t0.tv_sec) * 1000 +
						(t1.tv_nsec - t0.tv_nsec) / 1000000);
		assert_true(left > 0);
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		assert_int_equal(r, 1);
		ssize_t n = read(pfd[0], buf + have, sizeof(buf) - have);
		assert_true(n > 0);   /* EOF: the target died before ready */
		have += (size_t)n;
		assert_true(have < sizeof(buf));
	}
	close(pfd[0]);
	parse_dump(t->dump_path, &t->dump);
}

static void stop_target(struct target *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	if (t->dir[0]) {
		unlink(t->dump_path);
		rmdir(t->dir);
	}
	free(t->dump.g);
	memset(t, 0, sizeof(*t));
}

/* --- fixture: the target, its DWARF, its layout ------------------------ */

struct fixture {
	struct target tgt;
	int fd;
	Dwarf *dw;
	struct go_layout L;
	struct go_cutab *cutab;
};

static struct fixture fx;

static int setup(void **state)
{
	const char *missing = "?";

	if (access(GO_TARGET, X_OK) != 0 || access(C_TARGET, R_OK) != 0) {
		fprintf(stderr, "test_goruntime: %s or %s missing: make targets\n", GO_TARGET,
			C_TARGET);
		return -1;
	}
	start_target(&fx.tgt, NULL);
	fx.fd = open(GO_TARGET, O_RDONLY | O_CLOEXEC);
	fx.dw = dwarf_begin(fx.fd, DWARF_C_READ);
	if (!fx.dw || go_layout_read(fx.dw, &fx.L, &missing) != 0) {
		fprintf(stderr, "test_goruntime: no layout: %s\n", missing);
		return -1;
	}
	fx.cutab = go_cutab_build(fx.dw);
	return 0;
}

static int teardown(void **state)
{
	stop_target(&fx.tgt);
	go_cutab_free(fx.cutab);
	if (fx.dw)
		dwarf_end(fx.dw);
	if (fx.fd > 0)
		close(fx.fd);
	return 0;
}

/* --- helpers ------------------------------------------------------------ */

struct fn_find {
	Dwarf_Addr pc;
	const char *name;
};

static int fn_at(Dwarf_Die *die, void *arg)
{
	struct fn_find *f = arg;
	Dwarf_Addr lo;
	if (dwarf_lowpc(die, &lo) == 0 && lo == f->pc) {
		f->name = dwarf_diename(die);
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

/* The function starting at pc, through go_cutab (Go has no aranges). */
static const char *function_at(uint64_t pc)
{
	struct fn_find f = { pc, NULL };
	Dwarf_Die cu;
	if (!go_cutab_find(fx.cutab, pc, &cu))
		return NULL;
	dwarf_getfuncs(&cu, fn_at, &f, 0);
	return f.name;
}

/* The runtime's isSystemGoroutine, by the start function's name. */
static bool is_system(const struct goroutine *g)
{
	const char *fn = function_at(g->startpc);
	assert_non_null(fn);
	return strncmp(fn, "runtime.", 8) == 0 && strcmp(fn, "runtime.main") != 0;
}

static const struct goroutine *find_g(const struct go_state *s, uint64_t goid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->g[i].goid == goid)
			return &s->g[i];
	return NULL;
}

static const struct dumped *dump_find(const struct dump *d, bool spin)
{
	for (size_t i = 0; i < d->n; i++)
		if (spin ? d->g[i].spin : d->g[i].locked_waiter)
			return &d->g[i];
	return NULL;
}

static bool is_thread_of(pid_t pid, pid_t tid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
	return tid > 0 && stat(path, &st) == 0;
}

/* go_state_read until the spinner is seen running: the runtime preempts
 * it every 10 ms, and for a few microseconds it is runnable. */
static void read_with_spinner_running(const struct target *t, struct go_state *s)
{
	const struct dumped *spin = dump_find(&t->dump, true);
	const char *why = "?";
	assert_non_null(spin);
	for (int tries = 0; tries < 20; tries++) {
		assert_int_equal(go_state_read(t->pid, &fx.L, 0, s, &why), 0);
		const struct goroutine *g = find_g(s, spin->goid);
		if (g && g->status == GS_RUNNING)
			return;
		go_state_free(s);
	}
	fail_msg("the spinning goroutine was never seen running");
}

/* The user goroutines read equal the program's dump, as sets of ids. */
static void assert_same_goids(const struct go_state *s, const struct dump *d)
{
	size_t user = 0;
	for (size_t i = 0; i < s->n; i++) {
		assert_true(i == 0 || s->g[i - 1].goid < s->g[i].goid);   /* sorted, unique */
		if (!is_system(&s->g[i]))
			user++;
	}
	assert_int_equal(user, d->n);
	for (size_t i = 0; i < d->n; i++) {
		const struct goroutine *g = find_g(s, d->g[i].goid);
		if (!g)
			fail_msg("goroutine %llu of the dump not read", (unsigned long long)d->g[i].goid);
		assert_false(is_system(g));
	}
}

/* --- tests ---------------------------------------------------------------- */

static void test_layout(void **state)
{
	const struct go_layout *L = &fx.L;

	assert_true(L->g_size > 0 && L->m_size > 0);
	assert_int_equal(L->g_goid.size, 8);
	assert_int_equal(L->g_atomicstatus.size, 4);
	assert_int_equal(L->g_stack_hi.off, L->g_stack_lo.off + 8);   /* runtime.stack{lo, hi} */
	assert_int_equal(L->g_sched_pc.off, L->g_sched_sp.off + 8);   /* gobuf{sp, pc, ...} */
	assert_int_equal(L->g_waitreason.size, 1);
	assert_true(L->wait_reason_count > 10);
	assert_int_equal(L->g_scan, 0x1000);
	assert_true(L->g_dead > L->g_waiting && L->g_waiting > L->g_idle);
	assert_true(L->g_parent_goid.size == 0 || L->g_parent_goid.size == 8);
	assert_int_equal(go_var_addr(fx.dw, "runtime.allgs"), L->allgs);
	assert_int_equal(go_var_addr(fx.dw, "runtime.no_such_variable"), 0);
}

static void test_layout_of_c_program(void **state)
{
	int fd = open(C_TARGET, O_RDONLY | O_CLOEXEC);
	Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
	struct go_layout L;
	const char *missing = NULL;

	assert_non_null(dw);
	assert_int_equal(go_layout_read(dw, &L, &missing), -1);
	assert_non_null(missing);
	assert_non_null(strstr(missing, "runtime."));
	assert_int_equal(go_var_addr(dw, "runtime.allgs"), 0);
	dwarf_end(dw);
	close(fd);

	missing = NULL;
	assert_int_equal(go_layout_read(NULL, &L, &missing), -1);
	assert_non_null(missing);
}

static void test_cutab(void **state)
{
	struct go_state s;
	const struct dumped *spin = dump_find(&fx.tgt.dump, true);
	Dwarf_Die cu;
	const char *why;

	assert_int_equal(go_state_read(fx.tgt.pid, &fx.L, 0, &s, &why), 0);
	const struct goroutine *g = find_g(&s, spin->goid);
	assert_non_null(g);
	assert_true(go_cutab_find(fx.cutab, g->startpc, &cu));
	assert_string_equal(dwarf_diename(&cu), "main");
	assert_string_equal(function_at(g->startpc), "main.spin");
	assert_false(go_cutab_find(fx.cutab, 0, &cu));
	assert_false(go_cutab_find(fx.cutab, UINT64_MAX, &cu));
	go_state_free(&s);
}

static void test_state_matches_dump(void **state)
{
	const struct dump *d = &fx.tgt.dump;
	const struct dumped *spin = dump_find(d, true), *lw = dump_find(d, false);
	struct go_state s;

	assert_non_null(lw);
	read_with_spinner_running(&fx.tgt, &s);
	assert_same_goids(&s, d);

	for (size_t i = 0; i < d->n; i++) {
		const struct goroutine *g = find_g(&s, d->g[i].goid);
		assert_false(g->inconsistent);
		assert_int_equal(g->locked, d->g[i].locked);
		/* The first one listed made the dump; it and the spinner
		 * moved on since. */
		if (i == 0 || &d->g[i] == spin)
			continue;
		assert_int_equal(g->status, GS_WAITING);
		assert_string_equal(g->wait_reason, d->g[i].state);
		assert_true(g->sched_sp >= g->stack_lo && g->sched_sp < g->stack_hi);
		assert_int_equal(g->m, 0);
		assert_int_equal(g->tid, 0);
	}

	const struct goroutine *sg = find_g(&s, spin->goid);
	assert_int_equal(sg->status, GS_RUNNING);
	assert_string_equal(sg->wait_reason, "");
	assert_true(sg->m != 0);
	assert_true(is_thread_of(fx.tgt.pid, sg->tid));
	assert_true(find_g(&s, lw->goid)->locked);
	assert_string_equal(find_g(&s, lw->goid)->wait_reason, "chan receive");

	/* Every M is a thread of the process, and the spinner's runs it. */
	bool seen = false;
	assert_true(s.nt > 0);
	for (size_t i = 0; i < s.nt; i++) {
		assert_true(is_thread_of(fx.tgt.pid, s.t[i].tid));
		seen |= s.t[i].m == sg->m && s.t[i].tid == sg->tid;
	}
	assert_true(seen);

	/* Batched: a fixed few calls, one per M (a linked list), and one per
	 * 1024 goroutines; one read per goroutine would be at least n. */
	assert_true(s.reads <= 4 + s.nt + s.n / 1024);
	assert_true(s.nanotime > 0);
	go_state_free(&s);
}

static void test_thread_goid(void **state)
{
	const struct dumped *spin = dump_find(&fx.tgt.dump, true);
	struct go_state s;

	assert_int_equal(go_thread_goid(fx.tgt.pid, &fx.L, 0), 0);
	/* The spinner may move to another M between the two reads: retry. */
	for (int tries = 0; tries < 20; tries++) {
		read_with_spinner_running(&fx.tgt, &s);
		uint64_t goid = go_thread_goid(fx.tgt.pid, &fx.L, find_g(&s, spin->goid)->m);
		go_state_free(&s);
		if (goid == spin->goid)
			return;
	}
	fail_msg("go_thread_goid never named the spinning goroutine");
}

/* Its own target, stopped by its teardown even when an assertion fails. */
static struct target big;

static void test_many_goroutines(void **state)
{
	struct go_state s;
	char extra[16];

	snprintf(extra, sizeof(extra), "%d", MANY);
	start_target(&big, extra);
	read_with_spinner_running(&big, &s);
	assert_same_goids(&s, &big.dump);
	assert_true(s.n > MANY);
	assert_true(s.reads <= 4 + s.nt + s.n / 1024);
	go_state_free(&s);
}

static int stop_many(void **state)
{
	stop_target(&big);
	return 0;
}

static void test_read_runtime_string(void **state)
{
	uint64_t addr = go_var_addr(fx.dw, "runtime.buildVersion");
	struct { uint64_t ptr, len; } str;
	char text[16] = "";

	assert_true(addr != 0);
	assert_true(mem_read(fx.tgt.pid, addr, &str, sizeof(str)));
	assert_true(str.len >= 4 && str.len < sizeof(text));
	assert_true(mem_read(fx.tgt.pid, str.ptr, text, str.len));
	assert_memory_equal(text, "go1.", 4);
}

static void test_memread_unmapped(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t a = 0x1122334455667788ULL, b = 0x99aabbccddeeff00ULL, x = 0, y = 0, z = 0;
	pid_t self = getpid();

	assert_true(m != MAP_FAILED);
	assert_int_equal(munmap(m + page, page), 0);   /* a hole between two pages */
	memcpy(m, &a, 8);
	memcpy(m + 2 * page, &b, 8);

	assert_false(mem_read(self, (uint64_t)(uintptr_t)(m + page), &x, 8));
	assert_false(mem_read(self, 0, &x, 8));
	assert_false(mem_read_u64(self, (uint64_t)(uintptr_t)(m + page - 4), &x)); /* straddles */
	assert_true(mem_read_u64(self, (uint64_t)(uintptr_t)m, &x));
	assert_int_equal(x, a);

	/* One unreadable piece in the middle: the others still read, in two calls. */
	struct mem_piece p[3] = {
		{ (uint64_t)(uintptr_t)m, &x, 8, false },
		{ (uint64_t)(uintptr_t)(m + page), &y, 8, false },
		{ (uint64_t)(uintptr_t)(m + 2 * page), &z, 8, false },
	};
	x = 0;
	uint64_t c0 = mem_read_calls();
	assert_int_equal(mem_readv(self, p, 3), 2);
	assert_int_equal(mem_read_calls() - c0, 2);
	assert_true(p[0].ok && !p[1].ok && p[2].ok);
	assert_int_equal(x, a);
	assert_int_equal(z, b);

	/* More pieces than one call takes: IOV_MAX (1024) per call. */
	size_t n = 2500;
	struct mem_piece *many = xcalloc(n, sizeof(*many));
	uint64_t *out = xcalloc(n, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		many[i] = (struct mem_piece){ (uint64_t)(uintptr_t)(i % 2 ? m : m + 2 * page),
					      &out[i], 8, false };
	c0 = mem_read_calls();
	assert_int_equal(mem_readv(self, many, n), n);
	assert_int_equal(mem_read_calls() - c0, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i], i % 2 ? a : b);

	/* Every piece unreadable: each costs a call, none stops the rest. */
	for (size_t i = 0; i < 4; i++)
		many[i] = (struct mem_piece){ (uint64_t)(uintptr_t)(m + page), &out[i], 8, true };
	assert_int_equal(mem_readv(self, many, 4), 0);
	for (size_t i = 0; i < 4; i++)
		assert_false(many[i].ok);
	free(many);
	free(out);

	/* A process that is gone. */
	pid_t gone = fork();
	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	assert_int_equal(waitpid(gone, NULL, 0), gone);
	assert_false(mem_read(gone, (uint64_t)(uintptr_t)m, &x, 8));
	p[0].ok = true;
	assert_int_equal(mem_readv(gone, p, 3), 0);
	assert_false(p[0].ok);
	munmap(m, 3 * page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memread_unmapped),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_layout_of_c_program),
		cmocka_unit_test(test_cutab),
		cmocka_unit_test(test_read_runtime_string),
		cmocka_unit_test(test_state_matches_dump),
		cmocka_unit_test(test_thread_goid),
		cmocka_unit_test_teardown(test_many_goroutines, stop_many),
	};
	alarm(300);   /* whatever happens, this test does not hang */
	return cmocka_run_group_tests(tests, setup, teardown);
}
