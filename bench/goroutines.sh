#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/goroutines.sh - part "goroutines" of the benchmark (started by
# bench/run.sh): ptprof on Go programs.
#   - wall time of `ptprof dump` of build/targets/go-gomany with
#     BENCH_GOROUTINES parked goroutines, beside Delve's `goroutines -t`
#     (attach, list every goroutine with its stack, detach), BENCH_RUNS runs
#     interleaved ptprof, Delve, ...; one untimed warm-up run each first,
#     whose output is checked: the goroutines each one listed
#   - share of main.hashA / main.hashB in main.worker's samples of
#     build/targets/go-gocpu (a goroutine splitting its CPU 3:1 between the
#     two), `ptprof record` vs the program's own CPU profile
#     (runtime/pprof) over the same BENCH_RECORD_SECONDS s, both running at
#     once, BENCH_RECORD_RUNS runs; shares from tests/go/ref.py pprof-counts
# The Go targets are built with the Makefile's rules when missing; Delve
# (Debian package delve) is installed when missing and this runs as root,
# else its column says n/a.  A Go program starts threads of its own, so
# after each run the target must be alive and no thread of it traced or
# stopped, whatever its thread count (changes are noted).

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init goroutines "$@"

GOMANY_BIN=build/targets/go-gomany
GM_PID='' GC_PID=''
GOCPU_BIN=build/targets/go-gocpu
REF=tests/go/ref.py

# ------------------------------------------------------------ set-up --

go_target() { # path: built with the Makefile's rule when missing
	[ ! -x "$1" ] || return 0
	[ "$HAVE_GO" = 1 ] || die "$1 is missing and go is not installed (Debian package golang-go)"
	say "bench: building $1"
	make -s "$1" >&2 || die "could not build $1 (make $1)"
}
go_target "$GOMANY_BIN"
[ "$REC_RUNS" -lt 1 ] || go_target "$GOCPU_BIN"
command -v python3 >/dev/null 2>&1 || die "python3 is needed (tests/go/ref.py)"

# Delve, or why not (DLV_NA).
DLV_NA=
if ! command -v dlv >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "bench: installing Delve (apt-get install delve)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q delve >"$LOG/apt-delve.log" 2>&1 ||
			{ apt-get update -q >>"$LOG/apt-delve.log" 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -q delve >>"$LOG/apt-delve.log" 2>&1; } ||
			DLV_NA="not installed: apt-get install delve failed ($(tail -1 "$LOG/apt-delve.log" | head -c 200))"
	else
		DLV_NA="not installed (Debian package delve; installed by this part only when run as root)"
	fi
	[ -n "$DLV_NA" ] || command -v dlv >/dev/null 2>&1 || DLV_NA="not installed: no dlv after apt-get install delve"
fi
DLV_VERSION=
[ -n "$DLV_NA" ] || DLV_VERSION=$(dlv version 2>/dev/null | sed -n 's/^Version: /Delve /p' | head -1)
GO_VERSION=$(go version 2>/dev/null || echo 'go: not installed')
[ -z "$DLV_NA" ] || say "bench: Delve: $DLV_NA"

# After every run: alive, no thread traced or stopped.  The thread count is
# not held fixed (the Go runtime starts threads when it likes) but noted.
check_go() { # what pid
	local n
	n=$(ls "/proc/$2/task" 2>/dev/null | wc -l)
	check_pid "$1" "$2" "$n"
	if [ "$n" != "${GTASKS[$2]}" ]; then
		GNOTES+=("target $2 had ${GTASKS[$2]} threads, $n after: $1")
		GTASKS[$2]=$n
	fi
}
declare -A GTASKS=()

# A Go target on FIFOs: fds 3 (its stdin) and 4 (its stdout), sets TPID, or
# fds 7 and 8, sets APID; it prints "ready" when in position and exits when
# its stdin closes.
start_go() { # 3|7 binary args...
	local fd=$1 line='' pid
	shift
	rm -f "$WORK/gin$fd" "$WORK/gout$fd"
	mkfifo "$WORK/gin$fd" "$WORK/gout$fd"
	"$@" <"$WORK/gin$fd" >"$WORK/gout$fd" 2>"$LOG/$(basename "$1").stderr" &
	pid=$!
	if [ "$fd" = 3 ]; then
		TPID=$pid
		exec 3>"$WORK/gin3" 4<"$WORK/gout3"
		read -r -t 120 -u 4 line || true
	else
		APID=$pid
		exec 7>"$WORK/gin7" 8<"$WORK/gout7"
		read -r -t 120 -u 8 line || true
	fi
	[ "$line" = ready ] || die "$1 did not get ready: '$line' $(cat "$LOG/$(basename "$1").stderr")"
	GTASKS[$pid]=$(ls "/proc/$pid/task" | wc -l)
	check_go "start-up of $*" "$pid"
}

