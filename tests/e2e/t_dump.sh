# tests/e2e/t_dump.sh - `ptprof dump` against live targets.
#
# Every test starts its own target(s), dumps, checks the output against
# the text/json/pprof contract, and checks after every dump that the
# target is untouched: no thread traced or in a tracing stop, and it still
# answers ping.  stop_target then requires a clean exit 0.

# A frame's location in the main executable: file:line and no [module].
CHAIN_AT='at [^ ]*chain\.c:[0-9]+$'
CPU='cpu [0-9]+\.[0-9]{2}s$'

# The first line of a dump, for PID with COMM and N threads.
header_re() {
	echo "^ptprof dump: pid $1 \"$2\", $3 threads, captured in [0-9]+\.[0-9]{2} ms, threads stopped [0-9]+\.[0-9]{3} ms max, [0-9]+\.[0-9]{3} ms total$"
}

assert_header() {
	head -n 1 "$T/out" >"$T/first"
	assert_match "$T/first" "$(header_re "$@")"
}

# The blocks of the chain target's threads, extracted once per dump.
split_chain_blocks() {
	local n
	for n in busy-0 sleeper reader locker; do
		thread_block "$T/out" "$n" >"$T/$n"
	done
}

# The frames of the chain target that do not depend on inlining.
assert_chain_blocked_threads() {
	assert_match "$T/sleeper" "^Thread [0-9]+ \"sleeper\" sleeping in (clock_nanosleep|nanosleep), $CPU"
	assert_match "$T/sleeper" "in sleeper_inner $CHAIN_AT"
	assert_caller "$T/sleeper" sleeper_inner sleeper_outer

	assert_match "$T/reader" "^Thread [0-9]+ \"reader\" sleeping in read, $CPU"
	assert_match "$T/reader" "in reader_wait $CHAIN_AT"

	assert_match "$T/locker" "^Thread [0-9]+ \"locker\" sleeping in futex, $CPU"
	assert_match "$T/locker" "in locker_wait $CHAIN_AT"
}

# busy-0 at -O0: three real frames, innermost first.
assert_chain_busy_O0() {
	assert_match "$T/busy-0" "^Thread [0-9]+ \"busy-0\" running, $CPU"
	assert_frame "$T/busy-0" 0 "chain_c $CHAIN_AT"
	assert_frame "$T/busy-0" 1 "chain_b $CHAIN_AT"
	assert_frame "$T/busy-0" 2 "chain_a $CHAIN_AT"
	assert_caller "$T/busy-0" chain_a busy_thread
}

# A dump of the chain target at -O0 (ptprof's arguments) that exits 0,
# leaves the target untouched and shows every thread's known frames.
dump_chain_O0_ok() {
	dump "$@"
	assert_rc 0
	assert_untouched "$pid"
	split_chain_blocks
	assert_chain_busy_O0
	assert_chain_blocked_threads
}

t_dump_chain_O0() {
	start_target chain
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"

	assert_header "$pid" chain 5
	# Every thread, by tid and name; main is blocked reading its stdin.
	assert_match "$T/out" "^Thread $pid \"chain\" sleeping in read, $CPU"
	local n
	for n in busy-0 sleeper reader locker; do
		assert_match "$T/out" "^Thread $(tid_by_name "$pid" "$n") \"$n\" "
	done
	assert_eq "$(grep -c '^Thread ' "$T/out")" 5 "number of thread blocks"

	split_chain_blocks
	assert_chain_busy_O0
	assert_chain_blocked_threads
	stop_target "$pid"
}

# The chain target is position independent; frames in it carry no
# [module], frames in libc do.
t_dump_pie_modules() {
	readelf -h "$TARGETS_DIR/chain" | grep -Eq 'Type: +DYN' ||
		fail "$TARGETS_DIR/chain is not PIE"
	start_target chain
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_no_match "$T/out" '\[chain\]'
	thread_block "$T/out" busy-0 >"$T/busy-0"
	assert_match "$T/busy-0" "in start_thread( at [^ ]+:[0-9]+)? \[libc\.so\.6\]$"
	assert_no_match "$T/busy-0" 'in busy_thread .*\['
	stop_target "$pid"
}

t_dump_nopie() {
	readelf -h "$TARGETS_DIR/chain-nopie" | grep -Eq 'Type: +EXEC' ||
		fail "$TARGETS_DIR/chain-nopie is not a fixed-address executable"
	start_target chain-nopie
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_header "$pid" chain-nopie 5
	assert_no_match "$T/out" '\[chain-nopie\]'
	split_chain_blocks
	assert_chain_busy_O0
	assert_chain_blocked_threads
	stop_target "$pid"
}

