# tests/e2e/t_record.sh - `ptprof record` against live targets.
#
# Every recording is checked against the contract of its format (pprof,
# decoded here by a small protobuf reader and read back by `go tool pprof`;
# folded; text), and after every recording the target must be untouched: no
# thread traced or left in a tracing stop, and it still answers ping
# (stop_target then requires a clean exit 0).
#
# The statistical tests (shares, states) use the ratio target: a worker
# splitting its CPU 1:3 between hot_a and hot_b, an idle thread asleep.
#
# Uses wait_for_count, close_target_fds and signals_command (t_robust.sh).

need_go() {
	command -v go >/dev/null || skip "go is not installed (apt-get install golang-go)"
}

record() {
	run_ptprof record "$@"
}

# assert_line FILE TEXT: FILE has a line that is exactly TEXT.
assert_line() {
	grep -Fxq -- "$2" "$1" && return 0
	[ "$1" = "$T/out" ] || [ "$1" = "$T/err" ] || show_file "checked file" "$1" 60
	fail "no line of ${1##*/} is exactly '$2'"
}

# The summary on stderr, "recorded S s (WHY): N samples from T threads, K
# ticks", into REC_SECS, REC_WHY, REC_N, REC_T and REC_K.
SUMMARY_RE='^ptprof: recorded ([0-9]+\.[0-9]) s \(([a-z ]+)\): ([0-9]+) samples from ([0-9]+) threads, ([0-9]+) ticks$'
read_summary() {
	local line n
	n=$(grep -Ec -- "$SUMMARY_RE" "$T/err")
	[ "$n" = 1 ] || fail "$n summary lines on stderr, expected 1"
	line=$(grep -E -- "$SUMMARY_RE" "$T/err")
	[[ $line =~ $SUMMARY_RE ]] || fail "cannot parse the summary '$line'"
	REC_SECS=${BASH_REMATCH[1]}
	REC_WHY=${BASH_REMATCH[2]}
	REC_N=${BASH_REMATCH[3]}
	REC_T=${BASH_REMATCH[4]}
	REC_K=${BASH_REMATCH[5]}
}

# assert_pprof_written FILE: the last line on stderr for a pprof profile.
assert_pprof_written() {
	assert_line "$T/err" "ptprof: wrote $1; look at it with: go tool pprof -http=: $1"
}

assert_gzip() {
	[ -s "$1" ] || fail "${1##*/}: no profile written"
	assert_eq "$(head -c2 "$1" | od -An -tx1 | tr -d ' ')" 1f8b "gzip magic of ${1##*/}"
}

# go_raw FILE: `go tool pprof -raw FILE` into $T/raw; it must read it.
go_raw() {
	go_pprof_into "$T/raw" -raw "$1"
}

# The pprof header as `go tool pprof -raw` prints it, for MODE at HZ.
assert_raw_header() {
	local mode=$1 hz=$2
	assert_match "$T/raw" "^PeriodType: $mode nanoseconds$"
	assert_match "$T/raw" "^Period: $((1000000000 / hz))$"
	assert_match "$T/raw" "^samples/count $mode/nanoseconds$"
	assert_match "$T/raw" '^Duration: [0-9]'
	assert_match "$T/raw" '^Time: [0-9]{4}-'
}

# A protobuf reader for pprof profiles, no library needed.  load(PATH)
# returns a dict; check_profile(p, MODE, HZ[, EXE, BUILD_ID]) checks the
# structure every record profile must have.
PPROF_PY='
import gzip, sys, time

def check(cond, msg):
    if not cond:
        print(msg)
        sys.exit(1)

def varint(b, i):
    x = s = 0
    while True:
        check(i < len(b), "truncated varint")
        c = b[i]
        i += 1
        x |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return x, i

def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            check(i + n <= len(b), "field %d runs past the end of its message" % f)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            check(False, "wire type %d in field %d" % (wt, f))
        yield f, wt, v

def ints(wt, v):
    if wt == 0:
        return [v]
    check(wt == 2, "integer field with wire type %d" % wt)
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out

def s64(x):
    return x - (1 << 64) if x >= 1 << 63 else x

def scalars(b, names):
    d = {n: 0 for n in names.values()}
    for f, wt, v in fields(b):
        if f in names:
            check(wt == 0, "field %d (%s) has wire type %d" % (f, names[f], wt))
            d[names[f]] = v
    return d

def load(path):
    raw = open(path, "rb").read()
    check(raw[:2] == b"\x1f\x8b", "%s is not gzip: starts with %r" % (path, raw[:4]))
    b = gzip.decompress(raw)
    p = {"sample_type": [], "sample": [], "mapping": [], "location": [],
         "function": [], "strings": [], "time": 0, "duration": 0,
         "period_type": (0, 0), "period": 0}
    for f, wt, v in fields(b):
        if f == 1:
            vt = scalars(v, {1: "type", 2: "unit"})
            p["sample_type"].append((vt["type"], vt["unit"]))
        elif f == 2:
            s = {"loc": [], "val": [], "labels": []}
            for g, gwt, w in fields(v):
                if g == 1:
                    s["loc"] += ints(gwt, w)
                elif g == 2:
                    s["val"] += [s64(x) for x in ints(gwt, w)]
                elif g == 3:
                    s["labels"].append(scalars(w, {1: "key", 2: "str", 3: "num", 4: "unit"}))
            p["sample"].append(s)
        elif f == 3:
            p["mapping"].append(scalars(v, {1: "id", 2: "start", 3: "limit", 4: "offset",
                                            5: "file", 6: "build"}))
        elif f == 4:
            l = {"id": 0, "mapping": 0, "address": 0, "lines": []}
            for g, gwt, w in fields(v):
                if g == 1:
                    l["id"] = w
                elif g == 2:
                    l["mapping"] = w
                elif g == 3:
                    l["address"] = w
                elif g == 4:
                    l["lines"].append(scalars(w, {1: "function", 2: "line"}))
            p["location"].append(l)
        elif f == 5:
            p["function"].append(scalars(v, {1: "id", 2: "name", 3: "system_name",
                                             4: "filename"}))
        elif f == 6:
            check(wt == 2, "string with wire type %d" % wt)
            try:
                p["strings"].append(v.decode("utf-8"))
            except UnicodeDecodeError as e:
                check(False, "string %d is not UTF-8: %r" % (len(p["strings"]), v))
        elif f == 9:
            p["time"] = s64(v)
        elif f == 10:
            p["duration"] = s64(v)
        elif f == 11:
            vt = scalars(v, {1: "type", 2: "unit"})
            p["period_type"] = (vt["type"], vt["unit"])
        elif f == 12:
            p["period"] = s64(v)
    S = p["strings"]
    def st(i, what):
        check(0 <= i < len(S), "%s: string index %d, the table has %d" % (what, i, len(S)))
        return S[i]
    p["types"] = [(st(t, "sample type"), st(u, "sample unit")) for t, u in p["sample_type"]]
    p["ptype"] = (st(p["period_type"][0], "period type"), st(p["period_type"][1], "period unit"))
    for m in p["mapping"]:
        m["file_s"] = st(m["file"], "mapping file")
        m["build_s"] = st(m["build"], "mapping build id")
    for fn in p["function"]:
        fn["name_s"] = st(fn["name"], "function name")
    funcs = {fn["id"]: fn for fn in p["function"]}
    locs = {l["id"]: l for l in p["location"]}
    for s in p["sample"]:
        s["lab"] = {}
        for l in s["labels"]:
            k = st(l["key"], "label key")
            s["lab"].setdefault(k, []).append(
                (st(l["str"], "label value"), None) if l["str"] else (None, l["num"]))
        s["thread"] = (s["lab"].get("thread") or [(None, None)])[0][0]
        s["tid"] = (s["lab"].get("tid") or [(None, None)])[0][1]
        s["state"] = (s["lab"].get("state") or [(None, None)])[0][0]
        # Function names, innermost first, inlined frames expanded.
        s["funcs"] = [funcs[ln["function"]]["name_s"]
                      for i in s["loc"] if i in locs
                      for ln in locs[i]["lines"] if ln["function"] in funcs]
        s["n"] = s["val"][0] if s["val"] else 0
    return p

