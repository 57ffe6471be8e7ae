# tests/e2e/lib.sh - helpers for the end-to-end tests (bash).
#
# Sourced by tests/run-e2e.sh, which sets PTPROF (the binary under test)
# and runs every t_NAME function in its own subshell, with $T a fresh
# temporary directory.  A test fails by calling `fail` (directly or through
# an assert_* helper), which prints the reason and exits the subshell.
#
# Targets are the programs in build/targets.  Each prints "ready" once its
# threads are in position (it checks /proc itself), answers "ping" with
# "pong", and exits 0 at EOF on stdin.  We hold the write end of each
# target's stdin open, so closing it is how a test ends a target cleanly.

TARGETS_DIR=${TARGETS_DIR:-build/targets}

# Per-target bookkeeping, keyed by pid (the test subshell's own copy).
declare -A TGT_FD=() TGT_OUT=() TGT_PONGS=() TGT_NAME=()
TGT_PIDS=()
LAST_PID=
READY_ARG=

# The last ptprof run, shown when a test fails.
LAST_CMD=
PT_RC=

# ---------------------------------------------------------------- basics

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# Print up to N lines of FILE, indented, under a heading.
show_file() {
	local heading=$1 file=$2 n=${3:-60}
	[ -e "$file" ] || return 0
	echo "  --- $heading ($file) ---"
	head -n "$n" -- "$file" | sed 's/^/  | /'
	local total
	total=$(wc -l <"$file")
	[ "$total" -le "$n" ] || echo "  | ... ($total lines)"
}

# Fail the current test: print why, what ptprof was last asked to do and
# what it said, then leave the subshell (the EXIT trap cleans up).
fail() {
	echo "FAILED: $*"
	if [ -n "$LAST_CMD" ]; then
		echo "  last command: $LAST_CMD"
		echo "  exit status: $PT_RC"
		show_file "stderr" "$T/err" 20
		show_file "stdout" "$T/out" 80
	fi
	exit 1
}

skip() {
	echo "SKIPPED: $*"
	exit 77
}

# ------------------------------------------------------------- /proc facts

