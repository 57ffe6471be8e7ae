#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/cost.sh - part "cost" of the benchmark (started by bench/run.sh): on
# bench/ratio.c with BENCH_THREADS idle threads beside its busy worker,
# BENCH_RECORD_RUNS rounds, interleaved in this order:
#   - `ptprof record` in cpu mode, then in wall mode (BENCH_RECORD_SECONDS s
#     at 99 Hz): profiler CPU time (user+sys) and samples per second actually
#     taken, with ptprof's missed ticks
#   - (strace needed) ptrace + process_vm_readv + wait4 calls per stopped
#     thread-sample of a 5 s cpu-mode `ptprof record -v` under strace -f -c
#     (the syscall table's column for this target)
#   - `perf record` then `perf report` of the same length: CPU time of both
#     added, and samples taken
# The profiles are checked with `go tool pprof` and perf report afterwards.
# Without bench/accuracy.sh before it in the same run, this part does the
# record warm-up itself, on its own target.

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init cost "$@"

init_keys ptprof-cpu perf-cpu ptprof-wall sys-ptprof-cost
mkdir -p "$PERF_HOME"
begin_record_logs

start_ratio "$NTHREADS"
COST_PID=$RPID COST_TASKS=$RTASKS COST_WTID=$RWTID

[ -f "$FIG/perf-probe.sh" ] || record_warmup

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
note_load "$PART.end"

# Output checks (first successful run of each).
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

[ "${RFAIL[ptprof-cpu]}" = 0 ] && [ "${RFAIL[ptprof-wall]}" = 0 ] && [ "${SFAIL[sys-ptprof-cost]}" = 0 ] ||
	PTPROF_FAILED[$PART]=1
save_figures cost COST_PID COST_TASKS COST_WTID RV RFAIL RFAILMSG RCMD RCHECK \
	SV SFAIL SCMD SDETAIL STGT SNOTES LOAD_AT PTPROF_FAILED
