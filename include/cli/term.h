/* term.h - the terminal under a full-screen live view.
 *
 * While a view is up this module owns the terminal: its termios (keys
 * arrive one at a time, unechoed; Ctrl-C still raises SIGINT; Ctrl-Z is
 * off, since a suspended tracer would leave the view and the terminal in
 * a bad way), the alternate screen, the cursor, and stderr when stderr is
 * the same terminal (a message written over the view would be erased with
 * the alternate screen: it is held and written once the screen is back).
 *
 * Promise: term_leave puts all of it back as it was, and it runs however
 * ptprof ends: called on the normal path, at exit() (atexit), and from
 * handlers for the signals that kill (SIGQUIT, SIGABRT, SIGSEGV, ...),
 * which restore the terminal and then let the signal do what it would
 * have done.  SIGINT, SIGTERM and SIGHUP are signals.h's: they end the
 * view through the normal path.
 */
#ifndef PTPROF_TERM_H
#define PTPROF_TERM_H

#include <stdbool.h>
#include <stddef.h>

/* Take the terminal: out_fd gets the alternate screen and loses the
 * cursor; in_fd (or -1 when keys are not read) goes non-canonical and
 * unechoed.  0, or -1 after saying why (nothing changed then). */
int term_enter(int in_fd, int out_fd);
/* Give it back.  Safe to call more than once, and when never entered. */
void term_leave(void);
/* The size of the terminal on fd: 0, or -1 when it cannot be told (then
 * *rows and *cols are left alone). */
int term_size(int fd, int *rows, int *cols);
/* All of buf to fd, through EINTR and short writes: 0, or -1 with errno. */
int term_write(int fd, const char *buf, size_t len);

#endif
