/* signals.c - real-time signals in flight while ptprof stops threads.
 *
 *   receiver  sigsuspend() between signals; its SIGRTMIN handler counts
 *             every delivery (real-time signals queue and are never
 *             merged, so each one sent must be delivered exactly once)
 *   sender    waits for work; on "send N" queues N SIGRTMIN to the
 *             receiver with pthread_sigqueue, as fast as it can; on
 *             "stream" keeps queueing until "stop"
 *
 * Commands on stdin (besides "ping"):
 *   send N   main answers "sent N" once the sender has queued all N
 *   stream   the sender queues signals without pause, keeping at most
 *            MAX_IN_FLIGHT undelivered, until "stop"; main answers
 *            "streaming" once the first one is queued
 *   stop     main answers "stopped N", N the number the stream queued
 *   count    main waits (up to 5 s) until every signal sent so far was
 *            delivered, then prints
 *              "delivered D sent S retries R disorder X"
 *            D and S are totals; R counts waits for a full queue; X counts
 *            deliveries that were not the next in sequence or whose
 *            siginfo was not ours (SI_QUEUE from this process)
 *
 * A tracer that swallows a signal while it holds the receiver (a
 * signal-delivery-stop resumed without the signal) shows as D < S, one
 * that delivers it twice or alters it as X > 0.  Each signal carries a
 * sequence number in si_value; real-time signals of one number are
 * delivered in the order they were queued.
 */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define NR_RT_SIGSUSPEND 130
/* Far below RLIMIT_SIGPENDING: the sender never has to back off. */
#define MAX_IN_FLIGHT 1000
#define KEEP __attribute__((noinline, noipa))

static unsigned long delivered;        /* written only by the handler */
static unsigned long total_sent;       /* written only by main */
static unsigned long eagain_retries;   /* queue full: the sender waited */
static unsigned long disorder;         /* written only by the handler */
static int next_seq;                   /* the handler's expectation */
static int send_seq;                   /* the sender's next number */
static pid_t self_pid;

static pthread_t receiver;
static sem_t work_posted, work_done;
static long work_n;                    /* 0: stream until streaming is 0 */
static volatile int streaming, stream_started;
static unsigned long streamed;         /* how many the last stream sent */

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code != SI_QUEUE || si->si_pid != self_pid ||
	    si->si_value.sival_int != next_seq)
		__atomic_add_fetch(&disorder, 1, __ATOMIC_SEQ_CST);
	next_seq = si->si_value.sival_int + 1;
	__atomic_add_fetch(&delivered, 1, __ATOMIC_SEQ_CST);
}

/* ---- receiver -------------------------------------------------------- */

KEEP void receiver_wait(void)
{
	sigset_t none;

	/* SIGRTMIN is blocked except inside sigsuspend: one signal is
	 * delivered per call, and the thread sleeps there in between. */
	sigemptyset(&none);
	for (;;)
		sigsuspend(&none);
}

static void *receiver_thread(void *arg)
{
	announce_self(arg, "receiver");
	receiver_wait();
	return NULL;
}

/* ---- sender ---------------------------------------------------------- */

static void send_one(void)
{
	union sigval v;
	int err;

	v.sival_int = send_seq;
	while ((err = pthread_sigqueue(receiver, SIGRTMIN, v)) == EAGAIN) {
		/* The receiver's queue is full (RLIMIT_SIGPENDING): wait for it
		 * to drain a little. */
		__atomic_add_fetch(&eagain_retries, 1, __ATOMIC_SEQ_CST);
		poll_pause();
	}
	if (err != 0)
		die("pthread_sigqueue: %s", strerror(err));
	send_seq++;
}

KEEP void sender_burst(long n)
{
	for (long i = 0; i < n; i++)
		send_one();
}

/* Signals all the time, never more than MAX_IN_FLIGHT undelivered. */
KEEP void sender_stream(void)
{
	long base = (long)total_sent, n = 0;

	while (streaming) {
		long d = (long)__atomic_load_n(&delivered, __ATOMIC_SEQ_CST);

		if (base + n - d >= MAX_IN_FLIGHT) {
			sched_yield();
			continue;
		}
		send_one();
		n++;
		stream_started = 1;
	}
	streamed = (unsigned long)n;
}

