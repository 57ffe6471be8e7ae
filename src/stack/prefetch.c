/* prefetch.c - see prefetch.h. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>

#include "stack/prefetch.h"
#include "util/xalloc.h"

struct prefetch {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct module **queue;    /* homes, in the order asked */
	size_t n, cap, next;
	bool done;                /* prefetch_finish was called */
	size_t loaded;
};

static void load(struct module *m)
{
	uint64_t bias;
	Dwarf_Aranges *ar;
	size_t nar;
	Dwarf *dw = module_dwarf(m, &bias);
	if (dw)
		dwarf_getaranges(dw, &ar, &nar);
	dwfl_module_getsymtab(m->dwfl_mod);
}

static void *run(void *arg)
{
	struct prefetch *p = arg;
	struct sched_param idle = { 0 };
	/* Only on a CPU nothing else wants: never ahead of the target's
	 * threads, nor of the capture. */
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->done && p->next == p->n)
			pthread_cond_wait(&p->more, &p->lock);
		if (p->done)
			break;
		struct module *m = p->queue[p->next++];
		pthread_mutex_unlock(&p->lock);
		load(m);
		pthread_mutex_lock(&p->lock);
		p->loaded++;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct prefetch *prefetch_start(void)
{
	struct prefetch *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->more, NULL);
	/* It takes no signal: SIGCHLD and the stop signals are for the
	 * thread that traces, whose waits they end. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&p->thread, NULL, run, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		pthread_cond_destroy(&p->more);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void prefetch_add(struct prefetch *p, struct module *m)
{
	if (!p || !m)
		return;
	m = m->home;
	pthread_mutex_lock(&p->lock);
	bool known = false;
	for (size_t i = 0; i < p->n && !known; i++)
		known = p->queue[i] == m;
	if (!known) {
		XGROW(p->queue, p->cap, p->n);
		p->queue[p->n++] = m;
		pthread_cond_signal(&p->more);
	}
	pthread_mutex_unlock(&p->lock);
}

size_t prefetch_finish(struct prefetch *p)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	p->done = true;
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
	/* Now it is what we wait for: an ordinary thread again. */
	struct sched_param normal = { 0 };
	pthread_setschedparam(p->thread, SCHED_OTHER, &normal);
	pthread_join(p->thread, NULL);
	size_t n = p->loaded;
	pthread_cond_destroy(&p->more);
	pthread_mutex_destroy(&p->lock);
	free(p->queue);
	free(p);
	return n;
}
