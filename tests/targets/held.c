/* held.c - one thread blocked on each kind of lock, for `dump --locks`.
 *
 *   holder    holds mutex (normal), sleeps       waiter     blocked on mutex
 *   rholder   holds rmutex (recursive) twice     rwaiter    blocked on rmutex
 *   eholder   holds emutex (error-checking)      ewaiter    blocked on emutex
 *   piholder  holds pi (PTHREAD_PRIO_INHERIT)    piwaiter   blocked on pi
 *                                                           (futex LOCK_PI)
 *   wholder   holds rwlock for writing           rdwaiter   blocked in rdlock
 *   sleepy    sleeps                             joiner     in pthread_join(sleepy)
 *                                                cvwaiter   in pthread_cond_wait(cond)
 *                                                semwaiter  in sem_wait(sem)
 *
 * Every holder (and sleepy) sleeps in clock_nanosleep with its lock held;
 * every waiter is checked, from /proc, to be blocked in futex with the
 * address of its lock (for the joiner: inside sleepy's struct pthread) as
 * first argument before the next thread starts.  Then main prints
 *
 *   ready NAME=TID ... mutex=0x.. rmutex=0x.. emutex=0x.. pi=0x.. rwlock=0x..
 *         cond=0x.. sem=0x..
 *
 * (one line) and serves pings until EOF.
 */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEEP __attribute__((noinline, noipa))

/* Futex operations, without the private/clock flags. */
#define FUTEX_OP_MASK 0x7f
#define OP_LOCK_PI 6
#define OP_LOCK_PI2 13

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rmutex, emutex, pimutex;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t cvmutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t sem;
static int never; /* the condition cvwaiter waits for: never set */

static pthread_t sleepy_thread;

/* ---- what the threads do ---------------------------------------------- */

