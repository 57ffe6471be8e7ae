#!/bin/bash
# bench/run.sh - compare `ptprof dump` with its peers (eu-stack, gdb) on one
# 1000-thread target, `ptprof record` with `perf record`, ptprof on Go
# programs with Delve and Go's own profiler, and `ptprof heap` with the Go
# program's own WriteHeapProfile, in one run, and print a summary and six
# Markdown tables.
#
#   sh bench/run.sh [BUILD_DIR]          (what `make bench` runs; default: build)
#   BENCH_ONLY=stall,rss sh bench/run.sh (only those parts; `make bench BENCH_ONLY=...`)
#
# The benchmark is made of parts, one script each, run in this order:
#   dump      bench/dump.sh      ptprof dump vs eu-stack and gdb: wall time,
#                                stall during the dump, syscalls per thread
#   accuracy  bench/accuracy.sh  share of hot_a / hot_b, ptprof vs perf; the
#                                syscall rows on the share target and the floor
#   cost      bench/cost.sh      profiler CPU time (cpu and wall mode) and
#                                samples taken, ptprof vs perf; the syscall row
#                                on the cost target
#   stall     bench/stall.sh     stall a target thread sees per sample
#   rss       bench/rss.sh       peak RSS of a short and a long record
#   eintr     bench/eintr.sh     EINTRs seen by a thread in epoll_wait
#   goroutines bench/goroutines.sh
#                                Go programs: ptprof dump of 10000 parked
#                                goroutines vs Delve's goroutines -t; share of
#                                main.hashA / main.hashB, ptprof record vs Go's
#                                own CPU profile (installs Delve when root)
#   goheap    bench/goheap.sh    ptprof heap of a Go program with 20000
#                                allocation sites vs its own WriteHeapProfile;
#                                ptrace calls (none: never stopped); output check
#   tree      bench/tree.sh      ptprof dump --children of 1 + 20 worker
#                                processes of one binary (4 threads each) vs a
#                                dump of one worker; one ptprof per process and
#                                eu-stack per process beside it
#   serve     bench/serve.sh     ptprof serve on loopback: 100 clients on the
#                                index and 10 on 2 s profiles at once (errors,
#                                time from window end to answer), its own CPU
#                                while idle
# This script checks the settings, builds the targets the parts need, runs
# the parts, and prints the report from the figures they saved
# (bench/report.sh); bench/lib.sh holds what they share.
#
# Environment:
#   BENCH_ONLY=         the parts to run, by name, separated by commas (or
#                       spaces); empty: all of them.  The summary marks the
#                       rows of the others "not run"; the detailed tables
#                       leave them out.
#   BENCH_RUNS=5        timed runs per tool, interleaved ptprof, eu-stack, gdb, ...
#                       (also of the Go dump and of ptprof heap)
#   BENCH_THREADS=1000  blocked worker threads in the target
#   BENCH_TIMEOUT=120   seconds before a tool run is killed (timeout(1))
#   PTPROF='build/ptprof dump'
#                       command that dumps every stack; "-p PID" is appended.
#                       Override to try the script without a working ptprof,
#                       e.g. PTPROF='eu-stack -i -s' sh bench/run.sh
#   BENCH_RECORD_RUNS=3     timed runs per tool for the record rows (0: skip
#                           the parts accuracy and cost)
#   BENCH_RECORD_SECONDS=10 length of one profile (ptprof -d, perf ... -- sleep)
#   BENCH_SHARE_IDLE=4      idle threads beside the busy worker for the share row
#                           (the CPU-cost rows use BENCH_THREADS idle threads)
#   BENCH_TARGET_ROWS=1     0: skip the stall / peak RSS / EINTR rows (the
#                           parts stall, rss and eintr)
#   BENCH_STALL_RUNS=1      runs per tool for the stall-per-sample row
#   BENCH_RSS_SHORT=10 BENCH_RSS_LONG=60
#                           lengths (s) of the two peak-RSS records at 999 Hz
#   PTPROF_RECORD='build/ptprof record'
#                       record command; "-p PID -d S -r 99 ..." is appended.
#   BENCH_GOROUTINES=10000  parked goroutines in the Go dump target (part
#                           goroutines; its CPU row uses BENCH_RECORD_RUNS
#                           runs of BENCH_RECORD_SECONDS s, none if 0)
#   PTPROF_HEAP='build/ptprof heap'
#                       heap profile command (part goheap, BENCH_RUNS timed
#                       runs); "-p PID -o FILE" is appended.
#   BENCH_TREE_WORKERS=20 BENCH_TREE_THREADS=4
#                       the process tree of part tree: worker processes, and
#                       threads in each (PTPROF is its dump command too)
#
# Rows (part dump):
#   1. wall time of one full dump (inlines + file:line) of the target
#   2. longest gap a spinning target thread sees between two consecutive
#      clock_gettime(CLOCK_MONOTONIC) reads while that dump runs (plus the sum
#      of all gaps > 20 us), each beside the same figure measured over an equal
#      idle period with no tool attached
#   3. ptrace + process_vm_readv + wait4 calls (strace -c) per dumped thread
# Record rows (parts accuracy and cost; target bench/ratio.c: a worker
# splitting its CPU 1:3 between hot_a and hot_b, plus idle threads; the dump
# target is gone by then):
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
# Target-side rows (parts stall, rss, eintr; each on its own small target):
#   8. stall a spinning target thread sees per sample (bench/spinner.c):
#      ptprof record cpu mode vs bench/floor.c (the least a ptrace sampler
#      does) vs perf record
#   9. peak RSS of a BENCH_RSS_SHORT s and a BENCH_RSS_LONG s record at 999 Hz
#      (bench/ratio.c with BENCH_SHARE_IDLE idle threads), ptprof vs perf
#  10. EINTRs a thread looping on epoll_wait(-1) sees (bench/epoll.c) during a
#      ptprof record in cpu and in wall mode
# Go rows (part goroutines; targets build/targets/go-gomany and go-gocpu from
# tests/go, built with the Makefile's rules):
#  11. wall time of `ptprof dump` of BENCH_GOROUTINES parked goroutines beside
#      Delve's `goroutines -t`, and the goroutines each listed
#  12. share of main.hashA / main.hashB (3:1 by construction) in main.worker's
#      samples, ptprof record vs the program's own runtime/pprof CPU profile
#      taken over the same seconds
# Go heap rows (part goheap; target build/targets/go-gosites: 20000 distinct
# allocation stacks at MemProfileRate 1, then still):
#  13. wall time of `ptprof heap -p PID -o FILE` (BENCH_RUNS runs) beside the
#      program's own pprof.WriteHeapProfile (median of 5, timed inside it)
#  14. ptrace and process_vm_readv calls of one such run under strace -f -c
#      (no ptrace call: no thread of the target was ever stopped), beside the
#      records read and bucket bytes copied (its -v line); the warm-up run's
#      file is checked against the target's bucket count and sites
# Process tree rows (part tree; target build/targets/proctree -n 20 -t 4):
#  15. wall time of `ptprof dump --children -p PARENT` (21 processes) beside
#      `ptprof dump -p WORKER` (one of them), their ratio, and the symbols
#      libdw resolved in each (-v); for context one ptprof run per process
#      and eu-stack -i -s per process, in a loop
# The report opens with a summary table: one row per figure the issue asks
# for, ptprof beside its peers, the target and whether it is met (computed
# from the figures).
# Every dump figure is the median of BENCH_RUNS runs, every record figure the
# median of BENCH_RECORD_RUNS runs, the stall figure the median of
# BENCH_STALL_RUNS runs, the others one run each; the exact commands follow
# each table.  Progress goes to stderr, the report to stdout and
# BUILD_DIR/bench/results.md (each table also to BUILD_DIR/bench/tables/).
#
# Duration of the default run on 2 CPUs, roughly: dump 1 min; accuracy
# 3 x (2 x 10 s share + 2 x 5 s syscalls) = 1.5 min; cost 3 x (3 x 10 s cost
# + 5 s syscalls) = 1.8 min; stall 30 s x BENCH_STALL_RUNS; rss
# 2 x (BENCH_RSS_SHORT + BENCH_RSS_LONG) = 2.3 min; eintr 15 s; goroutines
# 6 x (ptprof + Delve, about 3 s) + 3 x 10 s = 1 min; goheap: the target's
# start-up (about 3 s) + 7 x 0.5 s + the checks = 15 s; tree: 6 x (0.3 s +
# 0.1 s + 2 s + eu-stack's 21 runs, about 3 s) = 30 s: about 10 min in all.
# Logs, tool output and strace summaries are kept in BUILD_DIR/bench/ (log/,
# out/), each part's figures in BUILD_DIR/bench/figures/PART.sh; all of them
# are cleared at the start of every run.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

