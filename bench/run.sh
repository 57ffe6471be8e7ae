#!/bin/bash
# bench/run.sh - compare `ptprof dump` with its peers (eu-stack, gdb) on one
# 1000-thread target, in one run, and print a Markdown table.
#
#   sh bench/run.sh [BUILD_DIR]          (what `make bench` runs; default: build)
#
# Environment:
#   BENCH_RUNS=5        timed runs per tool, interleaved ptprof, eu-stack, gdb, ...
#   BENCH_THREADS=1000  blocked worker threads in the target
#   BENCH_TIMEOUT=120   seconds before a tool run is killed (timeout(1))
#   PTPROF='build/ptprof dump'
#                       command that dumps every stack; "-p PID" is appended.
#                       Override to try the script without a working ptprof,
#                       e.g. PTPROF='eu-stack -i -s' sh bench/run.sh
#
# Rows:
#   1. wall time of one full dump (inlines + file:line) of the target
#   2. longest gap a spinning target thread sees between two consecutive
#      clock_gettime(CLOCK_MONOTONIC) reads while that dump runs (plus the sum
#      of all gaps > 20 us), each beside the same figure measured over an equal
#      idle period with no tool attached
#   3. ptrace + process_vm_readv + wait4 calls (strace -c) per dumped thread
# Every figure is the median of BENCH_RUNS runs; the exact commands follow the
# table.  Progress goes to stderr, the report to stdout and BUILD_DIR/bench/results.md.
# Logs, tool output and strace summaries are kept in BUILD_DIR/bench/.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -eu
export LC_ALL=C
unset DEBUGINFOD_URLS

cd "$(dirname "$0")/.."

B=${1:-build}
RUNS=${BENCH_RUNS:-5}
NTHREADS=${BENCH_THREADS:-1000}
TIMEOUT=${BENCH_TIMEOUT:-120}
PTPROF_DEFAULT="$B/ptprof dump"
PTPROF=${PTPROF:-$PTPROF_DEFAULT}
read -r -a PTPROF_WORDS <<<"$PTPROF"

BD=$B/bench
LOG=$BD/log
OUT=$BD/out
TARGET_BIN=$BD/manythreads
TOOLS=(ptprof eu-stack gdb)

TPID=
WORK=

say() { printf '%s\n' "$*" >&2; }

die() {
	say ""
	say "################################################################"
	say "bench/run.sh: BENCHMARK ABORTED: $*"
	say "################################################################"
	exit 1
}

is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac; }

is_uint "$RUNS" && [ "$RUNS" -ge 1 ] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
is_uint "$NTHREADS" && [ "$NTHREADS" -ge 1 ] || die "BENCH_THREADS must be a positive integer, not '$NTHREADS'"
is_uint "$TIMEOUT" && [ "$TIMEOUT" -ge 1 ] || die "BENCH_TIMEOUT must be a positive integer, not '$TIMEOUT'"
[ "${#PTPROF_WORDS[@]}" -ge 1 ] || die "PTPROF is empty"

# Quote one word the way a reader would type it in a shell.
shq() {
	case $1 in
	'' | *[!A-Za-z0-9_./=:,+@%-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}
shjoin() {
	local w s=
	for w in "$@"; do s="$s${s:+ }$(shq "$w")"; done
	printf '%s' "$s"
}

now_ns() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=${EPOCHREALTIME/./}
		printf '%s000' "$t"
	else
		date +%s%N
	fi
}

median() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) printf "%.0f\n", a[(NR + 1) / 2]
		      else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
fmt_ms() { awk -v n="$1" 'BEGIN { printf "%.1f ms", n / 1e6 }'; }
fmt_stall() {
	awk -v n="$1" 'BEGIN { if (n < 100000) printf "%d µs", n / 1e3 + 0.5; else printf "%.1f ms", n / 1e6 }'
}
fmt_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else printf "—" }'; }

# ---------------------------------------------------------------- set-up --

mkdir -p "$BD" "$LOG" "$OUT"
rm -f "$LOG"/* "$OUT"/*

say "bench: building $TARGET_BIN"
gcc -O2 -g -std=gnu11 -Wall -Wextra -pthread -o "$TARGET_BIN" bench/manythreads.c ||
	die "could not build bench/manythreads.c"

declare -A AVAIL CMDSTR
if [ "$PTPROF" = "$PTPROF_DEFAULT" ] && [ ! -x "$B/ptprof" ]; then
	die "$B/ptprof does not exist (run 'make all' first, or set PTPROF=... to a stub)"
fi
command -v "${PTPROF_WORDS[0]}" >/dev/null 2>&1 || [ -x "${PTPROF_WORDS[0]}" ] ||
	die "PTPROF command '${PTPROF_WORDS[0]}' not found"
AVAIL[ptprof]=1
AVAIL[eu-stack]=0
AVAIL[gdb]=0
command -v eu-stack >/dev/null 2>&1 && AVAIL[eu-stack]=1
command -v gdb >/dev/null 2>&1 && AVAIL[gdb]=1
HAVE_STRACE=0
command -v strace >/dev/null 2>&1 && HAVE_STRACE=1

GDB_DEBUGINFOD=()
if [ "${AVAIL[gdb]}" = 1 ] &&
	gdb -nx -batch -ex 'set debuginfod enabled off' </dev/null 2>&1 | grep -q . ; then
	: # gdb complained: an old gdb without debuginfod support
else
	GDB_DEBUGINFOD=(-ex 'set debuginfod enabled off')
fi

# ------------------------------------------------------------ the target --

cleanup() {
	set +e
	exec 3>&- 4<&-
	if [ -n "$TPID" ] && kill -0 "$TPID" 2>/dev/null; then
		kill -KILL "$TPID" 2>/dev/null
		wait "$TPID" 2>/dev/null
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'say "bench: interrupted"; exit 130' INT TERM HUP

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/ptprof-bench.XXXXXX)
mkfifo "$WORK/in" "$WORK/out"
"$TARGET_BIN" "$NTHREADS" <"$WORK/in" >"$WORK/out" 2>"$LOG/manythreads.stderr" &
TPID=$!
exec 3>"$WORK/in" 4<"$WORK/out"

line=
read -r -t 120 -u 4 line || true
case $line in
"ready "*) NTASKS=${line#ready } ;;
*) die "target did not get ready: '$line' $(cat "$LOG/manythreads.stderr")" ;;
esac
say "bench: target pid $TPID ready with $NTASKS tasks"

# Send one command to the target, print its one-line answer (nothing if the
# target is dead or does not answer within 30 s: callers check the answer).
target_cmd() {
	local answer=
	printf '%s\n' "$1" >&3 2>/dev/null || return 1
	read -r -t 30 -u 4 answer || return 1
	printf '%s\n' "$answer"
}

# After every tool run: the target must be alive, complete and not traced.
check_target() {
	local what=$1 n bad
	kill -0 "$TPID" 2>/dev/null || die "target (pid $TPID) died during/after: $what"
	n=$(ls "/proc/$TPID/task" | wc -l)
	[ "$n" -eq "$NTASKS" ] || die "target has $n tasks instead of $NTASKS after: $what"
	bad=$(awk '/^TracerPid:/ && $2 != 0 { print FILENAME ": TracerPid " $2 }
	           /^State:/ && ($2 == "t" || $2 == "T") { print FILENAME ": " $0 }' \
		"/proc/$TPID/task"/*/status 2>&1 | head -20) || true
	[ -z "$bad" ] || die "target still traced or stopped after: $what
$bad"
}

check_target "start-up"

# ------------------------------------------------------------- the tools --

set_cmd() {
	case $1 in
	ptprof) CMD=("${PTPROF_WORDS[@]}" -p "$TPID") ;;
	eu-stack) CMD=(eu-stack -i -s -p "$TPID") ;;
	gdb) CMD=(gdb -nx -batch -ex 'set pagination off' "${GDB_DEBUGINFOD[@]}"
		-ex 'thread apply all bt' -p "$TPID") ;;
	esac
}

declare -A WALL SMAX SSUM BMAX BSUM SYS NFAIL FAILMSG SYSCMD SYSDETAIL NSYSFAIL
for t in "${TOOLS[@]}"; do
	WALL[$t]='' SMAX[$t]='' SSUM[$t]='' BMAX[$t]='' BSUM[$t]='' SYS[$t]=''
	NFAIL[$t]=0 NSYSFAIL[$t]=0 FAILMSG[$t]=
	set_cmd "$t"
	CMDSTR[$t]="$(shjoin timeout "$TIMEOUT" "${CMD[@]}") > /dev/null 2> $LOG/$t.N.stderr"
