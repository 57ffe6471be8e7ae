/* A small job server to show ptprof on: an acceptor waiting in poll, a
 * pool of workers that take jobs from a mutex-protected queue and hash
 * them, and a flusher that sleeps between rounds.  Prints "ready" once
 * every thread has started, then runs until stdin closes. */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WORKERS 4

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static unsigned queued;
static volatile uint64_t sink;
static int started;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;

static void mark_started(const char *name)
{
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&start_lock);
	started++;
	pthread_cond_signal(&start_cond);
	pthread_mutex_unlock(&start_lock);
}

__attribute__((noinline)) static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

__attribute__((noinline)) static uint64_t hash_job(unsigned job)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (unsigned i = 0; i < 4000000; i++)
		h = mix(h, job + i);
	return h;
}

__attribute__((noinline)) static unsigned take_job(void)
{
	pthread_mutex_lock(&queue_lock);
	while (queued == 0)
		pthread_cond_wait(&queue_cond, &queue_lock);
	unsigned job = queued--;
	pthread_mutex_unlock(&queue_lock);
	return job;
}

static void *worker(void *arg)
{
	char name[16];
	snprintf(name, sizeof(name), "worker-%d", (int)(intptr_t)arg);
	mark_started(name);
	for (;;)
		sink += hash_job(take_job());
	return NULL;
}

__attribute__((noinline)) static void produce(unsigned n)
{
	pthread_mutex_lock(&queue_lock);
	queued += n;
	pthread_cond_broadcast(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
}

static void *acceptor(void *arg)
{
	int fds[2];
	mark_started("acceptor");
	if (pipe(fds) != 0)
		return NULL;
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		/* Jobs arrive in bursts: half the workers stay idle. */
		poll(&p, 1, 20);
		produce(WORKERS / 2);
	}
	return arg;
}

static void *flusher(void *arg)
{
	mark_started("flusher");
	for (;;)
		usleep(200000);
	return arg;
}

int main(void)
{
	pthread_t t;
	char line[64];
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&t, NULL, worker, (void *)(intptr_t)(i + 1));
	pthread_create(&t, NULL, acceptor, NULL);
	pthread_create(&t, NULL, flusher, NULL);
	pthread_mutex_lock(&start_lock);
	while (started < WORKERS + 2)
		pthread_cond_wait(&start_cond, &start_lock);
	pthread_mutex_unlock(&start_lock);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}
