# tests/e2e/t_unwind.sh - unwinding stays bounded on stacks that lie.
#
# The smashed target has a thread whose frame points back at itself
# (saved frame pointer and return address into the same function) and one
# whose callers' frames are random words.  A dump must finish, name the
# innermost function, never print a frame whose address is not code, and
# say the stack is incomplete where it is.

t_unwind_self_loop() {
	start_target smashed
	local pid=$LAST_PID
	dump -p "$pid" --max-frames 64
	assert_rc 0 1
	thread_block "$T/out" loop-ret >"$T/loop"
	assert_match "$T/loop" '^  #0  0x[0-9a-f]+ in smashed_loop at [^ ]*smashed\.c:[0-9]+$'
	# Bounded well below --max-frames: the cycle is noticed, not walked.
	local frames
	frames=$(grep -c '^  #' "$T/loop")
	[ "$frames" -lt 64 ] || fail "loop-ret unwound $frames frames: the cycle was walked"
	assert_untouched "$pid"
	stop_target "$pid"
}

t_unwind_garbage_stack() {
	start_target smashed
	local pid=$LAST_PID
	dump -p "$pid" -v
	assert_rc 1
	thread_block "$T/out" garbage >"$T/garbage"
	assert_match "$T/garbage" '^  #0  0x[0-9a-f]+ in smashed_garbage at [^ ]*smashed\.c:[0-9]+$'
	# Random words are not return addresses: no "??" frame may follow.
	assert_no_match "$T/garbage" ' in \?\?'
	assert_match "$T/garbage" '^  \(stack incomplete: a return address points outside any code'
	assert_match "$T/err" "^ptprof: thread [0-9]+: stack incomplete after 1 frames"
	assert_untouched "$pid"
	stop_target "$pid"
}