# ------------------------------------------- the goroutine dump row --

start_go 3 "$GOMANY_BIN" "$NGOR"
GM_PID=$TPID
say "bench: go-gomany pid $GM_PID ready with $NGOR goroutines (${GTASKS[$GM_PID]} threads)"

DLV_IN=$WORK/dlv-commands
printf 'goroutines -t\nexit\nn\n' >"$DLV_IN"
mkdir -p "$WORK/dlv-home"
GOR_TOOLS=(ptprof delve)
set_gcmd() { # tool
	case $1 in
	ptprof) CMD=(timeout "$TIMEOUT" "${PTPROF_WORDS[@]}" -p "$GM_PID") ;;
	delve) CMD=(timeout "$TIMEOUT" env HOME="$WORK/dlv-home" dlv attach "$GM_PID" --allow-non-terminal-interactive=true) ;;
	esac
}
gor_avail() { [ "$1" = ptprof ] || [ -z "$DLV_NA" ]; }
for t in "${GOR_TOOLS[@]}"; do
	GFAIL[$t]=0
	gor_avail "$t" || continue
	set_gcmd "$t"
	GCMD[$t]="$(shjoin "${CMD[@]}") > /dev/null 2> $LOG/gor-$t.N.stderr"
	[ "$t" = delve ] && GCMD[$t]="printf 'goroutines -t\\nexit\\nn\\n' | ${GCMD[$t]}"
done

# Goroutines a tool's output lists: ptprof's "goroutine N [" headers (the
# form of Go's debug=2 dump), Delve's "Goroutine N - " headers.
count_gor() { # tool file
	case $1 in
	ptprof) grep -cE '^goroutine [0-9]+ \[' "$2" || true ;;
	delve) grep -oE '[* ] Goroutine [0-9]+ - ' "$2" | wc -l ;;  # the first follows a "(dlv) " prompt
	esac
}

for t in "${GOR_TOOLS[@]}"; do
	gor_avail "$t" || continue
	set_gcmd "$t"
	say "bench: warm-up $t on go-gomany"
	rc=0
	if [ "$t" = delve ]; then
		"${CMD[@]}" <"$DLV_IN" >"$OUT/gor-$t.txt" 2>"$LOG/gor-$t.warmup.stderr" || rc=$?
	else
		"${CMD[@]}" </dev/null >"$OUT/gor-$t.txt" 2>"$LOG/gor-$t.warmup.stderr" || rc=$?
	fi
	check_go "warm-up run of $t" "$GM_PID"
	n=$(count_gor "$t" "$OUT/gor-$t.txt")
	GV[$t.listed]=$n
	case $t in
	ptprof)
		GCHECK+=("ptprof: exit $rc, $n 'goroutine N [' headers (the form of Go's debug=2 dump) for the target's $((NGOR + 1)) goroutines besides the runtime's own")
		if [ "$n" = 0 ]; then
			GCHECK+=("ptprof listed no goroutine: its dump of this Go program shows $(grep -c '^Thread ' "$OUT/gor-$t.txt" || true) threads ('Thread TID' headers), not goroutines")
		fi ;;
	delve)
		GCHECK+=("Delve: exit $rc, $n 'Goroutine N - ' headers, its own count: $(sed -n 's/^\[\([0-9]*\) goroutines\]$/\1/p' "$OUT/gor-$t.txt" | head -1) (Delve counts the runtime's goroutines too)") ;;
	esac
	[ "$rc" = 0 ] || GCHECK+=("WARNING: $t exited with status $rc; stderr: $(head -c 600 "$LOG/gor-$t.warmup.stderr" | tr '\n' ' ')")
done