# -O2: chain_b and chain_c exist only inlined into chain_a.
t_dump_O2_inlined() {
	start_target chain-O2
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_header "$pid" chain-O2 5
	split_chain_blocks
	assert_match "$T/busy-0" "^Thread [0-9]+ \"busy-0\" running, $CPU"
	assert_frame "$T/busy-0" 0 "chain_c \(inlined\) $CHAIN_AT"
	assert_frame "$T/busy-0" 1 "chain_b \(inlined\) $CHAIN_AT"
	assert_frame "$T/busy-0" 2 "chain_a $CHAIN_AT"
	# Inlined frames share the address of the frame that contains them.
	local pcs
	pcs=$(awk '$1 ~ /^#[012]$/ { print $2 }' "$T/busy-0" | sort -u | wc -l)
	assert_eq "$pcs" 1 "distinct addresses of frames #0-#2"
	assert_chain_blocked_threads
	stop_target "$pid"
}

t_dump_no_inline() {
	start_target chain-O2
	local pid=$LAST_PID
	dump --no-inline -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_no_match "$T/out" '\(inlined\)'
	assert_no_match "$T/out" ' in chain_[bc]( |$)'
	thread_block "$T/out" busy-0 >"$T/busy-0"
	assert_frame "$T/busy-0" 0 "chain_a $CHAIN_AT"
	assert_caller "$T/busy-0" chain_a busy_thread
	stop_target "$pid"
}

t_dump_no_lines() {
	start_target chain
	local pid=$LAST_PID
	dump --no-lines -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_no_match "$T/out" ' at [^ ]+:[0-9]+'
	thread_block "$T/out" busy-0 >"$T/busy-0"
	assert_frame "$T/busy-0" 0 'chain_c$'
	assert_frame "$T/busy-0" 1 'chain_b$'
	assert_frame "$T/busy-0" 2 'chain_a$'
	# Modules are still named.
	assert_match "$T/busy-0" 'in start_thread \[libc\.so\.6\]$'
	stop_target "$pid"
}

t_dump_tid_filter() {
	start_target chain
	local pid=$LAST_PID busy reader
	busy=$(tid_by_name "$pid" busy-0)
	reader=$(tid_by_name "$pid" reader)

	dump -t "$busy" -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_eq "$(grep -c '^Thread ' "$T/out")" 1 "thread blocks with -t $busy"
	assert_match "$T/out" "^Thread $busy \"busy-0\" running"
	assert_match "$T/out" ' in chain_c( |$)'

	dump --tid "$busy,$reader" -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_eq "$(grep -c '^Thread ' "$T/out")" 2 "thread blocks with -t $busy,$reader"
	assert_match "$T/out" "^Thread $busy \"busy-0\" "
	assert_match "$T/out" "^Thread $reader \"reader\" sleeping in read"
	assert_no_match "$T/out" '^Thread [0-9]+ "(sleeper|locker|chain)"'
	stop_target "$pid"
}

# 32 identical waiters print as one group, largest group first.
t_dump_group_pool() {
	start_target pool
	local pid=$LAST_PID
	dump -g -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_header "$pid" pool 33

	# The first line after the census (which ends at the first blank line)
	# opens the biggest group.
	awk 'seen && NF { print; exit } /^$/ { seen = 1 }' "$T/out" >"$T/group-line"
	assert_match "$T/group-line" '^32 threads sleeping in futex: '
	local i tid
	for i in $(seq 1 32); do
		tid=$(tid_by_name "$pid" "worker-$i")
		[ -n "$tid" ] || fail "no thread worker-$i in /proc"
		assert_match "$T/group-line" "(: |, )$tid \"worker-$i\"(,|$)"
	done
	awk 'index($0, "32 threads ") == 1 { on = 1 } on && $0 == "" { exit } on' \
		"$T/out" >"$T/group"
	assert_caller "$T/group" pool_wait pool_worker
	# No worker is printed again on its own; main is a group of one.
	assert_no_match "$T/out" '^Thread [0-9]+ "worker-'
	assert_match "$T/out" "^Thread $pid \"pool\" sleeping in read, $CPU"
	stop_target "$pid"
}

