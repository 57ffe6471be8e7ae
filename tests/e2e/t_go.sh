# tests/e2e/t_go.sh - Go programs: whole Go stacks in CPU profiles, and
# goroutine dumps, each beside what the program's own runtime/pprof says
# in the same run.
#
# The targets (tests/go/) print "ready" when in position and exit 0 when
# their stdin ends; stop_target checks that, so a target ptprof disturbed
# fails the test.  Go's own answers are read by tests/go/ref.py.

REF=tests/go/ref.py

# ref_value FILE KEY: the number after KEY on ref.py's line "KEY N".
ref_value() {
	awk -v k="$2" '{ v = $NF; $NF = ""; sub(/ $/, "") } $0 == k { print v; found = 1 }
		END { if (!found) print 0 }' "$1"
}

# ref_reason FILE STATE: how many goroutines ref.py goroutine-states
# counted in STATE (its lines "reason COUNT STATE").
ref_reason() {
	awk -v s="$2" '$1 == "reason" { c = $2; $1 = ""; $2 = ""; sub(/^ +/, "") }
		$0 == s { print c; found = 1 } END { if (!found) print 0 }' "$1"
}

# wait_for_count FILE REGEX N SECS PID: in t_robust.sh.

# go_cpu_check NAME: record NAME's worker for as long as Go's own CPU
# profiler runs in it, then compare.  main.worker must be above its two
# leaves in at least 95% of their samples, and the share of main.hashA in
# the worker's samples within 5 points of Go's own profile.
go_cpu_check() {
	# Go's profiler at 500 Hz and ptprof at 250 Hz (each also stops the
	# thread the other samples, so neither gets all its ticks): well over
	# a thousand samples each, and the shares of two honest profiles lie
	# within 5 points of each other but for a chance of about 1 in 2000.
	# A machine too busy to give the worker its CPU yields fewer: then the
	# two profiles are taken once more, rather than compared on too few.
	local name=$1 secs=8 attempt a b wa wb ga gb f
	start_target "$name" -profile "$T/$name.go.pb.gz" -seconds "$secs" -rate 500
	local pid=$LAST_PID
	for attempt in 1 2; do
		printf 'start\n' >&"${TGT_FD[$pid]}"
		run_ptprof record -p "$pid" -d "$secs" -r 250 -o "$T/$name.pt.pb.gz"
		assert_rc 0
		wait_for_count "${TGT_OUT[$pid]}" '^(profiled|error)' "$attempt" 20 "$pid" ||
			fail "$name: Go's own profile did not finish"
		assert_no_match "${TGT_OUT[$pid]}" '^error'
		assert_not_traced "$pid"
		for f in go pt; do
			python3 "$REF" pprof-counts "$T/$name.$f.pb.gz" main.hashA main.hashB main.worker \
				>"$T/$name.$f.all" || fail "ref.py cannot read the $f profile"
			python3 "$REF" pprof-counts --within main.worker "$T/$name.$f.pb.gz" main.hashA \
				main.hashB >"$T/$name.$f.worker" || fail "ref.py cannot read the $f profile"
		done
		a=$(ref_value "$T/$name.pt.all" main.hashA)
		b=$(ref_value "$T/$name.pt.all" main.hashB)
		wa=$(ref_value "$T/$name.pt.worker" main.hashA)
		wb=$(ref_value "$T/$name.pt.worker" main.hashB)
		ga=$(ref_value "$T/$name.go.worker" main.hashA)
		gb=$(ref_value "$T/$name.go.worker" main.hashB)
		[ $((a + b)) -lt 800 ] || [ $((ga + gb)) -lt 800 ] || break
	done
	[ $((a + b)) -ge 800 ] || fail "$name: only $((a + b)) samples in hashA/hashB"
	[ $((ga + gb)) -ge 800 ] || fail "$name: Go's own profile has only $((ga + gb)) samples"
	awk -v w=$((wa + wb)) -v all=$((a + b)) 'BEGIN { exit !(w >= 0.95 * all) }' ||
		fail "$name: main.worker above hashA/hashB in $((wa + wb)) of $((a + b)) samples"
	awk -v a="$wa" -v b="$wb" -v ga="$ga" -v gb="$gb" '
		BEGIN { d = 100 * a / (a + b) - 100 * ga / (ga + gb); if (d < 0) d = -d; exit !(d <= 5) }' ||
		fail "$name: hashA share $wa/$((wa + wb)) vs Go's own $ga/$((ga + gb)): more than 5 points apart"

	# Go frames carry their file and line.
	go_pprof -traces -lines "$T/$name.pt.pb.gz" >"$T/$name.traces" 2>/dev/null ||
		fail "go tool pprof cannot read ptprof's profile"
	assert_match "$T/$name.traces" 'main\.hashA [^ ]*tests/go/gocpu/main\.go:[0-9]+'
	assert_match "$T/$name.traces" 'main\.worker [^ ]*tests/go/gocpu/main\.go:[0-9]+'
	stop_target "$pid"
}

# Sample counts against the CPU it had: alone (tests/run-e2e.sh).
E2E_SERIAL+=" go_cpu_profile"
t_go_cpu_profile() {
	go_cpu_check go-gocpu
}

# -ldflags="-s -w": no symbol table, no DWARF, no .debug_frame; only the
# runtime's function table is left to unwind and name with.
# Sample counts against the CPU it had: alone (tests/run-e2e.sh).
E2E_SERIAL+=" go_cpu_profile_stripped"
t_go_cpu_profile_stripped() {
	go_cpu_check go-gocpu-sw
}

# cgo: C code (with .eh_frame) and Go code (without) in one binary.
# Sample counts against the CPU it had: alone (tests/run-e2e.sh).
E2E_SERIAL+=" go_cpu_profile_cgo"
t_go_cpu_profile_cgo() {
	go_cpu_check go-gocpu-cgo
}

# The goroutines of go-gorout: 200 in chan receive, 50 in select, 30 on a
# held mutex, one sleeping, one spinning.
start_gorout() {
	start_target "${1:-go-gorout}" -profile "$T/own"
}

# The spinner is preempted every 10 ms and briefly runnable: dump until it
# is caught running (it nearly always is at once).
dump_spinner_running() {
	local i
	for i in 1 2 3 4 5; do
		dump "$@"
		grep -q '^goroutine [0-9]* \[running, thread [0-9]* "go-gorout"\]:$' "$T/out" && return 0
	done
	fail "the spinning goroutine was never shown running"
}

t_go_goroutines_text() {
	start_gorout
	local pid=$LAST_PID
	dump_spinner_running -p "$pid"
	assert_rc 0
	assert_match "$T/out" "^ptprof dump: pid $pid \"go-gorout\", Go go1\.[0-9]+"
	# The same goroutines, per function, as the program's own debug=2 dump.
	python3 "$REF" goroutine-funcs "$T/own.2" >"$T/own.funcs" || fail "ref.py: own.2"
	python3 "$REF" goroutine-funcs "$T/out" >"$T/pt.funcs" || fail "ref.py: ptprof's dump"
	local fn
	for fn in main.receiver main.selector main.locker main.sleeper main.spinner \
		'sync.(*Mutex).Lock' time.Sleep; do
		assert_eq "$(ref_value "$T/pt.funcs" "$fn")" "$(ref_value "$T/own.funcs" "$fn")"
	done
	assert_eq "$(ref_value "$T/pt.funcs" main.receiver)" 200
	# The same wait reason for every goroutine that waits in both.
	python3 "$REF" goroutine-states "$T/own.2" >"$T/own.states" || fail "ref.py: own.2"
	python3 "$REF" goroutine-states "$T/out" >"$T/pt.states" || fail "ref.py: ptprof's dump"
	local st
	for st in 'chan receive:200' select:50 semacquire:30 sleep:1; do
		assert_eq "${st%%:*} $(ref_reason "$T/pt.states" "${st%%:*}")" \
			"${st%%:*} $(ref_reason "$T/own.states" "${st%%:*}")"
		assert_eq "${st%%:*} $(ref_reason "$T/pt.states" "${st%%:*}")" "${st%%:*} ${st#*:}"
	done
	grep -E '^goroutine [0-9]+ (chan receive|select|semacquire|sleep)$' "$T/own.states" \
		>"$T/own.waiting"
	grep -Fxf "$T/own.waiting" "$T/pt.states" >"$T/both" || true
	assert_eq "$(wc -l <"$T/both")" "$(wc -l <"$T/own.waiting")"
	# The spinner runs on one of the process's threads, named.
	local tid
	tid=$(sed -n 's/^goroutine [0-9]* \[running, thread \([0-9]*\) "go-gorout"\]:$/\1/p' "$T/out")
	[ -n "$tid" ] && [ -d "/proc/$pid/task/$tid" ] || fail "running goroutine's thread '$tid' is not a thread of $pid"
	awk '/^goroutine [0-9]+ \[running, thread/ { on = 1; next } on && /^$/ { on = 0 } on' "$T/out" \
		>"$T/running"
	assert_match "$T/running" '^main\.spinner\(\.\.\.\)$'
	assert_match "$T/running" '^	[^ ]*tests/go/gorout/main\.go:[0-9]+ \+0x[0-9a-f]+$'
	# Runtime goroutines are hidden, and their frames too.
	assert_match "$T/out" '^Goroutines: 283: 200 chan receive, 50 select, 30 semacquire, '
	assert_no_match "$T/out" '^runtime\.gopark'
	assert_not_traced "$pid"
	stop_target "$pid"
}

