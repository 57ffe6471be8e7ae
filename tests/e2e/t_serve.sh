# tests/e2e/t_serve.sh - `ptprof serve` against the real clients: `go tool
# pprof URL` and curl.
#
# Each test starts serve on a free port (--listen 127.0.0.1:0: serve binds
# it and names it on its readiness line), asks many things of it, then
# ends it with SIGTERM: it must exit 0 and leave every target thread
# untouched (not traced, not stopped, still answering ping).  Profile
# windows are 1-2 s to keep the suite short.
#
# Uses close_target_fds (t_robust.sh) and go_pprof (lib.sh).

# start_serve ARG...: `ptprof serve ARG...` in the background, its stderr in
# $T/serve.err; returns once it printed its readiness line.  Sets SERVE_PID
# and URL (http://ADDR:PORT).
start_serve() {
	LAST_CMD="ptprof serve $*"
	# Emptied here, not by the background shell's redirection: the wait
	# below must not find the line of a server started before.
	: >"$T/serve.err"
	(
		close_target_fds
		exec "$PTPROF" serve "$@"
	) </dev/null >"$T/serve.out" 2>>"$T/serve.err" &
	SERVE_PID=$!
	trap 'kill -9 $SERVE_PID 2>/dev/null; cleanup_targets' EXIT
	wait_for_line "$T/serve.err" '^ptprof: serving http://' 10 "$SERVE_PID" ||
		{ show_file "serve stderr" "$T/serve.err"; fail "ptprof serve did not start"; }
	URL=$(sed -n 's|^ptprof: serving \(http://[^/]*\)/debug/pprof/ .*|\1|p' "$T/serve.err" | head -n 1)
	[ -n "$URL" ] || fail "no address on the readiness line"
}

# stop_serve: SIGTERM; serve must exit 0 within 10 s, its stderr clean.
stop_serve() {
	kill -TERM "$SERVE_PID" || fail "ptprof serve is gone before SIGTERM"
	local deadline=$(($(now_ms) + 10000)) rc=0
	while [ -d "/proc/$SERVE_PID" ] && [ "$(proc_state "$SERVE_PID")" != Z ]; do
		[ "$(now_ms)" -lt "$deadline" ] ||
			{ show_file "serve stderr" "$T/serve.err"; fail "serve still running 10 s after SIGTERM"; }
		sleep 0.01
	done
	wait "$SERVE_PID" || rc=$?
	[ "$rc" = 0 ] || { show_file "serve stderr" "$T/serve.err"; fail "serve exited $rc after SIGTERM, not 0"; }
	assert_match "$T/serve.err" '^ptprof: stopping: every thread is let go$'
	check_sanitizer "$T/serve.err"
}

