# tests/e2e/t_top.sh - `ptprof top`, on a terminal (tmux) and without one.
#
# On a terminal ptprof runs in a tmux pane of its own, on a private tmux
# server (socket ptprof-test-PID, no configuration file), inside a small
# wrapper script that saves `stty -g` before and after and then waits, so
# that the pane can still be looked at (alternate screen, cursor) once
# ptprof is gone.  The screen is read with capture-pane, polled until a
# condition holds or a deadline passes.  Every test kills its tmux server
# and its targets on every way out.
#
# Uses close_target_fds (t_robust.sh).

TMUX_SOCK=

tx() {
	tmux -L "$TMUX_SOCK" "$@"
}

tmux_kill() {
	[ -z "$TMUX_SOCK" ] || tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	TMUX_SOCK=
}

# top_in_tmux COLS ROWS ARG...: `ptprof top ARG...` in a new tmux pane of
# COLS x ROWS.  ptprof's stderr goes to $T/err (for the sanitizer check),
# or to the terminal with TOP_STDERR=tty; the wrapper writes its status to $T/rc, then waits for a key (Enter) so
# the pane outlives ptprof.  The pane's own status is ptprof's.
top_in_tmux() {
	local cols=$1 rows=$2
	shift 2
	command -v tmux >/dev/null || skip "tmux is not installed"
	LAST_CMD="ptprof top $* (in tmux, ${cols}x$rows)"
	PT_RC=running
	{
		echo 'trap : INT'  # Ctrl-C is for ptprof, not for the wrapper
		echo 'ulimit -c 0'  # a test that kills ptprof leaves no core file
		if [ -n "${TOP_STREAM:-}" ]; then
			# Handshake: ptprof starts once the pane's output is logged.
			printf 'while [ ! -e %q ]; do sleep 0.01; done\n' "$T/piped"
		fi
		printf 'stty -g >%q\n' "$T/stty.before"
		printf '%q top' "$PTPROF"
		printf ' %q' "$@"
		if [ "${TOP_STDERR:-}" = tty ]; then
			echo
		else
			printf ' 2>%q\n' "$T/err"
		fi
		echo 'rc=$?'
		printf 'stty -g >%q\n' "$T/stty.after"
		printf 'echo $rc >%q.tmp && mv %q.tmp %q\n' "$T/rc" "$T/rc" "$T/rc"
		echo 'read -r _'
		echo 'exit $rc'
	} >"$T/pane.sh"
	rm -f "$T/rc"
	TMUX_SOCK=ptprof-test-$$
	trap 'tmux_kill; cleanup_targets' EXIT
	# remain-on-exit is set before the pane exists: its status stays
	# readable however early it ends.  The server must not hold any
	# target's stdin, or that target would never see EOF.
	(
		close_target_fds
		exec tmux -L "$TMUX_SOCK" -f /dev/null set-option -g remain-on-exit on \; \
			new-session -d -x "$cols" -y "$rows" "sh $T/pane.sh"
	) || fail "tmux new-session failed"
	if [ -n "${TOP_STREAM:-}" ]; then
		tx pipe-pane -o "cat >>$T/stream" || fail "tmux pipe-pane failed"
		: >"$T/piped"
	fi
}

# wait_screen MS CHECK...: capture the pane into $T/screen until CHECK
# (a command, run on it) succeeds; 1 after MS milliseconds without.
wait_screen() {
	local ms=$1
	shift
	local deadline=$(($(now_ms) + ms))
	while :; do
		tx capture-pane -p >"$T/screen" 2>/dev/null || : >"$T/screen"
		"$@" && return 0
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		[ ! -e "$T/rc" ] || return 1  # ptprof is gone; it will not change
		sleep 0.02
	done
}

# The live view is up: the state line and the hot function.
screen_ready() {
	grep -Eq '^threads: [0-9]+ total' "$T/screen" && grep -q 'hot_b' "$T/screen"
}

# show_screen: the last capture, on a failure.
show_screen() {
	show_file "screen" "$T/screen" 50
}

