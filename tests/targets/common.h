/* common.h - the readiness handshake shared by the e2e test targets.
 *
 * A target puts its threads into a known position (a known call chain,
 * blocked in a known system call or spinning in a known function), checks
 * from /proc that they really are there, and only then prints "ready".
 * After that it answers "ping" with "pong" on stdin/stdout so a test can
 * prove the process still runs normally, and exits 0 at EOF on stdin.
 */
#ifndef PTPROF_TEST_COMMON_H
#define PTPROF_TEST_COMMON_H

#include <semaphore.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* x86_64 system call numbers the targets block in. */
#define NR_READ 0
#define NR_NANOSLEEP 35
#define NR_FUTEX 202
#define NR_CLOCK_NANOSLEEP 230

/* A helper thread tells main who it is through one of these. */
struct announce {
	sem_t posted;
	pid_t tid;
};

void announce_init(struct announce *a);
/* Called by the helper thread: set its name, publish its tid. */
void announce_self(struct announce *a, const char *name);
/* Called by main: wait until the helper announced itself; its tid. */
pid_t announce_wait(struct announce *a);

/* Start a thread running fn(a), which announces itself through a; its
 * tid once it has (exit 1 if it cannot be created). */
pid_t start_announced(void *(*fn)(void *), struct announce *a);

/* Wait (up to 10 s, else exit 1 with a message) until thread tid of this
 * process is blocked (state S or D) in system call nr, and, when
 * arg0_lo < arg0_hi, with its first argument in [arg0_lo, arg0_hi). */
void wait_in_syscall(pid_t tid, long nr, uint64_t arg0_lo, uint64_t arg0_hi);
/* Same, accepting either of two system calls. */
void wait_in_syscall2(pid_t tid, long nr1, long nr2);

/* Wait (up to 10 s, else exit 1) until *flag is non-zero. */
void wait_flag(volatile int *flag, const char *what);

/* Wait (up to 10 s, else exit 1) until process pid is a zombie. */
void wait_zombie(pid_t pid);

/* Wait (up to 10 s, else exit 1) until thread tid of this process is in
 * state `state` (the letter of /proc/self/task/TID/stat: 'S', 'D', ...). */
void wait_task_state(pid_t tid, char state);

/* CPU time the calling thread has used, in milliseconds. */
uint64_t thread_cpu_ms(void);

/* Pause 1 ms between polls of a condition. */
void poll_pause(void);

/* Print "ready" (followed by " extra" when extra is not NULL), then serve
 * the ping loop on stdin until EOF, then exit(0).  Never returns. */
void ready_and_serve(const char *extra) __attribute__((noreturn));

/* Like ready_and_serve, for targets with commands of their own: every
 * line other than "ping" goes to on_line (without its newline; may be NULL:
 * ignored), and at EOF on_eof (may be NULL) runs before exit(0). */
void ready_and_serve_cmds(const char *extra, void (*on_line)(const char *line),
			  void (*on_eof)(void)) __attribute__((noreturn));

/* Exit 1 with "TARGET: message" on stderr. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif
