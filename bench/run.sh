#!/bin/bash
# bench/run.sh - compare `ptprof dump` with its peers (eu-stack, gdb) on one
# 1000-thread target, and `ptprof record` with `perf record`, in one run, and
# print two Markdown tables.
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
#   BENCH_RECORD_RUNS=3     timed runs per tool for the record rows (0: skip them)
#   BENCH_RECORD_SECONDS=10 length of one profile (ptprof -d, perf ... -- sleep)
#   BENCH_SHARE_IDLE=4      idle threads beside the busy worker for the share row
#                           (the CPU-cost rows use BENCH_THREADS idle threads)
#   BENCH_TARGET_ROWS=1     0: skip the stall / peak RSS / EINTR rows
#   BENCH_STALL_RUNS=1      runs per tool for the stall-per-sample row
#   BENCH_RSS_SHORT=10 BENCH_RSS_LONG=60
#                           lengths (s) of the two peak-RSS records at 999 Hz
#   PTPROF_RECORD='build/ptprof record'
#                       record command; "-p PID -d S -r 99 ..." is appended.
#
# Rows:
#   1. wall time of one full dump (inlines + file:line) of the target
#   2. longest gap a spinning target thread sees between two consecutive
#      clock_gettime(CLOCK_MONOTONIC) reads while that dump runs (plus the sum
#      of all gaps > 20 us), each beside the same figure measured over an equal
#      idle period with no tool attached
#   3. ptrace + process_vm_readv + wait4 calls (strace -c) per dumped thread
# Record rows (target bench/ratio.c: a worker splitting its CPU 1:3 between
# hot_a and hot_b, plus idle threads; the dump target is gone by then):
#   4. share of hot_a / hot_b in the worker's samples, ptprof vs perf, and the
#      distance of each from the truth (25% / 75%)
#   5. profiler CPU time (user+sys) of one profile, cpu mode, ptprof vs perf
#      (perf record + perf report), 1 busy + BENCH_THREADS idle threads
#   6. the same for ptprof's wall mode (perf has none)
#   7. samples per second actually taken, with ptprof's missed ticks
# Syscall rows (same two targets, interleaved with the record runs; strace
# needed; BENCH_RECORD_RUNS runs of 5 s each):
#   ptrace + process_vm_readv + wait4 calls per stopped thread-sample of a 5 s
#   cpu-mode `ptprof record -v` at 99 Hz under strace -f -c, on ratio 4 and on
#   ratio BENCH_THREADS, beside ptprof's own count (its -v line) and beside
#   bench/floor.c under the same strace (floor: 5)
# Target-side rows 8-10 (stall per sample, peak RSS, EINTRs): see below.
# The report opens with a summary table: one row per figure the issue asks
# for, ptprof beside its peers, the target and whether it is met (computed
# from the figures).
# Every dump figure is the median of BENCH_RUNS runs, every record figure the
# median of BENCH_RECORD_RUNS runs; the exact commands follow each table.  Progress goes to stderr, the report to stdout and BUILD_DIR/bench/results.md.
#
# Duration of the default run on 2 CPUs, roughly: dump rows 1 min; record
# rows 3 x (2 x 10 s share + 3 x 10 s cost + 3 x 5 s syscalls) = 3.3 min;
# stall 30 s x BENCH_STALL_RUNS; peak RSS 2 x (BENCH_RSS_SHORT + BENCH_RSS_LONG)
# = 2.3 min; EINTRs 15 s: about 7.5 min in all.
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
REC_RUNS=${BENCH_RECORD_RUNS:-3}
REC_SECS=${BENCH_RECORD_SECONDS:-10}
SHARE_IDLE=${BENCH_SHARE_IDLE:-4}
REC_RATE=99
PTPROF_RECORD=${PTPROF_RECORD:-$B/ptprof record}
read -r -a PTPROF_RECORD_WORDS <<<"$PTPROF_RECORD"
PTPROF_DEFAULT="$B/ptprof dump"
PTPROF=${PTPROF:-$PTPROF_DEFAULT}
read -r -a PTPROF_WORDS <<<"$PTPROF"

BD=$B/bench
LOG=$BD/log
OUT=$BD/out
TARGET_BIN=$BD/manythreads
RATIO_BIN=$BD/ratio
FLOOR_BIN=$BD/floor
TOOLS=(ptprof eu-stack gdb)

TPID=
RPID=
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
is_uint "$REC_RUNS" || die "BENCH_RECORD_RUNS must be a non-negative integer, not '$REC_RUNS'"
is_uint "$REC_SECS" && [ "$REC_SECS" -ge 1 ] || die "BENCH_RECORD_SECONDS must be a positive integer, not '$REC_SECS'"
is_uint "$SHARE_IDLE" || die "BENCH_SHARE_IDLE must be a non-negative integer, not '$SHARE_IDLE'"
[ "${#PTPROF_RECORD_WORDS[@]}" -ge 1 ] || die "PTPROF_RECORD is empty"

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
if [ "$REC_RUNS" -ge 1 ]; then
	say "bench: building $RATIO_BIN"
	gcc -O1 -g -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -pthread -o "$RATIO_BIN" bench/ratio.c ||
		die "could not build bench/ratio.c"
	say "bench: building $FLOOR_BIN"
	gcc -O2 -g -std=gnu11 -Wall -Wextra -pthread -o "$FLOOR_BIN" bench/floor.c ||
		die "could not build bench/floor.c"
fi

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
	exec 3>&- 4<&- 5>&- 6<&- 7>&- 8<&-
	for p in "$TPID" "$RPID" "${APID:-}"; do
		if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		fi
	done
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
check_pid() { # what pid ntasks
	local what=$1 pid=$2 ntasks=$3 n bad
	kill -0 "$pid" 2>/dev/null || die "target (pid $pid) died during/after: $what"
	n=$(ls "/proc/$pid/task" | wc -l)
	[ "$n" -eq "$ntasks" ] || die "target (pid $pid) has $n tasks instead of $ntasks after: $what"
	bad=$(awk '/^TracerPid:/ && $2 != 0 { print FILENAME ": TracerPid " $2 }
	           /^State:/ && ($2 == "t" || $2 == "T") { print FILENAME ": " $0 }' \
		"/proc/$pid/task"/*/status 2>&1 | head -20) || true
	[ -z "$bad" ] || die "target (pid $pid) still traced or stopped after: $what
$bad"
}
check_target() { check_pid "$1" "$TPID" "$NTASKS"; }

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

# ------------------------------------------------------ the record rows --
#
# The dump target goes first: its spinner would take a CPU away from the
# record targets' worker.  Then two phases, each on its own target
# (build/bench/ratio NIDLE): the share row with BENCH_SHARE_IDLE idle threads,
# the CPU-cost and samples rows with BENCH_THREADS idle threads.

MT_PID=$TPID
stop_pid() { # pid: its stdin is closed already, so it exits by itself
	local pid=$1 _i
	for _i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
exec 3>&- 4<&-
stop_pid "$TPID"
TPID=

median_f() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2
		      printf "%.6f\n", m }'
}

# Run a command in a subshell; afterwards write bash's `times` for that
# subshell to CPU_FILE: its second line is the user and sys time of every
# process the subshell waited for (timeout(1), the tool, the tool's children).
timed_run() { # cpu-file stdout-file stderr-file command...
	local tf=$1 o=$2 e=$3
	shift 3
	(
		rc=0
		"$@" >"$o" 2>"$e" || rc=$?
		times >"$tf"
		exit "$rc"
	)
}
cpu_of() { # cpu-file -> user+sys seconds
	awk 'function s(x, p) { split(x, p, "m"); sub(/s$/, "", p[2]); return p[1] * 60 + p[2] }
	     NR == 2 { printf "%.3f\n", s($1) + s($2); ok = 1 } END { exit !ok }' "$1"
}

# CPU time a task has used so far, in ns.
task_cpu_ns() { # pid tid
	local f=/proc/$1/task/$2
	if [ -r "$f/schedstat" ]; then
		awk '{ print $1; exit }' "$f/schedstat"
	else
		awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1e9 / hz }' "$f/stat"
	fi
}

# ptprof's stderr summary -> "SAMPLES THREADS TICKS MISSED SECONDS"; fails
# unless the recording ended because the duration elapsed.
ptprof_summary() {
	awk '/ recorded [0-9.]+ s \(duration elapsed\): [0-9]+ samples from [0-9]+ threads, [0-9]+ ticks/ {
		for (i = 1; i < NF; i++) {
			if ($i == "recorded") d = $(i + 1)
			if ($i == "samples" && $(i + 1) == "from") s = $(i - 1)
			if ($i == "threads,") th = $(i - 1)
		}
		tk = $(NF - 1); ok = 1 }
	/ ticks missed / { for (i = 2; i < NF; i++) if ($i == "ticks" && $(i + 1) == "missed") m = $(i - 1) }
	END { if (!ok) exit 1; printf "%d %d %d %d %s\n", s, th, tk, m, d }' "$1"
}

# Folded stacks written with --threads (root frame NAME/TID) -> "N A% B%":
# N = the worker's samples, A and B = percentage of them with a hot_a
# (hot_b) frame anywhere on the stack (cumulative share).
share_folded() { # file worker-tid
	awk -v w="$2" '
	{	c = $NF; line = $0; sub(/ [0-9]+$/, "", line)
		n = split(line, f, ";")
		if (f[1] !~ ("/" w "$")) next
		tot += c; a = b = 0
		for (i = 2; i <= n; i++) {
			if (f[i] ~ /^hot_a($|[^A-Za-z0-9_])/) a = 1
			if (f[i] ~ /^hot_b($|[^A-Za-z0-9_])/) b = 1
		}
		na += a * c; nb += b * c }
	END { if (tot == 0) exit 1; printf "%d %.4f %.4f\n", tot, 100 * na / tot, 100 * nb / tot }' "$1"
}

# The same from `perf script -F tid,ip,sym`: a sample is a "TID" line
# followed by one tab-indented "IP SYM" line per frame and a blank line.
share_perf() { # file worker-tid
	awk -v w="$2" '
	function flush() { if (have && tid == w) { tot++; na += a; nb += b } have = a = b = 0 }
	/^\t/ { if ($2 ~ /^hot_a($|[^A-Za-z0-9_])/) a = 1
	        if ($2 ~ /^hot_b($|[^A-Za-z0-9_])/) b = 1
	        next }
	NF == 0 { flush(); next }
	{ flush(); have = 1; tid = $1 }
	END { flush(); if (tot == 0) exit 1; printf "%d %.4f %.4f\n", tot, 100 * na / tot, 100 * nb / tot }' "$1"
}

RTASKS='' RWTID=''
start_ratio() { # nidle
	local line=
	rm -f "$WORK/rin" "$WORK/rout"
	mkfifo "$WORK/rin" "$WORK/rout"
	"$RATIO_BIN" "$1" <"$WORK/rin" >"$WORK/rout" 2>"$LOG/ratio.$1.stderr" &
	RPID=$!
	exec 5>"$WORK/rin" 6<"$WORK/rout"
	read -r -t 120 -u 6 line || true
	case $line in
	"ready "*) read -r _ RTASKS RWTID <<<"$line" ;;
	*) die "ratio target did not get ready: '$line' $(cat "$LOG/ratio.$1.stderr")" ;;
	esac
	check_pid "start-up of $RATIO_BIN $1" "$RPID" "$RTASKS"
	say "bench: ratio target pid $RPID ready with $RTASKS tasks (worker tid $RWTID)"
}
stop_ratio() {
	exec 5>&- 6<&-
	stop_pid "$RPID"
	RPID=
}

declare -A RV RFAIL RFAILMSG RCMD
RKEYS=(ptprof-share perf-share ptprof-cpu perf-cpu ptprof-wall)
for k in "${RKEYS[@]}"; do RFAIL[$k]=0 RFAILMSG[$k]=; done
rv() { RV[$1]+=" $2"; }
rfail() { # key message
	RFAIL[$1]=$((RFAIL[$1] + 1))
	[ -n "${RFAILMSG[$1]}" ] || RFAILMSG[$1]=$2
}
why() { # rc stderr-file
	local w="exit status $1"
	[ "$1" = 124 ] && w="timed out after $RT s"
	[ "$1" -gt 128 ] && [ "$1" != 124 ] && w="killed by signal $(($1 - 128))"
	printf '%s: %s' "$w" "$(head -c 600 "$2" | tr '\n' ' ')"
}

RT=$((REC_SECS + TIMEOUT))
PERF_HOME=$WORK/perf-home
GO_ENV=(env HOME="$WORK/go-home" GOCACHE="$WORK/go-cache" GOTOOLCHAIN=local)
PERF_NA=
OFFCPU="no wall mode"
command -v perf >/dev/null 2>&1 || PERF_NA="not installed"
HAVE_GO=0
command -v go >/dev/null 2>&1 && HAVE_GO=1
declare -a RCHECK=()
REC_LOAD_START='' REC_LOAD_END=''

set_ptprof_rec() { # mode|folded output-file seconds
	local fmt=(-m "$1")
	[ "$1" = folded ] && fmt=(-f folded --threads)
	CMD=(timeout "$RT" "${PTPROF_RECORD_WORDS[@]}" -p "$RPID" -d "$3" -r "$REC_RATE" "${fmt[@]}" -o "$2")
}
set_perf_rec() { # output-file seconds
	CMD=(timeout "$RT" env HOME="$PERF_HOME" perf record -e cpu-clock -F "$REC_RATE" --call-graph dwarf
		-p "$RPID" -o "$1" -- sleep "$2")
}

# One ptprof record run: CPU time, summary, worker's CPU use; sets OK=1 on success.
ptprof_rec_run() { # key mode|folded output-file run
	local key=$1 rc=0 t0 t1 w0 w1 sum
	set_ptprof_rec "$2" "$3" "$REC_SECS"
	RCMD[$key]="$(shjoin "${CMD[@]}" | sed "s/\\.$4\\./.N./g") 2> $LOG/$key.N.stderr"
	OK=0
	say "bench: run $4/$REC_RUNS $key"
	w0=$(task_cpu_ns "$RPID" "$RWTID")
	t0=$(now_ns)
	timed_run "$LOG/$key.$4.times" /dev/null "$LOG/$key.$4.stderr" "${CMD[@]}" || rc=$?
	t1=$(now_ns)
	w1=$(task_cpu_ns "$RPID" "$RWTID")
	check_pid "run $4 of $key: $(shjoin "${CMD[@]}")" "$RPID" "$RTASKS"
	if [ "$rc" != 0 ]; then
		rfail "$key" "$(why "$rc" "$LOG/$key.$4.stderr")"
		return 0
	fi
	if ! sum=$(ptprof_summary "$LOG/$key.$4.stderr"); then
		rfail "$key" "no 'recorded ... (duration elapsed)' summary on stderr: $(head -c 600 "$LOG/$key.$4.stderr" | tr '\n' ' ')"
		return 0
	fi
	read -r SAMPLES THREADS TICKS MISSED _ <<<"$sum"
	rv "$key.cpu" "$(cpu_of "$LOG/$key.$4.times")"
	rv "$key.wall" "$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.3f", n / 1e9 }')"
	rv "$key.samples" "$SAMPLES"
	rv "$key.ticks" "$TICKS"
	rv "$key.missed" "$MISSED"
	rv "$key.threads" "$THREADS"
	rv "$key.workerfrac" "$(awk -v w=$((w1 - w0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.4f", w / t }')"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$4" "$key" "${RV[$key.cpu]##* }" "${RV[$key.wall]##* }" \
		"$SAMPLES" "$TICKS" "$MISSED" "${RV[$key.workerfrac]##* }" >>"$LOG/record.tsv"
	OK=1
}

# One perf record run (timed); sets OK=1 on success.
perf_rec_run() { # key data-file run
	local key=$1 rc=0 t0 t1 w0 w1 n
	set_perf_rec "$2" "$REC_SECS"
	RCMD[$key]="$(shjoin "${CMD[@]}") 2> $LOG/$key.N.stderr"
	OK=0
	say "bench: run $3/$REC_RUNS $key"
	w0=$(task_cpu_ns "$RPID" "$RWTID")
	t0=$(now_ns)
	timed_run "$LOG/$key.$3.times" /dev/null "$LOG/$key.$3.stderr" "${CMD[@]}" || rc=$?
	t1=$(now_ns)
	w1=$(task_cpu_ns "$RPID" "$RWTID")
	check_pid "run $3 of $key: $(shjoin "${CMD[@]}")" "$RPID" "$RTASKS"
	if [ "$rc" != 0 ]; then
		rfail "$key" "perf record: $(why "$rc" "$LOG/$key.$3.stderr")"
		return 0
	fi
	n=$(sed -n 's/.*Captured and wrote .*(\([0-9]*\) samples).*/\1/p' "$LOG/$key.$3.stderr" | tail -1)
	rv "$key.reccpu" "$(cpu_of "$LOG/$key.$3.times")"
	rv "$key.wall" "$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.3f", n / 1e9 }')"
	rv "$key.samples" "${n:-0}"
	rv "$key.workerfrac" "$(awk -v w=$((w1 - w0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.4f", w / t }')"
	printf '%s\t%s\t%s\t%s\t%s\t\t\t%s\n' "$3" "$key (record only)" "${RV[$key.reccpu]##* }" "${RV[$key.wall]##* }" \
		"${n:-0}" "${RV[$key.workerfrac]##* }" >>"$LOG/record.tsv"
	OK=1
}

# ---- the syscall rows: ptrace + process_vm_readv + wait4 calls per thread-sample
#
# A 5 s cpu-mode `ptprof record -v` at 99 Hz under strace -f -c (the recording
# runs in a thread of its own, hence -f), on the share target (ratio
# BENCH_SHARE_IDLE) and on the cost target (ratio BENCH_THREADS); the floor
# loop bench/floor.c under the same strace on the share target's worker.
# Denominator: the thread-samples for which a thread was stopped (ptprof:
# samples + "(no stack)" losses of its summary, the count its own -v figure
# divides by; floor: its "floor: N samples").  ptprof's own count (its -v
# line) is cross-checked with strace's: ptrace and process_vm_readv must
# agree; strace's wait4 also counts the waitpid(-1, WNOHANG) polls that find
# nothing, which ptprof's count leaves out.

SYS_SECS=5
SYS_FILTER=ptrace,process_vm_readv,wait4
SYS_MAX=6          # target: calls per thread-sample (strace's count)
SYS_FLOOR=5        # INTERRUPT, wait, GETREGS, process_vm_readv, CONT
declare -A SV SFAIL SCMD SDETAIL STGT
SKEYS=(sys-ptprof-share sys-floor sys-ptprof-cost)
for k in "${SKEYS[@]}"; do SFAIL[$k]=0 SDETAIL[$k]=; done
SNOTES=()
sv() { SV[$1]+=" $2"; }
sfail() { # key run message
	SFAIL[$1]=$((SFAIL[$1] + 1))
	SNOTES+=("$1 failed in run $2: $3")
}

# strace -c summary -> calls of one syscall (or of "total"); 0 if absent.
strace_calls() { # file syscall|total
	awk -v s="$2" '$NF == s && $1 ~ /^[0-9.]+$/ { n = $4 } END { print n + 0 }' "$1"
}
# ptprof -v stderr -> "SEIZE INTERRUPT WAIT GETREGS READV CONT DETACH PER" from
# "system calls on the target: 2 seize, 495 interrupt, ...; 5.0 per thread-sample".
ptprof_counts() {
	awk '/system calls on the target: / {
		line = $0; sub(/.*system calls on the target: /, "", line)
		n = split(line, w, /[ ,;]+/)
		for (i = 2; i <= n; i++) if (w[i - 1] ~ /^[0-9.]+$/) v[w[i]] = w[i - 1]
		ok = 1 }
	END { if (!ok || !("per" in v)) exit 1
	      printf "%d %d %d %d %d %d %d %s\n", v["seize"], v["interrupt"], v["wait"], v["getregs"],
		v["process_vm_readv"], v["cont/listen"], v["detach"], v["per"] }' "$1"
}
# ptprof stderr -> the "(no stack)" losses of its "lost:" line (0 if none).
ptprof_nostack() {
	awk '/ lost: / { for (i = 2; i <= NF; i++) if ($i == "(no") n = $(i - 1) } END { print n + 0 }' "$1"
}

# One strace run on the running ratio target (RPID, RWTID, RTASKS).
sys_run() { # key run
	local key=$1 r=$2 f=$LOG/$1.$2.strace rc=0 tot pt rd w4 n sum c own
	local se it wa gr pv co de pr
	local -a S=(strace -f -c -e "trace=$SYS_FILTER" -o "$f")
	case $key in
	sys-floor) CMD=(timeout "$RT" "${S[@]}" "$FLOOR_BIN" "$RPID" "$RWTID" "$SYS_SECS" "$REC_RATE") ;;
	*) CMD=(timeout "$RT" "${S[@]}" "${PTPROF_RECORD_WORDS[@]}" -v -p "$RPID" -d "$SYS_SECS" -r "$REC_RATE"
		-m cpu -o "$OUT/$key.$r.pb.gz") ;;
	esac
	SCMD[$key]="$(shjoin "${CMD[@]}" | sed "s/\\.$r\\./.N./g") > $LOG/$key.N.stdout 2> $LOG/$key.N.stderr"
	STGT[$key]="$RATIO_BIN $((RTASKS - 2)) (PID $RPID, worker TID $RWTID)"
	say "bench: run $r/$REC_RUNS $key"
	"${CMD[@]}" >"$LOG/$key.$r.stdout" 2>"$LOG/$key.$r.stderr" || rc=$?
	check_pid "run $r of $key: $(shjoin "${CMD[@]}")" "$RPID" "$RTASKS"
	if [ "$rc" != 0 ]; then
		sfail "$key" "$r" "$(why "$rc" "$LOG/$key.$r.stderr")"
		return 0
	fi
	tot=$(strace_calls "$f" total) pt=$(strace_calls "$f" ptrace)
	rd=$(strace_calls "$f" process_vm_readv) w4=$(strace_calls "$f" wait4)
	if [ "$key" = sys-floor ]; then
		n=$(sed -n 's/^floor: \([0-9]*\) samples$/\1/p' "$LOG/$key.$r.stdout")
		if ! is_uint "${n:-x}" || [ "$n" = 0 ] || [ "$tot" = 0 ]; then
			sfail "$key" "$r" "no sample count or no strace total (stdout: $(head -c 200 "$LOG/$key.$r.stdout" | tr '\n' ' '))"
			return 0
		fi
		SDETAIL[$key]="ptrace $pt, process_vm_readv $rd, wait4 $w4 = $tot calls / $n samples"
	else
		if ! sum=$(ptprof_summary "$LOG/$key.$r.stderr"); then
			sfail "$key" "$r" "no 'recorded ... (duration elapsed)' summary on stderr: $(head -c 400 "$LOG/$key.$r.stderr" | tr '\n' ' ')"
			return 0
		fi
		if ! c=$(ptprof_counts "$LOG/$key.$r.stderr"); then
			sfail "$key" "$r" "no 'system calls on the target' line on stderr (-v): $(head -c 400 "$LOG/$key.$r.stderr" | tr '\n' ' ')"
			return 0
		fi
		read -r n _ <<<"$sum"
		n=$((n + $(ptprof_nostack "$LOG/$key.$r.stderr")))
		read -r se it wa gr pv co de pr <<<"$c"
		if [ "$n" = 0 ] || [ "$tot" = 0 ]; then
			sfail "$key" "$r" "no thread-samples stopped, or no strace total"
			return 0
		fi
		own=$((se + it + wa + gr + pv + co + de))
		sv "$key.own" "$(awk -v a="$own" -v n="$n" 'BEGIN { printf "%.4f", a / n }')"
		sv "$key.printed" "$pr"
		sv "$key.seize" "$se"
		SDETAIL[$key]="strace: ptrace $pt, process_vm_readv $rd, wait4 $w4 = $tot calls; ptprof's -v line: $se seize, $it interrupt, $wa wait, $gr getregs, $pv process_vm_readv, $co cont/listen, $de detach = $own calls, printed $pr per thread-sample; $n thread-samples stopped"
		# Cross-checks of ptprof's own count against strace's.
		[ "$pt" = $((se + it + gr + co + de)) ] ||
			SNOTES+=("$key run $r: strace counted $pt ptrace calls, ptprof $((se + it + gr + co + de)) (seize + interrupt + getregs + cont/listen + detach)")
		[ "$rd" = "$pv" ] ||
			SNOTES+=("$key run $r: strace counted $rd process_vm_readv calls, ptprof $pv (ptprof counts only its stack reads; one more per record is its copy of the target's vDSO for symbols)")
		[ "$w4" -ge "$wa" ] ||
			SNOTES+=("$key run $r: strace counted fewer wait4 calls ($w4) than ptprof ($wa)")
		awk -v a="$own" -v n="$n" -v p="$pr" 'BEGIN { d = a / n - p; if (d < 0) d = -d; exit !(d > 0.051) }' &&
			SNOTES+=("$key run $r: ptprof printed $pr per thread-sample, but its counts add up to $own / $n stopped thread-samples = $(awk -v a="$own" -v n="$n" 'BEGIN { printf "%.2f", a / n }')")
		sv "$key.extrawait" "$((w4 - wa))"
	fi
	sv "$key.per" "$(awk -v a="$tot" -v n="$n" 'BEGIN { printf "%.4f", a / n }')"
	sv "$key.n" "$n"
	sv "$key.tot" "$tot"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$key" "$tot" "$pt" "$rd" "$w4" "$n" \
		"${SV[$key.per]##* }" "$( [ "$key" = sys-floor ] && echo - || echo "${SV[$key.own]##* }")" >>"$LOG/syscalls.tsv"
}

if [ "$REC_RUNS" -ge 1 ]; then
	REC_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	mkdir -p "$PERF_HOME"
	printf 'run\tkey\tcpu_s\twall_s\tsamples\tticks\tmissed\tworker_cpu_frac\n' >"$LOG/record.tsv"
	[ "$HAVE_STRACE" = 0 ] ||
		printf 'run\tkey\tstrace_total\tptrace\tprocess_vm_readv\twait4\tthread_samples_stopped\tstrace_per_sample\tptprof_own_per_sample\n' >"$LOG/syscalls.tsv"

	# ---- phase 1: shares, 1 busy + SHARE_IDLE idle threads
	start_ratio "$SHARE_IDLE"
	SHARE_PID=$RPID SHARE_TASKS=$RTASKS SHARE_WTID=$RWTID

	# Warm-up (untimed, 1 s): page cache, perf's build-id cache, and whether
	# perf works here at all.
	say "bench: warm-up ptprof record"
	set_ptprof_rec folded "$OUT/ptprof-warmup.folded" 1
	rc=0
	"${CMD[@]}" >/dev/null 2>"$LOG/ptprof-record.warmup.stderr" || rc=$?
	check_pid "warm-up of ptprof record" "$RPID" "$RTASKS"
	[ "$rc" = 0 ] || say "bench: WARNING: ptprof record warm-up failed: $(why "$rc" "$LOG/ptprof-record.warmup.stderr")"
	if [ -z "$PERF_NA" ]; then
		say "bench: warm-up perf record"
		set_perf_rec "$OUT/perf-warmup.data" 1
		rc=0
		"${CMD[@]}" >/dev/null 2>"$LOG/perf.warmup.stderr" || rc=$?
		check_pid "warm-up of perf record" "$RPID" "$RTASKS"
		if [ "$rc" != 0 ]; then
			PERF_NA="perf record fails here, perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo '?'): $(grep -v -e '^\[' -e '^Error:$' -e '^ *$' "$LOG/perf.warmup.stderr" | head -2 | tr '\n' ' ' | head -c 200 | sed 's/ *$//')"
		elif ! env HOME="$PERF_HOME" perf script -i "$OUT/perf-warmup.data" -F tid,ip,sym >"$OUT/perf-warmup.script" 2>"$LOG/perf-script.warmup.stderr"; then
			PERF_NA="perf script fails here: $(grep -m1 . "$LOG/perf-script.warmup.stderr" | head -c 200)"
		fi
		if [ -z "$PERF_NA" ]; then
			rc=0
			env HOME="$PERF_HOME" timeout 60 perf record -e cpu-clock --off-cpu -o "$WORK/offcpu.data" -- true \
				>/dev/null 2>"$LOG/perf-offcpu.probe.stderr" || rc=$?
			if [ "$rc" != 0 ]; then
				OFFCPU="no wall mode; perf record --off-cpu fails here"
			elif grep -q "off-cpu.*ignored.*BUILD_BPF_SKEL" "$LOG/perf-offcpu.probe.stderr"; then
				OFFCPU="no wall mode; this perf ignores --off-cpu: built without BUILD_BPF_SKEL=1"
			elif grep -qi "off-cpu.*ignored" "$LOG/perf-offcpu.probe.stderr"; then
				OFFCPU="no wall mode; this perf ignores --off-cpu"
			else
				OFFCPU="no wall mode; its --off-cpu (BPF off-CPU time) is not a wall-clock sampler and is not measured here"
			fi
		fi
		[ -z "$PERF_NA" ] || say "bench: perf: $PERF_NA"
	fi

	for r in $(seq 1 "$REC_RUNS"); do
		f=$OUT/ptprof-share.$r.folded
		ptprof_rec_run ptprof-share folded "$f" "$r"
		if [ "$OK" = 1 ]; then
			if s=$(share_folded "$f" "$RWTID"); then
				read -r n a b <<<"$s"
				rv ptprof-share.n "$n"
				rv ptprof-share.a "$a"
				rv ptprof-share.b "$b"
			else
				rfail ptprof-share "run $r: no samples of the worker (tid $RWTID) in $f"
			fi
		fi
		if [ -z "$PERF_NA" ]; then
			d=$OUT/perf-share.data
			perf_rec_run perf-share "$d" "$r"
			if [ "$OK" = 1 ]; then
				s=$OUT/perf-share.$r.script
				if ! env HOME="$PERF_HOME" perf script -i "$d" -F tid,ip,sym >"$s" 2>"$LOG/perf-share.$r.script.stderr"; then
					rfail perf-share "run $r: perf script failed: $(head -c 300 "$LOG/perf-share.$r.script.stderr" | tr '\n' ' ')"
				elif x=$(share_perf "$s" "$RWTID"); then
					read -r n a b <<<"$x"
					rv perf-share.n "$n"
					rv perf-share.a "$a"
					rv perf-share.b "$b"
				else
					rfail perf-share "run $r: no samples of the worker (tid $RWTID) in $s"
				fi
			fi
		fi
		if [ "$HAVE_STRACE" = 1 ]; then
			sys_run sys-ptprof-share "$r"
			sys_run sys-floor "$r"
		fi
	done
	check_pid "the last share run" "$RPID" "$RTASKS"
	stop_ratio

	# ---- phase 2: CPU cost and samples taken, 1 busy + NTHREADS idle threads
	start_ratio "$NTHREADS"
	COST_PID=$RPID COST_TASKS=$RTASKS COST_WTID=$RWTID
	for r in $(seq 1 "$REC_RUNS"); do
		ptprof_rec_run ptprof-cpu cpu "$OUT/ptprof-cpu.$r.pb.gz" "$r"
		ptprof_rec_run ptprof-wall wall "$OUT/ptprof-wall.$r.pb.gz" "$r"
		[ "$HAVE_STRACE" = 0 ] || sys_run sys-ptprof-cost "$r"
		[ -z "$PERF_NA" ] || continue
		d=$OUT/perf-cpu.data
		perf_rec_run perf-cpu "$d" "$r"
		if [ "$OK" = 1 ]; then
			rep=$OUT/perf-cpu.$r.report.txt
			RCMD[perf-report]="$(shjoin env HOME="$PERF_HOME" perf report -i "$d" --no-children --stdio | sed "s/\\.$r\\./.N./g") > $OUT/perf-cpu.N.report.txt"
			say "bench: run $r/$REC_RUNS perf-report"
			rc=0
			timed_run "$LOG/perf-report.$r.times" "$rep" "$LOG/perf-report.$r.stderr" \
				env HOME="$PERF_HOME" perf report -i "$d" --no-children --stdio || rc=$?
			if [ "$rc" != 0 ]; then
				rfail perf-cpu "run $r: perf report: $(why "$rc" "$LOG/perf-report.$r.stderr")"
				# the record half of this run is not used either
				RV[perf-cpu.reccpu]=${RV[perf-cpu.reccpu]% *} RV[perf-cpu.samples]=${RV[perf-cpu.samples]% *}
			else
				c=$(cpu_of "$LOG/perf-report.$r.times")
				rv perf-cpu.repcpu "$c"
				rv perf-cpu.cpu "$(awk -v a="${RV[perf-cpu.reccpu]##* }" -v b="$c" 'BEGIN { printf "%.3f", a + b }')"
				rv perf-cpu.lost "$(awk '/^# Total Lost Samples:/ { n = $NF } END { print n + 0 }' "$rep")"
			fi
		fi
	done
	check_pid "the last cost run" "$RPID" "$RTASKS"
	stop_ratio
	REC_LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

	# ---- output checks (first successful run of each)
	chk_file() { # key pattern: first existing output file
		local f
		for f in "$OUT/$1".*."$2"; do [ -s "$f" ] && { printf '%s' "$f"; return 0; }; done
		return 1
	}
	if f=$(chk_file ptprof-share folded); then
		RCHECK+=("ptprof, share row ($f): $(wc -l <"$f") folded lines, threads seen $(median "${RV[ptprof-share.threads]:-0}") of $SHARE_TASKS, worker lines with hot_a: $(grep -c "/$SHARE_WTID;.*;hot_a\\b" "$f" || true), with hot_b: $(grep -c "/$SHARE_WTID;.*;hot_b\\b" "$f" || true)")
	fi
	if [ "$HAVE_GO" = 1 ]; then
		for k in ptprof-cpu ptprof-wall; do
			f=$(chk_file "$k" pb.gz) || continue
			top=$("${GO_ENV[@]}" go tool pprof -top -nodecount=40 "$f" 2>&1) || true
			raw=$("${GO_ENV[@]}" go tool pprof -raw "$f" 2>&1 | sed -n '/^Samples:/{n;p;q}') || true
			msg="go tool pprof -top $f: $(printf '%s\n' "$top" | grep -m1 '^Type:' || echo 'no Type: line'); sample types: '${raw# }'"
			for fn in hot_a hot_b ratio_idle_block; do
				l=$(printf '%s\n' "$top" | awk -v f="$fn" '$NF == f { print $(NF-1); exit }')
				msg+="; $fn cum ${l:-absent}"
			done
			RCHECK+=("$k: $msg")
		done
	else
		RCHECK+=("go not installed: pprof files not checked with go tool pprof")
	fi
	if [ -z "$PERF_NA" ] && f=$(chk_file perf-cpu report.txt); then
		RCHECK+=("perf, cost row ($f): hot_a $(awk '$NF == "hot_a" { print $1; exit }' "$f"), hot_b $(awk '$NF == "hot_b" { print $1; exit }' "$f") self overhead")
	fi
fi

# ------------------------------------------------ the target-side rows --
#
# Three more rows, each on its own small target (the others are gone by then):
#   8. stall a spinning target thread sees per sample (bench/spinner.c):
#      ptprof record cpu mode vs bench/floor.c (the least a ptrace sampler
#      does) vs perf record
#   9. peak RSS of a BENCH_RSS_SHORT s and a BENCH_RSS_LONG s record at 999 Hz
#      (bench/ratio.c with BENCH_SHARE_IDLE idle threads), ptprof vs perf
#  10. EINTRs a thread looping on epoll_wait(-1) sees (bench/epoll.c) during a
#      ptprof record in cpu and in wall mode
# Each figure is one run (BENCH_STALL_RUNS for row 8, median).

X_ROWS=${BENCH_TARGET_ROWS:-1}
X_SECS=5
STALL_RUNS=${BENCH_STALL_RUNS:-1}
RSS_SHORT=${BENCH_RSS_SHORT:-10}
RSS_LONG=${BENCH_RSS_LONG:-60}
RSS_RATE=999
is_uint "$STALL_RUNS" && [ "$STALL_RUNS" -ge 1 ] || die "BENCH_STALL_RUNS must be a positive integer, not '$STALL_RUNS'"
is_uint "$RSS_SHORT" && [ "$RSS_SHORT" -ge 1 ] || die "BENCH_RSS_SHORT must be a positive integer, not '$RSS_SHORT'"
is_uint "$RSS_LONG" && [ "$RSS_LONG" -ge 1 ] || die "BENCH_RSS_LONG must be a positive integer, not '$RSS_LONG'"
declare -A XV XCMD XFAIL
XFAIL_PTPROF=0
XNOTES=()
xfail() { # tool message
	case $1 in *ptprof*) XFAIL_PTPROF=1 ;; esac
	XFAIL[$1]=${XFAIL[$1]:-$2}
	XNOTES+=("$1 failed: $2")
}
xv() { XV[$1]+=" $2"; }

APID='' ALINE=''
start_aux() { # binary args...: sets APID, ALINE ("ready ..." line)
	local line=
	rm -f "$WORK/ain" "$WORK/aout"
	mkfifo "$WORK/ain" "$WORK/aout"
	"$@" <"$WORK/ain" >"$WORK/aout" 2>"$LOG/$(basename "$1").stderr" &
	APID=$!
	exec 7>"$WORK/ain" 8<"$WORK/aout"
	read -r -t 120 -u 8 line || true
	case $line in
	"ready "*) ALINE=$line ;;
	*) die "$1 did not get ready: '$line' $(cat "$LOG/$(basename "$1").stderr")" ;;
	esac
}
stop_aux() {
	exec 7>&- 8<&-
	stop_pid "$APID"
	APID=
}
aux_cmd() {
	local answer=
	printf '%s\n' "$1" >&7 2>/dev/null || return 1
	read -r -t 30 -u 8 answer || return 1
	printf '%s\n' "$answer"
}
aux_stall_sum() { # -> sum of gaps > 20 us since the last reset (ns)
	local -a rep
	read -r -a rep <<<"$(aux_cmd report)"
	[ "${rep[0]:-}" = stall ] || die "spinner sent '${rep[*]}' instead of a stall report (dead, stopped or stuck?)"
	printf '%s\n' "${rep[2]}"
}

if [ "$X_ROWS" = 1 ]; then
	SPIN_BIN=$BD/spinner EPOLL_BIN=$BD/epoll
	[ -x "$RATIO_BIN" ] || gcc -O1 -g -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -pthread -o "$RATIO_BIN" bench/ratio.c ||
		die "could not build bench/ratio.c"
	xs=(spinner epoll)
	[ "$REC_RUNS" -ge 1 ] || xs+=(floor)  # built at set-up otherwise
	for x in "${xs[@]}"; do
		gcc -O2 -g -std=gnu11 -Wall -Wextra -pthread -o "$BD/$x" "bench/$x.c" || die "could not build bench/$x.c"
	done
	X_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	PERF_X_NA=$PERF_NA
	command -v perf >/dev/null 2>&1 || PERF_X_NA="not installed"
	mkdir -p "$PERF_HOME"

	# ---- row 8: stall per sample
	start_aux "$SPIN_BIN"
	read -r _ SPIN_TASKS SPIN_TID <<<"$ALINE"
	SPIN_PID=$APID
	check_pid "start-up of $SPIN_BIN" "$SPIN_PID" "$SPIN_TASKS"
	say "bench: spinner pid $SPIN_PID ready (spinning tid $SPIN_TID)"
	printf 'run\ttool\twall_ns\tstall_sum_ns\tbaseline_sum_ns\tsamples\n' >"$LOG/stall.tsv"
	for r in $(seq 1 "$STALL_RUNS"); do
		for t in ptprof floor perf; do
			[ "$t" != perf ] || [ -z "$PERF_X_NA" ] || continue
			case $t in
			ptprof) CMD=(timeout "$RT" "${PTPROF_RECORD_WORDS[@]}" -p "$SPIN_PID" -d "$X_SECS" -r "$REC_RATE" -m cpu -o "$OUT/stall-ptprof.$r.pb.gz") ;;
			floor) CMD=(timeout "$RT" "$FLOOR_BIN" "$SPIN_PID" "$SPIN_TID" "$X_SECS" "$REC_RATE") ;;
			perf) CMD=(timeout "$RT" env HOME="$PERF_HOME" perf record -e cpu-clock --call-graph dwarf -F "$REC_RATE"
				-p "$SPIN_PID" -o "$OUT/stall-perf.data" -- sleep "$X_SECS") ;;
			esac
			XCMD[stall-$t]="$(shjoin "${CMD[@]}" | sed "s/\\.$r\\./.N./g") > $LOG/stall-$t.N.stdout 2> $LOG/stall-$t.N.stderr"
			say "bench: run $r/$STALL_RUNS stall $t"
			[ "$(aux_cmd reset)" = ok ] || die "spinner did not acknowledge 'reset'"
			rc=0
			t0=$(now_ns)
			"${CMD[@]}" >"$LOG/stall-$t.$r.stdout" 2>"$LOG/stall-$t.$r.stderr" || rc=$?
			t1=$(now_ns)
			s=$(aux_stall_sum)
			check_pid "stall run $r of $t: $(shjoin "${CMD[@]}")" "$SPIN_PID" "$SPIN_TASKS"
			[ "$(aux_cmd reset)" = ok ] || die "spinner did not acknowledge 'reset'"
			sleep "$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.6f", n / 1e9 }')"
			b=$(aux_stall_sum)
			if [ "$rc" != 0 ]; then
				xfail "stall-$t" "$(why "$rc" "$LOG/stall-$t.$r.stderr")"
				[ "$t" = ptprof ] && XFAIL_PTPROF=1
				continue
			fi
			n=
			case $t in
			ptprof) sum=$(ptprof_summary "$LOG/stall-$t.$r.stderr") && read -r n _ <<<"$sum" ;;
			floor) n=$(sed -n 's/^floor: \([0-9]*\) samples$/\1/p' "$LOG/stall-$t.$r.stdout") ;;
			perf) n=$(env HOME="$PERF_HOME" perf script -i "$OUT/stall-perf.data" -F tid 2>"$LOG/stall-perf.$r.script.stderr" | grep -c '[0-9]' || true) ;;
			esac
			if ! is_uint "${n:-x}" || [ "$n" = 0 ]; then
				xfail "stall-$t" "run $r: no sample count (stdout: $(head -c 200 "$LOG/stall-$t.$r.stdout" | tr '\n' ' '); stderr: $(tail -c 300 "$LOG/stall-$t.$r.stderr" | tr '\n' ' '))"
				[ "$t" = ptprof ] && XFAIL_PTPROF=1
				continue
			fi
			xv "stall-$t.sum" "$s"
			xv "stall-$t.base" "$b"
			xv "stall-$t.n" "$n"
			xv "stall-$t.per" "$(awk -v s="$s" -v b="$b" -v n="$n" 'BEGIN { printf "%.0f", (s - b) / n }')"
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$t" $((t1 - t0)) "$s" "$b" "$n" >>"$LOG/stall.tsv"
		done
	done
	check_pid "the last stall run" "$SPIN_PID" "$SPIN_TASKS"
	stop_aux

	# ---- row 9: peak RSS
	start_ratio "$SHARE_IDLE"
	RSS_PID=$RPID RSS_TASKS=$RTASKS
	for d in "$RSS_SHORT" "$RSS_LONG"; do
		for t in ptprof perf; do
			[ "$t" != perf ] || [ -z "$PERF_X_NA" ] || continue
			case $t in
			ptprof) CMD=(timeout $((d + TIMEOUT)) "${PTPROF_RECORD_WORDS[@]}" -p "$RSS_PID" -d "$d" -r "$RSS_RATE" -o "$OUT/rss-ptprof.$d.pb.gz") ;;
			perf) CMD=(timeout $((d + TIMEOUT)) env HOME="$PERF_HOME" perf record -e cpu-clock --call-graph dwarf -F "$RSS_RATE"
				-p "$RSS_PID" -o "$OUT/rss-perf.$d.data" -- sleep "$d") ;;
			esac
			XCMD[rss-$t-$d]="$(shjoin /usr/bin/time -f %M -o "$LOG/rss-$t.$d.time" "${CMD[@]}") > /dev/null 2> $LOG/rss-$t.$d.stderr"
			say "bench: peak RSS $t, $d s at $RSS_RATE Hz"
			rc=0
			/usr/bin/time -f %M -o "$LOG/rss-$t.$d.time" "${CMD[@]}" >/dev/null 2>"$LOG/rss-$t.$d.stderr" || rc=$?
			check_pid "peak RSS run of $t ($d s): $(shjoin "${CMD[@]}")" "$RSS_PID" "$RSS_TASKS"
			m=$(tail -1 "$LOG/rss-$t.$d.time" 2>/dev/null || true)
			if [ "$rc" != 0 ] || ! is_uint "${m:-x}"; then
				xfail "rss-$t" "$d s: $(why "$rc" "$LOG/rss-$t.$d.stderr")"
				continue
			fi
			XV[rss-$t.$d]=$m
			if [ "$t" = ptprof ] && sum=$(ptprof_summary "$LOG/rss-$t.$d.stderr"); then
				read -r n _ tk ms _ <<<"$sum"
				XV[rss-$t.$d.note]="$n samples, $ms ticks missed"
			elif [ "$t" = perf ]; then
				n=$(sed -n 's/.*Captured and wrote \([0-9.]* MB\).*(\([0-9]*\) samples).*/\2 samples, \1 written/p' "$LOG/rss-$t.$d.stderr" | tail -1)
				XV[rss-$t.$d.note]=$n
			fi
		done
	done
	check_pid "the last peak RSS run" "$RSS_PID" "$RSS_TASKS"
	stop_ratio

	# ---- row 10: EINTRs in epoll_wait
	start_aux "$EPOLL_BIN"
	read -r _ EP_TASKS EP_TID EP_BUSY <<<"$ALINE"
	EP_PID=$APID
	check_pid "start-up of $EPOLL_BIN" "$EP_PID" "$EP_TASKS"
	say "bench: epoll target pid $EP_PID ready (epoll_wait tid $EP_TID, busy tid $EP_BUSY)"
	for m in baseline cpu wall; do
		[ "$(aux_cmd reset)" = ok ] || die "epoll target did not acknowledge 'reset'"
		if [ "$m" = baseline ]; then
			say "bench: EINTR baseline ($X_SECS s, no tool)"
			sleep "$X_SECS"
		else
			CMD=(timeout "$RT" "${PTPROF_RECORD_WORDS[@]}" -p "$EP_PID" -d "$X_SECS" -r "$REC_RATE" -m "$m" -o "$OUT/eintr-$m.pb.gz")
			XCMD[eintr-$m]="$(shjoin "${CMD[@]}") 2> $LOG/eintr-$m.stderr"
			say "bench: EINTR ptprof $m mode"
			rc=0
			"${CMD[@]}" >/dev/null 2>"$LOG/eintr-$m.stderr" || rc=$?
		fi
		read -r -a REP <<<"$(aux_cmd report)"
		[ "${REP[0]:-}" = eintr ] || die "epoll target sent '${REP[*]}' instead of an eintr report (dead, stopped or stuck?)"
		check_pid "EINTR run ($m)" "$EP_PID" "$EP_TASKS"
		if [ "$m" != baseline ]; then
			if [ "$rc" != 0 ]; then
				xfail "eintr-$m" "$(why "$rc" "$LOG/eintr-$m.stderr")"
				XFAIL_PTPROF=1
				continue
			fi
			sum=$(ptprof_summary "$LOG/eintr-$m.stderr") && read -r n _ <<<"$sum" || n='?'
			XV[eintr-$m.samples]=$n
		fi
		XV[eintr-$m]=${REP[1]} XV[eintr-$m.other]=${REP[2]}
	done
	stop_aux
	X_LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