# get NAME PATH [CURL-ARG...]: GET $URL$PATH; body in $T/NAME, headers
# (CRs removed) in $T/NAME.hdr, status in STATUS, seconds taken in SECS.
get() {
	local name=$1 path=$2 w
	shift 2
	w=$(curl -sS --max-time 30 -D "$T/$name.rawhdr" -o "$T/$name" \
		-w '%{http_code} %{time_total}' "$@" "$URL$path") || fail "curl $path failed"
	tr -d '\r' <"$T/$name.rawhdr" >"$T/$name.hdr"
	STATUS=${w% *}
	SECS=${w#* }
}

# assert_status NAME WANT: the status of the last get of NAME.
assert_status() {
	[ "$STATUS" = "$2" ] && return 0
	show_file "body" "$T/$1" 10
	fail "$1: status $STATUS, expected $2"
}

# assert_http_header NAME HEADER REGEX: the response NAME has HEADER: REGEX.
assert_http_header() {
	grep -iEq -- "^$2: $3\$" "$T/$1.hdr" && return 0
	show_file "headers" "$T/$1.hdr" 20
	fail "$1: no header '$2: $3'"
}

# assert_go_error NAME STATUS REGEX: an error as Go's net/http/pprof sends
# it: the status, text/plain, X-Go-Pprof: 1, the body naming the cause.
assert_go_error() {
	assert_status "$1" "$2"
	assert_http_header "$1" Content-Type 'text/plain; charset=utf-8'
	assert_http_header "$1" X-Go-Pprof 1
	assert_match "$T/$1" "$3"
}

# assert_profile NAME: a success as Go sends a profile.
assert_profile() {
	assert_status "$1" 200
	assert_http_header "$1" Content-Type 'application/octet-stream'
	assert_http_header "$1" Content-Disposition "attachment; filename=\"$2\""
	assert_eq "$(head -c2 "$T/$1" | od -An -tx1 | tr -d ' ')" 1f8b "gzip magic of $1"
}

# raw NAME: go tool pprof -raw of the body of NAME into $T/NAME.raw.
raw() {
	go_pprof -raw "$T/$1" >"$T/$1.raw" 2>"$T/$1.rawerr" ||
		{ show_file "go tool pprof stderr" "$T/$1.rawerr"; fail "go tool pprof cannot read $1"; }
}

# wait_traced PID: until a thread of PID is traced (a recording holds it).
wait_traced() {
	local deadline=$(($(now_ms) + 5000)) st
	while [ "$(now_ms)" -lt "$deadline" ]; do
		for st in /proc/"$1"/task/*/status; do
			grep -Eq '^TracerPid:[[:space:]]+[1-9]' "$st" 2>/dev/null && return 0
		done
		sleep 0.01
	done
	fail "no thread of $1 was traced within 5 s of the profile request"
}

# within SECS LIMIT: SECS (a decimal) is at most LIMIT.
within() {
	awk -v s="$1" -v l="$2" 'BEGIN { exit !(s <= l) }'
}

# Loopback by default (ss), the profile fetched by go tool pprof from the
# URL, overlapping windows
# sharing one recording (each its own length), the headers, the timing, the
# index, cmdline, the thread dumps, a Go-only profile refused for C, and
# SIGTERM leaving the target untouched.
t_serve_cpu_overlap_and_endpoints() {
	command -v go >/dev/null || skip "go is not installed"
	start_target ratio
	local pid=$LAST_PID
	# Without --listen: the loopback address only (ss), when the default
	# port is free here; else a free port.
	if command -v ss >/dev/null && [ -z "$(ss -Hltn 'sport = :6060')" ]; then
		start_serve -p "$pid"
		ss -Hltnp | grep "pid=$SERVE_PID," | awk '{ print $4 }' >"$T/ss.serve"
		[ -s "$T/ss.serve" ] || fail "ss shows no listening socket of serve"
		assert_match "$T/ss.serve" '^127\.0\.0\.1:6060$'
		assert_no_match "$T/ss.serve" '^(0\.0\.0\.0|\*|\[::\]):'
	else
		start_serve -p "$pid" --listen 127.0.0.1:0
	fi
	# Three overlapping requests, one of them by the real client as a user
	# types it: all answered, each with its own window, each within 1 s
	# of its end (curl's time includes the window).
	get long '/debug/pprof/profile?seconds=2' &
	local long=$!
	go_pprof -raw "$URL/debug/pprof/profile?seconds=1" >"$T/gopprof.raw" 2>"$T/gopprof.err" &
	local gop=$!
	get short '/debug/pprof/profile?seconds=1'
	wait "$gop" || { show_file "go tool pprof stderr" "$T/gopprof.err"; fail "go tool pprof URL failed"; }
	assert_match "$T/gopprof.raw" '^PeriodType: cpu nanoseconds$'
	assert_match "$T/gopprof.raw" ' M=[0-9]+ hot_b '
	assert_match "$T/gopprof.raw" ' M=[0-9]+ hot_a '
	assert_profile short profile
	within "$SECS" 2.0 || fail "a 1 s profile took $SECS s"
	wait "$long" || fail "the overlapping 2 s request failed"
	STATUS=$(awk '/^HTTP/ { print $2 }' "$T/long.hdr" | tail -n 1)
	assert_profile long profile
	raw short
	raw long
	assert_match "$T/short.raw" '^Duration: 1s$'
	assert_match "$T/long.raw" '^Duration: 2s$'
	assert_match "$T/long.raw" ' M=[0-9]+ hot_b '
	assert_match "$T/short.raw" ' M=[0-9]+ hot_b '
	assert_match "$T/short.raw" 'thread:\[worker\]'
	assert_match "$T/serve.err" '^ptprof: 127\.0\.0\.1 "GET /debug/pprof/profile\?seconds=2" 200 [0-9]+ [0-9.]+s$'
	assert_match "$T/serve.err" '^ptprof: 127\.0\.0\.1 "GET /debug/pprof/profile\?seconds=1" 200 [0-9]+ [0-9.]+s$'
	# The index, as Go's.
	get index /debug/pprof/
	assert_status index 200
	assert_http_header index Content-Type 'text/html; charset=utf-8'
	assert_match "$T/index" "<a href='profile\?seconds=30'>profile</a>"
	assert_match "$T/index" "<a href='goroutine\?debug=1'>goroutine</a>"
	# cmdline: the arguments joined by NUL.
	get cmdline /debug/pprof/cmdline
	assert_status cmdline 200
	assert_eq "$(tr '\0' ' ' <"$T/cmdline")" "$(tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/ $//')" cmdline
	# The threads, grouped (debug=1) and in full (debug=2), and as pprof.
	get g1 '/debug/pprof/goroutine?debug=1'
	assert_status g1 200
	assert_http_header g1 Content-Type 'text/plain; charset=utf-8'
	assert_match "$T/g1" "^ptprof dump: pid $pid \"ratio\", 3 threads"
	get g2 '/debug/pprof/goroutine?debug=2'
	assert_status g2 200
	assert_match "$T/g2" '^Thread [0-9]+ "worker" '
	assert_match "$T/g2" ' in (hot_a|hot_b) at '
	assert_match "$T/g2" '^Thread [0-9]+ "idle" sleeping'
	get g0 /debug/pprof/goroutine
	assert_profile g0 goroutine
	raw g0
	assert_match "$T/g0.raw" 'threads/count'
	# Wall clock (the recording of the CPU profiles, lingering, ends for it):
	# the idle thread is in it.
	get fg '/debug/fgprof?seconds=1'
	assert_profile fg profile
	raw fg
	assert_match "$T/fg.raw" '^PeriodType: wall nanoseconds$'
	assert_match "$T/fg.raw" 'thread:\[idle\]'
	# Go's own profiles: a C program has none, and says so.
	get heap /debug/pprof/heap
	assert_go_error heap 501 'is not a Go program'
	get symbol /debug/pprof/symbol
	assert_status symbol 200
	assert_match "$T/symbol" '^num_symbols: 1$'
	stop_serve
	assert_untouched "$pid"
	stop_target "$pid"
}

# What is refused, and that the server answers normally afterwards: a
# foreign Host, a missing or wrong token, bad and too long seconds, ..
# paths, unknown paths and methods, a pid not served, random bytes; the
# token through Basic (go tool pprof's URL form) and Bearer; -q; a
# warning for another address without a token.
t_serve_refusals() {
	command -v go >/dev/null || skip "go is not installed"
	start_target ratio
	local pid=$LAST_PID tok=s3cr3t-t0ken
	printf '%s\n' "$tok" >"$T/token"
	start_serve -q -p "$pid" --listen 127.0.0.1:0 --token-file "$T/token" --max-seconds 5
	local port=${URL##*:}
	get noauth /debug/pprof/
	assert_go_error noauth 401 'a token is needed'
	assert_http_header noauth WWW-Authenticate 'Basic realm="ptprof"'
	get wrong /debug/pprof/ -H 'Authorization: Bearer nope'
	assert_go_error wrong 401 'wrong token'
	get wrongbasic /debug/pprof/ -u "user:nope"
	assert_status wrongbasic 401
	local auth=(-H "Authorization: Bearer $tok")
	get index /debug/pprof/ "${auth[@]}"
	assert_status index 200
	get basic /debug/pprof/cmdline -u "user:$tok"
	assert_status basic 200
	# go tool pprof sends the URL's user:password as Basic.
	go_pprof -raw "http://user:$tok@127.0.0.1:$port/debug/pprof/goroutine" \
		>"$T/basic.raw" 2>"$T/basic.err" ||
		{ show_file "go tool pprof stderr" "$T/basic.err"; fail "go tool pprof with the token as Basic password failed"; }
	assert_match "$T/basic.raw" ' M=[0-9]+ (hot_a|hot_b) '
	# DNS rebinding: a name that is not this machine.
	get host /debug/pprof/ "${auth[@]}" -H "Host: evil.example:$port"
	assert_go_error host 403 'is not this server'
	get localhost /debug/pprof/ "${auth[@]}" -H "Host: localhost:$port"
	assert_status localhost 200
	# seconds: a number, from 1 to --max-seconds.
	get abc '/debug/pprof/profile?seconds=abc' "${auth[@]}"
	assert_go_error abc 400 'invalid value for "seconds"'
	get zero '/debug/pprof/profile?seconds=0' "${auth[@]}"
	assert_go_error zero 400 'invalid value for "seconds"'
	get cap '/debug/pprof/profile?seconds=6' "${auth[@]}"
	assert_go_error cap 400 'at most 5'
	get debug '/debug/pprof/goroutine?debug=x' "${auth[@]}"
	assert_go_error debug 400 'invalid value for "debug"'
	# Paths: .. (raw and encoded), unknown ones, another method.
	get dots /debug/pprof/../../../etc/passwd "${auth[@]}" --path-as-is
	assert_status dots 404
	get edots /debug/pprof/%2e%2e/%2e%2e/etc/passwd "${auth[@]}" --path-as-is
	assert_status edots 404
	assert_no_match "$T/edots" 'root:'
	get unknown /debug/pprof/nosuch "${auth[@]}"
	assert_go_error unknown 404 '^Unknown profile$'
	get post /debug/pprof/profile "${auth[@]}" -X POST -d x
	assert_go_error post 405 'not allowed'
	# serve never follows a pid it was not given.
	get other '/debug/pprof/goroutine?pid=1' "${auth[@]}"
	assert_go_error other 404 'process 1 is not served here'
	# Bounded requests: header lines, header size.
	local many=() k
	for ((k = 0; k < 70; k++)); do many+=(-H "X-Filler-$k: x"); done
	get headers /debug/pprof/ "${auth[@]}" "${many[@]}"
	assert_go_error headers 431 'too many header lines'
	get big /debug/pprof/ "${auth[@]}" -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' x)"
	assert_status big 431
	# Random bytes, and a request line followed by garbage.
	head -c 65536 /dev/urandom >"$T/noise"
	local i
	for i in 1 2 3; do
		timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"'; cat "$1" >&3; exec 3>&-' _ "$T/noise" 2>/dev/null || true
	done
	timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"'; printf "GET /debug/pprof/ HTTP/1.1\r\nHost: localhost\r\n" >&3; cat "$1" >&3; exec 3>&-' _ "$T/noise" 2>/dev/null || true
	get after /debug/pprof/ "${auth[@]}"
	assert_status after 200
	kill -0 "$SERVE_PID" || fail "serve died of the noise"
	stop_serve
	assert_no_match "$T/serve.err" '"GET '  # -q: no access log
	assert_untouched "$pid"
	# Any address, no token: a warning.
	start_serve -p "$pid" --listen 0.0.0.0:0
	assert_match "$T/serve.err" '^ptprof: serve: warning: 0\.0\.0\.0:[0-9]+ can be reached from other machines and no --token-file is set'
	stop_serve
	assert_untouched "$pid"
	stop_target "$pid"
}

# A Go program and a process tree served together (--children): ?pid= is
# needed and checked; goroutines as Go's debug=1/2 dumps; heap as pprof,
# gc=1 refused; a goroutine dump answered while a CPU profile of the same
# process runs; a worker forked later is served; a served process that
# exits is answered 410 while the other is served.
t_serve_go_tree_and_exit() {
	command -v go >/dev/null || skip "go is not installed"
	start_target go-gorout -profile "$T/own"
	local gopid=$LAST_PID
	start_target proctree -n 1 -s
	local tree=$LAST_PID kid=$READY_ARG
	start_serve -p "$gopid,$tree" --children --listen 127.0.0.1:0
	get nopid /debug/pprof/goroutine
	assert_go_error nopid 400 "add \\?pid=N for one of $gopid \\(go-gorout\\), $tree \\(proctree\\), $kid \\(tree-alpha\\)$"
	get g2 "/debug/pprof/goroutine?debug=2&pid=$gopid"
	assert_status g2 200
	assert_match "$T/g2" '^goroutine [0-9]+ \[chan receive(, [0-9]+ minutes)?\]:$'
	assert_match "$T/g2" '^main\.receiver\('
	get g1 "/debug/pprof/goroutine?debug=1&pid=$gopid"
	assert_status g1 200
	assert_match "$T/g1" '^200 '
	get heap "/debug/pprof/heap?pid=$gopid"
	assert_profile heap heap
	raw heap
	assert_match "$T/heap.raw" 'inuse_space/bytes'
	get gc "/debug/pprof/heap?gc=1&pid=$gopid"
	assert_go_error gc 400 'never changes it'
	# A dump while a profile of the same process records: answered at
	# once (the recording lets the threads go for it), the profile too.
	get cpu "/debug/pprof/profile?seconds=3&pid=$gopid" &
	local cpu=$!
	wait_traced "$gopid"
	get during "/debug/pprof/goroutine?debug=1&pid=$gopid"
	assert_status during 200
	within "$SECS" 2.0 || fail "a goroutine dump during a profile took $SECS s"
	# A worker the tree starts now is served, by its own pid.
	printf 'fork\n' >&"${TGT_FD[$tree]}"
	wait_for_line "${TGT_OUT[$tree]}" '^forked [0-9]+$' 10 "$tree" || fail "proctree did not fork"
	local late
	late=$(sed -n 's/^forked //p' "${TGT_OUT[$tree]}")
	get late "/debug/pprof/goroutine?debug=2&pid=$late"
	assert_status late 200
	assert_match "$T/late" ' in tree_late at '
	wait "$cpu" || fail "the profile request failed"
	STATUS=$(awk '/^HTTP/ { print $2 }' "$T/cpu.hdr" | tail -n 1)
	assert_profile cpu profile
	raw cpu
	assert_match "$T/cpu.raw" ' M=[0-9]+ main\.spinner '
	# The tree ends: its endpoints say so; the Go program is still served.
	stop_target "$tree"
	get gone "/debug/pprof/profile?seconds=1&pid=$tree"
	assert_go_error gone 410 "process $tree has exited"
	get gone2 "/debug/pprof/goroutine?pid=$tree"
	assert_go_error gone2 410 "process $tree has exited"
	get still /debug/pprof/cmdline
	assert_status still 200
	stop_serve
	# (go-gorout answers no ping: it reads its stdin to the end.)
	assert_not_traced "$gopid"
	stop_target "$gopid"
}
