#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/dump.sh - part "dump" of the benchmark (started by bench/run.sh):
# `ptprof dump` beside its peers eu-stack and gdb on one target
# (bench/manythreads.c: BENCH_THREADS blocked workers, a spinner thread and
# main), runs interleaved ptprof, eu-stack, gdb, ... BENCH_RUNS times:
#   - wall time of one full dump (inlines + file:line) of the target
#   - how many threads ptprof stops (its -v; the others are read in place)
#   - longest lateness of the target's hiccup meter, an idle thread waking
#     every 1 ms, during the dump, beside the same over an idle period
#   - longest gap the spinning target thread sees between two consecutive
#     clock_gettime(CLOCK_MONOTONIC) reads while that dump runs (plus the sum
#     of all gaps > 20 us), each beside the same figure measured over an equal
#     idle period with no tool attached
#   - ptrace + process_vm_readv + wait4 calls (strace -c) per dumped thread,
#     one strace run per tool after each round of timed runs
# One untimed warm-up run per tool comes first; its output is checked.

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init dump "$@"

GDB_DEBUGINFOD=()
if [ "${AVAIL[gdb]}" = 1 ] &&
	gdb -nx -batch -ex 'set debuginfod enabled off' </dev/null 2>&1 | grep -q . ; then
	: # gdb complained: an old gdb without debuginfod support
else
	GDB_DEBUGINFOD=(-ex 'set debuginfod enabled off')
fi

# ------------------------------------------------------------ the target --

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
MT_PID=$TPID

# Send one command to the target, print its one-line answer (nothing if the
# target is dead or does not answer within 30 s: callers check the answer).
target_cmd() {
	local answer=
	printf '%s\n' "$1" >&3 2>/dev/null || return 1
	read -r -t 30 -u 4 answer || return 1
	printf '%s\n' "$answer"
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

for t in "${TOOLS[@]}"; do
	WALL[$t]='' SMAX[$t]='' SSUM[$t]='' BMAX[$t]='' BSUM[$t]='' SYS[$t]='' HMAX[$t]='' BHMAX[$t]=''
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

# ptprof keeps inflated copies of compressed debug files (libc's) for the
# next runs (in PTPROF_CACHE_DIR, see set_work); each round also times one
# ptprof run with none kept yet (COLD, the first run on a machine).

# Warm-up: one untimed run per tool, output kept and sanity-checked; this
# also puts every file any tool reads into the page cache.
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
		WALL[$t]+=" $dur" SMAX[$t]+=" ${REP[1]}" SSUM[$t]+=" ${REP[2]}" HMAX[$t]+=" ${REP[5]:-}"

		[ "$(target_cmd reset)" = ok ] || die "target did not acknowledge 'reset' (dead, stopped or stuck?)"
		sleep "$(awk -v n="$dur" 'BEGIN { printf "%.6f", n / 1e9 }')"
		read -r -a REP <<<"$(target_cmd report)"
		[ "${REP[0]:-}" = stall ] || die "target sent '${REP[*]}' instead of a stall report (dead, stopped or stuck?)"
		BMAX[$t]+=" ${REP[1]}" BSUM[$t]+=" ${REP[2]}" BHMAX[$t]+=" ${REP[5]:-}"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$t" "$dur" \
			"${SMAX[$t]##* }" "${SSUM[$t]##* }" "${REP[1]}" "${REP[2]}" >>"$LOG/raw.tsv"
	done

	# The first run on a machine: no inflated copies yet; it writes them.
	if [ "${AVAIL[ptprof]}" = 1 ]; then
		rm -rf "$PTPROF_CACHE_DIR"
		set_cmd ptprof
		[ "$(target_cmd reset)" = ok ] || die "target did not acknowledge 'reset' (dead, stopped or stuck?)"
		rc=0
		t0=$(now_ns)
		timeout "$TIMEOUT" "${CMD[@]}" >/dev/null 2>"$LOG/ptprof.$r.cold.stderr" || rc=$?
		t1=$(now_ns)
		target_cmd report >/dev/null
		check_target "run $r of ptprof with no debug copies"
		[ "$rc" != 0 ] || COLD[ptprof]+=" $((t1 - t0))"
	fi

	# How many threads one dump stops: ptprof -v says (the others are
	# read in place).
	if [ "${AVAIL[ptprof]}" = 1 ]; then
		rc=0
		timeout "$TIMEOUT" "${PTPROF_WORDS[@]}" -v -p "$TPID" >/dev/null 2>"$LOG/ptprof.$r.v.stderr" || rc=$?
		check_target "run $r of ptprof -v"
		n=$(sed -n 's/.* threads read in place without stopping them, \([0-9]*\) stopped .*/\1/p' \
			"$LOG/ptprof.$r.v.stderr" | head -1)
		[ "$rc" != 0 ] || [ -z "$n" ] || NSTOPPED[ptprof]+=" $n"
	fi

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

# The target goes before the next part: its spinner would take a CPU away
# from the next targets.
exec 3>&- 4<&-
stop_pid "$TPID"
TPID=

[ "${NFAIL[ptprof]}" = 0 ] && [ "${NSYSFAIL[ptprof]}" = 0 ] || PTPROF_FAILED[$PART]=1
note_load "$PART.end"
save_figures dump NTASKS MT_PID WALL SMAX SSUM BMAX BSUM SYS NFAIL FAILMSG SYSCMD SYSDETAIL NSYSFAIL \
	HMAX BHMAX NSTOPPED COLD \
	CHECK CMDSTR LOAD_AT PTPROF_FAILED
