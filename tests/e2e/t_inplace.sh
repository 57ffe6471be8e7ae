# tests/e2e/t_inplace.sh - threads asleep in the kernel read in place,
# never stopped; kernel time and exact CPU time in cpu profiles.

# The dump without its first line (which says how long it took) and
# without CPU times (a thread may run a tick's worth between two dumps).
dump_body() {
	tail -n +2 "$1" | sed -E 's/, cpu [0-9]+\.[0-9]+s$/, cpu -/'
}

# 500 sleeping threads and main: not one stop, and the stacks are those a
# dump that stops every thread gives, frame for frame.
t_dump_in_place_many() {
	start_target many
	local pid=$LAST_PID
	dump_straced ptrace "$T/strace" -v -p "$pid"
	assert_rc 0
	cp "$T/out" "$T/in"
	assert_match "$T/err" "process $pid: 501 threads read in place without stopping them, 0 stopped"
	local stops
	stops=$(grep -c 'PTRACE_INTERRUPT\|PTRACE_SEIZE\|PTRACE_ATTACH' "$T/strace")
	[ "$stops" = 0 ] || { show_file strace "$T/strace" 10; fail "$stops ptrace calls to stop threads"; }
	assert_match "$T/in" ', threads stopped 0\.000 ms max, 0\.000 ms total$'
	assert_untouched "$pid"

	dump --stop-all -p "$pid" -o "$T/stopped"
	assert_rc 0
	dump_body "$T/in" >"$T/in.body"
	dump_body "$T/stopped" >"$T/stopped.body"
	diff -u "$T/stopped.body" "$T/in.body" >"$T/diff" ||
		{ show_file "stopped vs in place" "$T/diff" 30; fail "the stacks read in place differ"; }
	assert_match "$T/in.body" 'in many_wait at '
	assert_untouched "$pid"
	stop_target "$pid"
}

# Threads that wake up every millisecond or so: a stack read in
# place while its thread moved is never shown.  A sleeping thread is in
# flip_a or flip_b, called from flip_loop; a running one was stopped, and
# is somewhere under flip_loop.
t_dump_in_place_no_torn_stack() {
	start_target flip
	local pid=$LAST_PID i
	for i in 1 2 3; do
		dump -p "$pid" -f json -o "$T/d$i.json"
		assert_rc 0 1
		py_check "$T/d$i.json" '
seen = 0
for t in d["threads"]:
    if not t["name"].startswith("flip-"):
        continue
    seen += 1
    fns = [f["function"] for f in t["frames"]]
    check(t["error"] is None, "%s: stack incomplete: %s (%s)" % (t["name"], t["error"], fns))
    check("flip_loop" in fns, "%s: no flip_loop in %s" % (t["name"], fns))
    k = fns.index("flip_loop")
    check(fns[k + 1:k + 2] == ["flip_thread"], "%s: flip_loop called from %s" % (t["name"], fns[k + 1:k + 2]))
    if t["state"] != "running":
        check(k >= 1 and fns[k - 1] in ("flip_a", "flip_b"),
              "%s asleep, but not in flip_a or flip_b: %s" % (t["name"], fns))
        check(any("nanosleep" in f for f in fns[:k - 1]),
              "%s asleep in %s without nanosleep above it: %s" % (t["name"], fns[k - 1], fns))
check(seen == 8, "%d flip threads" % seen)
'
	done
	assert_untouched "$pid"
	stop_target "$pid"
}