def check_profile(p, mode, hz, exe=None, build_id=None):
    S = p["strings"]
    check(S and S[0] == "", "string_table[0] is %r, not the empty string" % S[:1])
    check(p["types"] == [("samples", "count"), (mode, "nanoseconds")],
          "sample types %r" % p["types"])
    check(p["ptype"] == (mode, "nanoseconds"), "period type %r" % (p["ptype"],))
    period = 10**9 // hz
    check(p["period"] == period, "period %d, expected %d" % (p["period"], period))
    age = time.time() - p["time"] / 1e9
    check(0 <= age < 600, "time_nanos %d is %.0f s from now" % (p["time"], age))
    check(p["duration"] > 0, "duration_nanos %d" % p["duration"])
    for what in ("mapping", "location", "function"):
        ids = sorted(x["id"] for x in p[what])
        check(ids == list(range(1, len(ids) + 1)),
              "%s ids are not 1..%d: %r" % (what, len(ids), ids[:30]))
    mids = {m["id"] for m in p["mapping"]}
    fids = {f["id"] for f in p["function"]}
    lids = {l["id"] for l in p["location"]}
    for m in p["mapping"]:
        check(m["file_s"] != "", "mapping %d has no file name" % m["id"])
        check(m["limit"] > m["start"], "mapping %d: limit %#x <= start %#x"
              % (m["id"], m["limit"], m["start"]))
    if exe:
        mine = [m for m in p["mapping"] if m["file_s"] == exe]
        check(mine, "no mapping of %s; mappings: %r" % (exe, [m["file_s"] for m in p["mapping"]]))
        for m in mine:
            check(m["build_s"].lower() == build_id,
                  "mapping of %s has build id %r, expected %r" % (exe, m["build_s"], build_id))
    for l in p["location"]:
        check(l["mapping"] in mids, "location %d: mapping %d" % (l["id"], l["mapping"]))
        check(l["address"] != 0, "location %d has address 0" % l["id"])
        for ln in l["lines"]:
            check(ln["function"] in fids, "location %d: function %d" % (l["id"], ln["function"]))
    for f in p["function"]:
        check(f["name_s"] != "", "function %d has no name" % f["id"])
    for s in p["sample"]:
        check(len(s["val"]) == 2, "a sample with %d values: %r" % (len(s["val"]), s["val"]))
        check(s["val"][0] >= 1, "a sample with count %d" % s["val"][0])
        # wall: time passed, count x period; cpu: the measured CPU time of each
        # thread, shared among its samples (checked by record_cpu_exact).
        if mode == "wall":
            check(s["val"][1] == s["val"][0] * period,
                  "a sample of %d counts %d ns, not %d" % (s["val"][0], s["val"][1], s["val"][0] * period))
        else:
            check(s["val"][1] >= 0, "a sample of %d ns" % s["val"][1])
        for i in s["loc"]:
            check(i in lids, "a sample refers to location %d, which does not exist" % i)
        check(sorted(s["lab"]) == ["pid", "process", "state", "thread", "tid"],
              "sample labels %r" % s["lab"])
        pid = s["lab"]["pid"][0][1]
        check(pid is not None and pid > 0, "pid label not a number: %r" % s["lab"])
        check(s["lab"]["process"][0][0], "process label without a string: %r" % s["lab"])
        for k in s["lab"]:
            check(len(s["lab"][k]) == 1, "label %s %d times in a sample" % (k, len(s["lab"][k])))
        check(s["thread"] is not None, "thread label without a string: %r" % s["lab"])
        check(s["state"], "state label without a string: %r" % s["lab"])
        check(s["tid"] is not None and s["tid"] > 0, "tid label not a number: %r" % s["lab"])
    return sum(s["n"] for s in p["sample"])
'

# pprof_check FILE CODE: python CODE with `p` the decoded profile of FILE,
# PPROF_PY's helpers and check(cond, message) failing the test.
pprof_check() {
	local file=$1 code=$2 out
	out=$(python3 - "$file" 2>&1 <<EOF
$PPROF_PY
p = load(sys.argv[1])
$code
EOF
) || fail "profile ${file##*/}: $out"
	[ -z "$out" ] || echo "$out"
}

