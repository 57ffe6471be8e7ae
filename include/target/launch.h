/* launch.h - `record -- COMMAND`: start the command to be profiled.
 *
 * The child restores the signal state ptprof changed, then execs.  When
 * launch_command returns, the exec has happened (or failed and was
 * reported), so the maps ptprof reads next are the command's own.
 */
#ifndef PTPROF_LAUNCH_H
#define PTPROF_LAUNCH_H

#include <sys/types.h>

/* The child's pid, or -1 after printing why the command could not run. */
pid_t launch_command(char **argv);

/* A wait status as a shell would report it: the exit code, or 128 + the
 * signal that killed it. */
int launch_exit_code(int wstatus);

#endif
