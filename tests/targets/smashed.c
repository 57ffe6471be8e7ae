/* smashed: threads whose stacks lie, for bounded unwinding.
 *
 * "loop-ret": its frame's saved frame pointer points at itself and its
 * return address back into the same function, so a naive unwinder walks
 * the same frame forever.  "garbage": the stack above its frame is
 * overwritten with random words, so callers' frames are nonsense.
 * Both spin without returning, so the lies never run.  A dump must end
 * (max frames or a cycle) with the innermost frame still named.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static struct announce a_loop, a_garbage;
static volatile int in_loop, in_garbage;

__attribute__((noinline)) static void smashed_loop(void)
{
	volatile uintptr_t *fp = __builtin_frame_address(0);
	fp[0] = (uintptr_t)fp;                        /* saved rbp: itself */
	fp[1] = (uintptr_t)&smashed_loop + 4;         /* return: into itself */
	in_loop = 1;
	for (;;)
		__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void smashed_garbage(void)
{
	volatile uintptr_t *fp = __builtin_frame_address(0);
	unsigned seed = 12345;
	/* Everything from our saved rbp upwards, for 256 words. */
	for (int i = 0; i < 256; i++)
		fp[i] = ((uintptr_t)rand_r(&seed) << 33) ^ (uintptr_t)rand_r(&seed);
	in_garbage = 1;
	for (;;)
		__asm__ volatile("" ::: "memory");
}

static void *loop_thread(void *arg)
{
	announce_self(&a_loop, "loop-ret");
	smashed_loop();
	return arg;
}

/* Room above the garbage, so the writes stay inside this thread's stack. */
__attribute__((noinline)) static void garbage_outer(void)
{
	volatile char pad[8192];
	memset((char *)pad, 0, sizeof(pad));
	smashed_garbage();
}

static void *garbage_thread(void *arg)
{
	announce_self(&a_garbage, "garbage");
	garbage_outer();
	return arg;
}

int main(void)
{
	pthread_t t;
	announce_init(&a_loop);
	announce_init(&a_garbage);
	pthread_create(&t, NULL, loop_thread, NULL);
	pthread_create(&t, NULL, garbage_thread, NULL);
	announce_wait(&a_loop);
	announce_wait(&a_garbage);
	wait_flag(&in_loop, "loop-ret thread in smashed_loop");
	wait_flag(&in_garbage, "garbage thread in smashed_garbage");
	ready_and_serve(NULL);
}