# wait_top_exit SECS: ptprof must be gone within SECS; its status into
# PT_RC.  The pane (the wrapper) is still alive then.
wait_top_exit() {
	local deadline=$(($(now_ms) + $1 * 1000))
	while [ ! -e "$T/rc" ]; do
		if [ "$(now_ms)" -ge "$deadline" ]; then
			tx capture-pane -p >"$T/screen" 2>/dev/null
			show_screen
			fail "ptprof top still running $1 s after it was told to stop"
		fi
		sleep 0.02
	done
	PT_RC=$(cat "$T/rc")
	check_sanitizer "$T/err"
}

# After ptprof: the terminal as it was.  The normal screen, the cursor
# shown, the same termios; then the wrapper ends with ptprof's status.
assert_terminal_restored() {
	assert_eq "$(tx display -p '#{alternate_on}')" 0 "alternate screen after ptprof top"
	assert_eq "$(tx display -p '#{cursor_flag}')" 1 "cursor shown after ptprof top"
	[ -s "$T/stty.before" ] || fail "the wrapper saved no stty settings"
	assert_eq "$(cat "$T/stty.after")" "$(cat "$T/stty.before")" "stty -g after ptprof top"
	tx send-keys Enter
	# The wrapper ends once Enter reaches it.  tmux marks the pane dead
	# when its terminal closes; the exit status it shows comes later,
	# when its server reaps the process, and is sometimes not there for
	# seconds on a loaded machine: compare it only when it is (ptprof's
	# own status was already read from the wrapper's file).
	local deadline=$(($(now_ms) + 5000)) st
	while :; do
		st=$(tx display -p '#{pane_dead}:#{pane_dead_status}#{pane_dead_signal}')
		[[ $st != 1:?* ]] || break
		if [ "$(now_ms)" -ge "$deadline" ]; then
			[ "$st" = "1:" ] && return 0
			fail "the pane did not end after Enter ($st)"
		fi
		sleep 0.02
	done
	assert_eq "${st#1:}" "$PT_RC" "the pane's exit status"
}

# proc_census PID: the states of PID's threads as /proc says, counted like
# the state line ("R S D T" counts and the total) into CENSUS.  A thread
# that ptprof holds for a sample reads 't' for a few microseconds: read
# again then.
proc_census() {
	local pid=$1 try t s r n d st total
	for ((try = 0; try < 100; try++)); do
		r=0 n=0 d=0 st=0 total=0
		for t in /proc/"$pid"/task/*; do
			s=$(proc_state "$pid" "${t##*/}")
			total=$((total + 1))
			case $s in
			R) r=$((r + 1)) ;;
			S | I) n=$((n + 1)) ;;
			D) d=$((d + 1)) ;;
			T) st=$((st + 1)) ;;
			t) continue 2 ;;
			esac
		done
		CENSUS="$total $r $n $d $st"
		return 0
	done
	fail "threads of $pid kept reading tracing-stop"
}

STATE_RE='^threads: ([0-9]+) total, ([0-9]+) running, ([0-9]+) sleeping, ([0-9]+) disk-sleep, ([0-9]+) stopped(, ([0-9]+) zombie)?(, ([0-9]+) other)?$'

# assert_state_line FILE PID: FILE's first state line agrees with /proc:
# as many threads as /proc/PID/task holds, in the same states.
assert_state_line() {
	local file=$1 pid=$2 line
	line=$(grep -m1 '^threads: ' "$file")
	[[ $line =~ $STATE_RE ]] || { show_file "checked file" "$file" 50; fail "state line '$line'"; }
	local total=${BASH_REMATCH[1]} sum
	sum=$((BASH_REMATCH[2] + BASH_REMATCH[3] + BASH_REMATCH[4] + BASH_REMATCH[5] +
		${BASH_REMATCH[7]:-0} + ${BASH_REMATCH[9]:-0}))
	assert_eq "$sum" "$total" "the states' counts added up ('$line')"
	assert_eq "$total" "$(ls "/proc/$pid/task" | wc -l)" "threads in the state line ('$line')"
	proc_census "$pid"
	assert_eq "$total ${BASH_REMATCH[2]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]} ${BASH_REMATCH[5]}" \
		"$CENSUS" "total, running, sleeping, disk-sleep, stopped ('$line')"
}

# assert_layout: each line of the screen where it belongs.  A line wider
# than the terminal would wrap onto the next and push the rest down; more
# lines than the height would scroll the header away.  (tmux clips what
# it captures to the width: a width check on the capture would prove
# nothing, the layout does.)
assert_layout() {
	local i re
	local -a want=('^ptprof top  [0-9:]{8}  pid [0-9]+ ' '^samples: [0-9]+ in the last '
		'^threads: [0-9]+ total, ' '^$' '^ +last ' '^  self%  total% ')
	for i in "${!want[@]}"; do
		re=${want[$i]}
		sed -n "$((i + 1))p" "$T/screen" >"$T/line"
		grep -Eq -- "$re" "$T/line" ||
			{ show_screen; fail "line $((i + 1)) of the screen does not match /$re/"; }
	done
}

# ========================================================= on a terminal

# The view comes up within 2 s, with the thread states /proc has; q ends
# it with status 0, the terminal as it was and the target untouched.
t_top_tmux_quit() {
	start_target ratio
	local pid=$LAST_PID
	TOP_STREAM=1 top_in_tmux 120 40 -p "$pid"
	wait_screen 10000 screen_ready || { show_screen; fail "no view with hot_b and the state line"; }
	# The view comes up at the end of the first interval (1 s), not later:
	# the first screen ever written (the pane's whole output is logged)
	# is that interval's, by ptprof's own clock rather than the test's.
	local first_head first_count
	first_head=$(grep -a -o -E 'elapsed [0-9.]+ s' "$T/stream" | head -1)
	[[ $first_head =~ ^elapsed\ 1\.[0-9]\ s$ ]] ||
		{ show_screen; fail "the first screen written says '$first_head', not the first interval's 'elapsed 1.x s'"; }
	first_count=$(grep -a -o -E 'samples: [0-9]+ in the last [0-9.]+ s, [0-9]+ since' "$T/stream" | head -1)
	[[ $first_count =~ ^samples:\ ([0-9]+)\ in\ the\ last\ [0-9.]+\ s,\ ([0-9]+)\ since$ ]] &&
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[1]}" -gt 0 ] ||
		{ show_screen; fail "the first screen's counts '$first_count' are not one interval's"; }
	assert_eq "$(tx display -p '#{alternate_on}')" 1 "alternate screen during the view"
	assert_layout
	assert_match "$T/screen" "^ptprof top  [0-9:]{8}  pid $pid \"ratio\"  cpu mode at 99 Hz  elapsed [0-9.]+ s$"
	assert_match "$T/screen" '^samples: [0-9]+ in the last [0-9.]+ s, [0-9]+ since the start   \(q: quit\)$'
	assert_match "$T/screen" '^  self%  total%   self%  total%  function \[module\]$'
	# hot_b, three times hot_a's work, is the hottest in a second's samples.
	local first
	first=$(grep -m1 -E '^ +[0-9]+\.[0-9] ' "$T/screen")
	[[ $first =~ ^\ +[0-9.]+\ +[0-9.]+\ +[0-9.]+\ +[0-9.]+\ \ hot_b\ \[ratio\]$ ]] ||
		{ show_screen; fail "first function row '$first', not hot_b [ratio]"; }
	assert_state_line "$T/screen" "$pid"
	tx send-keys q
	wait_top_exit 5
	assert_rc 0
	assert_terminal_restored
	assert_untouched "$pid"
	tmux_kill
	stop_target "$pid"
}

# Ctrl-C (SIGINT from the terminal) ends the view like q.
t_top_tmux_ctrl_c() {
	start_target ratio
	local pid=$LAST_PID
	top_in_tmux 100 30 -p "$pid"
	wait_screen 10000 screen_ready || { show_screen; fail "no view with hot_b and the state line"; }
	tx send-keys C-c
	wait_top_exit 5
	assert_rc 0
	assert_terminal_restored
	assert_untouched "$pid"
	tmux_kill
	stop_target "$pid"
}

# The count of samples since the start, from line 2 of the screen (cut
# or not), or nothing when line 2 is not the samples line.
screen_samples() {
	sed -n '2s/^samples: [0-9]* in the last [0-9.]* s, \([0-9][0-9]*\).*/\1/p' "$T/screen"
}

# A screen drawn after the resize: more samples than before it.
screen_redrawn() {
	local samples
	samples=$(screen_samples)
	[ -n "$samples" ] && [ "$samples" -gt "$SAMPLES_BEFORE" ]
}

# On a small terminal every line is cut to the width and none wraps (a
# wrapped line would push the next one down), no line is drawn past the
# height (the screen would scroll and lose the header), and the names are
# still there, cut.
t_top_tmux_resize() {
	start_target ratio
	local pid=$LAST_PID
	top_in_tmux 120 40 -p "$pid"
	wait_screen 10000 screen_ready || { show_screen; fail "no view with hot_b and the state line"; }
	SAMPLES_BEFORE=$(screen_samples)
	[ -n "$SAMPLES_BEFORE" ] || { show_screen; fail "no samples line on line 2"; }
	tx resize-window -x 40 -y 8
	wait_screen 5000 screen_redrawn || { show_screen; fail "no new view after the resize to 40x8"; }
	assert_layout
	sed -n 7p "$T/screen" >"$T/l7"
	# 33 columns of numbers, then the name cut at 40.
	assert_match "$T/l7" '^ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+  hot_b \[$'
	# 8 rows: 6 lines of heads, 2 functions.
	assert_eq "$(grep -cE '^ +[0-9]+\.[0-9] ' "$T/screen")" 2 "function rows on 8 rows"
	tx send-keys q
	wait_top_exit 5
	assert_rc 0
	assert_terminal_restored
	assert_untouched "$pid"
	tmux_kill
	stop_target "$pid"
}

# A resize redraws at once (SIGWINCH), not at the next refresh: with
# refreshes 3 s apart, the wider screen shows the same view, uncut,
# within 1.5 s.
t_top_tmux_resize_redraw() {
	start_target ratio
	local pid=$LAST_PID narrow wide
	top_in_tmux 40 20 -p "$pid" --interval 3s
	wait_screen 10000 screen_ready || { show_screen; fail "no view with hot_b and the state line"; }
	assert_layout
	narrow=$(sed -n 2p "$T/screen")
	[[ $narrow == samples:* ]] || { show_screen; fail "line 2 '$narrow'"; }
	tx resize-window -x 120 -y 20
	# shellcheck disable=SC2317
	redrawn() {
		wide=$(sed -n 2p "$T/screen")
		[[ $wide == *"since the start"* ]]
	}
	wait_screen 1500 redrawn || { show_screen; fail "no redraw within 1.5 s of the resize"; }
	[[ $wide == "$narrow"* ]] ||
		{ show_screen; fail "the redraw is another view: '$wide' after '$narrow'"; }
	assert_layout
	tx send-keys q
	wait_top_exit 5
	assert_rc 0
	assert_terminal_restored
	assert_untouched "$pid"
	tmux_kill
	stop_target "$pid"
}

# What ptprof says on stderr while the view is up would be drawn over and
# then lost with the alternate screen: it is held, and shown on the normal
# screen once ptprof is done.  (-v: "recording process ..." is said while
# the view is up.)
t_top_tmux_held_messages() {
	start_target ratio
	local pid=$LAST_PID
	TOP_STDERR=tty top_in_tmux 120 40 -v -p "$pid"
	wait_screen 10000 screen_ready || { show_screen; fail "no view with hot_b and the state line"; }
	if grep -q '^ptprof: ' "$T/screen"; then
		show_screen
		fail "a message on the live view"
	fi
	tx send-keys q
	wait_top_exit 5
	assert_rc 0
	tx capture-pane -p >"$T/screen"
	check_sanitizer "$T/screen"
	assert_match "$T/screen" "^ptprof: recording process $pid in cpu mode at 99 Hz"
	assert_no_match "$T/screen" '^ptprof top  '
	assert_terminal_restored
	assert_untouched "$pid"
	tmux_kill
	stop_target "$pid"
}

# An error once the screen is up (here: no such process) leaves the
# terminal as it was, with the message on the normal screen.
t_top_tmux_error() {
	local gone
	sh -c 'echo $$ >"$1"' sh "$T/gone.pid"
	gone=$(cat "$T/gone.pid")
	[ ! -e "/proc/$gone" ] || skip "pid $gone was taken again at once"
	TOP_STDERR=tty top_in_tmux 100 30 -p "$gone"
	wait_top_exit 10
	assert_rc 2
	tx capture-pane -p >"$T/screen"
	check_sanitizer "$T/screen"
	assert_match "$T/screen" "^ptprof: .*$gone"
	assert_terminal_restored
	tmux_kill
}

