#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/serve.sh - part "serve" of the benchmark (started by bench/run.sh):
# `ptprof serve` on loopback, served process the ratio target (bench/ratio.c,
# a busy worker and BENCH_SHARE_IDLE idle threads).
#   - load: BENCH_SERVE_INDEX (100) clients asking for /debug/pprof/ and
#     BENCH_SERVE_PROFILES (10) asking for /debug/pprof/profile?seconds=2,
#     all at once (one Python thread each, urllib); every answer must be 200
#     (and a profile gzipped): errors counted;
#   - for each profile, the time from the end of its window to the end of
#     the answer: the client's time for the request minus the 2 s asked (an
#     upper bound: it includes connecting and sending the request);
#   - ptprof serve's own CPU while idle (no request, no recording: the
#     recording of the profiles ends 2 s after the last window), over
#     BENCH_SERVE_IDLE (5) seconds: the sum of its threads' run time
#     (/proc/PID/task/*/schedstat, ns) and, as a cross-check, utime+stime
#     of /proc/PID/stat (clock ticks);
# After the run the target must be alive and no thread of it traced or
# stopped; serve must exit 0 on SIGTERM.

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init serve "$@"

N_INDEX=${BENCH_SERVE_INDEX:-100}
N_PROF=${BENCH_SERVE_PROFILES:-10}
PROF_SECS=2
IDLE_SECS=${BENCH_SERVE_IDLE:-5}
SERVE_PID=''

command -v python3 >/dev/null 2>&1 || die "python3 is needed (the clients)"
[ -x "$RATIO_BIN" ] || die "$RATIO_BIN is missing (bench/run.sh builds it)"

serve_cleanup() {
	[ -z "$SERVE_PID" ] || kill -KILL "$SERVE_PID" 2>/dev/null
	cleanup
}
trap serve_cleanup EXIT

start_ratio "$SHARE_IDLE"
TPID=$RPID

# ------------------------------------------------------------- serve --

VCMD[serve]="$(shjoin "$B/ptprof" serve -p "$RPID" --listen 127.0.0.1:0) 2> $LOG/serve.stderr"
"$B/ptprof" serve -p "$RPID" --listen 127.0.0.1:0 </dev/null >/dev/null 2>"$LOG/serve.stderr" &
SERVE_PID=$!
line=''
for _ in $(seq 1 1000); do
	line=$(grep -m1 '^ptprof: serving http://' "$LOG/serve.stderr" || true)
	[ -z "$line" ] || break
	kill -0 "$SERVE_PID" 2>/dev/null || die "ptprof serve exited: $(cat "$LOG/serve.stderr")"
	sleep 0.01
done
[ -n "$line" ] || die "ptprof serve printed no readiness line: $(cat "$LOG/serve.stderr")"
URL=$(printf '%s\n' "$line" | sed -n 's|^ptprof: serving \(http://[^/]*\)/debug/pprof/ .*|\1|p')
say "bench: ptprof serve pid $SERVE_PID at $URL for ratio pid $RPID"

# ------------------------------------------------------------- load --

say "bench: $N_INDEX clients on the index and $N_PROF on profile?seconds=$PROF_SECS, at once"
VCMD[load]="python3 (bench/serve.sh): $N_INDEX threads GET $URL/debug/pprof/ and $N_PROF threads GET $URL/debug/pprof/profile?seconds=$PROF_SECS, started together (a barrier), each one request"
python3 - "$URL" "$N_INDEX" "$N_PROF" "$PROF_SECS" >"$LOG/serve.load" 2>&1 <<'EOF' || die "the load clients failed: $(tail -5 "$LOG/serve.load")"
import sys, threading, time, urllib.request
url, n_index, n_prof, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
barrier = threading.Barrier(n_index + n_prof)
res = []
lock = threading.Lock()
def one(kind, path):
    barrier.wait()
    t0 = time.monotonic()
    err = ''
    try:
        with urllib.request.urlopen(url + path, timeout=secs + 30) as r:
            body = r.read()
            if r.status != 200:
                err = 'status %d' % r.status
            elif kind == 'profile' and body[:2] != b'\x1f\x8b':
                err = 'not gzip'
    except Exception as e:
        err = str(e).replace('\n', ' ')
    with lock:
        res.append((kind, time.monotonic() - t0, err))