t_dump_json() {
	start_target chain
	local pid=$LAST_PID
	dump -f json -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	py_check "$T/out" "
check(isinstance(d, dict), 'top level is not an object')
check(d.get('pid') == $pid, 'pid %r' % d.get('pid'))
check(d.get('name') == 'chain', 'name %r' % d.get('name'))
threads = d.get('threads')
check(isinstance(threads, list) and len(threads) == 5, 'threads: %r' % threads)
by = {}
for t in threads:
    for k in ('tid', 'name', 'state', 'syscall', 'cpu_seconds', 'frames', 'error'):
        check(k in t, 'thread without %r: %r' % (k, t))
    check(type(t['tid']) is int, 'tid %r' % t['tid'])
    check(isinstance(t['cpu_seconds'], (int, float)), 'cpu_seconds %r' % t['cpu_seconds'])
    check(t['error'] is None, 'thread %s error %r' % (t['tid'], t['error']))
    check(len(t['frames']) > 0, 'thread %s has no frames' % t['tid'])
    for f in t['frames']:
        for k in ('pc', 'function', 'inlined', 'file', 'line', 'module'):
            check(k in f, 'frame without %r: %r' % (k, f))
        check(isinstance(f['pc'], str) and f['pc'].startswith('0x'), 'pc %r' % f['pc'])
        int(f['pc'], 16)
        check(type(f['inlined']) is bool, 'inlined %r' % f['inlined'])
        check(f['line'] is None or type(f['line']) is int, 'line %r' % f['line'])
    by[t['name']] = t
check(set(by) == {'chain', 'busy-0', 'sleeper', 'reader', 'locker'}, 'names %r' % sorted(by))
check(by['chain']['tid'] == $pid, 'main tid %r' % by['chain']['tid'])
b = by['busy-0']
check(b['state'] == 'running' and b['syscall'] is None, 'busy-0 %r %r' % (b['state'], b['syscall']))
fr = b['frames']
check([f['function'] for f in fr[:3]] == ['chain_c', 'chain_b', 'chain_a'], 'busy-0 frames %r' % fr[:4])
for f in fr[:3]:
    check(f['file'] is not None and f['file'].endswith('chain.c'), 'file %r' % f['file'])
    check(f['line'] > 0 and f['inlined'] is False, 'frame %r' % f)
s = by['sleeper']
check(s['state'] == 'sleeping' and s['syscall'] in ('clock_nanosleep', 'nanosleep'), 'sleeper %r %r' % (s['state'], s['syscall']))
names = [f['function'] for f in s['frames']]
check('sleeper_inner' in names and names[names.index('sleeper_inner') + 1] == 'sleeper_outer', 'sleeper frames %r' % names)
check(by['reader']['syscall'] == 'read', 'reader syscall %r' % by['reader']['syscall'])
check('reader_wait' in [f['function'] for f in by['reader']['frames']], 'reader frames')
check(by['locker']['syscall'] == 'futex', 'locker syscall %r' % by['locker']['syscall'])
check('locker_wait' in [f['function'] for f in by['locker']['frames']], 'locker frames')
mods = [f['module'] for f in b['frames'] if f['function'] == 'start_thread']
check(mods and 'libc.so.6' in mods[0], 'start_thread module %r' % mods)
"
	stop_target "$pid"
}

t_dump_json_inlined() {
	start_target chain-O2
	local pid=$LAST_PID
	dump -f json -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	py_check "$T/out" "
b = [t for t in d['threads'] if t['name'] == 'busy-0']
check(len(b) == 1, 'busy-0 threads: %d' % len(b))
fr = b[0]['frames'][:3]
got = [(f['function'], f['inlined']) for f in fr]
check(got == [('chain_c', True), ('chain_b', True), ('chain_a', False)], 'frames %r' % got)
check(len(set(f['pc'] for f in fr)) == 1, 'inlined frames at different pcs: %r' % fr)
"
	stop_target "$pid"
}

t_dump_pprof() {
	command -v go >/dev/null || skip "go is not installed (apt-get install golang-go)"
	start_target chain
	local pid=$LAST_PID
	dump -f pprof -o "$T/threads.pb.gz" -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	[ -s "$T/threads.pb.gz" ] || fail "no profile written"
	[ ! -s "$T/out" ] || fail "-o FILE, yet something on stdout"
	assert_eq "$(head -c2 "$T/threads.pb.gz" | od -An -tx1 | tr -d ' ')" 1f8b "gzip magic"

	go_pprof_into "$T/raw" -raw "$T/threads.pb.gz"
	assert_match "$T/raw" 'threads/count'
	assert_match "$T/raw" 'chain_c'
	go_pprof_into "$T/traces" -traces "$T/threads.pb.gz"
	assert_match "$T/traces" '^ +thread: +busy-0$'
	assert_match "$T/traces" '^ +thread: +sleeper$'
	assert_match "$T/traces" "^ +tid: +$(tid_by_name "$pid" busy-0)( |$)"
	assert_match "$T/traces" '^ +state: +running$'
	assert_match "$T/traces" '^ +state: +sleeping$'
	assert_match "$T/traces" 'chain_c'
	assert_match "$T/traces" 'sleeper_inner'
	stop_target "$pid"
}