# A signal that kills (SIGQUIT from outside) still gives the terminal
# back; the kernel lets the target go when its tracer dies.
t_top_tmux_sigquit() {
	start_target ratio
	local pid=$LAST_PID wrapper top_pid
	top_in_tmux 100 30 -p "$pid"
	wait_screen 10000 screen_ready || { show_screen; fail "no view with hot_b and the state line"; }
	wrapper=$(tx display -p '#{pane_pid}')
	top_pid=$(pgrep -P "$wrapper" -x ptprof) || fail "no ptprof under the pane's shell $wrapper"
	kill -QUIT "$top_pid"
	wait_top_exit 5
	assert_rc 131
	assert_terminal_restored
	assert_untouched "$pid"
	tmux_kill
	stop_target "$pid"
}

# ======================================================= without terminal

# One plain report per interval: a header with the time, the state line,
# the functions; blank lines between; no escape sequence.
t_top_plain() {
	start_target ratio
	local pid=$LAST_PID
	run_ptprof top -p "$pid" -d 2500ms --interval 1s
	assert_rc 0
	assert_untouched "$pid"
	local n
	n=$(grep -c '^ptprof top ' "$T/out")
	[ "$n" -ge 2 ] || fail "$n reports, expected at least 2"
	if grep -q $'\033' "$T/out"; then
		fail "an escape sequence in the plain output"
	fi
	assert_match "$T/out" "^ptprof top  [0-9]{2}:[0-9]{2}:[0-9]{2}  pid $pid \"ratio\"  cpu mode at 99 Hz  elapsed [0-9.]+ s$"
	# Every report: header, samples, state line, heads, hot_b; then a blank.
	awk -v RS= '
		{ n++ }
		!/^ptprof top / { print "report " n ": no header"; bad = 1 }
		!/\nthreads: [0-9]+ total, / { print "report " n ": no state line"; bad = 1 }
		!/\n +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+  hot_b \[ratio\]/ { print "report " n ": no hot_b"; bad = 1 }
		END { exit bad }
	' "$T/out" >"$T/bad" || fail "$(cat "$T/bad")"
	[ -z "$(tail -n 1 "$T/out")" ] || fail "the last report does not end with a blank line"
	assert_state_line "$T/out" "$pid"
	stop_target "$pid"
}

# --top N: N functions per report.
t_top_plain_limit() {
	start_target ratio
	local pid=$LAST_PID
	run_ptprof top -p "$pid" -d 1200ms --interval 1s --top 2
	assert_rc 0
	awk -v RS= '{
		n = 0
		m = split($0, l, "\n")
		for (i = 1; i <= m; i++) if (l[i] ~ /^ +[0-9]+\.[0-9] /) n++
		if (n != 2) { print "report " NR ": " n " functions"; bad = 1 }
	} END { exit bad }' "$T/out" >"$T/bad" || fail "$(cat "$T/bad")"
	assert_untouched "$pid"
	stop_target "$pid"
}

# `top -- COMMAND`: the command is watched, then stopped and reaped when
# the duration ends; the status is 0.
t_top_command() {
	mkfifo "$T/cmd.in" || fail "mkfifo"
	local fd
	# Held open by the test: the command (ratio) runs until stdin ends.
	exec {fd}<>"$T/cmd.in"
	LAST_CMD="ptprof top -d 1500ms --interval 500ms -- $TARGETS_DIR/ratio"
	PT_RC=0
	timeout -k 5 30 "$PTPROF" top -d 1500ms --interval 500ms -- "$TARGETS_DIR/ratio" \
		<"$T/cmd.in" >"$T/out" 2>"$T/err" || PT_RC=$?
	exec {fd}>&-
	check_sanitizer "$T/err"
	assert_rc 0
	local cpid
	cpid=$(sed -n 's/^ptprof top  [0-9:]*  pid \([0-9]*\) .*/\1/p' "$T/out" | head -n 1)
	[ -n "$cpid" ] || fail "no report header"
	assert_match "$T/out" "pid $cpid \"ratio\""
	assert_match "$T/out" '  hot_b \[ratio\]$'
	# The command's own output went on: it was running.
	assert_match "$T/out" '^ready'
	[ ! -e "/proc/$cpid" ] || fail "the command ($cpid) is still there: $(proc_state "$cpid")"
	assert_no_match "$T/err" 'exited'
}

