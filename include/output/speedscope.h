/* speedscope.h - the speedscope file format (https://www.speedscope.app).
 *
 * One "sampled" profile per thread (all samples in one when the stacks
 * carry no threads), frames shared in one table with name, file and line.
 */
#ifndef PTPROF_SPEEDSCOPE_H
#define PTPROF_SPEEDSCOPE_H

#include <stdio.h>

#include "profile/stacks.h"

/* 0, or -1 with errno when writing failed. */
int speedscope_write(FILE *f, const struct stacks *s);

#endif