KEEP void hold_forever(void)
{
	struct timespec ts = { 1000, 0 };

	for (;;)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

KEEP void wait_mutex(pthread_mutex_t *m)
{
	int err = pthread_mutex_lock(m);

	die("pthread_mutex_lock returned %d on a mutex held forever", err);
}

KEEP void wait_rdlock(pthread_rwlock_t *rw)
{
	int err = pthread_rwlock_rdlock(rw);

	die("pthread_rwlock_rdlock returned %d on a lock held forever", err);
}

KEEP void wait_join(pthread_t t)
{
	int err = pthread_join(t, NULL);

	die("pthread_join returned %d on a thread that never ends", err);
}

KEEP void wait_cond(void)
{
	pthread_mutex_lock(&cvmutex);
	while (!never)
		pthread_cond_wait(&cond, &cvmutex);
	die("condition variable signalled");
}

KEEP void wait_sem(sem_t *s)
{
	while (sem_wait(s) != 0)
		if (errno != EINTR)
			die("sem_wait: %s", strerror(errno));
	die("semaphore posted");
}

static void holder_body(void)
{
	pthread_mutex_lock(&mutex);
	hold_forever();
}

static void rholder_body(void)
{
	if (pthread_mutex_lock(&rmutex) != 0 || pthread_mutex_lock(&rmutex) != 0)
		die("locking the recursive mutex twice failed");
	hold_forever();
}

static void eholder_body(void)
{
	if (pthread_mutex_lock(&emutex) != 0)
		die("locking the error-checking mutex failed");
	hold_forever();
}

static void piholder_body(void)
{
	int err = pthread_mutex_lock(&pimutex);

	if (err != 0)
		die("locking the PI mutex: %s", strerror(err));
	hold_forever();
}

static void wholder_body(void)
{
	int err = pthread_rwlock_wrlock(&rwlock);

	if (err != 0)
		die("pthread_rwlock_wrlock: %s", strerror(err));
	hold_forever();
}

static void waiter_body(void) { wait_mutex(&mutex); }
static void rwaiter_body(void) { wait_mutex(&rmutex); }
static void ewaiter_body(void) { wait_mutex(&emutex); }
static void piwaiter_body(void) { wait_mutex(&pimutex); }
static void rdwaiter_body(void) { wait_rdlock(&rwlock); }
static void joiner_body(void) { wait_join(sleepy_thread); }
static void cvwaiter_body(void) { wait_cond(); }
static void semwaiter_body(void) { wait_sem(&sem); }

/* ---- the cast ------------------------------------------------------------ */

struct role {
	const char *name;
	void (*body)(void);
	struct announce a;
	pthread_t thread;
	pid_t tid;
};

enum {
	HOLDER, WAITER, RHOLDER, RWAITER, EHOLDER, EWAITER, PIHOLDER, PIWAITER,
	WHOLDER, RDWAITER, SLEEPY, JOINER, CVWAITER, SEMWAITER, NROLES
};

static struct role roles[NROLES] = {
	[HOLDER] = { "holder", holder_body },
	[WAITER] = { "waiter", waiter_body },
	[RHOLDER] = { "rholder", rholder_body },
	[RWAITER] = { "rwaiter", rwaiter_body },
	[EHOLDER] = { "eholder", eholder_body },
	[EWAITER] = { "ewaiter", ewaiter_body },
	[PIHOLDER] = { "piholder", piholder_body },
	[PIWAITER] = { "piwaiter", piwaiter_body },
	[WHOLDER] = { "wholder", wholder_body },
	[RDWAITER] = { "rdwaiter", rdwaiter_body },
	[SLEEPY] = { "sleepy", hold_forever },
	[JOINER] = { "joiner", joiner_body },
	[CVWAITER] = { "cvwaiter", cvwaiter_body },
	[SEMWAITER] = { "semwaiter", semwaiter_body },
};

static void *role_thread(void *arg)
{
	struct role *r = arg;

	announce_self(&r->a, r->name);
	r->body();
	die("%s: body returned", r->name);
}

static void start(int i)
{
	int err;

	announce_init(&roles[i].a);
	err = pthread_create(&roles[i].thread, NULL, role_thread, &roles[i]);
	if (err != 0)
		die("pthread_create(%s): %s", roles[i].name, strerror(err));
	roles[i].tid = announce_wait(&roles[i].a);
}

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Start holder-like role i; it is in position once asleep in
 * clock_nanosleep (it took its lock before that). */
static void start_sleeper(int i)
{
	start(i);
	wait_in_syscall(roles[i].tid, NR_CLOCK_NANOSLEEP, 0, 0);
}

/* Start waiter role i; in position once blocked in futex on [p, p+size). */
static void start_waiter(int i, const void *p, size_t size)
{
	start(i);
	wait_in_syscall(roles[i].tid, NR_FUTEX, addr(p), addr(p) + size);
}

/* The futex operation thread tid is blocked in (its second argument). */
static unsigned futex_op(pid_t tid)
{
	char path[64], buf[512];
	long nr;
	uint64_t a0, a1;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "re");
	if (!f)
		die("%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (sscanf(buf, "%ld 0x%" SCNx64 " 0x%" SCNx64, &nr, &a0, &a1) != 3 || nr != NR_FUTEX)
		die("thread %d not in futex: %s", (int)tid, buf);
	return (unsigned)a1 & FUTEX_OP_MASK;
}

static void init_mutex(pthread_mutex_t *m, int type, int protocol)
{
	pthread_mutexattr_t at;
	int err;

	pthread_mutexattr_init(&at);
	if ((err = pthread_mutexattr_settype(&at, type)) != 0)
		die("pthread_mutexattr_settype: %s", strerror(err));
	if ((err = pthread_mutexattr_setprotocol(&at, protocol)) != 0)
		die("pthread_mutexattr_setprotocol: %s", strerror(err));
	if ((err = pthread_mutex_init(m, &at)) != 0)
		die("pthread_mutex_init: %s", strerror(err));
	pthread_mutexattr_destroy(&at);
}

int main(void)
{
	char line[1024];
	size_t len = 0;
	unsigned op;

	init_mutex(&rmutex, PTHREAD_MUTEX_RECURSIVE, PTHREAD_PRIO_NONE);
	init_mutex(&emutex, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_NONE);
	init_mutex(&pimutex, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT);
	if (sem_init(&sem, 0, 0) != 0)
		die("sem_init: %s", strerror(errno));

	start_sleeper(HOLDER);
	start_waiter(WAITER, &mutex, sizeof(mutex));
	start_sleeper(RHOLDER);
	start_waiter(RWAITER, &rmutex, sizeof(rmutex));
	start_sleeper(EHOLDER);
	start_waiter(EWAITER, &emutex, sizeof(emutex));
	start_sleeper(PIHOLDER);
	start_waiter(PIWAITER, &pimutex, sizeof(pimutex));
	op = futex_op(roles[PIWAITER].tid);
	if (op != OP_LOCK_PI && op != OP_LOCK_PI2)
		die("piwaiter blocked in futex op %u, not FUTEX_LOCK_PI", op);
	start_sleeper(WHOLDER);
	start_waiter(RDWAITER, &rwlock, sizeof(rwlock));
	start_sleeper(SLEEPY);
	sleepy_thread = roles[SLEEPY].thread;
	/* pthread_join waits on the tid word inside sleepy's struct pthread,
	 * which starts at the pthread_t value. */
	start_waiter(JOINER, (const void *)sleepy_thread, 4096);
	start_waiter(CVWAITER, &cond, sizeof(cond));
	start_waiter(SEMWAITER, &sem, sizeof(sem));

	for (int i = 0; i < NROLES; i++)
		len += snprintf(line + len, sizeof(line) - len, "%s%s=%d", i ? " " : "",
				roles[i].name, (int)roles[i].tid);
	snprintf(line + len, sizeof(line) - len,
		 " mutex=%p rmutex=%p emutex=%p pi=%p rwlock=%p cond=%p sem=%p",
		 (void *)&mutex, (void *)&rmutex, (void *)&emutex, (void *)&pimutex,
		 (void *)&rwlock, (void *)&cond, (void *)&sem);
	ready_and_serve(line);
}
