/* rustv0.c - functions named the way rustc's v0 mangling names them.
 *
 * Built without debug info (tests/targets.mk), so only the symbol table
 * knows them:
 *
 *   main -> _RINvNtCs1234_7mycrate5outer5outerdE   mycrate::outer::outer::<f64>
 *        -> _RNvNtCs1234_7mycrate5outer5inner      mycrate::outer::inner
 *        -> ready_and_serve (waits on stdin)
 */
#include "common.h"

#include <stddef.h>

#define KEEP __attribute__((noinline, noipa))

KEEP void inner(void) __asm__("_RNvNtCs1234_7mycrate5outer5inner");
KEEP void outer(void) __asm__("_RINvNtCs1234_7mycrate5outer5outerdE");

static volatile int depth;

KEEP void inner(void)
{
	depth++;
	ready_and_serve(NULL);
}

KEEP void outer(void)
{
	inner();
	depth++; /* not reached; keeps the call from being a tail call */
}

int main(void)
{
	outer();
	return 0;
}
