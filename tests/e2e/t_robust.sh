# tests/e2e/t_robust.sh - `ptprof dump` where things get awkward.
#
# Signals in flight while threads are stopped, a thread that cannot be
# stopped at all (vfork), ptprof itself interrupted by SIGTERM/SIGINT, a
# deleted executable, a target in another mount namespace, bad -t and -o
# arguments, a full filesystem, and thread names JSON must escape.  As
# everywhere, each dump is followed by a check that the target is
# untouched, and stop_target requires a clean exit 0.
#
# Uses CHAIN_AT, CPU, split_chain_blocks, assert_chain_* (t_dump.sh) and
# free_pid (t_errors.sh).

# wait_for_count FILE REGEX N SECS PID: wait until at least N lines of FILE
# match REGEX, while process PID lives.  Same handshake as wait_for_line.
wait_for_count() {
	local file=$1 re=$2 n=$3 secs=$4 pid=$5 got
	local deadline=$(($(now_ms) + secs * 1000))
	while :; do
		got=$(grep -Ec -- "$re" "$file" 2>/dev/null)
		[ "${got:-0}" -lt "$n" ] || return 0
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		case $(proc_state "$pid") in
		gone | Z) return 2 ;;
		esac
		sleep 0.01
	done
}

# Close, in a child shell, every write end of the targets' stdin that it
# inherited, so that only the test shell can end a target.
close_target_fds() {
	local f
	for f in "${TGT_FD[@]}"; do
		eval "exec $f>&-"
	done
}

# ---------------------------------------------------------------- signals

# dump_loop PID N PREFIX: N dumps of PID back to back, in the background
# (sets LOOP_PID).  Dump I writes PREFIX.I.out and PREFIX.I.err, and "I RC"
# to PREFIX.rc; "done" follows the last.
dump_loop() {
	local pid=$1 n=$2 prefix=$3
	: >"$prefix.rc"
	(
		close_target_fds
		for ((i = 1; i <= n; i++)); do
			rc=0
			timeout -k 5 30 "$PTPROF" dump -p "$pid" </dev/null \
				>"$prefix.$i.out" 2>"$prefix.$i.err" || rc=$?
			echo "$i $rc" >>"$prefix.rc"
		done
		echo done >>"$prefix.rc"
	) &
	LOOP_PID=$!
	trap "kill $LOOP_PID 2>/dev/null; cleanup_targets" EXIT
}

