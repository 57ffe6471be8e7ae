/* term.c - raw keys, the alternate screen, held stderr, and their undoing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli/term.h"
#include "util/error.h"

/* Alternate screen on, cursor home, screen cleared, cursor hidden; and
 * the reverse. */
static const char enter_seq[] = "\033[?1049h\033[H\033[2J\033[?25l";
static const char leave_seq[] = "\033[?25h\033[?1049l";

/* The signals that end ptprof without going through its own clean-up. */
static const int fatal_signals[] = { SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct {
	int active;               /* 1 while something is to be restored */
	int in_fd, out_fd;
	bool have_termios;
	struct termios saved;
	int real_stderr;          /* the terminal's stderr while held, else -1 */
	int held;                 /* where stderr goes meanwhile, else -1 */
	bool handlers;
	struct sigaction old[NFATAL];
} t = { .in_fd = -1, .out_fd = -1, .real_stderr = -1, .held = -1 };

/* Only async-signal-safe calls: a handler runs this too.  The exchange
 * makes it run once even when a signal lands during the normal path. */
static void restore(void)
{
	if (!__atomic_exchange_n(&t.active, 0, __ATOMIC_SEQ_CST))
		return;
	if (t.out_fd >= 0)
		(void)term_write(t.out_fd, leave_seq, sizeof(leave_seq) - 1);
	if (t.have_termios)
		tcsetattr(t.in_fd, TCSANOW, &t.saved);
	if (t.real_stderr >= 0) {
		char buf[4096];
		ssize_t n;
		dup2(t.real_stderr, STDERR_FILENO);
		close(t.real_stderr);
		t.real_stderr = -1;
		/* What was said while the view was up, now where it can be read. */
		if (lseek(t.held, 0, SEEK_SET) == 0)
			while ((n = read(t.held, buf, sizeof(buf))) > 0 &&
			       term_write(STDERR_FILENO, buf, (size_t)n) == 0)
				;
		close(t.held);
		t.held = -1;
	}
}

static void on_fatal(int sig, siginfo_t *si, void *ctx)
{
	restore();
	for (size_t i = 0; i < NFATAL; i++)
		if (fatal_signals[i] == sig)
			sigaction(sig, &t.old[i], NULL);
	/* Sent by kill or raise: send it again, to the old action.  A fault
	 * comes back by itself when the instruction runs again. */
	if (si->si_code <= 0)
		raise(sig);
}

static void handlers_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &sa, &t.old[i]);
	t.handlers = true;
}

static void handlers_remove(void)
{
	if (!t.handlers)
		return;
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &t.old[i], NULL);
	t.handlers = false;
}

/* stderr into an anonymous file, when it is the terminal the view takes. */
static void hold_stderr(int out_fd)
{
	struct stat a, b;
	if (!isatty(STDERR_FILENO) || fstat(STDERR_FILENO, &a) < 0 || fstat(out_fd, &b) < 0 ||
	    a.st_rdev != b.st_rdev)
		return;
	int held = memfd_create("ptprof-stderr", MFD_CLOEXEC);
	if (held < 0)
		return;  /* then messages show on the view; no worse than that */
	int real = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (real < 0 || dup2(held, STDERR_FILENO) < 0) {
		if (real >= 0)
			close(real);
		close(held);
		return;
	}
	t.real_stderr = real;
	t.held = held;
}

int term_enter(int in_fd, int out_fd)
{
	static bool registered;
	struct termios raw;

	t.in_fd = in_fd;
	t.out_fd = out_fd;
	t.have_termios = false;
	if (in_fd >= 0) {
		if (tcgetattr(in_fd, &t.saved) < 0) {
			pt_perror("tcgetattr(fd %d)", in_fd);
			return -1;
		}
		raw = t.saved;
		/* Keys as they are typed, not echoed; ISIG stays, so Ctrl-C is
		 * still SIGINT, but Ctrl-Z would stop the tracer mid-view. */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		raw.c_cc[VSUSP] = _POSIX_VDISABLE;
		if (tcsetattr(in_fd, TCSANOW, &raw) < 0) {
			pt_perror("tcsetattr(fd %d)", in_fd);
			return -1;
		}
		t.have_termios = true;
	}
	if (!registered) {
		atexit(term_leave);
		registered = true;
	}
	handlers_install();
	__atomic_store_n(&t.active, 1, __ATOMIC_SEQ_CST);
	if (term_write(out_fd, enter_seq, sizeof(enter_seq) - 1) < 0) {
		pt_perror("write(fd %d)", out_fd);
		term_leave();
		return -1;
	}
	hold_stderr(out_fd);
	return 0;
}

void term_leave(void)
{
	restore();
	handlers_remove();
}

int term_size(int fd, int *rows, int *cols)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return -1;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return 0;
}

int term_write(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}