fi

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
		"${MT_PID:-$TPID}" "$TARGET_BIN" "$NTHREADS"
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


# ----------------------------------------------------- the record report --

pct() { awk -v x="$1" 'BEGIN { printf "%.1f%%", x }'; }
# The values of one key, or nothing.
vals() { printf '%s' "${RV[$1]:-}"; }
rfailnote() { # key
	[ "${RFAIL[$1]}" = 0 ] || printf ' (%d/%d runs failed)' "${RFAIL[$1]}" "$REC_RUNS"
}
perf_na() { [ -n "$PERF_NA" ] && printf 'n/a (%s)' "$PERF_NA"; }
no_vals() { # key-of-a-value-list
	[ -z "$(vals "$1" | tr -d ' ')" ] && printf 'failed (all %s runs, see below)' "$REC_RUNS"
}

share_cell() { # ptprof|perf
	local t=$1
	[ "$t" = ptprof ] || ! perf_na || return 0
	no_vals "$t-share.a" && return 0
	# shellcheck disable=SC2046
	printf '%s / %s (%s worker samples)' "$(pct "$(median_f $(vals "$t-share.a"))")" \
		"$(pct "$(median_f $(vals "$t-share.b"))")" "$(median $(vals "$t-share.n"))"
	rfailnote "$t-share"
}
share_diff_cell() { # ptprof|perf
	local t=$1 ma mb n
	[ "$t" = ptprof ] || ! perf_na || return 0
	no_vals "$t-share.a" && return 0
	# shellcheck disable=SC2046
	ma=$(median_f $(vals "$t-share.a")) mb=$(median_f $(vals "$t-share.b")) n=$(median $(vals "$t-share.n"))
	awk -v a="$ma" -v b="$mb" -v n="$n" -v runs="$(vals "$t-share.a")" 'BEGIN {
		da = a - 25; if (da < 0) da = -da
		db = b - 75; if (db < 0) db = -db
		k = split(runs, r, " "); s = ""
		for (i = 1; i <= k; i++) { d = r[i] - 25; if (d < 0) d = -d; s = s (i > 1 ? ", " : "") sprintf("%.1f", d) }
		printf "%.1f / %.1f points (hot_a per run: %s; 1 σ sampling noise at %d samples: %.1f)",
			da, db, s, n, 100 * sqrt(0.25 * 0.75 / n) }'
}
cpu_cell() { # key
	local k=$1 m
	[ "$k" != perf-cpu ] || ! perf_na || return 0
	no_vals "$k.cpu" && return 0
	# shellcheck disable=SC2046
	m=$(median_f $(vals "$k.cpu"))
	awk -v m="$m" -v s="$REC_SECS" 'BEGIN { printf "%.2f s = %.3f CPU-s per s of profile", m, m / s }'
	if [ "$k" = perf-cpu ]; then
		# shellcheck disable=SC2046
		printf ' (record %.2f s + report %.2f s)' "$(median_f $(vals perf-cpu.reccpu))" "$(median_f $(vals perf-cpu.repcpu))"
	fi
	rfailnote "$k"
}
cpu_ratio() {
	[ -z "$PERF_NA" ] && [ -n "$(vals ptprof-cpu.cpu | tr -d ' ')" ] && [ -n "$(vals perf-cpu.cpu | tr -d ' ')" ] || {
		printf '—'
		return 0
	}
	# shellcheck disable=SC2046
	fmt_ratio "$(median_f $(vals ptprof-cpu.cpu))" "$(median_f $(vals perf-cpu.cpu))"
}
# Wall-mode CPU time / cpu-mode CPU time (medians; the runs are interleaved,
# so the per-run ratios are shown too).  Target: at most 2x.
WALL_CPU_MAX=2
wall_cpu_cell() {
	local c w
	c=$(vals ptprof-cpu.cpu | tr -d ' ') w=$(vals ptprof-wall.cpu | tr -d ' ')
	[ -n "$c" ] && [ -n "$w" ] || { printf 'n/a (a mode failed in every run)'; return 0; }
	# shellcheck disable=SC2046
	awk -v c="$(median_f $(vals ptprof-cpu.cpu))" -v w="$(median_f $(vals ptprof-wall.cpu))" \
		-v cs="$(vals ptprof-cpu.cpu)" -v ws="$(vals ptprof-wall.cpu)" -v max="$WALL_CPU_MAX" \
		-v paired=$(( RFAIL[ptprof-cpu] + RFAIL[ptprof-wall] == 0 )) 'BEGIN {
		if (c <= 0) { printf "n/a (cpu mode used no CPU time)"; exit }
		printf "%.2f× (%.2f s / %.2f s; target ≤ %g×: %s)", w / c, w, c, max, (w / c <= max ? "met" : "NOT met")
		k = split(cs, a, " "); l = split(ws, b, " ")
		if (paired && k == l && k > 1) {
			s = ""
			for (i = 1; i <= k; i++) s = s (i > 1 ? ", " : "") (a[i] > 0 ? sprintf("%.2f×", b[i] / a[i]) : "—")
			printf "; per run: %s", s
		} }'
}
samples_cell() { # key
	local k=$1
	[ "$k" != perf-cpu ] || ! perf_na || return 0
	no_vals "$k.samples" && return 0
	# shellcheck disable=SC2046
	awk -v n="$(median $(vals "$k.samples"))" -v s="$REC_SECS" -v k="$k" -v rate="$REC_RATE" -v tasks="$COST_TASKS" \
		-v tk="$(median $(vals "$k.ticks") 2>/dev/null || echo 0)" -v ms="$(median $(vals "$k.missed") 2>/dev/null || echo 0)" \
		-v lost="$(median $(vals "$k.lost") 2>/dev/null || echo 0)" -v wf="$(median_f $(vals "$k.workerfrac"))" 'BEGIN {
		if (k == "ptprof-wall")
			printf "%.0f/s of %d possible (%d tasks × %d Hz); %d samples, %d ticks taken, %d missed (%.0f%%)",
				n / s, tasks * rate, tasks, rate, n, tk, ms, (tk + ms > 0 ? 100 * ms / (tk + ms) : 0)
		else if (k == "ptprof-cpu")
			printf "%.1f/s (worker on a CPU %.0f%% of the run: ≈ %.0f/s possible); %d samples, %d ticks taken, %d missed (%.0f%%)",
				n / s, 100 * wf, rate * wf, n, tk, ms, (tk + ms > 0 ? 100 * ms / (tk + ms) : 0)
		else
			printf "%.1f/s (worker on a CPU %.0f%% of the run: ≈ %.0f/s possible); %d samples, %d lost",
				n / s, 100 * wf, rate * wf, n, lost
	}'
	rfailnote "$k"
}
samples_ratio() {
	[ -z "$PERF_NA" ] && [ -n "$(vals ptprof-cpu.samples | tr -d ' ')" ] && [ -n "$(vals perf-cpu.samples | tr -d ' ')" ] || {
		printf '—'
		return 0
	}
	# shellcheck disable=SC2046
	fmt_ratio "$(median $(vals ptprof-cpu.samples))" "$(median $(vals perf-cpu.samples))"
}

# Anything a reader should not miss, found from the figures.
record_warnings() {
	local t k m v
	for t in ptprof perf; do
		[ "$t" = ptprof ] || [ -z "$PERF_NA" ] || continue
		v=$(vals "$t-share.a" | tr -d ' ')
		[ -n "$v" ] || continue
		# shellcheck disable=SC2046
		m=$(median_f $(vals "$t-share.a"))
		awk -v m="$m" 'BEGIN { d = m - 25; if (d < 0) d = -d; exit !(d > 2) }' &&
			printf -- '- %s: median hot_a share %s is more than 2 points from the truth (25%%)\n' "$t" "$(pct "$m")"
		# shellcheck disable=SC2046
		for v in $(vals "$t-share.a"); do
			awk -v m="$v" 'BEGIN { d = m - 25; if (d < 0) d = -d; exit !(d > 2) }' &&
				printf -- '- %s: one run'"'"'s hot_a share, %s, is more than 2 points from the truth (1 σ of sampling noise at %s samples: %s points)\n' \
					"$t" "$(pct "$v")" "$(median $(vals "$t-share.n"))" \
					"$(awk -v n="$(median $(vals "$t-share.n"))" 'BEGIN { printf "%.1f", 100 * sqrt(0.25 * 0.75 / n) }')"
		done
	done
	for k in ptprof-share ptprof-cpu ptprof-wall; do
		v=$(vals "$k.missed" | tr -d ' ')
		[ -n "$v" ] || continue
		# shellcheck disable=SC2046
		m=$(printf '%s\n' $(vals "$k.missed") | awk '{ s += $1 } END { print s + 0 }')
		# shellcheck disable=SC2046
		[ "$m" = 0 ] || printf -- '- %s: ptprof missed ticks, per run: %s (of %s ticks per %s s run; "ptprof too slow for the rate")\n' \
			"$k" "$(vals "$k.missed" | sed 's/^ //; s/ /, /g')" "$((REC_SECS * REC_RATE))" "$REC_SECS"
	done
	if [ -z "$PERF_NA" ] && [ -n "$(vals ptprof-cpu.workerfrac | tr -d ' ')" ] && [ -n "$(vals perf-cpu.workerfrac | tr -d ' ')" ]; then
		# shellcheck disable=SC2046
		awk -v a="$(median_f $(vals ptprof-cpu.workerfrac))" -v b="$(median_f $(vals perf-cpu.workerfrac))" 'BEGIN {
			if (b - a > 0.1 || a - b > 0.1)
				printf "- the busy worker ran on a CPU %.0f%% of the time while ptprof recorded in cpu mode, %.0f%% while perf did (on %d CPUs; other load on the machine counts too)\n", 100 * a, 100 * b, '"$(nproc)"' }'
	fi
	if [ -z "$PERF_NA" ]; then
		# shellcheck disable=SC2046
		m=$(printf '%s\n' $(vals perf-cpu.lost) | awk '{ s += $1 } END { print s + 0 }')
		[ "$m" = 0 ] || printf -- '- perf lost samples: %s\n' "$(vals perf-cpu.lost)"
	fi
	for k in "${RKEYS[@]}"; do
		[ "${RFAIL[$k]}" = 0 ] || printf -- '- %s failed %d of %d runs; first: %s\n' "$k" "${RFAIL[$k]}" "$REC_RUNS" "${RFAILMSG[$k]}"
	done
}

