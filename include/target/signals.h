/* signals.h - how ptprof itself reacts to SIGINT, SIGTERM, SIGHUP, SIGPIPE.
 *
 * The handlers only record the signal: blocking calls return EINTR and the
 * code that holds stopped threads finishes its step, resumes and detaches
 * every thread, then calls signals_finish(), which dies of the recorded
 * signal so the shell sees the usual status.  SIGPIPE is ignored: a closed
 * output shows up as EPIPE from write and is reported like any write error.
 */
#ifndef PTPROF_SIGNALS_H
#define PTPROF_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t pt_stop_signal;
extern volatile sig_atomic_t pt_stop_quit;

void signals_install(void);
/* Non-zero once a stop was requested, by a signal or by the user (top's
 * q key). */
static inline int signals_stop_requested(void) { return pt_stop_signal != 0 || pt_stop_quit != 0; }
/* Ask for the same orderly stop a signal gives, without dying of it at
 * the end. */
static inline void signals_request_stop(void) { pt_stop_quit = 1; }
/* The set a thread blocks before it starts others: the stop signals and
 * SIGCHLD, left to the one thread that waits for them. */
void signals_stop_set(sigset_t *set);
/* If a stop was requested, re-raise it with the default action. */
void signals_finish(void);

#endif
