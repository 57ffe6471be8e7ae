/* syscalls.h - system call numbers to names for this architecture.
 * The table is generated at build time from the kernel's unistd header. */
#ifndef PTPROF_SYSCALLS_H
#define PTPROF_SYSCALLS_H

/* Name of syscall nr, or NULL when unknown. */
const char *syscall_name(long nr);

#endif