ts = [threading.Thread(target=one, args=('index', '/debug/pprof/')) for _ in range(n_index)]
ts += [threading.Thread(target=one, args=('profile', '/debug/pprof/profile?seconds=%d' % secs)) for _ in range(n_prof)]
for t in ts: t.start()
for t in ts: t.join()
for kind, dt, err in res:
    print(kind, '%.6f' % dt, err or 'ok')
EOF
VV[index.ok]=$(awk '$1 == "index" && $3 == "ok"' "$LOG/serve.load" | wc -l)
VV[index.err]=$(awk '$1 == "index" && $3 != "ok"' "$LOG/serve.load" | wc -l)
VV[prof.ok]=$(awk '$1 == "profile" && $3 == "ok"' "$LOG/serve.load" | wc -l)
VV[prof.err]=$(awk '$1 == "profile" && $3 != "ok"' "$LOG/serve.load" | wc -l)
VV[index.max]=$(awk '$1 == "index" { if ($2 > m) m = $2 } END { printf "%.3f", m }' "$LOG/serve.load")
VV[prof.late]=$(awk -v s="$PROF_SECS" '$1 == "profile" && $3 == "ok" { printf "%.3f ", $2 - s }' "$LOG/serve.load")
VV[errors]=$(awk '$3 != "ok" { $2 = ""; print }' "$LOG/serve.load" | sort | uniq -c | head -3 | tr '\n' ';')
kill -0 "$RPID" || die "the target died under the load"

# ------------------------------------------------------------- idle --

# The recording ends 2 s after its last window; the idle figure starts
# once no thread of the target is traced any more.
for _ in $(seq 1 500); do
	awk '/^TracerPid:/ && $2 != 0 { f = 1 } END { exit f }' "/proc/$RPID/task"/*/status 2>/dev/null && break
	sleep 0.02
done
check_pid "the end of the recording" "$RPID" "$RTASKS"
serve_run_ns() {
	cat "/proc/$SERVE_PID/task"/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
serve_ticks() {
	sed 's/^.*) //' "/proc/$SERVE_PID/stat" | awk '{ print $12 + $13 }'
}
say "bench: ptprof serve idle for $IDLE_SECS s"
r0=$(serve_run_ns) k0=$(serve_ticks) t0=$(now_ns)
sleep "$IDLE_SECS"
r1=$(serve_run_ns) k1=$(serve_ticks) t1=$(now_ns)
VV[idle.pct]=$(awk -v a="$r0" -v b="$r1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.4f", (b - a) / (t1 - t0) * 100 }')
VV[idle.ticks_pct]=$(awk -v a="$k0" -v b="$k1" -v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" \
	'BEGIN { printf "%.2f", (b - a) / hz / ((t1 - t0) / 1e9) * 100 }')
VV[idle.threads]=$(ls "/proc/$SERVE_PID/task" | wc -l)
VCMD[idle]="sum of field 1 of /proc/$SERVE_PID/task/*/schedstat before and after $IDLE_SECS s of sleep; fields 14+15 of /proc/$SERVE_PID/stat likewise"

# ------------------------------------------------------------- stop --

kill -TERM "$SERVE_PID"
rc=0
wait "$SERVE_PID" || rc=$?
SERVE_PID=''
[ "$rc" = 0 ] || VNOTES+=("ptprof serve exited $rc after SIGTERM, not 0: $(tail -3 "$LOG/serve.stderr" | tr '\n' ' ')")
check_pid "SIGTERM to ptprof serve" "$RPID" "$RTASKS"
stop_ratio
TPID=

note_load "$PART.end"
save_figures serve VV VCMD VNOTES N_INDEX N_PROF PROF_SECS IDLE_SECS LOAD_AT PTPROF_FAILED