# check_dump_loop PID N PREFIX: wait for the loop, then check every dump:
# exit 0 (or 1, a thread caught where it cannot be unwound), the receiver
# in it, no sanitizer report.
check_dump_loop() {
	local pid=$1 n=$2 prefix=$3 i line
	wait "$LOOP_PID"
	trap cleanup_targets EXIT
	for ((i = 1; i <= n; i++)); do
		line=$(grep -m1 "^$i " "$prefix.rc") || fail "dump $i of the loop did not run"
		LAST_CMD="ptprof dump -p $pid (dump $i of $n in a row)"
		PT_RC=${line#* }
		cp "$prefix.$i.out" "$T/out"
		cp "$prefix.$i.err" "$T/err"
		check_sanitizer "$T/err"
		assert_rc 0 1
		assert_match "$T/out" "^ptprof dump: pid $pid \"signals\", 3 threads"
		assert_match "$T/out" '^Thread [0-9]+ "receiver" '
	done
	LAST_CMD=
}

# signals_command PID COMMAND REGEX: send COMMAND, wait 10 s for a new
# line matching REGEX; the line in REPLY.
signals_command() {
	local pid=$1 cmd=$2 re=$3
	local out=${TGT_OUT[$pid]} n
	n=$(grep -Ec -- "$re" "$out")
	printf '%s\n' "$cmd" >&"${TGT_FD[$pid]}"
	wait_for_count "$out" "$re" $((n + 1)) 10 "$pid" ||
		{ show_file "target output" "$out" 20; fail "no answer /$re/ to '$cmd' within 10 s"; }
	REPLY=$(grep -E -- "$re" "$out" | tail -n 1)
}

# Real-time signals queue and are never merged: every SIGRTMIN the sender
# queues must reach the receiver's handler, once, in order, with its
# siginfo intact, even when ptprof stopped the receiver meanwhile (a
# signal-delivery-stop that ptprof resumed without the signal would lose
# it).  20 dumps in a row, and meanwhile a burst of 2000.
t_robust_signals_burst() {
	start_target signals
	local pid=$LAST_PID
	dump_loop "$pid" 20 "$T/loop"
	signals_command "$pid" 'send 2000' '^sent 2000$'
	check_dump_loop "$pid" 20 "$T/loop"
	assert_untouched "$pid"
	signals_command "$pid" count '^delivered '
	echo "$REPLY" >"$T/count"
	assert_match "$T/count" '^delivered 2000 sent 2000 retries [0-9]+ disorder 0$'
	stop_target "$pid"
}

# A burst lasts a few milliseconds and a dump holds the receiver for well
# under one, so the burst rarely meets a dump.  Here signals flow for as
# long as the 20 dumps take: the receiver takes signals all the time, and
# ptprof, which stops threads one by one, sees it in a signal-delivery-stop
# now and then and must pass the signal on.
t_robust_signals_stream() {
	start_target signals
	local pid=$LAST_PID
	signals_command "$pid" stream '^streaming$'
	dump_loop "$pid" 20 "$T/loop"
	check_dump_loop "$pid" 20 "$T/loop"
	signals_command "$pid" stop '^stopped [0-9]+$'
	local n=${REPLY#stopped }
	[ "$n" -gt 0 ] || fail "the stream sent nothing"
	assert_untouched "$pid"
	signals_command "$pid" count '^delivered '
	echo "$REPLY" >"$T/count"
	assert_match "$T/count" "^delivered $n sent $n retries [0-9]+ disorder 0$"
	echo "during 20 dumps: $REPLY"
	stop_target "$pid"
}

# ------------------------------------------------------------------ vfork

# A vfork parent sleeps in state D until its child exits or execs: it
# cannot be stopped.  ptprof waits 2 s for it, dumps the others, and says
# so for that one; exit 1 (incomplete).  It cannot even detach from it:
# the kernel does that when ptprof exits.
t_robust_vfork_not_stoppable() {
	start_target vforker
	local pid=$LAST_PID vf nap
	vf=$(tid_by_name "$pid" in-vfork)
	nap=$(tid_by_name "$pid" napper)
	[ "$(proc_state "$pid" "$vf")" = D ] || fail "thread in-vfork is not in state D"

	# --stop-all: every thread stopped, this one cannot be (read in
	# place, it is not waited for: t_inplace.sh).
	local t0
	t0=$(now_ms)
	dump --stop-all -p "$pid"
	local took=$(($(now_ms) - t0))
	assert_rc 1
	assert_untouched "$pid"
	[ "$(proc_state "$pid" "$vf")" = D ] ||
		fail "thread in-vfork is in state $(proc_state "$pid" "$vf") after the dump, not D"
	# The 2 s are a wait for the thread, not a fixed pause elsewhere.
	[ "$took" -ge 1900 ] || fail "dump took $took ms; it did not wait for the D thread"
	[ "$took" -lt 10000 ] || fail "dump took $took ms"

	assert_match "$T/out" "^ptprof dump: pid $pid \"vforker\", 3 threads"
	thread_block "$T/out" in-vfork >"$T/vf"
	assert_match "$T/vf" "^Thread $vf \"in-vfork\" disk-sleep in vfork, $CPU"
	assert_match "$T/vf" '^  \(no stack: did not stop within 2 s'
	assert_no_match "$T/vf" '^ +#[0-9]'

	thread_block "$T/out" napper >"$T/nap"
	assert_match "$T/nap" "^Thread $nap \"napper\" sleeping in (clock_nanosleep|nanosleep), $CPU"
	assert_caller "$T/nap" napper_inner napper_outer
	assert_no_match "$T/nap" 'no stack|stack incomplete'
	thread_block "$T/out" vforker >"$T/main"
	assert_match "$T/main" "^Thread $pid \"vforker\" sleeping in read, $CPU"
	assert_match "$T/main" ' in main at [^ ]*vforker\.c:[0-9]+$'
	assert_no_match "$T/main" 'no stack|stack incomplete'

	assert_match "$T/err" '1 of 3 threads'
	stop_target "$pid"
}

# ptprof is waiting for the D thread when it is told to quit: it must let
# every thread go and die of that signal, promptly (what is left of the
# 2 s wait at most), without a dump on stdout.
vfork_dump_interrupted() {
	local sig=$1 want=$2
	start_target vforker
	local pid=$LAST_PID

	LAST_CMD="ptprof dump --stop-all -p $pid -v, then SIG$sig once it waits for the D thread"
	"$PTPROF" dump --stop-all -p "$pid" -v </dev/null >"$T/out" 2>"$T/err" &
	local pt=$!
	trap "kill -9 $pt 2>/dev/null; cleanup_targets" EXIT
	local rc=0
	wait_for_line "$T/err" 'is in uninterruptible sleep: waiting up to' 10 "$pt" || rc=$?
	if [ $rc -ne 0 ]; then
		kill -9 "$pt" 2>/dev/null
		PT_RC=0
		wait "$pt" || PT_RC=$?
		fail "ptprof -v never said it waits for the thread in state D (rc $rc)"
	fi

	local t0
	t0=$(now_ms)
	kill -"$sig" "$pt"
	local deadline=$((t0 + 10000))
	while :; do
		case $(proc_state "$pt") in
		Z | gone) break ;;
		esac
		if [ "$(now_ms)" -ge "$deadline" ]; then
			kill -9 "$pt" 2>/dev/null
			wait "$pt"
			PT_RC=timeout
			fail "ptprof still running 10 s after SIG$sig"
		fi
		sleep 0.01
	done
	PT_RC=0
	wait "$pt" || PT_RC=$?
	trap cleanup_targets EXIT
	local took=$(($(now_ms) - t0))
	check_sanitizer "$T/err"
	assert_rc "$want"
	[ "$took" -lt 5000 ] || fail "ptprof took $took ms to end after SIG$sig"
	echo "ptprof ended $took ms after SIG$sig"
	[ ! -s "$T/out" ] || fail "a dump on stdout although ptprof was interrupted"
	assert_untouched "$pid"
	stop_target "$pid"
}

t_robust_vfork_sigterm() {
	vfork_dump_interrupted TERM 143
}

t_robust_vfork_sigint() {
	vfork_dump_interrupted INT 130
}

# ------------------------------------------------------------------- files

# The executable is deleted while it runs: /proc/PID/maps says
# "(deleted)" and the path leads nowhere, but /proc/PID/map_files still
# opens the mapped file.
t_robust_deleted_binary() {
	mkdir "$T/bin"
	cp "$TARGETS_DIR/chain" "$T/bin/chain"
	TARGETS_DIR=$T/bin start_target chain
	local pid=$LAST_PID
	rm "$T/bin/chain"
	grep -q " $T/bin/chain (deleted)$" "/proc/$pid/maps" ||
		fail "/proc/$pid/maps does not show the executable as deleted"

	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_match "$T/out" "^ptprof dump: pid $pid \"chain\", 5 threads"
	split_chain_blocks
	assert_chain_busy_O0
	assert_chain_blocked_threads
	stop_target "$pid"
}

# The stripped target runs in its own mount namespace, where its debug
# file is under /usr/lib/debug/.build-id through a bind mount that exists
# only there.  Without --debug-dir, ptprof must find it through
# /proc/PID/root.
t_robust_mount_ns_debug() {
	local bin dbg=$TARGETS_DIR/separate-debug/chain-stripped.debug id
	bin=$(realpath -e "$TARGETS_DIR/chain-stripped") || fail "chain-stripped is not built"
	id=$(readelf -n "$bin" | awk '/Build ID:/ { print $3 }')
	[ -n "$id" ] || fail "$bin has no build id"
	local rel=.build-id/${id:0:2}/${id:2}.debug
	mkdir -p "$T/debugroot/.build-id/${id:0:2}"
	cp "$dbg" "$T/debugroot/$rel"

	command -v unshare >/dev/null || skip "no unshare (util-linux)"
	[ -d /usr/lib/debug ] || skip "no /usr/lib/debug to mount over"
	[ ! -e "/usr/lib/debug/$rel" ] ||
		skip "/usr/lib/debug/$rel exists here: the test would prove nothing"
	unshare --mount sh -c 'mount --bind "$1" /usr/lib/debug && test -e "/usr/lib/debug/$2"' \
		sh "$T/debugroot" "$rel" 2>"$T/probe.err" ||
		skip "cannot bind-mount in a new mount namespace: $(head -n 1 "$T/probe.err")"

	local host_mounts
	host_mounts=$(grep -c ' /usr/lib/debug ' /proc/self/mountinfo)
	# The target, by its usual name: the shell execs into it (same pid).
	mkdir "$T/ns"
	cat >"$T/ns/chain-stripped" <<-'EOF'
		#!/bin/sh
		exec unshare --mount sh -c 'mount --bind "$1" /usr/lib/debug && exec "$2"' sh "$@"
	EOF
	chmod +x "$T/ns/chain-stripped"
	TARGETS_DIR=$T/ns start_target chain-stripped "$T/debugroot" "$bin"
	local pid=$LAST_PID

	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] ||
		fail "target $pid is in our mount namespace"
	[ "$(readlink "/proc/$pid/exe")" = "$bin" ] || fail "target $pid is not $bin"
	[ -e "/proc/$pid/root/usr/lib/debug/$rel" ] ||
		fail "the target does not see its debug file in /usr/lib/debug"
	[ ! -e "/usr/lib/debug/$rel" ] || fail "the bind mount is visible outside the namespace"
	assert_eq "$(grep -c ' /usr/lib/debug ' /proc/self/mountinfo)" "$host_mounts" \
		"host mounts on /usr/lib/debug while the target runs"

	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_match "$T/out" "^ptprof dump: pid $pid \"chain-stripped\", 5 threads"
	split_chain_blocks
	assert_chain_busy_O0
	assert_chain_blocked_threads
	stop_target "$pid"

	[ ! -e "/usr/lib/debug/$rel" ] || fail "host /usr/lib/debug changed"
	assert_eq "$(grep -c ' /usr/lib/debug ' /proc/self/mountinfo)" "$host_mounts" \
		"host mounts on /usr/lib/debug afterwards"
}