done

record_failure() { # tool rc stderr-file
	NFAIL[$1]=$((NFAIL[$1] + 1))
	if [ -z "${FAILMSG[$1]}" ]; then
		local why="exit status $2"
		[ "$2" = 124 ] && why="timed out after ${TIMEOUT} s"
		[ "$2" -gt 128 ] && [ "$2" != 124 ] && why="killed by signal $(($2 - 128))"
		FAILMSG[$1]="$why: $(head -c 600 "$3" | tr '\n' ' ')"
	fi
}

# Warm-up: one untimed run per tool, output kept and sanity-checked; this
# also puts every file any tool reads into the page cache.
declare -A CHECK
for t in "${TOOLS[@]}"; do
	[ "${AVAIL[$t]}" = 1 ] || continue
	set_cmd "$t"
	say "bench: warm-up $t"
	rc=0
	timeout "$TIMEOUT" "${CMD[@]}" >"$OUT/$t.txt" 2>"$LOG/$t.warmup.stderr" || rc=$?
	check_target "warm-up run of $t"
	nblk=$(grep -c 'mt_block' "$OUT/$t.txt" || true)
	nfl=$(grep -c 'manythreads\.c:[0-9]' "$OUT/$t.txt" || true)
	ninl=$(grep -c 'mt_inlined' "$OUT/$t.txt" || true)
	CHECK[$t]="exit $rc, $nblk/$NTHREADS worker stacks reach mt_block, $ninl show the inlined mt_inlined frame, $nfl lines with manythreads.c:LINE"
	if [ "$rc" != 0 ] || [ "$nblk" != "$NTHREADS" ]; then
		CHECK[$t]="WARNING: ${CHECK[$t]}; stderr: $(head -c 600 "$LOG/$t.warmup.stderr" | tr '\n' ' ')"
	fi
done

printf 'run\ttool\twall_ns\tstall_max_ns\tstall_sum_ns\tbaseline_max_ns\tbaseline_sum_ns\n' >"$LOG/raw.tsv"

# Timed runs, interleaved.  After each dump the spinner's figures for that
# dump are read, then the same figures over an idle period of the same length.
for r in $(seq 1 "$RUNS"); do
	for t in "${TOOLS[@]}"; do
		[ "${AVAIL[$t]}" = 1 ] || continue
		set_cmd "$t"
		say "bench: run $r/$RUNS $t"
		[ "$(target_cmd reset)" = ok ] || die "target did not acknowledge 'reset' (dead, stopped or stuck?)"
		rc=0
		t0=$(now_ns)
		timeout "$TIMEOUT" "${CMD[@]}" >/dev/null 2>"$LOG/$t.$r.stderr" || rc=$?
		t1=$(now_ns)
		read -r -a REP <<<"$(target_cmd report)"
		[ "${REP[0]:-}" = stall ] || die "target sent '${REP[*]}' instead of a stall report (dead, stopped or stuck?)"
		check_target "run $r of $t: $(shjoin "${CMD[@]}")"
		if [ "$rc" != 0 ]; then
			record_failure "$t" "$rc" "$LOG/$t.$r.stderr"
			continue
		fi
		dur=$((t1 - t0))
		WALL[$t]+=" $dur" SMAX[$t]+=" ${REP[1]}" SSUM[$t]+=" ${REP[2]}"

		[ "$(target_cmd reset)" = ok ] || die "target did not acknowledge 'reset' (dead, stopped or stuck?)"
		sleep "$(awk -v n="$dur" 'BEGIN { printf "%.6f", n / 1e9 }')"
		read -r -a REP <<<"$(target_cmd report)"
		[ "${REP[0]:-}" = stall ] || die "target sent '${REP[*]}' instead of a stall report (dead, stopped or stuck?)"
		BMAX[$t]+=" ${REP[1]}" BSUM[$t]+=" ${REP[2]}"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$t" "$dur" \
			"${SMAX[$t]##* }" "${SSUM[$t]##* }" "${REP[1]}" "${REP[2]}" >>"$LOG/raw.tsv"
	done

	[ "$HAVE_STRACE" = 1 ] || continue
	for t in "${TOOLS[@]}"; do
		[ "${AVAIL[$t]}" = 1 ] || continue
		set_cmd "$t"
		f=$LOG/$t.$r.strace
		# gdb forks a helper that PTRACE_TRACEMEs itself to probe ptrace
		# features; under strace -f that helper is already traced and gdb
		# hangs, so gdb's own process is traced without -f.
		sflags=(-f)
		[ "$t" = gdb ] && sflags=()
		S=(strace "${sflags[@]}" -c -e trace=ptrace,process_vm_readv,wait4 -o)
		SYSCMD[$t]="$(shjoin timeout "$TIMEOUT" "${S[@]}" "$LOG/$t.N.strace" "${CMD[@]}") > /dev/null"
		say "bench: run $r/$RUNS strace $t"
		rc=0
		timeout "$TIMEOUT" "${S[@]}" "$f" "${CMD[@]}" >/dev/null 2>"$LOG/$t.$r.strace.stderr" || rc=$?
		check_target "strace run $r of $t"
		if [ "$rc" != 0 ]; then
			NSYSFAIL[$t]=$((NSYSFAIL[$t] + 1))
			continue
		fi
		calls=$(awk '$NF == "total" { print $4 }' "$f")
		SYS[$t]+=" ${calls:-0}"
		SYSDETAIL[$t]=$(awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { printf "%s%s %s", sep, $NF, $4; sep = ", " }' "$f")
	done
done
check_target "the last run"

# ------------------------------------------------------------ the report --

cell() { # tool kind(ms|stall|count) values...
	local t=$1 kind=$2
	shift 2
	if [ "${AVAIL[$t]}" != 1 ]; then
		printf 'n/a (not installed)'
		return
	fi
	if [ $# = 0 ]; then
		printf 'failed (all %s runs, see below)' "$RUNS"
		return
	fi
	local m
	m=$(median "$@")
	case $kind in
	ms) fmt_ms "$m" ;;
	stall) fmt_stall "$m" ;;
	count) awk -v n="$m" -v d="$NTASKS" 'BEGIN { printf "%.1f", n / d }' ;;
	esac
	if [ "$kind" != count ] && [ "${NFAIL[$t]}" != 0 ]; then
		printf ' (%d/%d runs failed)' "${NFAIL[$t]}" "$RUNS"
	fi
	if [ "$kind" = count ] && [ "${NSYSFAIL[$t]}" != 0 ]; then
		printf ' (%d/%d runs failed)' "${NSYSFAIL[$t]}" "$RUNS"
	fi
}

