/*
 * epoll - target for the EINTR row of bench/run.sh.
 *
 * One thread loops on epoll_wait(timeout -1) on an epoll set holding the read
 * end of a pipe nobody writes, counting returns with errno == EINTR; one more
 * thread spins so that a cpu-mode profiler has something to sample.
 * Prints "ready TASKS EPOLL_TID BUSY_TID", then serves stdin lines:
 *   reset    zero the count; answer "ok"
 *   report   answer "eintr COUNT OTHER_RETURNS"
 * At EOF it exits 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_ulong n_eintr, n_other;
static atomic_int ep_tid, busy_tid, ep_in;
static volatile uint64_t sink;
static int epfd;

static void *epoll_loop(void *arg)
{
	struct epoll_event ev;

	(void)arg;
	atomic_store(&ep_tid, (int)syscall(SYS_gettid));
	for (;;) {
		atomic_store(&ep_in, 1);
		int n = epoll_wait(epfd, &ev, 1, -1);

		if (n < 0 && errno == EINTR)
			atomic_fetch_add(&n_eintr, 1);
		else
			atomic_fetch_add(&n_other, 1);
	}
	return NULL;
}

static __attribute__((noinline)) void busy_work(void)
{
	uint64_t h = sink;

	for (unsigned i = 0; i < 100000; i++)
		h = h * 6364136223846793005ULL + i;
	sink = h;
}

static void *busy(void *arg)
{
	(void)arg;
	atomic_store(&busy_tid, (int)syscall(SYS_gettid));
	for (;;)
		busy_work();
	return NULL;
}

static int in_epoll(int tid)
{
	char path[64], buf[64];
	FILE *f;
	long nr = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr == SYS_epoll_wait || nr == SYS_epoll_pwait;
}

int main(void)
{
	pthread_t th;
	char line[64];
	int p[2];
	struct epoll_event ev = { .events = EPOLLIN };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(p) != 0 || (epfd = epoll_create1(0)) < 0) {
		perror("epoll: pipe/epoll_create1");
		return 1;
	}
	ev.data.fd = p[0];
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], &ev) != 0) {
		perror("epoll: epoll_ctl");
		return 1;
	}
	if (pthread_create(&th, NULL, epoll_loop, NULL) != 0 || pthread_create(&th, NULL, busy, NULL) != 0) {
		fprintf(stderr, "epoll: pthread_create failed\n");
		return 1;
	}
	for (int i = 0; i < 60000; i++) {   /* up to 60 s, polling real state */
		int t = atomic_load(&ep_tid);

		if (t && atomic_load(&busy_tid) && atomic_load(&ep_in) && in_epoll(t))
			break;
		usleep(1000);
	}
	if (!in_epoll(atomic_load(&ep_tid))) {
		fprintf(stderr, "epoll: thread not in epoll_wait after 60 s\n");
		return 1;
	}
	printf("ready 3 %d %d\n", atomic_load(&ep_tid), atomic_load(&busy_tid));
	while (fgets(line, sizeof(line), stdin)) {
		if (strncmp(line, "reset", 5) == 0) {
			atomic_store(&n_eintr, 0);
			atomic_store(&n_other, 0);
			printf("ok\n");
		} else if (strncmp(line, "report", 6) == 0) {
			printf("eintr %lu %lu\n", atomic_load(&n_eintr), atomic_load(&n_other));
		} else {
			printf("error unknown command\n");
		}
	}
	return 0;
}