printf 'run\ttool\twall_ns\n' >"$LOG/goroutines.tsv"
for r in $(seq 1 "$RUNS"); do
	for t in "${GOR_TOOLS[@]}"; do
		gor_avail "$t" || continue
		set_gcmd "$t"
		say "bench: run $r/$RUNS $t on go-gomany"
		in=/dev/null
		[ "$t" = delve ] && in=$DLV_IN
		rc=0
		t0=$(now_ns)
		"${CMD[@]}" <"$in" >/dev/null 2>"$LOG/gor-$t.$r.stderr" || rc=$?
		t1=$(now_ns)
		check_go "run $r of $t: $(shjoin "${CMD[@]}")" "$GM_PID"
		if [ "$rc" != 0 ]; then
			GFAIL[$t]=$((GFAIL[$t] + 1))
			GNOTES+=("$t failed in run $r: $(why "$rc" "$LOG/gor-$t.$r.stderr")")
			[ "$t" != ptprof ] || PTPROF_FAILED[$PART]=1
			continue
		fi
		GV[$t.wall]+=" $((t1 - t0))"
		printf '%s\t%s\t%s\n' "$r" "$t" "$((t1 - t0))" >>"$LOG/goroutines.tsv"
	done
done
check_go "the last run" "$GM_PID"
exec 3>&- 4<&-
stop_pid "$GM_PID"
TPID=

# ---------------------------------------------- the CPU share row --
#
# Each run: "start" to go-gocpu (Go's profiler starts for REC_SECS s), then
# at once a ptprof record of the same length; then wait for "profiled".

# CPU time of the whole process so far (all threads), in ns.
proc_cpu_ns() { # pid
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1e9 / hz }' "/proc/$1/stat"
}

# ref.py pprof-counts of one profile -> "W A B T WA": the samples with
# main.worker, those of them with main.hashA, with main.hashB, all samples,
# and all samples with main.hashA (worker or not).
shares_of() { # profile
	local all within
	all=$(python3 "$REF" pprof-counts "$1" main.worker main.hashA) || return 1
	within=$(python3 "$REF" pprof-counts --within main.worker "$1" main.hashA main.hashB) || return 1
	awk -v all="$all" -v within="$within" 'BEGIN {
		n = split(all, a, "\n"); for (i = 1; i <= n; i++) { split(a[i], f, " "); A[f[1]] = f[2] }
		n = split(within, b, "\n"); for (i = 1; i <= n; i++) { split(b[i], f, " "); W[f[1]] = f[2] }
		printf "%d %d %d %d %d\n", W["total"], W["main.hashA"], W["main.hashB"], A["total"], A["main.hashA"] }'
}

