/* workq.c - see workq.h. */
#include "profile/snapshot.h"
#include "serve/workq.h"

#define STOPPING "ptprof serve is shutting down"

void workq_init(struct workq *q)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->answered, NULL);
	q->head = q->tail = NULL;
	q->stopped = false;
}

void workq_destroy(struct workq *q)
{
	pthread_cond_destroy(&q->answered);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->mu);
}

void workq_submit_wait(struct workq *q, struct job *j)
{
	j->submitted_ns = monotonic_ns();
	pthread_mutex_lock(&q->mu);
	if (q->stopped) {
		pthread_mutex_unlock(&q->mu);
		reply_error(&j->reply, 503, STOPPING);
		return;
	}
	j->done = false;
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	pthread_cond_signal(&q->work);
	while (!j->done)
		pthread_cond_wait(&q->answered, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

struct job *workq_take_all(struct workq *q, bool wait)
{
	pthread_mutex_lock(&q->mu);
	while (wait && !q->head && !q->stopped)
		pthread_cond_wait(&q->work, &q->mu);
	struct job *all = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	return all;
}

void workq_answer(struct workq *q, struct job *j)
{
	pthread_mutex_lock(&q->mu);
	j->done = true;
	/* Every waiting handler wakes and looks at its own job: simple, and
	 * answers are rare next to what a profile costs. */
	pthread_cond_broadcast(&q->answered);
	pthread_mutex_unlock(&q->mu);
}

void workq_stop(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	q->stopped = true;
	for (struct job *j = q->head; j; j = j->next) {
		reply_error(&j->reply, 503, STOPPING);
		j->done = true;
	}
	q->head = q->tail = NULL;
	pthread_cond_broadcast(&q->answered);
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
}

bool workq_stopped(struct workq *q)
{
	pthread_mutex_lock(&q->mu);
	bool s = q->stopped;
	pthread_mutex_unlock(&q->mu);
	return s;
}
