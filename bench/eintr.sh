#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/eintr.sh - part "eintr" of the benchmark (started by bench/run.sh):
# the EINTRs a thread looping on epoll_wait(-1) (bench/epoll.c, beside a busy
# thread) sees over 5 s with no tool attached, then during a 5 s `ptprof
# record` at 99 Hz in cpu mode, then in wall mode; one run each.

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init eintr "$@"

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
			PTPROF_FAILED[$PART]=1
			continue
		fi
		sum=$(ptprof_summary "$LOG/eintr-$m.stderr") && read -r n _ <<<"$sum" || n='?'
		XV[eintr-$m.samples]=$n
	fi
	XV[eintr-$m]=${REP[1]} XV[eintr-$m.other]=${REP[2]}
done
stop_aux
note_load "$PART.end"

save_figures eintr EP_PID EP_TID EP_BUSY XV XCMD XFAIL XNOTES LOAD_AT PTPROF_FAILED
