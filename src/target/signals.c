/* signals.c - record termination requests; never act inside a handler. */
#include <string.h>
#include <unistd.h>

#include "target/signals.h"

volatile sig_atomic_t pt_stop_signal;
volatile sig_atomic_t pt_stop_quit;

static void on_stop(int sig)
{
	pt_stop_signal = sig;
}

void signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking waitpid must return so we can clean up. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

void signals_stop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

void signals_finish(void)
{
	int sig = pt_stop_signal;
	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}