KEEP void sender_wait(void)
{
	for (;;) {
		while (sem_wait(&work_posted) != 0)
			if (errno != EINTR)
				die("sem_wait: %s", strerror(errno));
		if (work_n > 0)
			sender_burst(work_n);
		else
			sender_stream();
		sem_post(&work_done);
	}
}

static void *sender_thread(void *arg)
{
	announce_self(arg, "sender");
	sender_wait();
	return NULL;
}

/* ---- main ------------------------------------------------------------ */

static void wait_done(void)
{
	while (sem_wait(&work_done) != 0)
		if (errno != EINTR)
			die("sem_wait: %s", strerror(errno));
}

static void on_line(const char *line)
{
	long n;
	char extra;

	if (sscanf(line, "send %ld %c", &n, &extra) == 1) {
		struct rlimit rl;

		/* Far below the limit, or queueing could not be "as fast as
		 * possible" and the test would measure our own back-off. */
		if (getrlimit(RLIMIT_SIGPENDING, &rl) != 0)
			die("getrlimit(RLIMIT_SIGPENDING): %s", strerror(errno));
		if (streaming || n < 1 ||
		    (rl.rlim_cur != RLIM_INFINITY && (rlim_t)n >= rl.rlim_cur / 2)) {
			printf("error: send %ld: streaming, or not in 1..%lu\n", n,
			       (unsigned long)rl.rlim_cur / 2 - 1);
			return;
		}
		work_n = n;
		sem_post(&work_posted);
		wait_done();
		total_sent += (unsigned long)n;
		printf("sent %ld\n", n);
	} else if (strcmp(line, "stream") == 0) {
		if (streaming) {
			printf("error: already streaming\n");
			return;
		}
		work_n = 0;
		stream_started = 0;
		streaming = 1;
		sem_post(&work_posted);
		wait_flag(&stream_started, "the first signal of the stream");
		printf("streaming\n");
	} else if (strcmp(line, "stop") == 0) {
		if (!streaming) {
			printf("error: not streaming\n");
			return;
		}
		streaming = 0;
		wait_done();
		total_sent += streamed;
		printf("stopped %lu\n", streamed);
	} else if (strcmp(line, "count") == 0) {
		unsigned long d = 0;

		if (streaming) {
			printf("error: streaming\n");
			return;
		}
		/* Bounded: 5 s of 1 ms polls of the handler's counter. */
		for (int i = 0; i < 5000; i++) {
			d = __atomic_load_n(&delivered, __ATOMIC_SEQ_CST);
			if (d >= total_sent)
				break;
			poll_pause();
		}
		printf("delivered %lu sent %lu retries %lu disorder %lu\n", d, total_sent,
		       __atomic_load_n(&eagain_retries, __ATOMIC_SEQ_CST),
		       __atomic_load_n(&disorder, __ATOMIC_SEQ_CST));
	} else {
		printf("error: unknown command '%s'\n", line);
	}
}

int main(void)
{
	struct announce r, s;
	struct sigaction sa;
	sigset_t rt;
	pthread_t t;
	pid_t tid;
	int err;

	self_pid = getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_rt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	if (sigaction(SIGRTMIN, &sa, NULL) != 0)
		die("sigaction: %s", strerror(errno));
	/* Blocked in every thread (the mask is inherited); the receiver
	 * opens it only inside sigsuspend. */
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	pthread_sigmask(SIG_BLOCK, &rt, NULL);
	if (sem_init(&work_posted, 0, 0) != 0 || sem_init(&work_done, 0, 0) != 0)
		die("sem_init: %s", strerror(errno));

	announce_init(&r);
	err = pthread_create(&receiver, NULL, receiver_thread, &r);
	if (err != 0)
		die("pthread_create: %s", strerror(err));
	tid = announce_wait(&r);
	wait_in_syscall(tid, NR_RT_SIGSUSPEND, 0, 0);

	announce_init(&s);
	err = pthread_create(&t, NULL, sender_thread, &s);
	if (err != 0)
		die("pthread_create: %s", strerror(err));
	tid = announce_wait(&s);
	wait_in_syscall(tid, NR_FUTEX, (uint64_t)(uintptr_t)&work_posted,
			(uint64_t)(uintptr_t)&work_posted + sizeof(work_posted));

	ready_and_serve_cmds(NULL, on_line, NULL);
}