# Folded stacks: every line "frame;...;leaf COUNT", no empty frame.
assert_folded() {
	local file=$1 bad
	bad=$(awk '
		!/^[^ ].* [0-9]+$/ { print "line " NR " is not FRAMES COUNT: " $0; exit }
		{ s = $0; sub(/ [0-9]+$/, "", s) }
		s ~ /(^;|;;|;$)/ { print "line " NR " has an empty frame: " $0; exit }
	' "$file")
	[ -z "$bad" ] || { show_file "checked file" "$file" 30; fail "${file##*/}: $bad"; }
	[ -s "$file" ] || fail "${file##*/} is empty"
}

folded_total() {
	awk '{ n += $NF } END { print n + 0 }' "$1"
}

# The first line of a text report.
text_header_re() {
	local pid=$1 comm=$2 mode=$3 hz=$4 n=$5 threads=$6
	echo "^ptprof record: pid $pid \"$comm\", $mode mode at $hz Hz, [0-9]+\.[0-9] s, $n samples, $threads threads seen$"
}

# The sum of the samples column of a text report's thread table.
text_thread_total() {
	# The table ends at the first blank line (more sections may follow).
	awk '/^Threads \(/ { on = 1; getline; next } on && !NF { exit } on { n += $3 } END { print n + 0 }' "$1"
}

# A text report's structure: header, then the two tables with their
# column heads, rows of the right shape, and thread samples adding up.
assert_text_report() {
	local file=$1 n=$2
	[ -z "$(sed -n 2p "$file")" ] || fail "line 2 of ${file##*/} is not empty"
	assert_eq "$(sed -n 3p "$file")" "Top functions (flat: samples on top of the stack; cum: anywhere in it)" \
		"line 3 of ${file##*/}"
	sed -n 4p "$file" >"$T/line4"
	assert_match "$T/line4" '^ +flat +flat% +cum +cum% +function$'
	local bad
	bad=$(awk '
		NR > 4 && !done {
			if ($0 == "") { done = 1; next }
			if ($0 !~ /^ +[0-9]+ +[0-9]+\.[0-9]% +[0-9]+ +[0-9]+\.[0-9]%  [^ ]/) { print "top row " NR ": " $0; exit }
		}
	' "$file")
	[ -z "$bad" ] || { show_file "checked file" "$file"; fail "${file##*/}: bad $bad"; }
	assert_match "$file" '^Threads \(share of all samples, then of the thread.s samples by state\)$'
	assert_match "$file" '^ +tid +name +samples +share +running +sleeping +disk-sleep +other$'
	assert_eq "$(text_thread_total "$file")" "$n" "sum of the samples column of the thread table"
}

# ----------------------------------------------------- background records

# record_bg ARG...: `ptprof record ARG...` in the background (REC_PID is
# ptprof itself, so signals reach it directly), stdout/stderr to $T/out
# and $T/err.  It holds no target's stdin.
record_bg() {
	LAST_CMD="ptprof record $* (in the background)"
	PT_RC=running
	: >"$T/out"
	: >"$T/err"
	(
		close_target_fds
		exec "$PTPROF" record "$@" </dev/null >"$T/out" 2>"$T/err"
	) &
	REC_PID=$!
	trap "kill -9 $REC_PID 2>/dev/null; cleanup_targets" EXIT
}

# wait_started: the "recording process" line on stderr (10 s).
wait_started() {
	local rc=0
	wait_for_line "$T/err" '^ptprof: recording process [0-9]+ (and its children )?in ' 10 "$REC_PID" || rc=$?
	[ $rc -eq 0 ] || fail "ptprof never said it is recording (rc $rc)"
}

# wait_record SECS: ptprof must end within SECS; its status in PT_RC.
wait_record() {
	local secs=$1 deadline
	deadline=$(($(now_ms) + secs * 1000))
	while :; do
		case $(proc_state "$REC_PID") in
		Z | gone) break ;;
		esac
		if [ "$(now_ms)" -ge "$deadline" ]; then
			kill -9 "$REC_PID" 2>/dev/null
			wait "$REC_PID" 2>/dev/null
			PT_RC=timeout
			fail "ptprof record still running after $secs s"
		fi
		sleep 0.01
	done
	PT_RC=0
	wait "$REC_PID" || PT_RC=$?
	trap cleanup_targets EXIT
	check_sanitizer "$T/err"
}

rec_running() {
	case $(proc_state "$REC_PID") in
	Z | gone) return 1 ;;
	esac
	return 0
}

# ------------------------------------------------------------ /proc states

# all_threads_state PID REGEX: every thread's state letter matches REGEX.
all_threads_state() {
	local pid=$1 re=$2 t s
	for t in /proc/"$pid"/task/*; do
		s=$(proc_state "$pid" "${t##*/}")
		[ "$s" = gone ] && continue
		[[ $s =~ ^($re)$ ]] || return 1
	done
	return 0
}

# wait_threads_state PID REGEX SECS
wait_threads_state() {
	local pid=$1 re=$2 deadline=$(($(now_ms) + $3 * 1000))
	until all_threads_state "$pid" "$re"; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.01
	done
}

thread_states() {
	local t out=""
	for t in /proc/"$1"/task/*; do
		out+="${t##*/}:$(proc_state "$1" "${t##*/}") "
	done
	echo "$out"
}

build_id_of() {
	readelf -n "$1" | awk '/Build ID:/ { print tolower($3) }'
}

# ============================================================== statistics

# TracerPid of one thread of PID.
tracer_of() {
	awk '/^TracerPid:/ { print $2 }' "/proc/$1/task/$2/status" 2>/dev/null
}

