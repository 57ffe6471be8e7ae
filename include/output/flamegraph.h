/* flamegraph.h - an interactive flame graph as one self-contained SVG.
 *
 * No network access is needed to view it: styles and script are inline.
 * Frames are sized by value, the root at the bottom; hovering shows
 * function, module, file:line, value and percent; a click zooms into a
 * frame and a reset control zooms out; a search box highlights matching
 * frames and says what share they cover.  Colours tell the main program,
 * shared libraries and kernel/unknown frames apart.  Frames narrower than
 * a pixel at full width are merged away, so the file stays small.
 */
#ifndef PTPROF_FLAMEGRAPH_H
#define PTPROF_FLAMEGRAPH_H

#include <stdbool.h>
#include <stdio.h>

#include "profile/stacks.h"

struct flamegraph_opts {
	bool threads;             /* a tower per thread, under a "name/tid" frame */
	const char *title;        /* NULL: s->title */
};

/* 0, or -1 with errno when writing failed. */
int flamegraph_write(FILE *f, const struct stacks *s, const struct flamegraph_opts *o);

#endif
