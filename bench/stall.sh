#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/stall.sh - part "stall" of the benchmark (started by bench/run.sh):
# the stall a spinning target thread (bench/spinner.c) sees per sample during
# a 5 s cpu-mode profile at 99 Hz, `ptprof record` vs bench/floor.c (the
# least a ptrace sampler does) vs `perf record`, interleaved in that order,
# BENCH_STALL_RUNS rounds.  Per sample = (sum of the spinner's gaps > 20 us
# during the command - the same sum over an equal idle period right after,
# no tool attached) / samples taken.

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init stall "$@"
set_perf_x_na

# Sum of gaps > 20 us since the last reset (ns).
aux_stall_sum() {
	local -a rep
	read -r -a rep <<<"$(aux_cmd report)"
	[ "${rep[0]:-}" = stall ] || die "spinner sent '${rep[*]}' instead of a stall report (dead, stopped or stuck?)"
	printf '%s\n' "${rep[2]}"
}

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
			[ "$t" = ptprof ] && PTPROF_FAILED[$PART]=1
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
			[ "$t" = ptprof ] && PTPROF_FAILED[$PART]=1
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
note_load "$PART.end"

save_figures stall SPIN_PID SPIN_TID PERF_X_NA XV XCMD XFAIL XNOTES LOAD_AT PTPROF_FAILED
