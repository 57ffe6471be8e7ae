#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/rss.sh - part "rss" of the benchmark (started by bench/run.sh): peak
# RSS (GNU time's %M) of a BENCH_RSS_SHORT s and of a BENCH_RSS_LONG s record
# at 999 Hz of bench/ratio.c with BENCH_SHARE_IDLE idle threads, `ptprof
# record` vs `perf record`, one run each, in the order ptprof short, perf
# short, ptprof long, perf long.

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init rss "$@"
set_perf_x_na

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
note_load "$PART.end"

save_figures rss RSS_PID PERF_X_NA XV XCMD XFAIL XNOTES LOAD_AT PTPROF_FAILED