# -------------------------------------------------------------------- -t

# A thread id that is not one of the process's: another process's thread,
# or no thread at all.  Refused before anything is attached.
t_robust_tid_not_in_process() {
	start_target chain
	local pid=$LAST_PID busy bad
	busy=$(tid_by_name "$pid" busy-0)
	for bad in "$BASHPID" "$(free_pid)"; do
		dump -p "$pid" -t "$bad"
		assert_rc 2
		assert_one_error_line
		assert_match "$T/err" "no thread"
		assert_match "$T/err" "(^|[^0-9])$bad([^0-9]|$)"
		[ ! -s "$T/out" ] || fail "-t $bad: something on stdout"
		assert_untouched "$pid"

		# One bad id spoils the list.
		dump -p "$pid" -t "$busy,$bad"
		assert_rc 2
		assert_one_error_line
		assert_match "$T/err" "no thread"
		assert_match "$T/err" "(^|[^0-9])$bad([^0-9]|$)"
		assert_untouched "$pid"
	done
	stop_target "$pid"
}

t_robust_tid_two() {
	start_target chain
	local pid=$LAST_PID sleeper locker
	sleeper=$(tid_by_name "$pid" sleeper)
	locker=$(tid_by_name "$pid" locker)
	dump -p "$pid" -t "$locker,$sleeper"
	assert_rc 0
	assert_untouched "$pid"
	assert_match "$T/out" "^ptprof dump: pid $pid \"chain\", 2 threads"
	local got want
	got=$(awk '/^Thread / { print $2 }' "$T/out" | sort -n | tr '\n' ' ')
	want=$(printf '%s\n' "$sleeper" "$locker" | sort -n | tr '\n' ' ')
	assert_eq "$got" "$want" "tids of the Thread blocks"
	assert_match "$T/out" "^Thread $sleeper \"sleeper\" sleeping in (clock_nanosleep|nanosleep), $CPU"
	assert_match "$T/out" "^Thread $locker \"locker\" sleeping in futex, $CPU"
	stop_target "$pid"
}