t_dump_cxx_demangled() {
	start_target cxx
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	thread_block "$T/out" cxx-worker >"$T/worker"
	assert_match "$T/worker" "^Thread [0-9]+ \"cxx-worker\" running, $CPU"
	assert_frame "$T/worker" 0 'ptprof_test::Worker<int>::run(\(int\))? at [^ ]*cxx\.cpp:[0-9]+$'
	assert_caller "$T/worker" 'ptprof_test::Worker<int>::run' 'ptprof_test::start_worker'
	assert_no_match "$T/out" ' in _Z'
	stop_target "$pid"
}

t_dump_stripped_no_debug() {
	start_target chain-stripped
	local pid=$LAST_PID
	dump -p "$pid"
	# Frames without symbols may count as unreadable: 0 or 1.
	assert_rc 0 1
	assert_untouched "$pid"
	thread_block "$T/out" busy-0 >"$T/busy-0"
	assert_match "$T/busy-0" '^Thread [0-9]+ "busy-0" running'
	assert_no_match "$T/out" 'chain_[abc]|sleeper_|reader_wait|locker_wait'
	assert_frame "$T/busy-0" 0 'chain-stripped\+0x[0-9a-f]+$'
	stop_target "$pid"
}

t_dump_stripped_debug_dir() {
	local bin=$TARGETS_DIR/chain-stripped
	local dbg=$TARGETS_DIR/separate-debug/chain-stripped.debug
	local id
	id=$(readelf -n "$bin" | awk '/Build ID:/ { print $3 }')
	[ -n "$id" ] || fail "$bin has no build id"
	# Laid out like /usr/lib/debug: .build-id/xx/rest.debug
	mkdir -p "$T/debugroot/.build-id/${id:0:2}"
	cp "$dbg" "$T/debugroot/.build-id/${id:0:2}/${id:2}.debug"

	start_target chain-stripped
	local pid=$LAST_PID
	dump_chain_O0_ok --debug-dir "$T/debugroot" -p "$pid"
	stop_target "$pid"
}

# The debug file found by its .gnu_debuglink name, libdw's way but without
# libdebuginfod: a file of that name with another build id next to the
# binary is passed over, the right one in .debug/ is taken.
t_dump_debuglink_search() {
	mkdir -p "$T/bin/.debug"
	cp "$TARGETS_DIR/chain-stripped" "$T/bin/"
	cp "$TARGETS_DIR/chain-O2" "$T/bin/chain-stripped.debug"
	cp "$TARGETS_DIR/separate-debug/chain-stripped.debug" "$T/bin/.debug/"

	TARGETS_DIR=$T/bin start_target chain-stripped
	local pid=$LAST_PID
	dump_chain_O0_ok -p "$pid"

	# Without the right file, the wrong one is still not taken.
	rm "$T/bin/.debug/chain-stripped.debug"
	dump -p "$pid"
	assert_no_match "$T/out" 'chain_[abc]'
	stop_target "$pid"
}

# A process stopped by job control stays stopped: ptprof must not resume it.
t_dump_sigstopped() {
	start_target chain
	local pid=$LAST_PID
	kill -STOP "$pid"
	wait_all_threads_state "$pid" T || fail "threads of $pid did not all stop after SIGSTOP"

	dump -p "$pid"
	assert_rc 0
	assert_match "$T/out" "^Thread [0-9]+ \"busy-0\" stopped, $CPU"
	thread_block "$T/out" busy-0 >"$T/busy-0"
	assert_frame "$T/busy-0" 0 "chain_c $CHAIN_AT"

	assert_not_traced "$pid"
	local t tid st
	for t in /proc/"$pid"/task/*; do
		tid=${t##*/}
		st=$(proc_state "$pid" "$tid")
		[ "$st" = T ] || fail "thread $tid is in state $st after the dump, not T (stopped)"
	done

	kill -CONT "$pid"
	wait_no_thread_state "$pid" T || fail "threads of $pid still stopped after SIGCONT"
	assert_untouched "$pid"
	stop_target "$pid"
}

