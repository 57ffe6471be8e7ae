/* fuzz_pprof_read.c - libFuzzer target: pprof_read on any bytes.
 *
 * Whatever the input, the reader must return 0 with stacks every writer
 * can walk, or -1 with a one-line message; the sanitizers catch memory
 * and undefined-behaviour errors, and the checks below what they cannot
 * see: an index out of range, a total that does not add up.  Built with
 * clang -fsanitize=fuzzer (make fuzz), or linked with replay.c under
 * gcc's sanitizers to replay saved inputs (make fuzz-replay).  Each
 * input that reads is read again with a sample type picked by number and
 * by name, as report --sample-index does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/pprof_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_pprof_read: %s\n", what);
		abort();
	}
}

static void check_stacks(const struct stacks *s)
{
	uint64_t total = 0;
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct ssample *x = &s->samples[i];
		for (uint32_t k = 0; k < x->n; k++)
			check(x->frames[k] < s->nframes, "frame index out of range");
		check(x->thread == STACKS_NO_THREAD || x->thread < s->nthreads,
		      "thread index out of range");
		check(x->value > 0, "a sample with value 0 kept");
		total += x->value;
	}
	check(total == s->total, "sample values do not add up to the total");
	for (size_t i = 0; i < s->nframes; i++)
		check(s->frames[i].func && s->frames[i].module && s->frames[i].file,
		      "a frame with a NULL name");
	check(s->unit && s->title, "no unit or title");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct stacks s;
	char err[256];

	if (!null)
		null = fopen("/dev/null", "w");
	check(null != NULL, "cannot open /dev/null");
	memset(err, 0, sizeof(err));
	if (pprof_read(data, size, &s, err, sizeof(err)) < 0) {
		check(err[0] != '\0', "failed without a message");
		check(strchr(err, '\n') == NULL, "a message of more than one line");
		check(s.nsamples == 0 && s.samples == NULL, "stacks left behind on failure");
		return 0;
	}
	check_stacks(&s);
	stacks_print_top(null, &s, 0);
	stacks_print_folded(null, &s, true);
	stacks_print_folded(null, &s, false);
	stacks_free(&s);

	/* The same bytes read by each other sample type a profile may name
	 * (--sample-index): by number, and by a name that may or may not be
	 * there.  Each either reads or fails with one line. */
	static const char *const picks[] = { "0", "1", "3", "99", "inuse_space", "alloc_objects",
					      "delay", "samples", "inuse_x" };
	for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
		const char *type = NULL;
		memset(err, 0, sizeof(err));
		if (pprof_read_sample(data, size, picks[i], &s, &type, err, sizeof(err)) < 0) {
			check(err[0] != '\0', "failed without a message (--sample-index)");
			check(strchr(err, '\n') == NULL, "a message of more than one line");
			continue;
		}
		check(type != NULL, "no type named for the chosen sample index");
		check_stacks(&s);
		stacks_free(&s);
	}
	return 0;
}