ratio() { # kind ptprof-values | eu-stack-values   (as two strings)
	local a=$1 b=$2
	if [ "${AVAIL[eu-stack]}" != 1 ] || [ -z "${a// /}" ] || [ -z "${b// /}" ]; then
		printf '—'
		return
	fi
	# shellcheck disable=SC2086
	fmt_ratio "$(median $a)" "$(median $b)"
}

row() { # label kind var-name ratio(yes|no)
	local label=$1 kind=$2 var=$3 want_ratio=$4 t
	local -n arr=$var
	printf '| %s ' "$label"
	for t in "${TOOLS[@]}"; do
		# shellcheck disable=SC2086
		printf '| %s ' "$(cell "$t" "$kind" ${arr[$t]})"
	done
	if [ "$want_ratio" = yes ]; then
		printf '| %s |\n' "$(ratio "${arr[ptprof]}" "${arr[eu-stack]}")"
	else
		printf '| — |\n'
	fi
}

report() {
	local t ptprof_head=ptprof
	[ "$PTPROF" = "$PTPROF_DEFAULT" ] || ptprof_head="ptprof (STUB: PTPROF=$PTPROF)"
	printf '## ptprof benchmark: %s tasks (%s blocked workers + spinner + main), median of %s interleaved runs\n\n' \
		"$NTASKS" "$NTHREADS" "$RUNS"
	printf '%s, %s CPUs, kernel %s; %s; %s; %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -r)" \
		"$( [ "${AVAIL[eu-stack]}" = 1 ] && eu-stack --version 2>&1 | head -1 || echo 'eu-stack: not installed')" \
		"$( [ "${AVAIL[gdb]}" = 1 ] && gdb --version 2>&1 | head -1 || echo 'gdb: not installed')" \
		"$( [ "$HAVE_STRACE" = 1 ] && strace -V 2>&1 | head -1 || echo 'strace: not installed')"
	printf 'Load average (1/5/15 min) at start %s, at end %s; the target'"'"'s spinner keeps one CPU busy.\n\n' \
		"$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)"
	if [ "$ptprof_head" != ptprof ]; then
		printf '**WARNING: the ptprof column was produced by a stub (PTPROF=%s), not by ptprof.**\n\n' "$PTPROF"
	fi
	printf '| | %s | eu-stack | gdb | ptprof / eu-stack |\n' "$ptprof_head"
	printf '|---|---:|---:|---:|---:|\n'
	row "$NTHREADS-thread dump, wall time (inlines + file:line)" ms WALL yes
	row "longest stall a target thread sees during that dump" stall SMAX yes
	row "↳ baseline: longest gap over an equal idle period, no tool attached" stall BMAX no
	row "total stall during that dump (sum of gaps > 20 µs)" stall SSUM yes
	row "↳ baseline: sum of gaps > 20 µs over an equal idle period" stall BSUM no
	if [ "$HAVE_STRACE" = 1 ]; then
		row "syscalls per dumped thread (ptrace + process_vm_readv + wait4, $NTASKS threads)" count SYS yes
	else
		printf '| syscalls per dumped thread | n/a (strace not installed) | n/a | n/a | — |\n'
	fi

	printf '\nCommands (PID %s = %s %s; N = run number; DEBUGINFOD_URLS unset for every tool):\n\n' \
		"$TPID" "$TARGET_BIN" "$NTHREADS"
	for t in "${TOOLS[@]}"; do
		[ "${AVAIL[$t]}" = 1 ] || continue
		printf -- '- %s, rows 1-2: `%s`\n' "$t" "${CMDSTR[$t]}"
	done
	printf -- '- stall rows: before each dump the target is sent `reset` on stdin, after it `report`; its spinner thread\n'
	printf '  reads CLOCK_MONOTONIC in a loop and reports the longest gap between two reads and the sum of gaps > 20 µs.\n'
	printf '  Baseline: `reset`, then `sleep` for exactly that dump'"'"'s wall time with no tool attached, then `report`.\n'
	printf -- '- wall time: bash $EPOCHREALTIME read just before and just after the command.\n'
	printf -- '- every run'"'"'s figures (ns): %s\n' "$LOG/raw.tsv"
	for t in "${TOOLS[@]}"; do
		[ "${AVAIL[$t]}" = 1 ] && [ -n "${SYSCMD[$t]:-}" ] || continue
		printf -- '- %s, syscall row: `%s` (calls from the "total" line / %s threads); last run: %s\n' \
			"$t" "${SYSCMD[$t]}" "$NTASKS" "${SYSDETAIL[$t]:-none}"
	done
	if [ "${AVAIL[gdb]}" = 1 ] && [ "$HAVE_STRACE" = 1 ]; then
		printf -- '- gdb is straced without -f (under strace -f its PTRACE_TRACEME probe child hangs), and gdb reads\n'
		printf '  target memory with pread64 on /proc/PID/mem, which this syscall filter does not count.\n'
	fi
	printf '\nOutput check (warm-up run, output in %s/TOOL.txt):\n\n' "$OUT"
	for t in "${TOOLS[@]}"; do
		[ "${AVAIL[$t]}" = 1 ] || { printf -- '- %s: not installed\n' "$t"; continue; }
		printf -- '- %s: %s\n' "$t" "${CHECK[$t]}"
	done
	local any=0
	for t in "${TOOLS[@]}"; do
		if [ "${NFAIL[$t]}" != 0 ]; then
			[ $any = 1 ] || printf '\nFailures:\n\n'
			any=1
			printf -- '- %s failed %d of %d timed runs; first: %s\n' "$t" "${NFAIL[$t]}" "$RUNS" "${FAILMSG[$t]}"
		fi
		if [ "${NSYSFAIL[$t]}" != 0 ]; then
			[ $any = 1 ] || printf '\nFailures:\n\n'
			any=1
			printf -- '- %s failed %d of %d strace runs (see %s/%s.N.strace.stderr)\n' "$t" "${NSYSFAIL[$t]}" "$RUNS" "$LOG" "$t"
		fi
	done
}

report | tee "$BD/results.md"

# A ptprof failure fails `make bench`; a failing peer is only reported.
if [ "${NFAIL[ptprof]}" != 0 ] || [ "${NSYSFAIL[ptprof]}" != 0 ]; then
	say "bench: ptprof failed in some runs (see Failures above)"
	exit 1
fi
