# tests/e2e/t_unwinders.sh - the two ways through .eh_frame agree: libdw's
# CFI (the common case, no libunwind) and libunwind (signal frames, PLT
# entries, code no table covers), forced with PTPROF_UNWINDER=libunwind.

# The blocks of the threads that were not running (their stacks cannot
# move between two dumps), CPU times left out.
sleeping_blocks() {
	awk '
		index($0, "Thread ") == 1 { on = index($0, "\" running") == 0 }
		on { sub(/, cpu [0-9]+\.[0-9]+s$/, ""); print }
	' "$1"
}

# frames_in_order FILE FUNC...: each FUNC has a frame, each below the last.
frames_in_order() {
	local file=$1 i prev=-1 fn
	shift
	for fn in "$@"; do
		i=$(frame_index "$file" "$fn")
		[ -n "$i" ] || { show_file stack "$file" 20; fail "no $fn frame"; }
		[ "$i" -gt "$prev" ] || { show_file stack "$file" 20; fail "$fn out of order"; }
		prev=$i
	done
}

# Dump pid three ways - libdw's CFI in place, libdw's CFI with every
# thread stopped, libunwind alone - and require the same frames.
dump_three_ways() {
	local pid=$1
	dump -p "$pid" -o "$T/fast"
	assert_rc 0
	dump --stop-all -p "$pid" -o "$T/stopped"
	assert_rc 0
	PTPROF_UNWINDER=libunwind run_ptprof dump -p "$pid" -o "$T/libunwind"
	assert_rc 0
	local f
	for f in fast stopped libunwind; do
		sleeping_blocks "$T/$f" >"$T/$f.body"
	done
	[ -s "$T/fast.body" ] || fail "no sleeping thread in the dump of $pid"
	diff -u "$T/libunwind.body" "$T/fast.body" >"$T/diff" ||
		{ show_file "libunwind vs libdw" "$T/diff" 30; fail "the two unwinders differ"; }
	diff -u "$T/stopped.body" "$T/fast.body" >"$T/diff" ||
		{ show_file "stopped vs in place" "$T/diff" 30; fail "in place and stopped differ"; }
	assert_untouched "$pid"
}

# A thread asleep in a signal handler: its stack goes through the signal
# frame back into the code the signal interrupted.
t_unwind_signal_frame() {
	start_target sighandler
	local pid=$LAST_PID
	dump_three_ways "$pid"
	thread_block "$T/fast" in-handler >"$T/h"
	assert_no_match "$T/h" 'stack incomplete|no stack'
	frames_in_order "$T/h" handler_block on_usr1 __restore_rt victim_inner victim_outer \
		victim_thread start_thread
	stop_target "$pid"
}

# Programs of several shapes: -O0 with frame pointers, -O2 with inlined
# frames, C++ with exceptions' tables, a pool of lock waiters.
t_unwind_fast_matches_libunwind() {
	local name
	for name in chain chain-O2 cxx pool; do
		start_target "$name"
		dump_three_ways "$LAST_PID"
		stop_target "$LAST_PID"
	done
}