# -------------------------------------------------------------------- -o

# Nothing but the error: no file, no temporary file, nothing on stdout.
assert_output_refused() {
	local path=$1
	assert_rc 2
	assert_one_error_line
	grep -qF -- "$path" "$T/err" || fail "the error does not name $path"
	[ ! -s "$T/out" ] || fail "-o $path, yet something on stdout"
	[ ! -e "$path" ] || fail "$path exists after a failed dump"
}

t_robust_output_no_dir() {
	start_target chain
	local pid=$LAST_PID
	dump -p "$pid" -o "$T/nodir/out.txt"
	assert_output_refused "$T/nodir/out.txt"
	[ ! -e "$T/nodir" ] || fail "$T/nodir was created"
	assert_untouched "$pid"
	stop_target "$pid"
}

# root writes anywhere permissions allow nothing; a read-only mount is a
# directory root cannot write to.
t_robust_output_readonly_dir() {
	mkdir "$T/ro"
	mount -t tmpfs -o ro,size=64k tmpfs "$T/ro" 2>"$T/mount.err" ||
		skip "cannot mount a tmpfs: $(head -n 1 "$T/mount.err")"
	trap 'umount "$T/ro" 2>/dev/null; cleanup_targets' EXIT
	start_target chain
	local pid=$LAST_PID
	dump -p "$pid" -o "$T/ro/out.txt"
	assert_output_refused "$T/ro/out.txt"
	assert_match "$T/err" 'Read-only file system'
	assert_untouched "$pid"
	stop_target "$pid"
	umount "$T/ro" || fail "umount $T/ro"
}

