#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/accuracy.sh - part "accuracy" of the benchmark (started by
# bench/run.sh): on bench/ratio.c with BENCH_SHARE_IDLE idle threads, a worker
# splitting its CPU 1:3 between hot_a and hot_b,
#   - share of hot_a / hot_b in the worker's samples, `ptprof record` vs
#     `perf record`, and the distance of each from the truth (25% / 75%):
#     BENCH_RECORD_RUNS profiles of BENCH_RECORD_SECONDS s at 99 Hz each
#   - in the same loop (strace needed), after each ptprof and perf run:
#     ptrace + process_vm_readv + wait4 calls per stopped thread-sample of a
#     5 s cpu-mode `ptprof record -v` under strace -f -c, and of bench/floor.c
#     under the same strace (the syscall table's share and floor columns)
# An untimed 1 s warm-up of ptprof record and perf record comes first; it
# also finds out whether perf works here (saved for the parts that follow).

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init accuracy "$@"

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

init_keys ptprof-share perf-share sys-ptprof-share sys-floor
mkdir -p "$PERF_HOME"
begin_record_logs

start_ratio "$SHARE_IDLE"
SHARE_PID=$RPID SHARE_TASKS=$RTASKS SHARE_WTID=$RWTID

record_warmup

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
note_load "$PART.end"

# Output check (first successful run).
if f=$(chk_file ptprof-share folded); then
	RCHECK+=("ptprof, share row ($f): $(wc -l <"$f") folded lines, threads seen $(median "${RV[ptprof-share.threads]:-0}") of $SHARE_TASKS, worker lines with hot_a: $(grep -c "/$SHARE_WTID;.*;hot_a\\b" "$f" || true), with hot_b: $(grep -c "/$SHARE_WTID;.*;hot_b\\b" "$f" || true)")
fi

[ "${RFAIL[ptprof-share]}" = 0 ] && [ "${SFAIL[sys-ptprof-share]}" = 0 ] || PTPROF_FAILED[$PART]=1
save_figures accuracy SHARE_PID SHARE_TASKS SHARE_WTID RV RFAIL RFAILMSG RCMD RCHECK \
	SV SFAIL SCMD SDETAIL STGT SNOTES LOAD_AT PTPROF_FAILED