# -------------------------------------------------------------- the parts --

PARTS=(dump accuracy cost stall rss eintr goroutines goheap tree serve)
ONLY=${BENCH_ONLY:-}
declare -A WANT=() RAN=() SKIPPED=()
if [ -z "${ONLY//[, ]/}" ]; then
	for p in "${PARTS[@]}"; do WANT[$p]=1; done
else
	IFS=', ' read -r -a ONLY_WORDS <<<"$ONLY"
	for w in "${ONLY_WORDS[@]}"; do
		[ -n "$w" ] || continue
		case " ${PARTS[*]} " in
		*" $w "*) WANT[$w]=1 ;;
		*) die "BENCH_ONLY: no part '$w'; the parts are: ${PARTS[*]} (one, or several separated by commas)" ;;
		esac
	done
fi
RUN_PARTS=()
for p in "${PARTS[@]}"; do
	if [ -z "${WANT[$p]:-}" ]; then
		SKIPPED[$p]="BENCH_ONLY=$ONLY"
	elif [ "$REC_RUNS" -lt 1 ] && { [ "$p" = accuracy ] || [ "$p" = cost ]; }; then
		SKIPPED[$p]="BENCH_RECORD_RUNS=0"
	elif [ "$X_ROWS" != 1 ] && { [ "$p" = stall ] || [ "$p" = rss ] || [ "$p" = eintr ]; }; then
		SKIPPED[$p]="BENCH_TARGET_ROWS=0"
	else
		RUN_PARTS+=("$p")
	fi