# The output does not fit: the error says so, the temporary file is
# removed, and the final name never appears.
t_robust_output_disk_full() {
	mkdir "$T/full"
	mount -t tmpfs -o size=4k tmpfs "$T/full" 2>"$T/mount.err" ||
		skip "cannot mount a tmpfs: $(head -n 1 "$T/mount.err")"
	trap 'umount "$T/full" 2>/dev/null; cleanup_targets' EXIT
	start_target pool
	local pid=$LAST_PID

	# The same dump on stdout is bigger than the filesystem.
	dump -f json -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	local size
	size=$(wc -c <"$T/out")
	[ "$size" -gt 8192 ] || fail "the JSON dump is only $size bytes: it would fit"

	dump -f json -p "$pid" -o "$T/full/out.json"
	assert_output_refused "$T/full/out.json"
	assert_match "$T/err" 'No space left'
	local left
	left=$(ls -A "$T/full")
	[ -z "$left" ] || fail "left in $T/full: $left"
	assert_untouched "$pid"
	stop_target "$pid"
	umount "$T/full" || fail "umount $T/full"
}

# ------------------------------------------------------------------- JSON

# Thread names with a double quote and a backslash, and with control
# characters: valid JSON with the exact names, and the text dump shows the
# first as it is.
t_robust_json_odd_names() {
	start_target oddname
	local pid=$LAST_PID q c
	read -r q c <<<"$READY_ARG"
	[ -n "$c" ] || fail "oddname printed no tids: '$READY_ARG'"

	dump -f json -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	py_check "$T/out" "
raw = open(sys.argv[1], 'rb').read()
try:
    raw.decode('utf-8')
except UnicodeDecodeError as e:
    check(False, 'not UTF-8: %s' % e)
by = {t['tid']: t for t in d['threads']}
check(set(by) == {$pid, $q, $c}, 'tids %r' % sorted(by))
check(by[$q]['name'] == 'we\"ird\\\\th', 'name %r' % by[$q]['name'])
check(by[$c]['name'] == 'c\\x01\\x1f\\tl', 'name %r' % by[$c]['name'])
for t in (by[$q], by[$c]):
    check('odd_wait' in [f['function'] for f in t['frames']], 'frames of %r' % t['name'])
"
	# The text dump shows a quote and a backslash as they are.
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	grep -F "Thread $q \"we\"ird\\th\" sleeping in " "$T/out" >/dev/null ||
		fail "no line 'Thread $q \"we\"ird\\th\" sleeping in ...' in the text dump"
	awk -v q="$q" '$1 == "Thread" && $2 == q { on = 1; next } on && $0 == "" { exit } on' \
		"$T/out" >"$T/q"
	assert_caller "$T/q" odd_wait odd_thread
	stop_target "$pid"
}

# A name that is not UTF-8 although each lead byte promises a sequence (a
# surrogate, an overlong form, a code point past U+10FFFF): the JSON must
# still be UTF-8 (RFC 8259), whatever the name turns into.
t_robust_json_name_not_utf8() {
	start_target oddname utf8
	local pid=$LAST_PID q c u
	read -r q c u <<<"$READY_ARG"
	[ -n "$u" ] || fail "oddname utf8 printed no third tid: '$READY_ARG'"
	dump -f json -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	py_check "$T/out" "
raw = open(sys.argv[1], 'rb').read()
try:
    raw.decode('utf-8')
except UnicodeDecodeError as e:
    check(False, 'not UTF-8: %s; around it: %r' % (e, raw[max(0, e.start - 30):e.end + 10]))
by = {t['tid']: t for t in d['threads']}
n = by[$u]['name']
check(n.startswith('u') and len(n) > 1, 'name %r' % n)
check(by[$q]['name'] == 'we\"ird\\\\th', 'name %r' % by[$q]['name'])
"
	stop_target "$pid"
}