report_record() {
	[ "$REC_RUNS" -ge 1 ] || return 0
	local perfv w
	perfv=$( [ "$PERF_NA" != "not installed" ] && perf --version 2>&1 | head -1 || echo 'perf: not installed')
	printf '\n## ptprof record vs perf record: %s s profiles at %s Hz, median of %s interleaved runs\n\n' \
		"$REC_SECS" "$REC_RATE" "$REC_RUNS"
	printf 'Target %s (bench/ratio.c): one worker thread calls hot_a(1) and hot_b(3) in a loop, with the same loop\n' "$RATIO_BIN"
	printf 'body, so the truth is hot_a 25%%, hot_b 75%% of its CPU; idle threads (64 KiB stacks; %s for the share row,\n' "$SHARE_IDLE"
	printf '%s for the others) block in pthread_cond_wait.  The dump target is stopped before these runs.\n' "$NTHREADS"
	printf '%s, %s CPUs; load average (1/5/15 min) at' "$perfv" "$(nproc)"
	printf ' start of the record runs %s, at end %s.\n\n' "$REC_LOAD_START" "$REC_LOAD_END"
	printf '| | ptprof record | perf record | ptprof / perf |\n'
	printf '|---|---:|---:|---:|\n'
	printf '| share of hot_a / hot_b in the worker'"'"'s samples (truth 25.0%% / 75.0%%), 1 busy + %s idle threads | %s | %s | — |\n' \
		"$SHARE_IDLE" "$(share_cell ptprof)" "$(share_cell perf)"
	printf '| ↳ absolute difference of those medians from the truth (hot_a / hot_b) | %s | %s | — |\n' \
		"$(share_diff_cell ptprof)" "$(share_diff_cell perf)"
	printf '| profiler CPU time (user+sys) for a %s s profile at %s Hz, cpu mode, 1 busy + %s idle threads | %s | %s | %s |\n' \
		"$REC_SECS" "$REC_RATE" "$NTHREADS" "$(cpu_cell ptprof-cpu)" "$(cpu_cell perf-cpu)" "$(cpu_ratio)"
	printf '| profiler CPU time (user+sys), wall mode, 1 busy + %s idle threads | %s | n/a (%s) | — |\n' \
		"$NTHREADS" "$(cpu_cell ptprof-wall)" "$OFFCPU"
	printf '| ↳ wall / cpu: profiler CPU time of wall mode / that of cpu mode, 1 busy + %s idle threads | %s | — | — |\n' \
		"$NTHREADS" "$(wall_cpu_cell)"
	printf '| samples per second actually taken, cpu mode, 1 busy + %s idle threads | %s | %s | %s |\n' \
		"$NTHREADS" "$(samples_cell ptprof-cpu)" "$(samples_cell perf-cpu)" "$(samples_ratio)"
	printf '| samples per second actually taken, wall mode, 1 busy + %s idle threads | %s | n/a (no wall mode) | — |\n' \
		"$NTHREADS" "$(samples_cell ptprof-wall)"

	printf '\nCommands (DEBUGINFOD_URLS unset; N = run number; runs interleaved in this order within each row group):\n\n'
	printf -- '- share row: target `%s %s` (PID %s, worker TID %s)\n' "$RATIO_BIN" "$SHARE_IDLE" "$SHARE_PID" "$SHARE_WTID"
	printf '  - ptprof: `%s`\n' "${RCMD[ptprof-share]:-not run}"
	if [ -z "$PERF_NA" ]; then
		printf '  - perf: `%s`, then `%s`\n' "${RCMD[perf-share]:-not run}" \
			"$(shjoin env HOME="$PERF_HOME" perf script -i "$OUT/perf-share.data" -F tid,ip,sym) > $OUT/perf-share.N.script"
	fi
	printf '  - share = samples of the worker TID (ptprof: folded lines whose root frame is NAME/TID; perf: samples with that\n'
	printf '    tid) with a hot_a (hot_b) frame anywhere on the stack / all samples of the worker TID (cumulative share).\n'
	printf -- '- CPU-time and samples rows: target `%s %s` (PID %s, worker TID %s)\n' "$RATIO_BIN" "$NTHREADS" "$COST_PID" "$COST_WTID"
	printf '  - ptprof cpu mode: `%s`\n' "${RCMD[ptprof-cpu]:-not run}"
	printf '  - ptprof wall mode: `%s`\n' "${RCMD[ptprof-wall]:-not run}"
	if [ -z "$PERF_NA" ]; then
		printf '  - perf: `%s`, then `%s` (CPU time of both added)\n' "${RCMD[perf-cpu]:-not run}" "${RCMD[perf-report]:-not run}"
	fi
	printf -- '- CPU time: bash `times` in a subshell that ran the command: user+sys of everything it waited for\n'
	printf '  (timeout(1), the profiler, for perf also its `sleep`).  perf runs with HOME set to a scratch directory so that its\n'
	printf '  build-id cache (filled by an untimed 1 s warm-up run) does not touch ~/.debug.\n'
	printf -- '- samples: ptprof'"'"'s stderr summary ("recorded ... N samples from T threads, K ticks" and "lost: ... M ticks\n'
	printf '  missed"); perf: "(N samples)" from perf record'"'"'s stderr, lost from "# Total Lost Samples" of perf report;\n'
	printf '  per second = N / %s.  "worker on a CPU": the worker'"'"'s /proc/PID/task/TID/schedstat run time gained during\n' "$REC_SECS"
	printf '  the command / the command'"'"'s wall time, × %s Hz = the samples a cpu-mode profiler could take.\n' "$REC_RATE"
	printf -- '- every run'"'"'s figures: %s; profiles in %s; stderr of every run in %s\n' "$LOG/record.tsv" "$OUT" "$LOG"

	printf '\nOutput check:\n\n'
	for w in "${RCHECK[@]}"; do printf -- '- %s\n' "$w"; done
	[ -n "$PERF_NA" ] && printf -- '- perf: %s\n' "$PERF_NA"

	w=$(record_warnings)
	if [ -n "$w" ]; then
		printf '\nNotes and failures (record rows):\n\n%s\n' "$w"
	fi
}


# ------------------------------------------------------ the syscall report --

svals() { printf '%s' "${SV[$1]:-}"; }
shave() { [ -n "$(svals "$1" | tr -d ' ')" ]; }
sfailnote() { # key
	[ "${SFAIL[$1]}" = 0 ] || printf ' (%d/%d runs failed)' "${SFAIL[$1]}" "$REC_RUNS"
}
sys_cell() { # key what(per|own|extra|seize)
	local k=$1
	case $2 in
	per)
		shave "$k.per" || { printf 'failed (all %s runs, see below)' "$REC_RUNS"; return 0; }
		# shellcheck disable=SC2046
		awk -v p="$(median_f $(svals "$k.per"))" -v t="$(median $(svals "$k.tot"))" -v n="$(median $(svals "$k.n"))" \
			'BEGIN { printf "%.2f (medians: %d calls, %d thread-samples stopped)", p, t, n }'
		sfailnote "$k" ;;
	own)
		shave "$k.own" || { printf '—'; return 0; }
		# shellcheck disable=SC2046
		printf '%.2f (it printed: %s)' "$(median_f $(svals "$k.own"))" "$(svals "$k.printed" | sed 's/^ //; s/ /, /g')" ;;
	extra)
		shave "$k.extrawait" || { printf '—'; return 0; }
		# shellcheck disable=SC2046
		awk -v e="$(median $(svals "$k.extrawait"))" -v n="$(median $(svals "$k.n"))" \
			'BEGIN { printf "%.2f (%d calls)", e / n, e }' ;;
	seize)
		shave "$k.seize" || { printf '—'; return 0; }
		svals "$k.seize" | sed 's/^ //; s/ /, /g' ;;
	esac
}
report_syscalls() {
	[ "$REC_RUNS" -ge 1 ] || return 0
	local k w
	printf '\n## ptrace + process_vm_readv + wait4 calls per thread-sample: %s s cpu-mode records at %s Hz under strace, median of %s interleaved runs\n\n' \
		"$SYS_SECS" "$REC_RATE" "$REC_RUNS"
	if [ "$HAVE_STRACE" = 0 ]; then
		printf 'Not measured: strace is not installed.\n'
		return 0
	fi
	printf 'Same targets as the record rows (run in the same loops, after the share and the CPU-cost runs).  The figure\n'
	printf 'compared with the target (≤ %s) is strace'"'"'s: every ptrace, process_vm_readv and wait4 call any thread of ptprof\n' "$SYS_MAX"
	printf 'made / the thread-samples for which a thread was stopped.  ptprof'"'"'s own count (the -v line) is shown beside it:\n'
	printf 'it counts one wait per stop and leaves out the waitpid(-1, WNOHANG) polls that find nothing, which strace counts.\n\n'
	printf '| | ptprof record, 1 busy + %s idle threads | ptprof record, 1 busy + %s idle threads | floor (bench/floor.c), 1 busy + %s idle threads |\n' \
		"$SHARE_IDLE" "$NTHREADS" "$SHARE_IDLE"
	printf '|---|---:|---:|---:|\n'
	printf '| calls per thread-sample counted by strace -f -c (compared with the target: ≤ %s; floor %s) | %s | %s | %s |\n' \
		"$SYS_MAX" "$SYS_FLOOR" "$(sys_cell sys-ptprof-share per)" "$(sys_cell sys-ptprof-cost per)" "$(sys_cell sys-floor per)"
	printf '| calls per thread-sample counted by ptprof itself (its -v line; same denominator) | %s | %s | — |\n' \
		"$(sys_cell sys-ptprof-share own)" "$(sys_cell sys-ptprof-cost own)"
	printf '| ↳ wait4 calls strace counted beyond ptprof'"'"'s count, per thread-sample | %s | %s | — |\n' \
		"$(sys_cell sys-ptprof-share extra)" "$(sys_cell sys-ptprof-cost extra)"
	printf '| threads seized (per run; %s resp. %s tasks in the target) | %s | %s | 1 |\n' \
		"$((SHARE_IDLE + 2))" "$((NTHREADS + 2))" "$(sys_cell sys-ptprof-share seize)" "$(sys_cell sys-ptprof-cost seize)"

	printf '\nCommands (N = run number; stdout and stderr of every run in %s):\n\n' "$LOG"
	for k in sys-ptprof-share sys-ptprof-cost sys-floor; do
		[ -n "${SCMD[$k]:-}" ] || continue
		printf -- '- %s, target `%s`: `%s`\n' "$k" "${STGT[$k]}" "${SCMD[$k]}"
		[ -z "${SDETAIL[$k]}" ] || printf '  - last run: %s\n' "${SDETAIL[$k]}"
	done
	printf -- '- calls: the "total" line of the strace -c summary (ptrace + process_vm_readv + wait4 of all of ptprof'"'"'s threads).\n'
	printf '  Thread-samples stopped: ptprof: "N samples" of its "recorded ..." line + "(no stack)" losses of its "lost:" line\n'
	printf '  (the count its -v figure divides by); floor: "floor: N samples" on its stdout.\n'
	printf -- '- cross-check: strace'"'"'s ptrace calls must equal seize + interrupt + getregs + cont/listen + detach of the -v line,\n'
	printf '  its process_vm_readv calls the process_vm_readv of the -v line; any difference is listed below.\n'
	printf -- '- every run'"'"'s figures: %s\n' "$LOG/syscalls.tsv"

	w=
	for k in "${SNOTES[@]}"; do w+="- $k"$'\n'; done
	[ -z "$w" ] || printf '\nNotes and failures (syscall rows):\n\n%s' "$w"
}