# A command that ends by itself ends top, with a message, the command's
# status and a last report.
t_top_command_exit() {
	run_ptprof top -- sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exit 3'
	assert_rc 3
	assert_match "$T/err" '^ptprof: process [0-9]+ "sh" exited; watched for [0-9.]+ s$'
	assert_match "$T/out" '^ptprof top  '
	[ -z "$(tail -n 1 "$T/out")" ] || fail "the last report does not end with a blank line"
}

# The target's exit ends top -p with a message and status 0.
t_top_target_exit() {
	start_target ratio
	local pid=$LAST_PID fd top_pid
	LAST_CMD="ptprof top -p $pid --interval 200ms (in the background)"
	(
		close_target_fds
		exec timeout -k 5 30 "$PTPROF" top -p "$pid" --interval 200ms \
			</dev/null >"$T/out" 2>"$T/err"
	) &
	top_pid=$!
	wait_for_line "$T/out" '^threads: ' 10 "$top_pid" || fail "no report"
	fd=${TGT_FD[$pid]}
	exec {fd}>&-
	PT_RC=0
	wait "$top_pid" || PT_RC=$?
	check_sanitizer "$T/err"
	assert_rc 0
	assert_match "$T/err" "^ptprof: process $pid \"ratio\" exited; watched for [0-9.]+ s$"
	stop_target "$pid"
}

# SIGINT (or SIGTERM) without a terminal: a last report of the short
# interval, status 0, the target let go.
top_plain_signal() {
	local sig=$1
	start_target ratio
	local pid=$LAST_PID top_pid
	LAST_CMD="ptprof top -p $pid -m wall (in the background, then SIG$sig)"
	(
		close_target_fds
		exec timeout -k 5 30 "$PTPROF" top -p "$pid" -m wall </dev/null >"$T/out" 2>"$T/err"
	) &
	top_pid=$!
	wait_for_line "$T/out" '^threads: ' 10 "$top_pid" || fail "no report"
	# timeout passes the signal on to ptprof.
	kill -"$sig" "$top_pid"
	PT_RC=0
	wait "$top_pid" || PT_RC=$?
	check_sanitizer "$T/err"
	assert_rc 0
	assert_untouched "$pid"
	[ "$(grep -c '^ptprof top ' "$T/out")" -ge 2 ] || fail "no last report after SIG$sig"
	assert_match "$T/out" '^ptprof top  .*  wall mode at 99 Hz  '
	# Wall mode: the sleeping threads are sampled too.
	assert_match "$T/out" '  idle_wait \[ratio\]$'
	[ -z "$(tail -n 1 "$T/out")" ] || fail "the last report does not end with a blank line"
	stop_target "$pid"
}

t_top_plain_sigint() {
	top_plain_signal INT
}

t_top_plain_sigterm() {
	top_plain_signal TERM
}

# A reader that goes away (| head) ends top like any filter (SIGPIPE),
# once the target is let go.
t_top_closed_pipe() {
	start_target ratio
	local pid=$LAST_PID
	LAST_CMD="ptprof top -p $pid --interval 100ms | head -n 3"
	(
		close_target_fds
		timeout -k 5 30 "$PTPROF" top -p "$pid" --interval 100ms </dev/null 2>"$T/err" |
			head -n 3 >"$T/out"
		echo "${PIPESTATUS[0]}" >"$T/rc"
	)
	PT_RC=$(cat "$T/rc")
	check_sanitizer "$T/err"
	assert_rc 141
	assert_lines "$T/out" 3
	assert_no_match "$T/err" 'pipe|write'  # a reader that left is no error
	assert_untouched "$pid"
	stop_target "$pid"
}

t_top_bad_usage() {
	local args
	for args in "" "-p 1 -- true" "-p 1 --interval 10ms" "-p 1 --interval x" \
		"-p 1 --top 0" "-p 1 -m nope" "-p 1 -r 0" "-p 1 extra"; do
		# shellcheck disable=SC2086
		run_ptprof top $args
		assert_rc 64
		assert_one_error_line
	done
}