t_go_goroutines_pprof() {
	start_gorout
	local pid=$LAST_PID i tid=
	# Until the spinner is caught running (see dump_spinner_running).
	for i in 1 2 3 4 5; do
		dump -p "$pid" -f pprof -o "$T/g.pb.gz"
		assert_rc 0
		python3 "$REF" pprof-counts --label tid --within main.spinner "$T/g.pb.gz" >"$T/spin" ||
			fail "ref.py: tid labels"
		tid=$(sed -n 's/^label tid=\([0-9]*\) total 1$/\1/p' "$T/spin")
		[ -z "$tid" ] || break
	done
	# The running goroutine names its thread.
	[ -n "$tid" ] && [ -d "/proc/$pid/task/$tid" ] || fail "the spinner's tid label '$tid' is not a thread of $pid"
	go_pprof_into "$T/raw" -raw "$T/g.pb.gz"
	assert_match "$T/raw" '^goroutine/count$'
	# Per function, the counts of the program's own goroutine profile.
	local fns=(main.receiver main.selector main.locker main.sleeper main.spinner
		'sync.(*Mutex).Lock' runtime.gopark runtime.chanrecv1 runtime.selectgo)
	python3 "$REF" pprof-counts "$T/own.pb.gz" "${fns[@]}" >"$T/own.counts" ||
		fail "ref.py: own.pb.gz"
	python3 "$REF" pprof-counts "$T/g.pb.gz" "${fns[@]}" >"$T/pt.counts" ||
		fail "ref.py: ptprof's profile"
	local fn
	for fn in "${fns[@]}"; do
		assert_eq "$fn $(ref_value "$T/pt.counts" "$fn")" "$fn $(ref_value "$T/own.counts" "$fn")"
	done
	# Wait reasons as labels: the same as the program's own dump says.
	python3 "$REF" pprof-counts --label state "$T/g.pb.gz" >"$T/pt.labels" || fail "ref.py: labels"
	python3 "$REF" goroutine-states "$T/own.2" >"$T/own.states" || fail "ref.py: own.2"
	local st
	for st in 'chan%20receive:chan receive' 'select:select' 'semacquire:semacquire' 'sleep:sleep'; do
		assert_eq "${st#*:} $(ref_value "$T/pt.labels" "label state=${st%%:*} total")" \
			"${st#*:} $(ref_reason "$T/own.states" "${st#*:}")"
	done
	assert_not_traced "$pid"
	stop_target "$pid"
}

t_go_goroutines_group_json() {
	start_gorout
	local pid=$LAST_PID
	dump -p "$pid" -g
	assert_rc 0
	assert_match "$T/out" '^200 goroutines \[chan receive\]: [0-9]+( [0-9]+){31} and 168 more$'
	assert_match "$T/out" '^50 goroutines \[select\]: '
	assert_match "$T/out" '^30 goroutines \[semacquire\]: '
	dump -p "$pid" -f json
	assert_rc 0
	py_check "$T/out" '
go = d["go"]
gs = go["goroutines"]
check(len(gs) == 283, "283 goroutines, not %d" % len(gs))
recv = [g for g in gs if any(f["function"] == "main.receiver" for f in g["frames"])]
check(len(recv) == 200, "200 in main.receiver, not %d" % len(recv))
check(all(g["state"] == "chan receive" and g["status"] == "waiting" for g in recv), "receivers wait in chan receive")
check(all(g["created_by"]["function"] == "main.main" for g in recv), "created by main.main")
check(all(not g["system"] for g in gs), "no system goroutine without --system")
check(go["system_hidden"] > 0, "runtime goroutines hidden")
'
	assert_not_traced "$pid"
	stop_target "$pid"
}

t_go_goroutines_system_and_threads() {
	start_gorout
	local pid=$LAST_PID
	dump -p "$pid" --system
	assert_rc 0
	local n hidden
	n=$(sed -n 's/^Goroutines: \([0-9]*\):.*/\1/p' "$T/out")
	dump -p "$pid"
	hidden=$(sed -n 's/.*(\([0-9]*\) runtime goroutines hidden.*/\1/p' "$T/out")
	[ -n "$hidden" ] && [ "$hidden" -gt 0 ] || fail "no runtime goroutine said hidden"
	assert_eq "$n" $((283 + hidden))
	dump -p "$pid" --system
	assert_match "$T/out" '^runtime\.gopark\(\.\.\.\)$'
	assert_match "$T/out" '^goroutine [0-9]+ \[(GC sweep wait|GC scavenge wait|force gc \(idle\)|finalizer wait)'
	# The threads instead: no goroutine, the census stays.
	dump -p "$pid" --os-threads
	assert_rc 0
	assert_match "$T/out" '^Thread [0-9]+ "go-gorout" '
	assert_match "$T/out" '^Threads: '
	assert_no_match "$T/out" '^goroutine '
	assert_not_traced "$pid"
	stop_target "$pid"
}

# No DWARF: the threads, named from the runtime's table, and one line.
t_go_goroutines_no_dwarf() {
	start_gorout go-gorout-sw
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 1
	assert_one_error_line
	assert_match "$T/err" '^ptprof: go-gorout-sw has no DWARF .*goroutines need'
	assert_match "$T/out" '^Thread [0-9]+ "go-gorout-sw" '
	assert_match "$T/out" ' in runtime\.[a-z]+[A-Za-z]* at /[^ ]*\.(go|s):[0-9]+$'
	assert_no_match "$T/out" '^goroutine '
	assert_not_traced "$pid"
	stop_target "$pid"
}

# record labels each sample with the goroutine its thread ran.
t_go_record_goroutine_label() {
	start_gorout
	local pid=$LAST_PID
	dump -p "$pid" -f json
	local spin
	spin=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([g["id"] for g in d["go"]["goroutines"] if any(f["function"] == "main.spinner" for f in g["frames"])][0])' "$T/out")
	run_ptprof record -p "$pid" -d 1 -o "$T/r.pb.gz"
	assert_rc 0
	python3 "$REF" pprof-counts --label goroutine --within main.spinner "$T/r.pb.gz" >"$T/labels" ||
		fail "ref.py: labels"
	local all mine
	all=$(ref_value "$T/labels" total)
	mine=$(ref_value "$T/labels" "label goroutine=$spin total")
	[ "$all" -ge 20 ] || fail "only $all samples in main.spinner"
	awk -v m="$mine" -v a="$all" 'BEGIN { exit !(m >= 0.9 * a) }' ||
		fail "$mine of $all main.spinner samples labelled goroutine=$spin"
	assert_not_traced "$pid"
	stop_target "$pid"
}

# Reading a program never writes it: no call that could is in the source.
t_go_source_never_writes() {
	# Comment lines may name them; code may not.
	grep -rnE 'PTRACE_POKE|process_vm_writev|PTRACE_SETREGS|PTRACE_SETFPREGS' src include |
		grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' >"$T/writes" || true
	[ ! -s "$T/writes" ] || { show_file "calls that write into a target" "$T/writes"; fail "a call that writes into the target is in the source"; }
}