if [ "$REC_RUNS" -ge 1 ]; then
	start_go 7 "$GOCPU_BIN" -profile "$OUT/gocpu-go.pb.gz" -seconds "$REC_SECS"
	GC_PID=$APID
	say "bench: go-gocpu pid $GC_PID ready (${GTASKS[$GC_PID]} threads)"
	GCMD[gocpu-go]=$(shjoin "$GOCPU_BIN" -profile "$OUT/gocpu-go.pb.gz" -seconds "$REC_SECS")
	GFAIL[gocpu-ptprof]=0 GFAIL[gocpu-go]=0
	printf 'run\tprofiler\tworker_samples\thashA\thashB\tall_samples\thashA_all\tprocess_cpu_s\n' >"$LOG/gocpu.tsv"
	for r in $(seq 1 "$REC_RUNS"); do
		f=$OUT/gocpu-ptprof.$r.pb.gz
		CMD=(timeout "$RT" "${PTPROF_RECORD_WORDS[@]}" -p "$GC_PID" -d "$REC_SECS" -r "$REC_RATE" -m cpu -o "$f")
		GCMD[gocpu-ptprof]="$(shjoin "${CMD[@]}" | sed "s/\\.$r\\./.N./g") 2> $LOG/gocpu-ptprof.N.stderr"
		say "bench: run $r/$REC_RUNS ptprof record and Go's CPU profile of go-gocpu ($REC_SECS s)"
		rm -f "$OUT/gocpu-go.pb.gz"
		# The process's CPU time from "start" to "profiled": what Go's
		# profile covers (it samples 100 times per CPU-second).
		c0=$(proc_cpu_ns "$GC_PID")
		printf 'start\n' >&7 || die "go-gocpu (pid $GC_PID) does not read its stdin"
		"${CMD[@]}" >/dev/null 2>"$LOG/gocpu-ptprof.$r.stderr" &
		ppid=$!
		answer=
		read -r -t "$RT" -u 8 answer || true
		c1=$(proc_cpu_ns "$GC_PID")
		cpu=$(awk -v n=$((c1 - c0)) 'BEGIN { printf "%.2f", n / 1e9 }')
		rc=0
		wait "$ppid" || rc=$?
		check_go "run $r of the CPU profiles: $(shjoin "${CMD[@]}")" "$GC_PID"
		if [ "$answer" = profiled ] && cp "$OUT/gocpu-go.pb.gz" "$OUT/gocpu-go.$r.pb.gz"; then
			if s=$(shares_of "$OUT/gocpu-go.$r.pb.gz"); then
				read -r w a b all aall <<<"$s"
				printf '%s\tgo\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$w" "$a" "$b" "$all" "$aall" "$cpu" >>"$LOG/gocpu.tsv"
				GV[go.detail]="$w of $all samples reach main.worker; $aall samples in main.hashA; the process used $cpu CPU-s while Go's profiler ran (at 100 samples per CPU-s: $(awk -v c="$cpu" 'BEGIN { printf "%.0f", 100 * c }') expected)"
				GV[go.all]+=" $all"
				if [ "$w" -gt 0 ]; then
					GV[go.n]+=" $w" GV[go.a]+=" $(awk -v a="$a" -v w="$w" 'BEGIN { printf "%.4f", 100 * a / w }')"
					GV[go.b]+=" $(awk -v b="$b" -v w="$w" 'BEGIN { printf "%.4f", 100 * b / w }')"
				else
					GFAIL[gocpu-go]=$((GFAIL[gocpu-go] + 1))
					GNOTES+=("Go's profile, run $r: no sample reaches main.worker ($all samples)")
				fi
			else
				GFAIL[gocpu-go]=$((GFAIL[gocpu-go] + 1))
				GNOTES+=("Go's profile, run $r: tests/go/ref.py cannot read $OUT/gocpu-go.$r.pb.gz")
			fi
		else
			GFAIL[gocpu-go]=$((GFAIL[gocpu-go] + 1))
			GNOTES+=("Go's profile, run $r: go-gocpu answered '$answer' instead of 'profiled' $(head -c 300 "$LOG/go-gocpu.stderr" | tr '\n' ' ')")
		fi
		if [ "$rc" != 0 ]; then
			GFAIL[gocpu-ptprof]=$((GFAIL[gocpu-ptprof] + 1))
			GNOTES+=("ptprof record failed in run $r: $(why "$rc" "$LOG/gocpu-ptprof.$r.stderr")")
			PTPROF_FAILED[$PART]=1
		elif s=$(shares_of "$f"); then
			read -r w a b all aall <<<"$s"
			printf '%s\tptprof\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$w" "$a" "$b" "$all" "$aall" "$cpu" >>"$LOG/gocpu.tsv"
			GV[ptprof.detail]="$w of $all samples reach main.worker; $aall samples in main.hashA"
			GV[ptprof.all]+=" $all"
			if [ "$w" -gt 0 ]; then
				GV[ptprof.n]+=" $w" GV[ptprof.a]+=" $(awk -v a="$a" -v w="$w" 'BEGIN { printf "%.4f", 100 * a / w }')"
				GV[ptprof.b]+=" $(awk -v b="$b" -v w="$w" 'BEGIN { printf "%.4f", 100 * b / w }')"
			else
				GFAIL[gocpu-ptprof]=$((GFAIL[gocpu-ptprof] + 1))
				GNOTES+=("ptprof record, run $r: none of its $all samples reaches main.worker ($aall in main.hashA): the Go stacks stop short of the goroutine's function")
			fi
		else
			GFAIL[gocpu-ptprof]=$((GFAIL[gocpu-ptprof] + 1))
			GNOTES+=("ptprof record, run $r: tests/go/ref.py cannot read $f: $(python3 "$REF" pprof-counts "$f" 2>&1 | head -c 300)")
			PTPROF_FAILED[$PART]=1
		fi
	done
	exec 7>&- 8<&-
	stop_pid "$GC_PID"
	APID=
fi

note_load "$PART.end"
save_figures goroutines GM_PID GC_PID GV GCMD GFAIL GCHECK GNOTES DLV_NA DLV_VERSION GO_VERSION LOAD_AT PTPROF_FAILED
