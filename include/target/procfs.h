/* procfs.h - reading and parsing /proc.
 *
 * The parsers are pure (they take the text of a file) so they can be unit
 * tested; the readers fetch the text.  Nothing here stops or traces a
 * thread: these are the facts read *before* a thread is interrupted.
 */
#ifndef PTPROF_PROCFS_H
#define PTPROF_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_COMM_MAX 64

/* /proc/PID[/task/TID]/stat, the fields ptprof uses. */
struct proc_stat {
	pid_t pid;
	char comm[PROC_COMM_MAX]; /* without the parentheses */
	char state;               /* R S D T t Z X I ... */
	pid_t ppid;
	unsigned long flags;      /* PF_* (PF_KTHREAD = 0x00200000) */
	uint64_t utime_ticks;
	uint64_t stime_ticks;
	int num_threads;          /* of the process (0 when not given) */
	int processor;            /* CPU last run on */
};
#define PROC_PF_KTHREAD 0x00200000UL

/* Parse the text of a stat file.  The comm may contain spaces and
 * parentheses: the state is the first field after the *last* ')'. */
int procfs_parse_stat(const char *text, struct proc_stat *st);

#define PROC_NSPID_MAX 8
/* /proc/PID/status, the fields ptprof uses. */
struct proc_status {
	char name[PROC_COMM_MAX];
	char state;
	pid_t tgid;
	pid_t tracer_pid;
	uid_t uid_real, uid_effective;
	int nspid_count;          /* depth of pid namespaces, 0 if absent */
	pid_t nspid[PROC_NSPID_MAX]; /* outermost first, as the kernel lists */
	uint64_t cap_eff;
};
int procfs_parse_status(const char *text, struct proc_status *st);

/* One line of /proc/PID/maps. */
struct map_entry {
	uint64_t start, end;
	uint64_t offset;
	char perms[5];            /* "r-xp" */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	char *path;               /* NULL for anonymous; "[stack]", "[vdso]" ... */
	bool deleted;             /* path ended in " (deleted)", stripped */
};
struct maps {
	struct map_entry *v;
	size_t n, cap;
};
/* Parse the whole text of a maps file; entries stay sorted by start. */
int procfs_parse_maps(const char *text, struct maps *m);
void maps_free(struct maps *m);
/* Entry containing addr, or NULL (binary search). */
const struct map_entry *maps_find(const struct maps *m, uint64_t addr);

/* /proc/PID/task/TID/syscall */
struct proc_syscall {
	bool running;             /* "running": on a CPU, no syscall */
	long nr;                  /* -1: blocked but not in a syscall */
	uint64_t args[6];
	uint64_t sp, pc;
};
int procfs_parse_syscall(const char *text, struct proc_syscall *sc);

/* State letter to words: 'R' "running", 'S' "sleeping", 'D' "disk-sleep",
 * 'T' "stopped", 't' "tracing-stop", 'Z' "zombie", 'X' "dead",
 * 'I' "idle", 'P' "parked", else "unknown". */
const char *procfs_state_name(char state);

/* Readers.  tid <= 0 means the process-level file /proc/PID/NAME.
 * Return the number of bytes read (text NUL-terminated) or -1 with errno
 * set (ENOENT/ESRCH when the process or thread is gone). */
ssize_t procfs_read(pid_t pid, pid_t tid, const char *name, char *buf, size_t size);
/* The process's name (the comm of its stat) into comm: 0, or -1 with comm
 * untouched when the process is gone or its stat unreadable. */
int procfs_read_comm(pid_t pid, char *comm, size_t size);
/* The same through a descriptor kept open in *fd (opened on first use,
 * -1 before): a sampler reads the same small files at every tick, and
 * pread on an open file costs a third of open+read+close. */
ssize_t procfs_pread(int *fd, pid_t pid, pid_t tid, const char *name, char *buf, size_t size);
/* Whole file into a malloc'ed NUL-terminated buffer. */
char *procfs_read_all(pid_t pid, pid_t tid, const char *name, size_t *len);
/* /proc/PID/maps read and parsed into *m (empty before), and a hash of
 * its text into *hash, to tell a later read that changed.  0, or -1 with
 * errno set (ENOENT/ESRCH: gone; EACCES/EPERM: not allowed). */
int procfs_read_maps(pid_t pid, struct maps *m, uint64_t *hash);
/* Read maps again: 1 with *m replaced and *hash updated when the text
 * changed since *hash, 0 when it did not, -1 when it cannot be read. */
int procfs_reread_maps(pid_t pid, struct maps *m, uint64_t *hash);

/* Thread ids in /proc/PID/task, ascending.  Returns count or -1/errno. */
ssize_t procfs_list_tasks(pid_t pid, pid_t **tids);

/* Ticks per second for utime/stime. */
long procfs_clock_ticks(void);

#endif