# cpu mode seizes a thread only when it is first sampled: a thread that
# sleeps throughout is never traced, and ptprof's own count of system
# calls per thread-sample stays within the floor of five plus one.
t_record_cpu_seizes_runners_only() {
	start_target ratio
	local pid=$LAST_PID wtid itid rpid tr=0 deadline line seizes per
	wtid=$(tid_by_name "$pid" worker)
	itid=$(tid_by_name "$pid" idle)
	LAST_CMD="ptprof record -v -p $pid -d 2 -o $T/l.pb.gz"
	timeout -k 5 30 "$PTPROF" record -v -p "$pid" -d 2 -o "$T/l.pb.gz" \
		</dev/null >"$T/out" 2>"$T/err" &
	rpid=$!
	# Polled, not slept on: the worker is traced from the first tick.
	deadline=$(($(now_ms) + 10000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		tr=$(tracer_of "$pid" "$wtid")
		[ "${tr:-0}" != 0 ] && break
		sleep 0.01
	done
	[ "${tr:-0}" != 0 ] || fail "the running worker $wtid was never traced"
	tr=$(tracer_of "$pid" "$itid")
	[ "$tr" = 0 ] || fail "the sleeping thread $itid is traced (TracerPid $tr) in cpu mode"
	PT_RC=0
	wait "$rpid" || PT_RC=$?
	check_sanitizer "$T/err"
	assert_rc 0
	assert_untouched "$pid"
	line=$(grep -E '^ptprof: system calls on the target: ' "$T/err") ||
		fail "no system-call count with -v"
	seizes=$(printf '%s\n' "$line" | sed -E 's/.*: ([0-9]+) seize,.*/\1/')
	per=$(printf '%s\n' "$line" | sed -E 's/.*; ([0-9]+)\.[0-9] per thread-sample$/\1/')
	# main thread (seized first, to learn at once whether we may) and worker
	[ "$seizes" -le 2 ] || fail "$seizes threads seized; only the worker ran"
	[ "$per" -lt 6 ] || fail "more than 6 system calls per thread-sample: $line"
	stop_target "$pid"
}

# The worker spends 1/4 of its CPU in hot_a and 3/4 in hot_b: a CPU
# profile must say so, within 7 points.
# Sample counts against the CPU it had: alone (tests/run-e2e.sh).
E2E_SERIAL+=" record_ratio_shares"
t_record_ratio_shares() {
	need_go
	start_target ratio
	local pid=$LAST_PID wtid exe bid
	wtid=$(tid_by_name "$pid" worker)
	exe=$(realpath -e "$TARGETS_DIR/ratio")
	bid=$(build_id_of "$exe")
	[ -n "$bid" ] || fail "$exe has no build id"

	record -p "$pid" -d 3 -r 499 -o "$T/r.pb.gz"
	assert_rc 0
	assert_untouched "$pid"
	assert_match "$T/err" "^ptprof: recording process $pid in cpu mode at 499 Hz$"
	read_summary
	assert_eq "$REC_WHY" "duration elapsed" "end of the recording"
	assert_pprof_written "$T/r.pb.gz"
	[ ! -s "$T/out" ] || fail "-o FILE, yet something on stdout"
	assert_gzip "$T/r.pb.gz"
	# The worker runs all the time: about one sample per tick, ~1500 on
	# an idle machine.  At least 600 (ticks are skipped when ptprof gets
	# too little CPU) keep the share bounds below over 4 standard
	# deviations wide, and a sampler that lost most samples fails here.
	[ "$REC_N" -ge 600 ] || fail "only $REC_N samples in 3 s at 499 Hz ($REC_K ticks)"
	[ "$REC_N" -le "$REC_K" ] || fail "$REC_N samples from $REC_K ticks of one running thread"

	pprof_check "$T/r.pb.gz" "
total = check_profile(p, 'cpu', 499, '$exe', '$bid')
check(total == $REC_N, 'the samples add up to %d, stderr said $REC_N' % total)
check(3.0 <= p['duration'] / 1e9 < 3.5, 'duration %.3f s' % (p['duration'] / 1e9))
w = [s for s in p['sample'] if s['thread'] == 'worker']
check(all(s['tid'] == $wtid for s in w), 'worker samples with tids %r' % {s['tid'] for s in w})
others = {(s['thread'], s['state']) for s in p['sample'] if s['thread'] != 'worker'}
check(not others, 'cpu mode sampled other threads: %r' % others)
check({s['state'] for s in w} == {'running'}, 'worker states %r' % {s['state'] for s in w})
n = sum(s['n'] for s in w)
check(n >= 600, 'only %d worker samples' % n)
a = sum(s['n'] for s in w if 'hot_a' in s['funcs'])
b = sum(s['n'] for s in w if 'hot_b' in s['funcs'])
inw = sum(s['n'] for s in w if 'worker' in s['funcs'])
check(inw >= 0.95 * n, 'only %d of %d worker samples have worker on the stack' % (inw, n))
check(abs(100.0 * a / n - 25) <= 7 and abs(100.0 * b / n - 75) <= 7,
      'hot_a %.1f%%, hot_b %.1f%% of %d worker samples; expected 25%% and 75%%' % (100.0 * a / n, 100.0 * b / n, n))
"
	go_raw "$T/r.pb.gz"
	assert_raw_header cpu 499
	assert_match "$T/raw" '^ +process:\[ratio\] state:\[running\] thread:\[worker\]$'
	assert_match "$T/raw" "^ +pid:\[$pid\] tid:\[$wtid\]$"
	assert_no_match "$T/raw" 'thread:\[(idle|ratio)\]'
	assert_match "$T/raw" "^[0-9]+: 0x[0-9a-f]+/0x[0-9a-f]+/0x[0-9a-f]+ $exe $bid "

	# go tool pprof's own arithmetic, on the worker's samples.
	go_pprof -top -cum -sample_index=samples -tagfocus=thread=worker "$T/r.pb.gz" \
		>"$T/top" 2>"$T/top.err" || { show_file "stderr" "$T/top.err"; fail "go tool pprof -top failed"; }
	local ca cb
	ca=$(awk '$NF == "hot_a" { sub(/%/, "", $5); print $5 }' "$T/top")
	cb=$(awk '$NF == "hot_b" { sub(/%/, "", $5); print $5 }' "$T/top")
	if [ -z "$ca" ] || [ -z "$cb" ]; then
		show_file "go tool pprof -top" "$T/top"
		fail "hot_a or hot_b missing in -top"
	fi
	awk -v a="$ca" -v b="$cb" 'BEGIN { exit !(a >= 18 && a <= 32 && b >= 68 && b <= 82) }' ||
		{ show_file "go tool pprof -top" "$T/top"; fail "go tool pprof: hot_a cum $ca%, hot_b cum $cb%; expected 25% and 75%"; }
	echo "hot_a $ca%, hot_b $cb% of $REC_N samples"
	stop_target "$pid"
}

# cpu mode samples threads on a CPU only: the idle thread and main (in
# read) are absent.
t_record_cpu_skips_sleepers() {
	start_target ratio
	local pid=$LAST_PID wtid
	wtid=$(tid_by_name "$pid" worker)
	record -p "$pid" -d 1 -r 199 -f folded --threads -o "$T/c.folded"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_folded "$T/c.folded"
	[ "$REC_N" -ge 100 ] || fail "only $REC_N samples in 1 s at 199 Hz"
	assert_eq "$(folded_total "$T/c.folded")" "$REC_N" "sum of the folded counts"
	assert_no_match "$T/c.folded" '^idle/'
	assert_no_match "$T/c.folded" '^ratio/'
	assert_no_match "$T/c.folded" 'idle_wait|sleep'
	assert_match "$T/c.folded" "^worker/$wtid;(.*;)?start_thread;worker;hot_a [0-9]+$"
	assert_match "$T/c.folded" "^worker/$wtid;(.*;)?start_thread;worker;hot_b [0-9]+$"
	stop_target "$pid"
}

# wall mode samples every thread at every tick: idle and main appear,
# sleeping, as often as the running worker.
t_record_wall_sees_sleepers() {
	need_go
	start_target ratio
	local pid=$LAST_PID wtid itid
	wtid=$(tid_by_name "$pid" worker)
	itid=$(tid_by_name "$pid" idle)
	record -p "$pid" -d 1 -m wall -o "$T/w.pb.gz"
	assert_rc 0
	assert_untouched "$pid"
	assert_match "$T/err" "^ptprof: recording process $pid in wall mode at 99 Hz$"
	read_summary
	[ "$REC_K" -ge 50 ] || fail "only $REC_K ticks in 1 s at 99 Hz"
	pprof_check "$T/w.pb.gz" "
total = check_profile(p, 'wall', 99)
check(total == $REC_N, 'the samples add up to %d, stderr said $REC_N' % total)
by = {}
for s in p['sample']:
    by.setdefault((s['thread'], s['tid']), []).append(s)
check(set(by) == {('ratio', $pid), ('worker', $wtid), ('idle', $itid)}, 'threads %r' % sorted(by))
for k, ss in sorted(by.items()):
    n = sum(s['n'] for s in ss)
    check(n == $REC_K, 'thread %r: %d samples in $REC_K ticks' % (k, n))
def states(name):
    return {s['state'] for s in p['sample'] if s['thread'] == name}
check(states('idle') == {'sleeping'}, 'idle states %r' % states('idle'))
check(states('ratio') == {'sleeping'}, 'main thread states %r' % states('ratio'))
check(states('worker') == {'running'}, 'worker states %r' % states('worker'))
check(all('idle_wait' in s['funcs'] for s in by[('idle', $itid)]), 'idle samples without idle_wait')
"
	go_raw "$T/w.pb.gz"
	assert_raw_header wall 99
	assert_match "$T/raw" '^ +process:\[ratio\] state:\[sleeping\] thread:\[idle\]$'
	assert_match "$T/raw" "^ +pid:\[$pid\] tid:\[$itid\]$"
	assert_match "$T/raw" '^ +process:\[ratio\] state:\[running\] thread:\[worker\]$'
	assert_no_match "$T/raw" 'state:\[running\] thread:\[idle\]'

	# The text report says the same in its thread table.
	record -p "$pid" -d 300ms -m wall -o "$T/w.txt"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_match "$T/w.txt" "$(text_header_re "$pid" ratio wall 99 "$REC_N" 3)"
	assert_text_report "$T/w.txt" "$REC_N"
	assert_match "$T/w.txt" "^ +$itid +idle +$REC_K +33\.3% +0\.0% +100\.0% +0\.0% +0\.0%$"
	assert_match "$T/w.txt" "^ +$wtid +worker +$REC_K +33\.3% +100\.0% +0\.0% +0\.0% +0\.0%$"
	stop_target "$pid"
}

# =================================================================== formats

# Folded by suffix (.folded, .collapsed), with and without --threads.
t_record_format_folded() {
	start_target ratio
	local pid=$LAST_PID wtid
	wtid=$(tid_by_name "$pid" worker)

	record -p "$pid" -d 500ms -o "$T/a.folded"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_line "$T/err" "ptprof: wrote $T/a.folded; draw it with: flamegraph.pl $T/a.folded > flame.svg"
	[ ! -s "$T/out" ] || fail "-o FILE, yet something on stdout"
	assert_folded "$T/a.folded"
	assert_eq "$(folded_total "$T/a.folded")" "$REC_N" "sum of the folded counts"
	[ "$REC_N" -ge 30 ] || fail "only $REC_N samples in 0.5 s"
	assert_no_match "$T/a.folded" '^worker/'
	# Root first: the thread's start, then worker, then the leaf.
	assert_match "$T/a.folded" '^([^;]*;)*start_thread;worker;hot_b [0-9]+$'
	# Each distinct stack once.
	assert_eq "$(sed 's/ [0-9]*$//' "$T/a.folded" | sort | uniq -d | head -n 1)" "" "a repeated stack"

	record -p "$pid" -d 500ms --threads -o "$T/b.collapsed"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_folded "$T/b.collapsed"
	assert_eq "$(folded_total "$T/b.collapsed")" "$REC_N" "sum of the folded counts"
	awk -F';' -v w="worker/$wtid" '$1 != w { print; bad = 1 } END { exit bad }' "$T/b.collapsed" >"$T/bad" ||
		{ show_file "lines of other threads" "$T/bad"; fail "lines that do not start with worker/$wtid;"; }
	assert_match "$T/b.collapsed" "^worker/$wtid;([^;]*;)*start_thread;worker;hot_a [0-9]+$"

	# -f beats the suffix.
	record -p "$pid" -d 300ms -f folded -o "$T/c.pb.gz"
	assert_rc 0
	assert_untouched "$pid"
	assert_folded "$T/c.pb.gz"
	stop_target "$pid"
}

# Text by suffix; its header, tables and numbers agree with stderr.
t_record_format_text() {
	start_target ratio
	local pid=$LAST_PID wtid
	wtid=$(tid_by_name "$pid" worker)

	record -p "$pid" -d 500ms -o "$T/a.txt"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_line "$T/err" "ptprof: wrote $T/a.txt"
	[ ! -s "$T/out" ] || fail "-o FILE, yet something on stdout"
	head -n 1 "$T/a.txt" >"$T/first"
	assert_match "$T/first" "$(text_header_re "$pid" ratio cpu 99 "$REC_N" 3)"
	assert_match "$T/first" " $REC_SECS s, "
	assert_text_report "$T/a.txt" "$REC_N"
	# Only the worker runs: every sample has worker on its stack, hot_b
	# on top of about 3/4 of them.
	assert_match "$T/a.txt" "^ +0 +0\.0% +$REC_N +100\.0%  worker$"
	assert_match "$T/a.txt" "^ +[0-9]+ +[0-9]+\.[0-9]% +[0-9]+ +[0-9]+\.[0-9]%  hot_b$"
	assert_match "$T/a.txt" "^ +$wtid +worker +$REC_N +100\.0% +100\.0% +0\.0% +0\.0% +0\.0%$"
	assert_no_match "$T/a.txt" '^ +[0-9]+ +idle '

	# -f text beats a pprof-looking name; --threads adds each thread's top.
	record -p "$pid" -d 300ms -f text --threads -o "$T/b.pb.gz"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_match "$T/b.pb.gz" "$(text_header_re "$pid" ratio cpu 99 "$REC_N" 3)"
	assert_match "$T/b.pb.gz" "^Thread $wtid \"worker\": $REC_N samples$"
	stop_target "$pid"
}

# pprof for any other name; -F is -r.
t_record_format_pprof() {
	need_go
	start_target ratio
	local pid=$LAST_PID
	record -p "$pid" -d 500ms -F 199 -o "$T/a.prof"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_match "$T/err" "^ptprof: recording process $pid in cpu mode at 199 Hz$"
	assert_pprof_written "$T/a.prof"
	assert_gzip "$T/a.prof"
	pprof_check "$T/a.prof" "
total = check_profile(p, 'cpu', 199)
check(total == $REC_N, 'the samples add up to %d, stderr said $REC_N' % total)
"
	go_raw "$T/a.prof"
	assert_raw_header cpu 199
	stop_target "$pid"
}

# No -o: ptprof-PID.pb.gz in the current directory for pprof; the other
# formats go to standard output.
t_record_default_output() {
	start_target ratio
	local pid=$LAST_PID
	mkdir "$T/cwd"
	cd "$T/cwd" || fail "cd $T/cwd"
	record -p "$pid" -d 300ms
	cd "$OLDPWD" || fail "cd back"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_pprof_written "ptprof-$pid.pb.gz"
	[ ! -s "$T/out" ] || fail "pprof to a file, yet something on stdout"
	assert_eq "$(ls -A "$T/cwd")" "ptprof-$pid.pb.gz" "files in the current directory"
	assert_gzip "$T/cwd/ptprof-$pid.pb.gz"
	pprof_check "$T/cwd/ptprof-$pid.pb.gz" "
total = check_profile(p, 'cpu', 99)
check(total == $REC_N, 'the samples add up to %d, stderr said $REC_N' % total)
"
	rm "$T/cwd/ptprof-$pid.pb.gz"

	cd "$T/cwd" || fail "cd $T/cwd"
	record -p "$pid" -d 300ms -f text
	cd "$OLDPWD" || fail "cd back"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_eq "$(ls -A "$T/cwd")" "" "files in the current directory after -f text"
	head -n 1 "$T/out" >"$T/first"
	assert_match "$T/first" "$(text_header_re "$pid" ratio cpu 99 "$REC_N" 3)"
	assert_no_match "$T/err" '^ptprof: wrote'
	stop_target "$pid"
}

# -o - is standard output, pprof included when it is not a terminal.
t_record_stdout() {
	start_target ratio
	local pid=$LAST_PID
	record -p "$pid" -d 300ms -o -
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_gzip "$T/out"
	cp "$T/out" "$T/stdout.pb.gz"
	pprof_check "$T/stdout.pb.gz" "
total = check_profile(p, 'cpu', 99)
check(total == $REC_N, 'the samples add up to %d, stderr said $REC_N' % total)
"
	record -p "$pid" -d 300ms -f folded -o -
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_folded "$T/out"
	assert_eq "$(folded_total "$T/out")" "$REC_N" "sum of the folded counts"
	stop_target "$pid"
}

# -q: nothing at all on stderr; the profile is written all the same.
t_record_quiet() {
	start_target ratio
	local pid=$LAST_PID
	record -q -p "$pid" -d 300ms -o "$T/q.txt"
	assert_rc 0
	assert_untouched "$pid"
	[ ! -s "$T/err" ] || fail "-q, yet something on stderr"
	head -n 1 "$T/q.txt" >"$T/first"
	assert_match "$T/first" "$(text_header_re "$pid" ratio cpu 99 '[0-9]+' 3)"
	stop_target "$pid"
}

# Thread names with ';', ' ' and a newline: with --threads the name is
# the root frame, and the folded format must survive it.
t_record_folded_odd_thread_names() {
	start_target foldname
	local pid=$LAST_PID t1 t2
	read -r t1 t2 <<<"$READY_ARG"
	[ -n "$t2" ] || fail "foldname printed no tids: '$READY_ARG'"
	record -p "$pid" -d 300ms -m wall --threads -o "$T/o.folded"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	# The ';' in a name must not make a frame boundary.
	assert_match "$T/o.folded" "^a:b c/$t1;([^;]*;)*fold_wait;"
	assert_eq "$(folded_total "$T/o.folded")" "$REC_N" "sum of the folded counts"
	assert_eq "$(grep -c "/$t2;" "$T/o.folded")" 1 "lines of the thread with a newline in its name"
	assert_folded "$T/o.folded"
	stop_target "$pid"
}

# ============================================================ ending a record

# A signal ends an open-ended record: everything detached, the profile
# written, exit 0.
record_interrupted() {
	local sig=$1
	need_go
	start_target ratio
	local pid=$LAST_PID
	record_bg -p "$pid" -o "$T/i.pb.gz"
	wait_started
	assert_match "$T/err" "^ptprof: recording process $pid in cpu mode at 99 Hz; Ctrl-C to stop$"
	kill -"$sig" "$REC_PID"
	wait_record 10
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_eq "$REC_WHY" interrupted "end of the recording"
	assert_pprof_written "$T/i.pb.gz"
	assert_gzip "$T/i.pb.gz"
	pprof_check "$T/i.pb.gz" "
total = check_profile(p, 'cpu', 99)
check(total == $REC_N, 'the samples add up to %d, stderr said $REC_N' % total)
"
	go_raw "$T/i.pb.gz"
	assert_raw_header cpu 99
	stop_target "$pid"
}

t_record_sigint() {
	record_interrupted INT
}

t_record_sigterm() {
	record_interrupted TERM
}

t_record_sighup() {
	record_interrupted HUP
}

# The target's exit ends the record by itself: ptprof must let the target
# be reaped, and still write the profile.
t_record_target_exit() {
	need_go
	start_target ratio
	local pid=$LAST_PID fd
	record_bg -p "$pid" -o "$T/x.pb.gz"
	wait_started
	fd=${TGT_FD[$pid]}
	exec {fd}>&-
	wait_record 10
	assert_rc 0
	read_summary
	assert_eq "$REC_WHY" "the target exited" "end of the recording"
	assert_pprof_written "$T/x.pb.gz"
	# It exited 0 at EOF, undisturbed.
	stop_target "$pid"
	pprof_check "$T/x.pb.gz" "
total = check_profile(p, 'cpu', 99)
check(total == $REC_N, 'the samples add up to %d, stderr said $REC_N' % total)
"
	go_raw "$T/x.pb.gz"
	assert_raw_header cpu 99
}

# ================================================================ -- COMMAND

t_record_command_status() {
	mkdir "$T/cwd"
	record -o "$T/x.txt" -- sh -c 'echo from-the-command; exit 3'
	assert_rc 3
	assert_line "$T/out" from-the-command
	read_summary
	assert_eq "$REC_WHY" "the target exited" "end of the recording"
	head -n 1 "$T/x.txt" >"$T/first"
	# The command may be over before ptprof attached: then nothing was
	# seen of it, not even its name.
	assert_match "$T/first" '^ptprof record: pid [0-9]+ "(sh)?", cpu mode at 99 Hz, [0-9]+\.[0-9] s, [0-9]+ samples, [0-9]+ threads seen$'

	cd "$T/cwd" || fail "cd $T/cwd"
	record -- /nonexistent
	cd "$OLDPWD" || fail "cd back"
	assert_rc 127
	assert_one_error_line
	assert_match "$T/err" 'cannot run /nonexistent'
	assert_eq "$(ls -A "$T/cwd")" "" "files left by a command that could not run"
}

# A CPU-bound command: samples, its exit status 0.
t_record_command_cpu() {
	record -o "$T/c.txt" -- sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'
	assert_rc 0
	read_summary
	assert_eq "$REC_WHY" "the target exited" "end of the recording"
	[ "$REC_N" -gt 0 ] || fail "no samples of a CPU-bound command"
	local cpid
	cpid=$(sed -n 's/^ptprof: recording process \([0-9]*\) and its children in cpu mode at 99 Hz; Ctrl-C to stop$/\1/p' "$T/err")
	[ -n "$cpid" ] || fail "no 'recording process' line"
	head -n 1 "$T/c.txt" >"$T/first"
	assert_match "$T/first" "$(text_header_re "$cpid" sh cpu 99 "$REC_N" 1)"
	assert_text_report "$T/c.txt" "$REC_N"
	assert_match "$T/c.txt" "^ +$cpid +sh +$REC_N +100\.0% +100\.0% +0\.0% +0\.0% +0\.0%$"
}

# A dynamically linked command that lives half a second: its libc is
# mapped by the loader after the exec, so the first capture that meets it
# makes ptprof read the maps again and unwind that capture once more.
# Nearly every stack complete, through libc, and libc's frames named.
t_record_command_short_dynamic() {
	record -r 499 -o "$T/s.pb.gz" -- "$TARGETS_DIR/shortlib"
	assert_rc 0
	read_summary
	[ "$REC_N" -ge 50 ] || fail "only $REC_N samples of a half-second command at 499 Hz"
	local inc=0
	if grep -q '^ptprof: lost: ' "$T/err"; then
		inc=$(sed -n 's/^ptprof: lost: .*; \([0-9]*\) stacks incomplete;.*/\1/p' "$T/err")
	fi
	[ $((inc * 100)) -le $((REC_N * 5)) ] || fail "$inc of $REC_N stacks incomplete (more than 5%)"
	go_pprof -traces "$T/s.pb.gz" >"$T/traces" 2>/dev/null || fail "go tool pprof cannot read it"
	# qsort's merge sort (libc) between the comparator and sort_words.
	grep -q 'msort_with_tmp' "$T/traces" || { show_file traces "$T/traces" 30; fail "no libc frame named"; }
	local with_main
	with_main=$(awk '/^-----/ { n++; if (m) k++; m = 0 } / main$/ { m = 1 } END { if (m) k++; print k + 0 }' "$T/traces")
	local stacks
	stacks=$(grep -c '^-----' "$T/traces")
	[ $((with_main * 100)) -ge $(((stacks - 1) * 95)) ] ||
		fail "only $with_main of $((stacks - 1)) distinct stacks reach main"
}

# ptprof told to stop passes the signal to its command, writes the
# profile, and exits with the command's status.
t_record_command_sigterm() {
	record_bg -o "$T/t.txt" -- sh -c 'while :; do :; done'
	wait_started
	local cpid
	cpid=$(sed -n 's/^ptprof: recording process \([0-9]*\) and its children in .*/\1/p' "$T/err")
	kill -TERM "$REC_PID"
	wait_record 10
	assert_rc 143
	read_summary
	assert_eq "$REC_WHY" interrupted "end of the recording"
	[ ! -e "/proc/$cpid" ] || fail "the command ($cpid) is still there: $(proc_state "$cpid")"
	head -n 1 "$T/t.txt" >"$T/first"
	assert_match "$T/first" "$(text_header_re "$cpid" sh cpu 99 "$REC_N" 1)"
}

# ========================================================== awkward targets

# Threads created and joined all the time (microseconds each): nothing
# left traced, no sanitizer report, the churning thread sampled.
record_churn() {
	local mode=$1
	start_target churn
	local pid=$LAST_PID ctid
	ls "/proc/$pid/task" | sort >"$T/tasks.before"
	record -p "$pid" -d 2 -m "$mode" -o "$T/ch.txt"
	assert_rc 0
	assert_untouched "$pid"
	# The churning thread: the one besides main there before and after
	# (the others live for microseconds).
	ls "/proc/$pid/task" | sort | comm -12 "$T/tasks.before" - | grep -vx "$pid" >"$T/long"
	assert_lines "$T/long" 1
	ctid=$(cat "$T/long")
	read_summary
	head -n 1 "$T/ch.txt" >"$T/first"
	assert_match "$T/first" "$(text_header_re "$pid" churn "$mode" 99 "$REC_N" '[0-9]+')"
	assert_text_report "$T/ch.txt" "$REC_N"
	assert_match "$T/ch.txt" "^ +$ctid +churn +[0-9]+ "
	local seen alive
	seen=$(sed -n 's/.* \([0-9]*\) threads seen$/\1/p' "$T/first")
	alive=$(ls "/proc/$pid/task" | wc -l)
	[ "$seen" -ge 2 ] || fail "$seen threads seen"
	echo "$mode: $seen threads seen, $alive alive at the end; $REC_N samples"
	stop_target "$pid"
}

t_record_churn_cpu() {
	record_churn cpu
}

t_record_churn_wall() {
	record_churn wall
}

# Threads that follow one another, each spinning 250 ms: a record must
# pick up the new ones as they come.
t_record_new_threads() {
	start_target relay
	local pid=$LAST_PID
	record -p "$pid" -d 2 --threads -o "$T/n.folded"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_folded "$T/n.folded"
	local legs alive
	legs=$(grep -Eo '^leg/[0-9]+;' "$T/n.folded" | sort -u | wc -l)
	alive=$(ls "/proc/$pid/task" | wc -l)
	# 2 s of 250 ms legs: 8 or 9 of them; at most 3 threads at a time.
	[ "$legs" -ge 5 ] || fail "samples from $legs legs in 2 s, expected at least 5"
	[ "$REC_T" -gt "$alive" ] || fail "$REC_T threads seen, $alive alive at the end"
	assert_match "$T/n.folded" '^leg/[0-9]+;([^;]*;)*start_thread;leg;leg_spin [0-9]+$'
	echo "$legs legs sampled, $REC_T threads seen"
	stop_target "$pid"
}

# Real-time signals streaming to a thread that wall mode stops at every
# tick: none lost, none twice, none out of order.
t_record_signals_stream() {
	start_target signals
	local pid=$LAST_PID
	signals_command "$pid" stream '^streaming$'
	record -p "$pid" -d 3 -m wall -r 499 -o "$T/s.txt"
	assert_rc 0
	read_summary
	assert_match "$T/s.txt" '^ +[0-9]+ +receiver +[0-9]+ '
	signals_command "$pid" stop '^stopped [0-9]+$'
	local n=${REPLY#stopped }
	[ "$n" -gt 0 ] || fail "the stream sent nothing"
	assert_untouched "$pid"
	signals_command "$pid" count '^delivered '
	echo "$REPLY" >"$T/count"
	assert_match "$T/count" "^delivered $n sent $n retries [0-9]+ disorder 0$"
	echo "during the record ($REC_K ticks): $REPLY"
	stop_target "$pid"
}

# A process stopped by SIGSTOP stays stopped through a record and after;
# SIGCONT then wakes it as usual.
t_record_stopped_target() {
	need_go
	start_target ratio
	local pid=$LAST_PID
	kill -STOP "$pid"
	wait_threads_state "$pid" T 5 || fail "not all threads stopped: $(thread_states "$pid")"

	record -p "$pid" -d 1 -m wall -o "$T/st.pb.gz"
	assert_rc 0
	assert_not_traced "$pid"
	all_threads_state "$pid" T || fail "after the record, states $(thread_states "$pid"), not all T"
	read_summary

	# Nothing runs, so cpu mode has nothing to sample.
	record -p "$pid" -d 300ms -o "$T/st.txt"
	assert_rc 0
	assert_not_traced "$pid"
	all_threads_state "$pid" T || fail "after the record, states $(thread_states "$pid"), not all T"
	head -n 1 "$T/st.txt" >"$T/first"
	assert_match "$T/first" "$(text_header_re "$pid" ratio cpu 99 0 3)"

	kill -CONT "$pid"
	assert_untouched "$pid"
	stop_target "$pid"

	# The wall profile: every thread at every tick, in the state the
	# process was in (the man page's "stopped"), not in one ptprof made.
	pprof_check "$T/st.pb.gz" "
check_profile(p, 'wall', 99)
states = {(s['thread'], s['state']) for s in p['sample']}
check({t for t, _ in states} == {'ratio', 'worker', 'idle'}, 'threads %r' % states)
check({st for _, st in states} == {'stopped'}, 'states of a SIGSTOPped process: %r' % sorted(states))
"
}

# SIGSTOP and SIGCONT while a record runs: the process stops, then runs
# again, while still being recorded; afterwards it is untraced.
record_stop_cont() {
	local mode=$1
	start_target ratio
	local pid=$LAST_PID
	record_bg -p "$pid" -d 3 -m "$mode" -o "$T/sc.txt"
	wait_started
	kill -STOP "$pid"
	wait_threads_state "$pid" '[Tt]' 5 ||
		fail "SIGSTOP during the record did not stop every thread: $(thread_states "$pid")"
	kill -CONT "$pid"
	ping_target "$pid"
	rec_running || fail "the record ended before the target answered ping after SIGCONT"
	wait_record 15
	assert_rc 0
	assert_untouched "$pid"
	all_threads_state "$pid" '[RS]' || fail "after the record, states $(thread_states "$pid")"
	read_summary
	assert_eq "$REC_WHY" "duration elapsed" "end of the recording"
	head -n 1 "$T/sc.txt" >"$T/first"
	assert_match "$T/first" "$(text_header_re "$pid" ratio "$mode" 99 "$REC_N" 3)"
	stop_target "$pid"
}

t_record_stop_cont_wall() {
	record_stop_cont wall
}

t_record_stop_cont_cpu() {
	record_stop_cont cpu
}

# =============================================================== bad usage

t_record_bad_usage() {
	start_target ratio
	local pid=$LAST_PID
	mkdir "$T/cwd"
	local -a cases=(
		"-p $pid -- true"
		""
		"-d 1"
		"-p $pid -m bogus"
		"-p $pid -m"
		"-p $pid -r 0"
		"-p $pid -r abc"
		"-p $pid -r 10001"
		"-p $pid -r 5x"
		"-p $pid -F 0"
		"-p $pid -d 0"
		"-p $pid -d 5x"
		"-p $pid -d -1"
		"-p $pid -f bogus"
		"-p $pid -f flamegraphs"
		"-p $pid -f Speedscope"
		"-p $pid --no-such-option"
		"-p $pid extra"
		"-p $pid --"
		"-p"
		"-p abc"
	)
	local c
	cd "$T/cwd" || fail "cd $T/cwd"
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		record $c
		assert_rc 64
		assert_one_error_line
		[ ! -s "$T/out" ] || fail "record $c: something on stdout"
		[ -z "$(ls -A .)" ] || fail "record $c left files: $(ls -A .)"
		assert_not_traced "$pid"
	done
	record -p "$pid" -f bogus
	assert_match "$T/err" "unknown format 'bogus'"
	cd "$OLDPWD" || fail "cd back"
	assert_untouched "$pid"
	stop_target "$pid"
}