# A thread in uninterruptible sleep (vfork's parent) is read at once,
# with vfork and its caller.
t_dump_in_place_vfork() {
	start_target vforker
	local pid=$LAST_PID vf
	vf=$(tid_by_name "$pid" in-vfork)
	[ "$(proc_state "$pid" "$vf")" = D ] || fail "thread in-vfork is not in state D"
	local t0 took
	t0=$(now_ms)
	dump -p "$pid"
	took=$(($(now_ms) - t0))
	assert_rc 1
	# No wait of seconds for a thread that cannot stop.
	[ "$took" -lt 1900 ] || fail "dump took $took ms"
	thread_block "$T/out" in-vfork >"$T/vf"
	assert_match "$T/vf" "^Thread $vf \"in-vfork\" disk-sleep in vfork, $CPU"
	assert_frame "$T/vf" 0 '__vfork '
	assert_frame "$T/vf" 1 'vfork_wait at [^ ]*vforker\.c:[0-9]+$'
	# Where root may read the kernel's stack, it comes first.
	if cat "/proc/$pid/task/$vf/stack" >"$T/kstack" 2>/dev/null && [ -s "$T/kstack" ]; then
		assert_match "$T/vf" '^  \[kernel\] [a-z_]+\+0x'
		[ "$(grep -n '^  \[kernel\]' "$T/vf" | tail -1 | cut -d: -f1)" -lt \
			"$(grep -n '^  #0 ' "$T/vf" | cut -d: -f1)" ] || fail "kernel frames not above #0"
	fi
	assert_untouched "$pid"
	[ "$(proc_state "$pid" "$vf")" = D ] || fail "thread in-vfork left state D"
	stop_target "$pid"
}

# cpu mode: the profile's total is the CPU time the process used (within
# 1%), and the time a thread spends writing is the kernel's.  The process
# CPU clock is last read at the tick before the command exits: up to one
# period (5 ms at 199 Hz) of its time is not in the profile, 0.5% of the
# 1 s of CPU it uses here.
# Sample counts against the CPU it had: alone (tests/run-e2e.sh).
E2E_SERIAL+=" record_cpu_exact"
t_record_cpu_exact() {
	record -r 199 -o "$T/c.pb.gz" -- "$TARGETS_DIR/cpuburn" 500
	assert_rc 0
	local cpu
	cpu=$(sed -n 's/^cpu \([0-9]*\)$/\1/p' "$T/out")
	[ -n "$cpu" ] || fail "cpuburn printed no CPU time"
	pprof_check "$T/c.pb.gz" "
total = sum(s['val'][1] for s in p['sample'])
cpu = $cpu
check(abs(total - cpu) * 100 <= cpu, 'profile total %d ns, the process used %d ns' % (total, cpu))
w = [s for s in p['sample'] if s['thread'] == 'burn-write']
u = [s for s in p['sample'] if s['thread'] == 'burn-user']
kw = sum(s['n'] for s in w if s['funcs'][:1] == ['[kernel] write'])
check(kw > 0, 'no [kernel] write on top of burn-write samples')
nw = sum(s['n'] for s in w)
bw = sum(s['n'] for s in w if 'burn_write' in s['funcs'])
check(10 * bw >= 9 * nw, 'only %d of %d burn-write samples in burn_write' % (bw, nw))
nu = sum(s['n'] for s in u)
ku = sum(s['n'] for s in u if s['funcs'][:1] and s['funcs'][0].startswith('[kernel]'))
check(nu > 0 and 2 * ku < nu, '%d of %d burn-user samples in the kernel' % (ku, nu))
"
}

# wall mode: sleepers are read in place, never stopped.
t_record_wall_in_place() {
	start_target pool
	local pid=$LAST_PID
	record -v -m wall -d 500ms -p "$pid" -o "$T/w.pb.gz"
	assert_rc 0
	assert_match "$T/err" 'of the samples read in place, the thread asleep in the kernel and never stopped; 0 stopped'
	assert_match "$T/err" ' 0 interrupt,'
	pprof_check "$T/w.pb.gz" "
w = [s for s in p['sample'] if (s['thread'] or '').startswith('worker-')]
check(w, 'no worker samples')
check(all('pool_wait' in s['funcs'] for s in w), 'a worker sample without pool_wait')
"
	assert_untouched "$pid"
	stop_target "$pid"
}