done
will_run() { # part...: true if any of them runs
	local p
	for p in "$@"; do
		case " ${RUN_PARTS[*]} " in *" $p "*) return 0 ;; esac
	done
	return 1
}

# ---------------------------------------------------------------- set-up --

mkdir -p "$BD" "$LOG" "$OUT" "$FIG" "$TAB"
rm -f "$LOG"/* "$OUT"/* "$FIG"/* "$TAB"/*

build() { # name flags...: BD/NAME from bench/NAME.c
	local name=$1
	shift
	say "bench: building $BD/$name"
	gcc "$@" -std=gnu11 -Wall -Wextra -pthread -o "$BD/$name" "bench/$name.c" ||
		die "could not build bench/$name.c"
}
! will_run dump || build manythreads -O2 -g
if will_run accuracy cost; then
	build ratio -O1 -g -fno-omit-frame-pointer
elif will_run rss serve; then
	[ -x "$RATIO_BIN" ] || build ratio -O1 -g -fno-omit-frame-pointer
fi
! will_run accuracy stall || build floor -O2 -g
! will_run stall || build spinner -O2 -g
! will_run eintr || build epoll -O2 -g

if [ "$PTPROF" = "$PTPROF_DEFAULT" ] && [ ! -x "$B/ptprof" ]; then
	die "$B/ptprof does not exist (run 'make all' first, or set PTPROF=... to a stub)"
fi
command -v "${PTPROF_WORDS[0]}" >/dev/null 2>&1 || [ -x "${PTPROF_WORDS[0]}" ] ||
	die "PTPROF command '${PTPROF_WORDS[0]}' not found"

# A part that is interrupted says so itself.
RUNNING=
trap cleanup EXIT
trap '[ -n "$RUNNING" ] || say "bench: interrupted"; exit 130' INT TERM HUP

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
OWN_WORK=1
set_work "$(mktemp -d /tmp/ptprof-bench.XXXXXX)"

for p in "${RUN_PARTS[@]}"; do
	RUNNING=$p
	bash "bench/$p.sh" "$B" "$WORK" || exit $?
	RUNNING=
	RAN[$p]=1
done

# ------------------------------------------------------------ the report --

init_keys "${RKEYS[@]}" "${SKEYS[@]}"
# shellcheck source=/dev/null
[ ! -f "$FIG/perf-probe.sh" ] || . "$FIG/perf-probe.sh"
for p in "${RUN_PARTS[@]}"; do
	# shellcheck source=/dev/null
	. "$FIG/$p.sh"
done
# shellcheck source=bench/report.sh
. bench/report.sh

# Table by table, each to TAB/TABLE.md and to the report; the tables are made
# with errexit on, and the report ends with a table that stops on an error.
report_all() {
	local t rc
	for t in summary dump record syscalls target goroutines goheap tree serve; do
		set +e
		(
			set -e
			"report_$t"
		) >"$TAB/$t.md"
		rc=$?
		set -e
		if [ -s "$TAB/$t.md" ]; then cat "$TAB/$t.md"; else rm -f "$TAB/$t.md"; fi
		[ "$rc" = 0 ] || return 0
	done
}
report_all | tee "$BD/results.md"

# A ptprof failure fails `make bench`; a failing peer is only reported.
if [ "${#PTPROF_FAILED[@]}" != 0 ]; then
	say "bench: ptprof failed in some runs (see Failures above)"
	exit 1
fi