# ------------------------------------------------ the target-side report --

fmt_kib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
x_na() { [ -n "$PERF_X_NA" ] && printf 'n/a (%s)' "$PERF_X_NA"; }
stall_cell() { # tool
	local t=$1
	[ "$t" != perf ] || ! x_na || return 0
	if [ -z "${XV[stall-$t.per]:-}" ]; then
		printf 'failed (%s)' "${XFAIL[stall-$t]:-no figures}" | head -c 300
		return 0
	fi
	# shellcheck disable=SC2046
	awk -v p="$(median ${XV[stall-$t.per]})" -v s="$(median ${XV[stall-$t.sum]})" -v b="$(median ${XV[stall-$t.base]})" \
		-v n="$(median ${XV[stall-$t.n]})" 'BEGIN {
		printf "%.1f µs (gaps > 20 µs: %.2f ms − baseline %.2f ms, / %d samples)", p / 1e3, s / 1e6, b / 1e6, n }'
}
rss_cell() { # tool
	local t=$1 a b
	[ "$t" != perf ] || ! x_na || return 0
	a=${XV[rss-$t.$RSS_SHORT]:-} b=${XV[rss-$t.$RSS_LONG]:-}
	printf '%s s: %s (%s); %s s: %s (%s); %s s / %s s: %s' \
		"$RSS_SHORT" "$( [ -n "$a" ] && fmt_kib "$a" || echo failed)" "${XV[rss-$t.$RSS_SHORT.note]:-}" \
		"$RSS_LONG" "$( [ -n "$b" ] && fmt_kib "$b" || echo failed)" "${XV[rss-$t.$RSS_LONG.note]:-}" \
		"$RSS_LONG" "$RSS_SHORT" "$( [ -n "$a" ] && [ -n "$b" ] && fmt_ratio "$b" "$a" || echo —)"
}
report_target() {
	[ "$X_ROWS" = 1 ] || return 0
	local r w
	printf '\n## What the target pays: stall per sample, peak RSS, EINTRs (one run each unless noted)\n\n'
	printf 'Load average (1/5/15 min) at start of these runs %s, at end %s; %s CPUs.\n\n' "$X_LOAD_START" "$X_LOAD_END" "$(nproc)"
	printf '| | ptprof record | floor (bench/floor.c) | perf record | ratio |\n'
	printf '|---|---:|---:|---:|---:|\n'
	r='—'
	# shellcheck disable=SC2046
	[ -n "${XV[stall-ptprof.per]:-}" ] && [ -n "${XV[stall-floor.per]:-}" ] &&
		r="ptprof / floor $(fmt_ratio "$(median ${XV[stall-ptprof.per]})" "$(median ${XV[stall-floor.per]})")"
	printf '| stall the target sees per sample (%s s at %s Hz, cpu mode, 1 spinning thread; median of %s) | %s | %s | %s | %s |\n' \
		"$X_SECS" "$REC_RATE" "$STALL_RUNS" "$(stall_cell ptprof)" "$(stall_cell floor)" "$(stall_cell perf)" "$r"
	r='—'
	[ -n "${XV[rss-ptprof.$RSS_LONG]:-}" ] && [ -n "${XV[rss-perf.$RSS_LONG]:-}" ] &&
		r="ptprof / perf at $RSS_LONG s $(fmt_ratio "${XV[rss-ptprof.$RSS_LONG]}" "${XV[rss-perf.$RSS_LONG]}")"
	printf '| peak RSS of a %s s and a %s s record at %s Hz (1 busy + %s idle threads) | %s | — | %s | %s |\n' \
		"$RSS_SHORT" "$RSS_LONG" "$RSS_RATE" "$SHARE_IDLE" "$(rss_cell ptprof)" "$(rss_cell perf)" "$r"
	printf '| EINTRs seen by a thread looping on epoll_wait(-1) during a %s s record (target: 0 in cpu mode, ≤ 1 in wall mode) | cpu mode: %s (%s samples); wall mode: %s (%s samples); no tool: %s | — | — | — |\n' \
		"$X_SECS" "${XV[eintr-cpu]:-failed}" "${XV[eintr-cpu.samples]:-?}" "${XV[eintr-wall]:-failed}" \
		"${XV[eintr-wall.samples]:-?}" "${XV[eintr-baseline]:-?}"

	printf '\nCommands (N = run number):\n\n'
	printf -- '- stall row: target `%s` (PID %s; its spinning thread TID %s is the only running thread, main blocks in read(2))\n' "$SPIN_BIN" "$SPIN_PID" "$SPIN_TID"
	for t in ptprof floor perf; do
		[ -n "${XCMD[stall-$t]:-}" ] && printf '  - %s: `%s`\n' "$t" "${XCMD[stall-$t]}"
	done
	printf '  - per sample = (sum of the spinner'"'"'s CLOCK_MONOTONIC gaps > 20 µs during the command − the same sum over an idle\n'
	printf '    period of the same length right after, no tool attached) / samples.  Samples: ptprof "recorded ... N samples" on\n'
	printf '    stderr; floor "floor: N samples" on stdout; perf: lines of `perf script -i %s -F tid`.\n' "$OUT/stall-perf.data"
	printf '    floor: PTRACE_SEIZE once, per tick INTERRUPT, waitpid(__WALL), GETREGS, one 8 KiB process_vm_readv from rsp, CONT.\n'
	printf '  - every run: %s\n' "$LOG/stall.tsv"
	printf -- '- RSS row: target `%s %s` (PID %s); peak RSS = %%M (KiB) of GNU time, one run each, in this order:\n' "$RATIO_BIN" "$SHARE_IDLE" "$RSS_PID"
	for d in "$RSS_SHORT" "$RSS_LONG"; do
		for t in ptprof perf; do
			[ -n "${XCMD[rss-$t-$d]:-}" ] && printf '  - `%s`\n' "${XCMD[rss-$t-$d]}"
		done
	done
	printf -- '- EINTR row: target `%s` (PID %s; epoll_wait thread TID %s, busy thread TID %s); `reset` on stdin, the\n' "$EPOLL_BIN" "$EP_PID" "$EP_TID" "$EP_BUSY"
	printf '  command, then `report` (count of epoll_wait returns with errno EINTR); "no tool": `sleep %s` instead.\n' "$X_SECS"
	for m in cpu wall; do
		[ -n "${XCMD[eintr-$m]:-}" ] && printf '  - %s mode: `%s`\n' "$m" "${XCMD[eintr-$m]}"
	done

	w=
	for r in "${XNOTES[@]}"; do w+="- $r"$'\n'; done
	[ -n "$PERF_X_NA" ] && w+="- perf: $PERF_X_NA"$'\n'
	if [ -n "${XV[stall-ptprof.per]:-}" ] && [ -n "${XV[stall-floor.per]:-}" ]; then
		# shellcheck disable=SC2046
		w+=$(awk -v a="$(median ${XV[stall-ptprof.per]})" -v b="$(median ${XV[stall-floor.per]})" 'BEGIN {
			if (b > 0 && a / b > 1.3) printf "- ptprof stalls the target %.2f× as long per sample as the floor (above 1.3×)\n", a / b }')
	fi
	[ "${XV[eintr-cpu]:-0}" = 0 ] || w+="- ptprof cpu mode injected ${XV[eintr-cpu]} EINTRs into a thread blocked in epoll_wait (target: 0)"$'\n'
	[ "${XV[eintr-wall]:-0}" -le 1 ] 2>/dev/null || w+="- ptprof wall mode injected ${XV[eintr-wall]} EINTRs into a thread blocked in epoll_wait (target: at most 1 per record)"$'\n'
	[ "${XV[eintr-baseline]:-0}" = 0 ] || w+="- the epoll thread saw ${XV[eintr-baseline]} EINTRs with no tool attached"$'\n'
	[ -z "$w" ] || printf '\nNotes and failures (target-side rows):\n\n%s' "$w"
}


# ------------------------------------------------------------ the summary --
#
# One row per figure the issue asks for: ptprof, its peers, the target and
# whether the figures meet it.  Every figure is the one of the detailed
# tables below (same medians); "met?" is computed here, never typed.

# yes / no from an awk condition over the figures.
met() { awk "BEGIN { exit !($1) }" && printf yes || printf no; }
# Median of a list, or nothing if the list is empty.
med_or_empty() { [ -n "${*// /}" ] && median_f "$@"; }
sum_row() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }

