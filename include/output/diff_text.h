/* diff_text.h - two profiles compared function by function, as text.
 *
 * What `report --diff-base OLD NEW` prints: a header naming both files,
 * the sample type and unit and the totals, then each function's flat
 * value (the function innermost) before, after, the change and the change
 * as a share of the total before, ranked by the size of the change, and a
 * second table the same for cumulative values (the function anywhere on
 * the stack).  Functions are matched by name, as go tool pprof -diff_base
 * matches them; one found in a single profile counts 0 in the other.
 * Time prints as seconds, milliseconds ... (as the text report does),
 * bytes as B, kB, MB ... (as go tool pprof does), anything else as counts.
 */
#ifndef PTPROF_DIFF_TEXT_H
#define PTPROF_DIFF_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile/stacks.h"

struct diff_side {
	const char *name;          /* the file, as the user named it */
	const char *type;          /* the sample type read ("inuse_space") */
	const struct stacks *s;
};

/* Both tables, each at most top rows (0: all).  The two sides must count
 * the same unit (the caller checks: their values are subtracted). */
void diff_text_write(FILE *f, const struct diff_side *before, const struct diff_side *after,
		     size_t top);

/* value (in s's unit) as the tables print it: "1.5s", "1.50MB", "12";
 * with sign -1 or +1 preceded by "-" or "+" (a change), with 0 bare.
 * Zero is "0" either way.  Returns buf. */
const char *diff_format_value(char *buf, size_t size, uint64_t value, int sign,
			      const struct stacks *s);

#endif
