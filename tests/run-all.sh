#!/bin/sh
# make check: every suite, then one total line "N passed, N failed".
# Each suite ends its own output with such a line; they are added up.
set -u
MAKE=${MAKE:-make}
total_pass=0
total_fail=0
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {
	name=$1
	shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "=== $name: no result line; counted as one failure"
		total_fail=$((total_fail + 1))
		status=1
		return
	fi
	p=$(echo "$line" | sed 's/ passed.*//')
	f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$f" -eq 0 ] || status=1
}

run_suite "unit tests (cmocka)" $MAKE --no-print-directory unit
run_suite "saved fuzz inputs under ASan+UBSan" $MAKE --no-print-directory fuzz-replay
run_suite "docs and completions" $MAKE --no-print-directory docs-check
run_suite "end-to-end" $MAKE --no-print-directory e2e
run_suite "end-to-end under ASan+UBSan" $MAKE --no-print-directory e2e-asan

echo "=== all suites"
echo "$total_pass passed, $total_fail failed"
exit $status