report_summary() {
	local a b c d e f g pa pb nf recna xna
	nf='no (figure missing)'
	recna='not run (BENCH_RECORD_RUNS=0)'
	xna='not run (BENCH_TARGET_ROWS=0)'
	printf '## Summary: ptprof against the targets of the issue\n\n'
	printf '%s, %s CPUs, kernel %s; load average (1/5/15 min) at start %s, at end %s.\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -r)" "$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'Medians of interleaved runs (dump rows: %s runs; record and syscall rows: %s; stall row: %s; peak RSS and\n' \
		"$RUNS" "$REC_RUNS" "$STALL_RUNS"
	printf 'EINTRs: one run each).  The command behind every figure, each run'"'"'s values and the notes are in the detailed\n'
	printf 'sections below.\n\n'
	if [ "$PTPROF" != "$PTPROF_DEFAULT" ]; then
		printf '**WARNING: the dump figures of ptprof were produced by a stub (PTPROF=%s), not by ptprof.**\n\n' "$PTPROF"
	fi
	printf '| row | ptprof | peers | target | met? |\n'
	printf '|---|---|---|---|---|\n'

	# 1. system calls per thread-sample
	local l1="ptrace + process_vm_readv + wait4 calls per thread-sample, $SYS_SECS s cpu-mode record at $REC_RATE Hz (strace -f -c calls / thread-samples stopped)"
	if [ "$REC_RUNS" -lt 1 ]; then
		sum_row "$l1" "$recna" '—' "≤ $SYS_MAX" "$nf"
	elif [ "$HAVE_STRACE" = 0 ]; then
		sum_row "$l1" 'not measured (strace not installed)' '—' "≤ $SYS_MAX" "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_or_empty $(svals sys-ptprof-share.per)) b=$(med_or_empty $(svals sys-ptprof-cost.per))
		# shellcheck disable=SC2046
		c=$(med_or_empty $(svals sys-ptprof-share.own)) d=$(med_or_empty $(svals sys-ptprof-cost.own))
		# shellcheck disable=SC2046
		e=$(med_or_empty $(svals sys-floor.per))
		f=$(awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v s="$SHARE_IDLE" -v t="$NTHREADS" 'BEGIN {
			printf "strace: %s with 1 busy + %d idle, %s with 1 busy + %d idle threads (ptprof'"'"'s own count: %s, %s)",
				a == "" ? "failed" : sprintf("%.2f", a), s, b == "" ? "failed" : sprintf("%.2f", b), t,
				c == "" ? "—" : sprintf("%.2f", c), d == "" ? "—" : sprintf("%.2f", d) }')
		g="floor: ${e:+$(printf '%.2f' "$e") (bench/floor.c under the same strace); }design floor $SYS_FLOOR"
		if [ -n "$a" ] && [ -n "$b" ]; then
			sum_row "$l1" "$f" "$g" "≤ $SYS_MAX (strace's count, both targets)" "$(met "$a <= $SYS_MAX && $b <= $SYS_MAX")"
		else
			sum_row "$l1" "$f" "$g" "≤ $SYS_MAX (strace's count, both targets)" "$nf"
		fi
	fi

	# 2. stall per sample
	local l2="stall the target itself sees per sample ($X_SECS s at $REC_RATE Hz, cpu mode, 1 spinning thread)"
	if [ "$X_ROWS" != 1 ]; then
		sum_row "$l2" "$xna" '—' '≤ 1.3× the floor loop' "$nf"
	else
		# shellcheck disable=SC2086
		a=$(med_or_empty ${XV[stall-ptprof.per]:-}) b=$(med_or_empty ${XV[stall-floor.per]:-}) c=$(med_or_empty ${XV[stall-perf.per]:-})
		f=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "") { printf "failed"; exit }
			printf "%.1f µs", a / 1e3; if (b > 0) printf " (%.2f× the floor)", a / b }')
		g='floor loop (bench/floor.c): '
		if [ -n "$b" ]; then g+=$(awk -v b="$b" 'BEGIN { printf "%.1f µs", b / 1e3 }'); else g+=failed; fi
		g+='; perf: '
		if [ -n "$PERF_X_NA" ]; then g+="n/a ($PERF_X_NA)"; elif [ -n "$c" ]; then g+=$(awk -v c="$c" 'BEGIN { printf "%.1f µs", c / 1e3 }'); else g+=failed; fi
		if [ -n "$a" ] && [ -n "$b" ]; then
			sum_row "$l2" "$f" "$g" '≤ 1.3× the floor loop' "$(met "$b > 0 && $a / $b <= 1.3")"
		else
			sum_row "$l2" "$f" "$g" '≤ 1.3× the floor loop' "$nf"
		fi
	fi

	# 3. and 4. profiler CPU, cpu and wall mode
	local l3="profiler CPU (user+sys) per second of profile at $REC_RATE Hz, cpu mode, 1 busy + $NTHREADS idle threads"
	local l4="profiler CPU per second of profile, wall mode, 1 busy + $NTHREADS idle threads"
	if [ "$REC_RUNS" -lt 1 ]; then
		sum_row "$l3" "$recna" '—' '≤ 10% of one core' "$nf"
		sum_row "$l4" "$recna" '—' 'wall / cpu ≤ 2×' "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_or_empty $(vals ptprof-cpu.cpu)) b=$(med_or_empty $(vals perf-cpu.cpu)) c=$(med_or_empty $(vals ptprof-wall.cpu))
		f=$(awk -v a="$a" -v s="$REC_SECS" 'BEGIN { if (a == "") printf "failed"; else printf "%.3f CPU-s/s (%.1f%% of one core)", a / s, 100 * a / s }')
		if [ -n "$PERF_NA" ]; then
			g="perf: n/a ($PERF_NA)"
		else
			g=$(awk -v b="$b" -v s="$REC_SECS" 'BEGIN { if (b == "") printf "perf: failed"; else printf "perf record + report: %.3f CPU-s/s (%.1f%%), same target", b / s, 100 * b / s }')
		fi
		if [ -n "$a" ]; then
			sum_row "$l3" "$f" "$g" '≤ 10% of one core (0.100 CPU-s/s)' "$(met "$a / $REC_SECS <= 0.10")"
		else
			sum_row "$l3" "$f" "$g" '≤ 10% of one core (0.100 CPU-s/s)' "$nf"
		fi
		f=$(awk -v a="$a" -v c="$c" -v s="$REC_SECS" 'BEGIN { if (c == "") { printf "failed"; exit }
			printf "%.3f CPU-s/s (%.1f%% of one core); wall / cpu: ", c / s, 100 * c / s
			if (a > 0) printf "%.2f×", c / a; else printf "—" }')
		if [ -n "$a" ] && [ -n "$c" ]; then
			sum_row "$l4" "$f" "— (perf: $OFFCPU)" "wall / cpu ≤ ${WALL_CPU_MAX}×" "$(met "$a > 0 && $c / $a <= $WALL_CPU_MAX")"
		else
			sum_row "$l4" "$f" "— (perf: $OFFCPU)" "wall / cpu ≤ ${WALL_CPU_MAX}×" "$nf"
		fi
	fi

	# 5. and 6. the dump: wall time, longest stall
	local l5="$NTHREADS-thread dump, wall time, with inlines and file:line"
	local l6="longest stall any target thread sees during that dump"
	# shellcheck disable=SC2086
	a=$(med_or_empty ${WALL[ptprof]}) b=$(med_or_empty ${WALL[eu-stack]}) c=$(med_or_empty ${WALL[gdb]})
	f=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "") { printf "failed"; exit }
		printf "%.1f ms", a / 1e6; if (b > 0) printf " (%.2f× eu-stack)", a / b }')
	g="eu-stack -i -s: $(dump_peer eu-stack "$b" ms); gdb: $(dump_peer gdb "$c" ms)"
	if [ -n "$a" ] && [ -n "$b" ]; then
		sum_row "$l5" "$f" "$g" '≤ 1/5 of eu-stack -i -s' "$(met "$b > 0 && $a / $b <= 0.2")"
	else
		sum_row "$l5" "$f" "$g" '≤ 1/5 of eu-stack -i -s' "$nf"
	fi
	# shellcheck disable=SC2086
	a=$(med_or_empty ${SMAX[ptprof]}) b=$(med_or_empty ${SMAX[eu-stack]}) c=$(med_or_empty ${SMAX[gdb]})
	f=$([ -n "$a" ] && fmt_stall "$a" || printf failed)
	[ -z "$a" ] || [ -z "$c" ] || f+=$(awk -v a="$a" -v c="$c" 'BEGIN { if (c > 0) printf " (%.3f× gdb)", a / c }')
	g="eu-stack: $(dump_peer eu-stack "$b" stall); gdb: $(dump_peer gdb "$c" stall)"
	if [ -n "$a" ] && [ -n "$c" ]; then
		sum_row "$l6" "$f" "$g" "≤ 1/10 of gdb's ($(fmt_stall "$(awk -v c="$c" 'BEGIN { printf "%.0f", c / 10 }')"))" "$(met "$a <= $c / 10")"
	else
		sum_row "$l6" "$f" "$g" '≤ 1/10 of gdb'"'"'s' "$nf"
	fi

	# 7. peak RSS
	local l7="peak RSS of a $RSS_SHORT s and a $RSS_LONG s record at $RSS_RATE Hz"
	if [ "$X_ROWS" != 1 ]; then
		sum_row "$l7" "$xna" '—' "$RSS_LONG s within 20% of $RSS_SHORT s" "$nf"
	else
		a=${XV[rss-ptprof.$RSS_SHORT]:-} b=${XV[rss-ptprof.$RSS_LONG]:-}
		f=$(rss_pair "$a" "$b")
		if [ -n "$PERF_X_NA" ]; then g="perf: n/a ($PERF_X_NA)"; else g="perf: $(rss_pair "${XV[rss-perf.$RSS_SHORT]:-}" "${XV[rss-perf.$RSS_LONG]:-}")"; fi
		if [ -n "$a" ] && [ -n "$b" ]; then
			sum_row "$l7" "$f" "$g" "$RSS_LONG s within 20% of $RSS_SHORT s" "$(met "$a > 0 && $b / $a <= 1.2 && $b / $a >= 0.8")"
		else
			sum_row "$l7" "$f" "$g" "$RSS_LONG s within 20% of $RSS_SHORT s" "$nf"
		fi
	fi

	# 8. shares on the known-ratio target
	local l8="share of the two hot functions (hot_a / hot_b) on the known-ratio target, 1 busy + $SHARE_IDLE idle threads"
	local t8='within 2 points of the truth and of perf'
	if [ "$REC_RUNS" -lt 1 ]; then
		sum_row "$l8" "$recna" 'truth: 25.0% / 75.0%' "$t8" "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_or_empty $(vals ptprof-share.a)) b=$(med_or_empty $(vals ptprof-share.b))
		# shellcheck disable=SC2046
		pa=$(med_or_empty $(vals perf-share.a)) pb=$(med_or_empty $(vals perf-share.b))
		f=$([ -n "$a" ] && printf '%s / %s' "$(pct "$a")" "$(pct "$b")" || printf failed)
		if [ -n "$PERF_NA" ]; then g="perf: n/a ($PERF_NA)"; elif [ -n "$pa" ]; then g="perf: $(pct "$pa") / $(pct "$pb")"; else g="perf: failed"; fi
		g+="; truth: 25.0% / 75.0%"
		if [ -n "$a" ] && [ -n "$pa" ]; then
			sum_row "$l8" "$f" "$g" "$t8" "$(met "(($a - 25) ^ 2) <= 4 && (($b - 75) ^ 2) <= 4 && (($a - $pa) ^ 2) <= 4 && (($b - $pb) ^ 2) <= 4")"
		else
			sum_row "$l8" "$f" "$g" "$t8" "$nf"
		fi
	fi

	# 9. EINTRs
	local l9="EINTRs seen by a target thread looping on epoll_wait during a $X_SECS s record, cpu and wall mode"
	local t9='cpu mode: 0; wall mode: ≤ 1 per thread'
	if [ "$X_ROWS" != 1 ]; then
		sum_row "$l9" "$xna" '—' "$t9" "$nf"
	else
		a=${XV[eintr-cpu]:-} b=${XV[eintr-wall]:-}
		f="cpu mode: ${a:-failed}; wall mode: ${b:-failed} (1 epoll_wait thread)"
		if is_uint "$a" && is_uint "$b"; then
			sum_row "$l9" "$f" "no tool attached: ${XV[eintr-baseline]:-?}" "$t9" "$(met "$a == 0 && $b <= 1")"
		else
			sum_row "$l9" "$f" "no tool attached: ${XV[eintr-baseline]:-?}" "$t9" "$nf"
		fi
	fi
	printf '\n'
}
# A dump peer's median (ns) as ms or as a stall, or why there is none.
dump_peer() { # tool value kind
	if [ "${AVAIL[$1]}" != 1 ]; then printf 'n/a (not installed)'
	elif [ -z "$2" ]; then printf 'failed'
	elif [ "$3" = ms ]; then fmt_ms "$2"
	else fmt_stall "$2"
	fi
}
rss_pair() { # short-KiB long-KiB
	printf '%s s: %s, %s s: %s' "$RSS_SHORT" "$( [ -n "$1" ] && fmt_kib "$1" || echo failed)" \
		"$RSS_LONG" "$( [ -n "$2" ] && fmt_kib "$2" || echo failed)"
	[ -z "$1" ] || [ -z "$2" ] || printf ' (%s)' "$(fmt_ratio "$2" "$1")"
}

{ report_summary; report; report_record; report_syscalls; report_target; } | tee "$BD/results.md"

# A ptprof failure fails `make bench`; a failing peer is only reported.
if [ "${NFAIL[ptprof]}" != 0 ] || [ "${NSYSFAIL[ptprof]}" != 0 ] ||
	[ "${RFAIL[ptprof-share]:-0}" != 0 ] || [ "${RFAIL[ptprof-cpu]:-0}" != 0 ] || [ "${RFAIL[ptprof-wall]:-0}" != 0 ] ||
	[ "${XFAIL_PTPROF:-0}" != 0 ] || [ "${SFAIL[sys-ptprof-share]}" != 0 ] || [ "${SFAIL[sys-ptprof-cost]}" != 0 ]; then
	say "bench: ptprof failed in some runs (see Failures above)"
	exit 1
fi
