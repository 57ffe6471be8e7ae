#!/bin/bash
# tests/run-e2e.sh - run ptprof against the live targets in build/targets.
#
#   sh tests/run-e2e.sh PTPROF [FILTER]
#
# Runs every t_NAME function defined in tests/e2e/t_*.sh whose NAME
# contains FILTER, each in a shell of its own with its own temporary
# directory, E2E_JOBS (default 2) at a time; those a file lists in
# E2E_SERIAL run last, alone.  Prints one line per test, the reasons of failures, and last
# "N passed, N failed".  Exit 1 if any test failed.
#
# Must run as root (or with CAP_SYS_PTRACE): ptprof attaches to targets.

# The Makefile runs us with sh; the helpers need bash.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 PTPROF [FILTER]" >&2
	exit 64
fi
FILTER=${2:-}

# Everything below works from the repository root (build/targets, ...).
cd "$(dirname "$0")/.." || exit 1

PTPROF=$(realpath -e "$1" 2>/dev/null) || {
	echo "$0: $1: no such file (make all)" >&2
	exit 1
}
export PTPROF

# The helpers and tests, sourced here to list the tests and again by the
# shell that runs each one.
load_tests() {
	# shellcheck source=tests/e2e/lib.sh
	. tests/e2e/lib.sh
	local f
	for f in tests/e2e/t_*.sh; do
		# shellcheck disable=SC1090
		. "$f"
	done
}
load_tests

# All the files share one shell: a function two of them define would be
# the last one's in every test.
dups=$(sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)() *{.*/\1/p' tests/e2e/lib.sh tests/e2e/t_*.sh | sort | uniq -d)
if [ -n "$dups" ]; then
	echo "$0: defined in more than one file of tests/e2e: $dups" >&2
	exit 1
fi

if [ ! -d "$TARGETS_DIR" ]; then
	echo "$0: $TARGETS_DIR missing (make targets)" >&2
	exit 1
fi

# Each test's own limit; the whole suite normally takes a few seconds.
TEST_TIMEOUT=${TEST_TIMEOUT:-90}
export TEST_TIMEOUT

ROOT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ptprof-e2e.XXXXXX") || exit 1

# The inflated copies of debug files (stack/debugcache.h) go here, shared
# by the tests of this run, never into the home directory.
export PTPROF_CACHE_DIR=$ROOT_TMP/.debug-cache

# Tests in the order their files define them (extdebug makes declare -F
# print "NAME LINE FILE").
TESTS=()
while read -r fn _; do
	TESTS+=("${fn#t_}")
done < <(
	shopt -s extdebug
	# shellcheck disable=SC2046
	declare -F $(compgen -A function t_) | sort -k3,3 -k2,2n
)

passed=0 failed=0 skipped=0
failed_names=()

# Tests run E2E_JOBS at a time (default 2): most of a test's time is spent
# waiting on its targets.  Those a file names in E2E_SERIAL (their figures
# depend on having the CPUs to themselves: sample counts, CPU shares) run
# afterwards, one at a time.
E2E_JOBS=${E2E_JOBS:-2}
[[ $E2E_JOBS =~ ^[1-9][0-9]*$ ]] || { echo "$0: E2E_JOBS must be a positive integer" >&2; exit 64; }

# Start test $1 in the background: its log, exit status and time land in
# its own directory.
start_test() {
	local name=$1
	local dir=$ROOT_TMP/$name
	mkdir -p "$dir"
	(
		T=$dir
		export T
		start=$(now_ms)
		rc=0
		# A fresh shell per test, under a watchdog: a test that hangs
		# is killed with everything it started (timeout signals its
		# process group) and counts as failed; the EXIT trap kills the
		# targets it left.
		# shellcheck disable=SC2016
		timeout -k 5 "$TEST_TIMEOUT" bash -c '
			set -u
			'"$(declare -f load_tests)"'
			load_tests
			trap cleanup_targets EXIT
			trap "echo \"FAILED: test still running after $TEST_TIMEOUT s\"; exit 124" TERM
			"t_$1"
		' bash "$name" >"$T/log" 2>&1 </dev/null || rc=$?
		echo "$rc $(($(now_ms) - start))" >"$T/.result"
	) &
	RUNNING[$!]=$name
}

# Say how test $1 ended.
report_test() {
	local name=$1 rc elapsed secs
	local dir=$ROOT_TMP/$name
	read -r rc elapsed <"$dir/.result" 2>/dev/null || { rc=1 elapsed=0; }
	secs=$(printf '%d.%02d' $((elapsed / 1000)) $((elapsed % 1000 / 10)))
	case $rc in
	0)
		passed=$((passed + 1))
		echo "ok    $name (${secs}s)"
		rm -rf "$dir"
		;;
	77)
		skipped=$((skipped + 1))
		echo "skip  $name: $(grep -m1 '^SKIPPED: ' "$dir/log" | cut -c10-)"
		;;
	*)
		failed=$((failed + 1))
		failed_names+=("$name")
		echo "FAIL  $name (${secs}s)"
		if [ -s "$dir/log" ]; then
			sed 's/^/      /' "$dir/log"
		else
			echo "      (exited $rc without a message)"
		fi
		echo "      files: $dir"
		;;
	esac
}

# Wait for one running test to end, and report it.
reap_one() {
	local pid
	wait -n -p pid "${!RUNNING[@]}"
	report_test "${RUNNING[$pid]}"
	unset "RUNNING[$pid]"
}

declare -A RUNNING=()
PARALLEL=() SERIAL=()
for name in "${TESTS[@]}"; do
	case $name in
	*"$FILTER"*) ;;
	*) continue ;;
	esac
	case " ${E2E_SERIAL:-} " in
	*" $name "*) SERIAL+=("$name") ;;
	*) PARALLEL+=("$name") ;;
	esac
done
for name in "${PARALLEL[@]}"; do
	[ "${#RUNNING[@]}" -lt "$E2E_JOBS" ] || reap_one
	start_test "$name"
done
while [ "${#RUNNING[@]}" -gt 0 ]; do
	reap_one
done
for name in "${SERIAL[@]}"; do
	start_test "$name"
	reap_one
done

[ $failed -eq 0 ] && [ $skipped -eq 0 ] && rm -rf "$ROOT_TMP"
[ $skipped -eq 0 ] || echo "$skipped skipped"
[ $failed -eq 0 ] || echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