# State letter of PID (or of thread TID of PID): the field after the last ')'.
proc_state() {
	local path=/proc/$1/stat s
	[ $# -lt 2 ] || path=/proc/$1/task/$2/stat
	s=$(cat "$path" 2>/dev/null) || { echo gone; return; }
	s=${s##*) }
	echo "${s%% *}"
}

# Tid of the thread of PID whose comm is NAME (empty if none).
tid_by_name() {
	local pid=$1 name=$2 t
	for t in /proc/"$pid"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "$name" ]; then
			echo "${t##*/}"
			return
		fi
	done
}

# ----------------------------------------------------------------- targets

# Wait up to SECS seconds for a line matching REGEX in FILE while process
# PID lives.  Polling the file is the handshake: the target writes the line
# only once it has verified its own state.
wait_for_line() {
	local file=$1 re=$2 secs=$3 pid=$4
	local deadline=$(($(now_ms) + secs * 1000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		case $(proc_state "$pid") in
		gone | Z) grep -Eq -- "$re" "$file" 2>/dev/null && return 0
			return 2 ;;
		esac
		sleep 0.01
	done
	return 1
}

# start_target NAME [ARG...]: run build/targets/NAME with our fifo as stdin,
# wait for its "ready" line (10 s).  Sets LAST_PID, and READY_ARG to
# whatever followed "ready" on that line.
start_target() {
	local name=$1
	shift
	local bin=$TARGETS_DIR/$name
	[ -x "$bin" ] || fail "target $bin is not built (make targets)"

	local n=${#TGT_PIDS[@]}
	local fifo=$T/$name.$n.in out=$T/$name.$n.out err=$T/$name.$n.err
	mkfifo "$fifo" || fail "mkfifo $fifo"
	local fd
	# Read-write open of a fifo does not block, and our end counts as a
	# writer for as long as we hold it: the target sees EOF only when we
	# close it.
	exec {fd}<>"$fifo"

	# The child must hold no write end of any target's stdin, its own
	# included, or that target would never see EOF.
	local closes="" f
	for f in "${TGT_FD[@]}" "$fd"; do
		closes+=" $f>&-"
	done
	(
		eval "exec $closes"
		exec "$bin" "$@"
	) <"$fifo" >"$out" 2>"$err" &
	local pid=$!

	TGT_PIDS+=("$pid")
	TGT_FD[$pid]=$fd
	TGT_OUT[$pid]=$out
	TGT_PONGS[$pid]=0
	TGT_NAME[$pid]=$name
	LAST_PID=$pid

	local rc=0
	wait_for_line "$out" '^ready' 10 "$pid" || rc=$?
	if [ $rc -ne 0 ]; then
		local why="did not print ready within 10 s"
		[ $rc -ne 2 ] || why="exited before printing ready"
		show_file "target stderr" "$err" 20
		fail "target $name $why"
	fi
	READY_ARG=$(grep -m1 '^ready' "$out")
	READY_ARG=${READY_ARG#ready}
	READY_ARG=${READY_ARG# }
}

target_pid() {
	echo "$LAST_PID"
}

# ping_target PID: "ping" must be answered by "pong" within 5 s.
ping_target() {
	local pid=$1
	local fd=${TGT_FD[$pid]:?not a target we started: $pid}
	local want=$((TGT_PONGS[$pid] + 1))
	printf 'ping\n' >&"$fd"
	TGT_PONGS[$pid]=$want
	local deadline=$(($(now_ms) + 5000)) got
	while :; do
		got=$(grep -c '^pong$' "${TGT_OUT[$pid]}")
		[ "$got" -lt "$want" ] || return 0
		[ "$(now_ms)" -lt "$deadline" ] || break
		sleep 0.01
	done
	fail "target ${TGT_NAME[$pid]} ($pid) did not answer ping within 5 s (state $(proc_state "$pid"))"
}

forget_target() {
	local pid=$1 i
	unset "TGT_FD[$pid]" "TGT_OUT[$pid]" "TGT_PONGS[$pid]" "TGT_NAME[$pid]"
	for i in "${!TGT_PIDS[@]}"; do
		[ "${TGT_PIDS[$i]}" != "$pid" ] || unset "TGT_PIDS[$i]"
	done
}

# stop_target PID: close its stdin; it must exit with status 0 within 5 s
# (anything else means it was disturbed: killed by a signal, stuck...).
stop_target() {
	local pid=$1
	local fd=${TGT_FD[$pid]:?not a target we started: $pid}
	local name=${TGT_NAME[$pid]}
	exec {fd}>&-
	local deadline=$(($(now_ms) + 5000)) st
	while :; do
		st=$(proc_state "$pid")
		case $st in
		Z | gone) break ;;
		esac
		if [ "$(now_ms)" -ge "$deadline" ]; then
			kill -9 "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			forget_target "$pid"
			fail "target $name ($pid) still running 5 s after EOF (state $st); killed"
		fi
		sleep 0.01
	done
	local rc=0
	wait "$pid" || rc=$?
	forget_target "$pid"
	[ $rc -eq 0 ] || fail "target $name ($pid) exited with status $rc, not 0"
}

# Kill whatever a test left running (its EXIT trap).  Newest first: a
# tracer (holdtrace) must go before its tracee, and nothing is waited for,
# since a traced zombie cannot be reaped while its tracer lives; whatever
# is left is reaped by init once the test's shell is gone.
cleanup_targets() {
	local i pid fd
	for ((i = ${#TGT_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${TGT_PIDS[$i]:-}
		[ -n "$pid" ] || continue
		fd=${TGT_FD[$pid]}
		exec {fd}>&-
		kill -9 "$pid" 2>/dev/null
	done
	TGT_PIDS=()
}

# ------------------------------------------------------------------ ptprof

# run_ptprof ARG...: run ptprof, stdout to $T/out, stderr to $T/err, exit
# status in PT_RC.  A hang (30 s) or a sanitizer report fails the test.
run_ptprof() {
	LAST_CMD="ptprof $*"
	PT_RC=0
	timeout -k 5 30 "$PTPROF" "$@" </dev/null >"$T/out" 2>"$T/err" || PT_RC=$?
	case $PT_RC in
	124 | 137) fail "ptprof did not finish within 30 s" ;;
	esac
	check_sanitizer "$T/err"
}

dump() {
	run_ptprof dump "$@"
}

# dump_straced CALLS FILE ARG...: `ptprof dump ARG...` as dump runs it,
# under `strace -f -e trace=CALLS -o FILE`.  LeakSanitizer cannot run
# under strace (a sanitizer build's leak check is made by every other run).
dump_straced() {
	local calls=$1 file=$2
	shift 2
	LAST_CMD="strace -f -e trace=$calls ptprof dump $*"
	PT_RC=0
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout -k 5 30 strace -f -qq -e trace="$calls" -o "$file" "$PTPROF" dump "$@" \
		</dev/null >"$T/out" 2>"$T/err" || PT_RC=$?
	case $PT_RC in
	124 | 137) fail "ptprof did not finish within 30 s" ;;
	esac
	check_sanitizer "$T/err"
}

# ASan/UBSan builds report to stderr and may still exit normally.
check_sanitizer() {
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"; then
		fail "sanitizer report on ptprof's stderr"
	fi
}

# ---------------------------------------------------------------- asserts

assert_rc() {
	local want
	for want in "$@"; do
		[ "$PT_RC" != "$want" ] || return 0
	done
	fail "ptprof exit status $PT_RC, expected ${*// / or }"
}

# assert_match FILE REGEX: some line of FILE matches the extended regex.
assert_match() {
	local file=$1 re=$2
	grep -Eq -- "$re" "$file" && return 0
	[ "$file" = "$T/out" ] || [ "$file" = "$T/err" ] || show_file "checked file" "$file" 60
	fail "no line of ${file##*/} matches /$re/"
}

assert_no_match() {
	local file=$1 re=$2 line
	line=$(grep -Em1 -- "$re" "$file") || return 0
	[ "$file" = "$T/out" ] || [ "$file" = "$T/err" ] || show_file "checked file" "$file" 60
	fail "${file##*/} has a line matching /$re/: $line"
}

# assert_lines FILE N: FILE has exactly N lines.
assert_lines() {
	local n
	n=$(wc -l <"$1")
	[ "$n" -eq "$2" ] || fail "${1##*/} has $n lines, expected $2"
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}

# The usual shape of a failure: one line on stderr, "ptprof: ...".
assert_one_error_line() {
	assert_lines "$T/err" 1
	assert_match "$T/err" '^ptprof: '
}

# Nothing of PID is traced or in a tracing stop.
assert_not_traced() {
	local pid=$1 st k v tracer state
	[ -d "/proc/$pid" ] || fail "process $pid is gone"
	for st in /proc/"$pid"/task/*/status; do
		tracer="" state=""
		# A thread may end between the glob and the read (churn): skip it.
		while IFS=$'\t' read -r k v; do
			case $k in
			State:) state=${v%% *} ;;
			TracerPid:) tracer=$v ;;
			esac
		done 2>/dev/null <"$st" || continue
		[ -n "$tracer" ] || continue
		[ "$tracer" = 0 ] || fail "${st%/status} still traced by $tracer"
		[ "$state" != t ] || fail "${st%/status} left in tracing stop"
	done
}

# assert_untouched PID: not traced, no thread in tracing stop, and the
# process still answers ping.
assert_untouched() {
	assert_not_traced "$1"
	ping_target "$1"
}

# ------------------------------------------------------- dump text output

# thread_block FILE NAME: the block of the thread named NAME, from its
# "Thread ..." line to the blank line after it.
thread_block() {
	awk -v name="$2" '
		index($0, "Thread ") == 1 && index($0, " \"" name "\" ") > 0 { on = 1 }
		on && $0 == "" { exit }
		on { print }
	' "$1"
}

# frame_index FILE FUNC: the number N of the first "#N ... in FUNC" frame.
# FUNC matches a whole name, or a prefix followed by "(" (C++ parameters).
frame_index() {
	awk -v f="$2" '
		$1 ~ /^#[0-9]+$/ && $3 == "in" {
			rest = substr($0, index($0, " in ") + 4)
			if (substr(rest, 1, length(f)) != f) next
			c = substr(rest, length(f) + 1, 1)
			if (c == "" || c == " " || c == "(") { print substr($1, 2); exit }
		}
	' "$1"
}

# assert_frame FILE N REGEX: frame #N exists and its text after "in "
# matches REGEX (anchored at the function name).
assert_frame() {
	local file=$1 n=$2 re=$3
	grep -Eq -- "^ +#$n +0x[0-9a-f]+ in $re" "$file" && return 0
	show_file "checked file" "$file" 60
	fail "frame #$n of ${file##*/} does not match 'in $re'"
}

# assert_caller FILE CALLEE CALLER: CALLER is the frame right below CALLEE.
assert_caller() {
	local file=$1 a b
	a=$(frame_index "$file" "$2")
	b=$(frame_index "$file" "$3")
	if [ -z "$a" ] || [ -z "$b" ] || [ "$b" -ne $((a + 1)) ]; then
		show_file "checked file" "$file" 60
		fail "${file##*/}: expected $3 (frame ${b:-none}) right below $2 (frame ${a:-none})"
	fi
}

# ---------------------------------------------------------------- helpers

# py_check FILE CODE: run python CODE with `d` = the JSON in FILE and
# check(cond, message) failing the test.
py_check() {
	local file=$1 code=$2 out
	out=$(python3 - "$file" 2>&1 <<EOF
import json, sys
def check(cond, msg):
    if not cond:
        print(msg)
        sys.exit(1)
with open(sys.argv[1]) as f:
    try:
        d = json.load(f)
    except ValueError as e:
        check(False, "not valid JSON: %s" % e)
$code
EOF
) || fail "JSON check: $out"
}

# go tool pprof with a private, offline Go environment.
go_pprof() {
	mkdir -p "$T/go"
	HOME=$T/go GOCACHE=$T/go/cache GOPATH=$T/go/path GOFLAGS='' GOTOOLCHAIN=local \
		GOPROXY=off PPROF_TMPDIR=$T/go timeout 60 go tool pprof "$@"
}

# go_pprof_into OUT ARG...: go tool pprof ARG... into OUT (its stderr into
# OUT.err); a failure fails the test and shows that stderr.
go_pprof_into() {
	local out=$1
	shift
	go_pprof "$@" >"$out" 2>"$out.err" ||
		{ show_file "go tool pprof stderr" "$out.err"; fail "go tool pprof $* failed"; }
}
