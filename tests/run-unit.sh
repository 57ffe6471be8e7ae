#!/bin/sh
# run-unit.sh - run cmocka unit test binaries and total their results.
#
#   sh tests/run-unit.sh build/unit/test_a build/unit/test_b ...
#
# Each binary's own output is shown.  Results are counted per cmocka test
# from its summary lines ("[  PASSED  ] N test(s)." and
# "[  FAILED  ] N test(s), listed below:").  A binary with no summary
# (crashed, killed, not runnable) counts as one failure, and so does one
# that printed a clean summary but still exited non-zero (for example a
# sanitizer's leak report at exit).  The last line is "N passed, N failed";
# the exit status is non-zero when anything failed.

passed=0
failed=0
out=$(mktemp "${TMPDIR:-/tmp}/run-unit.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT TERM

# cmocka can be told to print TAP, XML or subunit instead; we parse its
# default format.
CMOCKA_MESSAGE_OUTPUT=STDOUT
export CMOCKA_MESSAGE_OUTPUT

# Modules freed by a test would keep inflated debug copies in the home
# directory (stack/debugcache.h): tests keep none.
PTPROF_CACHE_DIR=off
export PTPROF_CACHE_DIR

for bin in "$@"; do
	echo "== $bin"
	# cmocka prints its summary on stderr and progress on stdout.
	"$bin" >"$out" 2>&1
	rc=$?
	cat "$out"

	# The summary may share a line with unflushed stdout, so match it
	# anywhere in a line.
	p=$(sed -n 's/.*\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$out" | tail -n 1)

	if [ -z "$p" ] && [ -z "$f" ]; then
		echo "== $bin: no cmocka summary (exit status $rc): 1 failure"
		failed=$((failed + 1))
		continue
	fi
	p=${p:-0}
	f=${f:-0}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "== $bin: all tests passed but exit status was $rc: 1 failure"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