# Threads come and go during the dump: still a dump, never a failure.
t_dump_churn() {
	start_target churn
	local pid=$LAST_PID i
	for i in 1 2 3 4 5; do
		dump -p "$pid"
		assert_rc 0 1
		assert_untouched "$pid"
		assert_match "$T/out" "^ptprof dump: pid $pid \"churn\", [0-9]+ threads"
		assert_match "$T/out" "^Thread $pid \"churn\" sleeping in read"
		assert_match "$T/out" '^Thread [0-9]+ "churn" '
		# Whatever it says on stderr is a ptprof message, not a crash.
		assert_no_match "$T/err" '^([^p]|p[^t]|pt[^p]|ptp[^r]|ptpr[^o]|ptpro[^f]|ptprof[^:])'
	done
	stop_target "$pid"
}

t_dump_output_file() {
	start_target chain
	local pid=$LAST_PID
	dump -o "$T/dump.txt" -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	[ ! -s "$T/out" ] || fail "-o FILE, yet something on stdout"
	assert_match "$T/dump.txt" "$(header_re "$pid" chain 5)"
	assert_match "$T/dump.txt" ' in chain_c( |$)'

	dump --output "$T/dump2.txt" -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_match "$T/dump2.txt" ' in chain_c( |$)'
	stop_target "$pid"
}

# The reader of ptprof's stdout is gone before ptprof writes: ptprof fails
# (EPIPE or SIGPIPE) but must leave the target as it found it.
t_dump_closed_pipe() {
	start_target chain
	local pid=$LAST_PID
	mkfifo "$T/reader-gone"
	LAST_CMD="ptprof dump -p $pid | (reader closed first)"
	# Left: wait until the right side has closed the pipe, then run ptprof.
	# Right: close the only read end of the pipe, then say so.
	(
		read -r _ <"$T/reader-gone"
		exec timeout -k 5 30 "$PTPROF" dump -p "$pid" 2>"$T/err"
	) | (
		exec 0<&-
		echo closed >"$T/reader-gone"
	)
	PT_RC=${PIPESTATUS[0]}
	check_sanitizer "$T/err"
	case $PT_RC in
	124 | 137) fail "ptprof did not finish within 30 s" ;;
	0) fail "ptprof exited 0 though its output could not be written" ;;
	esac
	assert_untouched "$pid"
	stop_target "$pid"
}

# Looking twice must give the same answer: a sleep that ptprof interrupted
# the first time is still "clock_nanosleep" to the user, not the kernel's
# internal restart_syscall.
t_dump_twice_same_syscalls() {
	start_target chain
	local pid=$LAST_PID i
	for i in 1 2; do
		dump_chain_O0_ok -p "$pid"
	done
	stop_target "$pid"
}

# ---------------------------------------------------------------- helpers

# Wait up to 5 s until every thread of PID is in state STATE.
wait_all_threads_state() {
	local pid=$1 want=$2 t ok
	local deadline=$(($(now_ms) + 5000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		ok=1
		for t in /proc/"$pid"/task/*; do
			[ "$(proc_state "$pid" "${t##*/}")" = "$want" ] || ok=0
		done
		[ $ok -eq 0 ] || return 0
		sleep 0.01
	done
	return 1
}

# Wait up to 5 s until no thread of PID is in state STATE.
wait_no_thread_state() {
	local pid=$1 bad=$2 t ok
	local deadline=$(($(now_ms) + 5000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		ok=1
		for t in /proc/"$pid"/task/*; do
			[ "$(proc_state "$pid" "${t##*/}")" != "$bad" ] || ok=0
		done
		[ $ok -eq 0 ] || return 0
		sleep 0.01
	done
	return 1
}

# A dump loads no network library: libdebuginfod (with curl) only with
# --debuginfod, libmicrohttpd (with GnuTLS) only for serve.  Each would
# add tens of milliseconds to every dump.
t_dump_loads_no_network_library() {
	start_target chain-stripped
	local pid=$LAST_PID
	LD_DEBUG=files run_ptprof dump -p "$pid"
	assert_rc 0 1
	assert_match "$T/err" 'file=libdw\.so'
	assert_no_match "$T/err" 'file=(libdebuginfod|libcurl|libmicrohttpd|libgnutls)'
	assert_untouched "$pid"
	stop_target "$pid"
}
