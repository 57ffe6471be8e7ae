/* jitcode.c - code made at run time, named only by a perf map.
 *
 *   jit-0  jit_thread -> jit_caller -> [jit] outer -> [jit] inner (spins)
 *
 * Two tiny functions are copied into an anonymous mapping that is then
 * made executable, as a JIT does: "outer" calls "inner", which sets a flag
 * and spins.  Both keep frame pointers (push rbp; mov rbp, rsp) and have
 * no unwind information at all.  /tmp/perf-PID.map names them: outer in
 * V8's form (hex without 0x, a name with spaces), inner in the JVM's form
 * (0x) twice, a stale name first and the right one after it (the later
 * line wins), with a malformed line between.  The map is removed at exit.
 *
 * "ready OUTER INNER" gives the code addresses.
 */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define KEEP __attribute__((noinline, noipa))
#define INNER_OFF 32

static struct announce a_jit;
static volatile int jit_running;
static char map_path[64];

/* outer: push rbp; mov rbp, rsp; call inner; pop rbp; ret */
static const unsigned char outer_code[] = {
	0x55, 0x48, 0x89, 0xe5,
	0xe8, INNER_OFF - 9, 0x00, 0x00, 0x00,
	0x5d, 0xc3,
};
/* inner: push rbp; mov rbp, rsp; movl $1, (%rdi); jmp . */
static const unsigned char inner_code[] = {
	0x55, 0x48, 0x89, 0xe5,
	0xc7, 0x07, 0x01, 0x00, 0x00, 0x00,
	0xeb, 0xfe,
};

typedef void (*jit_fn)(volatile int *flag);

static jit_fn code;

KEEP void jit_caller(jit_fn fn)
{
	fn(&jit_running);
	jit_running = 2;          /* not reached; keeps the call from being a tail call */
}

static void *jit_thread(void *arg)
{
	announce_self(arg, "jit-0");
	jit_caller(code);
	return NULL;
}

static void remove_map(void)
{
	unlink(map_path);
}

int main(void)
{
	pthread_t t;
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *mem = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap: %m");
	memcpy(mem, outer_code, sizeof(outer_code));
	memcpy(mem + INNER_OFF, inner_code, sizeof(inner_code));
	if (mprotect(mem, (size_t)page, PROT_READ | PROT_EXEC) != 0)
		die("mprotect: %m");
	code = (jit_fn)(void *)mem;

	snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", (int)getpid());
	FILE *f = fopen(map_path, "w");
	if (!f)
		die("%s: %m", map_path);
	unsigned long o = (unsigned long)mem, i = o + INNER_OFF;
	fprintf(f, "0x%lx 0x%zx stale_inner\n", i, sizeof(inner_code));
	fprintf(f, "%lx %zx LazyCompile:*jit_outer /tmp/jit.js:1\n", o, sizeof(outer_code));
	fprintf(f, "not a perf map line\n");
	fprintf(f, "0x%lx 0x%zx jit_inner(long, char*) [c2]\n", i, sizeof(inner_code));
	if (fclose(f) != 0)
		die("%s: %m", map_path);

	announce_init(&a_jit);
	pthread_create(&t, NULL, jit_thread, &a_jit);
	announce_wait(&a_jit);
	wait_flag(&jit_running, "jit code running");

	char extra[64];
	snprintf(extra, sizeof(extra), "%lx %lx", o, i);
	ready_and_serve_cmds(extra, NULL, remove_map);
}
