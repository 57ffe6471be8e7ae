# tests/e2e/t_errors.sh - what `ptprof dump` refuses, and how.
#
# Failures to attach exit 2, usage errors exit 64, each with one line on
# stderr starting "ptprof: ".  Where a live process is involved it must be
# untouched afterwards.

# A usage error: exit 64, and the first line of stderr says what is wrong.
# (Whether a hint may follow is checked once, in err_usage_one_line.)
assert_usage_error() {
	assert_rc 64
	head -n 1 "$T/err" >"$T/err1"
	assert_match "$T/err1" '^ptprof: .'
}

# A pid with no process behind it.
free_pid() {
	local max p
	max=$(cat /proc/sys/kernel/pid_max)
	for ((p = max - 1; p > 300; p--)); do
		[ -e "/proc/$p" ] || { echo "$p"; return; }
	done
	fail "no free pid below $max"
}

t_err_no_process() {
	local p
	p=$(free_pid)
	dump -p "$p"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" "no process"
	assert_match "$T/err" "$p"
}

t_err_zombie() {
	start_target zombie
	local pid=$LAST_PID child=$READY_ARG
	[ "$(proc_state "$child")" = Z ] || fail "child $child of the zombie target is not a zombie"
	dump -p "$child"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" 'zombie'
	assert_untouched "$pid"
	stop_target "$pid"
}

t_err_kernel_thread() {
	# kthreadd is pid 2 outside containers; otherwise any kernel thread.
	local k=2 p
	if ! grep -q '^Kthread:[[:space:]]*1' /proc/2/status 2>/dev/null; then
		k=
		for p in /proc/[0-9]*; do
			if grep -q '^Kthread:[[:space:]]*1' "$p/status" 2>/dev/null; then
				k=${p#/proc/}
				break
			fi
		done
		[ -n "$k" ] || skip "no kernel thread visible in this pid namespace"
	fi
	dump -p "$k"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" 'kernel thread'
	grep -q '^TracerPid:[[:space:]]*0$' "/proc/$k/status" || fail "kernel thread $k left traced"
}

t_err_already_traced() {
	start_target chain
	local pid=$LAST_PID
	start_target holdtrace "$pid"
	local tracer=$LAST_PID
	grep -q "^TracerPid:[[:space:]]*$tracer$" "/proc/$pid/status" ||
		fail "holdtrace ($tracer) does not trace $pid"

	dump -p "$pid"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" "already traced by process $tracer \(holdtrace\)"

	# ptprof took nothing over: every thread is still holdtrace's.
	local st
	for st in /proc/"$pid"/task/*/status; do
		grep -q "^TracerPid:[[:space:]]*$tracer$" "$st" ||
			fail "${st%/status} is no longer traced by holdtrace: $(grep TracerPid "$st")"
	done
	ping_target "$pid"

	stop_target "$tracer"
	assert_untouched "$pid"
	stop_target "$pid"
}

# A bad value is refused before anything is attached.
t_err_bad_stack_bytes() {
	start_target chain
	local pid=$LAST_PID
	dump --stack-bytes 12x -p "$pid"
	assert_usage_error
	assert_match "$T/err" 'stack-bytes|12x'
	assert_untouched "$pid"
	stop_target "$pid"
}

t_err_pid_abc() {
	dump -p abc
	assert_usage_error
	assert_match "$T/err" 'abc'
}

t_err_pid_zero() {
	dump -p 0
	assert_usage_error
}

# Signs, junk, overflow, empty: all usage errors, never "no process".
t_err_pid_junk() {
	local v
	for v in -1 +5 12abc 1.5 '' ' 7' 99999999999999999999; do
		dump -p "$v"
		assert_usage_error
	done
}

t_err_unknown_option() {
	start_target chain
	local pid=$LAST_PID
	dump --no-such-option -p "$pid"
	assert_usage_error
	assert_match "$T/err" 'no-such-option'
	assert_untouched "$pid"
	stop_target "$pid"
}

t_err_missing_pid() {
	dump
	assert_usage_error
}

t_err_bad_format() {
	start_target chain
	local pid=$LAST_PID
	dump -f bogus -p "$pid"
	assert_usage_error
	assert_match "$T/err" 'bogus'
	assert_untouched "$pid"
	stop_target "$pid"
}

# The contract: an error is one line on stderr, starting "ptprof: ".
t_err_usage_one_line() {
	dump -p abc
	assert_rc 64
	assert_one_error_line
	dump --no-such-option -p 1
	assert_rc 64
	assert_one_error_line
}
