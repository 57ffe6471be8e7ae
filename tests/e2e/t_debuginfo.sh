# tests/e2e/t_debuginfo.sh - debug info from elsewhere: debuginfod servers,
# the libc's debug info for lock layouts, Rust v0 names.
#
# A real server (Debian's debuginfod) on a loopback port indexes a
# directory holding only the separate debug files of chain-stripped and
# rawfutex-stripped; their own debuglinks lead nowhere, so only the server
# can name their frames.  Without --debuginfod nothing is asked (one line
# says which build id lacked debug info); with it the names and file:line
# appear, also for record, which reads symbols while sampling but asks
# only once the profile is written; the client's cache serves the next
# run with the server gone; a refused connection costs nothing and a
# server that never answers no more than the budget, with a progress line
# on a terminal and nothing left in the cache.

# Free loopback port (bind to port 0, read what the kernel chose).
free_port() {
	local py=python3
	[ -x /usr/bin/python3 ] && py=/usr/bin/python3
	"$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

HELPER_PIDS=()
kill_helpers() {
	local p
	for p in "${HELPER_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	HELPER_PIDS=()
}

# Start debuginfod on DIR; sets SRV_URL.  wait_debuginfod waits for it.
start_debuginfod() {
	local dir=$1 port
	command -v debuginfod >/dev/null || skip "debuginfod (Debian package debuginfod) not installed"
	command -v curl >/dev/null || skip "curl not installed"
	port=$(free_port) || fail "no free port"
	debuginfod -F "$dir" -p "$port" -d "$T/debuginfod.sqlite" >"$T/debuginfod.log" 2>&1 &
	HELPER_PIDS+=($!)
	SRV_URL=http://127.0.0.1:$port
}

# Until the server serves the debug file of every build id ID...: a
# bounded wait on that condition (it scans its directory in its own time).
wait_debuginfod() {
	local code i id
	for id in "$@"; do
		for i in $(seq 300); do
			code=$(curl -s --noproxy '*' -m 2 -o /dev/null -w '%{http_code}' "$SRV_URL/buildid/$id/debuginfo")
			[ "$code" = 200 ] && continue 2
			kill -0 "${HELPER_PIDS[-1]}" 2>/dev/null || break
			sleep 0.05
		done
		show_file "debuginfod log" "$T/debuginfod.log" 20
		fail "debuginfod at $SRV_URL did not serve build id $id"
	done
}

# Build id of build/targets/NAME (default chain-stripped).
stripped_build_id() {
	readelf -n "$TARGETS_DIR/${1:-chain-stripped}" | awk '/Build ID:/ { print $3 }'
}

setup_debuginfod_env() {
	trap 'kill_helpers; cleanup_targets' EXIT
	# Loopback is never proxied; the client's cache is the test's own.
	export no_proxy='*' NO_PROXY='*'
	export DEBUGINFOD_CACHE_PATH=$T/cache
	unset PTPROF_DEBUGINFOD DEBUGINFOD_MAXTIME DEBUGINFOD_TIMEOUT DEBUGINFOD_PROGRESS
}

t_debuginfo_fetch() {
	setup_debuginfod_env
	local id rid
	id=$(stripped_build_id)
	rid=$(stripped_build_id rawfutex-stripped)
	[ -n "$id" ] && [ -n "$rid" ] || fail "the stripped targets have no build id"
	mkdir -p "$T/srv"
	cp "$TARGETS_DIR/separate-debug/chain-stripped.debug" \
		"$TARGETS_DIR/separate-debug/rawfutex-stripped.debug" "$T/srv/"
	start_debuginfod "$T/srv"
	export DEBUGINFOD_URLS=$SRV_URL
	# Targets after helpers (which must not hold their stdin open), and
	# started while the server scans.
	start_target chain-stripped
	local pid=$LAST_PID
	start_target rawfutex-stripped
	local rpid=$LAST_PID
	wait_debuginfod "$id" "$rid"
	# The server is known, but not asked without the flag.
	dump -p "$pid"
	assert_rc 0 1
	assert_no_match "$T/out" 'chain_[abc]|chain\.c:'
	assert_match "$T/err" "^ptprof: no debug info for build id $id \(frames left unnamed\); --debuginfod fetches it"
	[ ! -e "$T/cache/$id" ] || fail "the client cache has $id without --debuginfod"
	assert_no_match "$T/debuginfod.log" "UA:[^ ]*elfutils"

	dump -p "$pid" --debuginfod
	assert_rc 0
	assert_untouched "$pid"
	assert_no_match "$T/err" 'no debug info'
	split_chain_blocks
	assert_chain_busy_O0
	assert_chain_blocked_threads
	# Asked by libdw's client (its user agent), once.
	assert_eq "$(grep -c "UA:[^ ]*elfutils.* GET /buildid/$id/debuginfo 200" "$T/debuginfod.log")" 1 \
		"fetches of $id"

	# record reads symbols while sampling, with threads stopped, to tell
	# what a thread in a futex waits on: the rawwait thread's frames are
	# the program's own.  Nothing is asked then; the debug info is fetched
	# when the profile is written.
	record -p "$rpid" -d 0.3 -m wall -f folded -o "$T/rec.folded" --debuginfod -v
	assert_rc 0
	assert_untouched "$rpid"
	assert_match "$T/rec.folded" ';raw_outer;raw_wait;[^ ]*syscall[^ ]* [0-9]+$'
	assert_match "$T/err" 'rawfutex-stripped reported again, to fetch the debug info it lacked$'
	stop_target "$rpid"

	# The server gone: the client's cache still has the file.
	kill_helpers
	PTPROF_DEBUGINFOD=1 dump -p "$pid"
	assert_rc 0
	assert_match "$T/out" ' in chain_a at [^ ]*chain\.c:[0-9]+$'
	stop_target "$pid"
}

# A dump of PID with the given extra options; TOOK its milliseconds.
timed_dump() {
	local pid=$1 t0
	shift
	t0=$(now_ms)
	dump -p "$pid" "$@"
	TOOK=$(($(now_ms) - t0))
}

# A listener that accepts and never answers; SILENT_PORT its port.
start_silent_listener() {
	local py=python3 i
	[ -x /usr/bin/python3 ] && py=/usr/bin/python3
	"$py" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
' >"$T/silent.port" &
	HELPER_PIDS+=($!)
	for i in $(seq 200); do
		[ -s "$T/silent.port" ] && break
		sleep 0.05
	done
	[ -s "$T/silent.port" ] || fail "the silent listener did not start"
	SILENT_PORT=$(cat "$T/silent.port")
}

t_debuginfo_unreachable() {
	setup_debuginfod_env
	# Helpers first: a target's stdin must not stay open in them.
	start_silent_listener
	start_target chain-stripped
	local pid=$LAST_PID base took port
	timed_dump "$pid"
	base=$TOOK
	assert_rc 0 1

	# Nobody listens: refused at once.
	port=$(free_port)
	export DEBUGINFOD_URLS=http://127.0.0.1:$port
	timed_dump "$pid" --debuginfod --debuginfod-timeout 2 -v
	took=$TOOK
	assert_rc 0 1
	assert_no_match "$T/out" 'chain_[abc]'
	assert_match "$T/err" '^ptprof: debuginfod: 0\.[0-9]+ s of the 2\.00 s budget spent$'
	# The machine is shared: the whole run is allowed its noise.
	[ "$took" -lt $((base + 1500)) ] || fail "a refused connection took $took ms (without: $base ms)"

	# Accepts and never answers: the budget (2 s) ends it.  On a terminal
	# (script's), a progress line says what is asked for.
	command -v script >/dev/null || skip "script (util-linux) not installed"
	export DEBUGINFOD_URLS=http://127.0.0.1:$SILENT_PORT
	local t0
	t0=$(now_ms)
	LAST_CMD="script: ptprof dump -p $pid --debuginfod --debuginfod-timeout 2 -v -o $T/out"
	PT_RC=0
	timeout -k 5 30 script -qec "'$PTPROF' dump -p $pid --debuginfod --debuginfod-timeout 2 -v -o '$T/out'" \
		/dev/null </dev/null >"$T/err" 2>&1 || PT_RC=$?
	took=$(($(now_ms) - t0))
	check_sanitizer "$T/err"
	assert_rc 0 1
	assert_untouched "$pid"
	assert_no_match "$T/out" 'chain_[abc]'
	assert_match "$T/err" 'ptprof: debuginfod: asking for [0-9a-f]{12}\.\.\. \([0-9]+\.[0-9] s\)'
	assert_match "$T/err" "no debug info for build id [0-9a-f]+: (--debuginfod-timeout spent|Timer expired)"
	# It waited (a second at least), and no longer than the budget.
	assert_match "$T/err" 'ptprof: debuginfod: (1\.[0-9]+|2\.00) s of the 2\.00 s budget spent'
	[ "$took" -lt $((base + 2000 + 1500)) ] ||
		fail "a silent server took $took ms with a 2 s budget (without: $base ms)"
	# Cut off, not "not found": nothing cached that would stop the next run asking.
	[ ! -e "$T/cache/$(stripped_build_id)/debuginfo" ] || fail "a cut-off query left a cache entry"
	stop_target "$pid"
}

# Rust v0 names known only to the symbol table come out demangled.
t_debuginfo_rust_v0_symtab() {
	start_target rustv0
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0 1
	assert_untouched "$pid"
	assert_match "$T/out" '^  #[0-9]+ +0x[0-9a-f]+ in mycrate::outer::inner$'
	assert_match "$T/out" '^  #[0-9]+ +0x[0-9a-f]+ in mycrate::outer::outer::<f64>$'
	assert_no_match "$T/out" ' in _R'
	stop_target "$pid"
}

# Lock owners where glibc's own debug info says they are (libc6-dbg), and,
# with that debug info out of sight, where the built-in layout says, once
# the libc's version allows it.
t_debuginfo_lock_layout() {
	[ -n "$(ls /usr/lib/debug/.build-id 2>/dev/null)" ] || skip "no debug info in /usr/lib/debug (libc6-dbg)"
	command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "unshare/nsenter not installed"
	start_target held
	local pid=$LAST_PID
	locks_parse_held
	dump -p "$pid" --locks -v
	assert_rc 0
	assert_match "$T/err" '^ptprof: mutex layout of [^ ]*libc\.so\.6 taken from its debug info$'
	assert_match "$T/err" '^ptprof: rwlock layout of [^ ]*libc\.so\.6 taken from its debug info$'
	assert_wait_line waiter "  waiting on mutex ${H[mutex]} held by thread ${H[holder]} \"holder\""
	assert_wait_line rdwaiter "  waiting on rwlock ${H[rwlock]} held for writing by thread ${H[wholder]} \"wholder\""
	assert_wait_line cvwaiter "  waiting on condition variable ${H[cond]} (no owner)"
	stop_target "$pid"

	# The same target in a mount namespace whose /usr/lib/debug is empty,
	# and ptprof in there too, keeping no inflated copies of debug files
	# (a copy of libc's would still be found).
	printf '#!/bin/sh\nexec unshare --mount --propagation private sh -c %s\n' \
		"'mount -t tmpfs nodebug /usr/lib/debug && exec \"\$0\"' $PWD/$TARGETS_DIR/held" >"$T/held-nodebug"
	chmod +x "$T/held-nodebug"
	TARGETS_DIR=$T start_target held-nodebug
	pid=$LAST_PID
	locks_parse_held
	[ -z "$(nsenter --mount --target "$pid" ls /usr/lib/debug)" ] || skip "cannot hide /usr/lib/debug"
	LAST_CMD="nsenter --mount --target $pid ptprof dump -p $pid --locks -v"
	PT_RC=0
	PTPROF_CACHE_DIR=off timeout -k 5 30 nsenter --mount --target "$pid" "$PTPROF" dump -p "$pid" --locks -v \
		</dev/null >"$T/out" 2>"$T/err" || PT_RC=$?
	check_sanitizer "$T/err"
	assert_rc 0 1
	assert_no_match "$T/err" 'taken from its debug info'
	assert_match "$T/err" '^ptprof: lock layout of [^ ]*libc\.so\.6: no debug info; the built-in one of x86_64 glibc 2\.25 and later, for glibc 2\.[0-9]+$'
	assert_wait_line waiter "  waiting on mutex ${H[mutex]} held by thread ${H[holder]} \"holder\""
	assert_wait_line rdwaiter "  waiting on rwlock ${H[rwlock]} held for writing by thread ${H[wholder]} \"wholder\""
	stop_target "$pid"
}
