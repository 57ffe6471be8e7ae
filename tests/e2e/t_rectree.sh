# tests/e2e/t_rectree.sh - record and top of several processes: a pid
# list, --children (descendants, also those forked while recording) and
# a launched command's children.
#
# proctree (tests/targets/proctree.c) forks named workers, each spinning
# (-s) in its own function: tree_alpha, tree_beta, tree_gamma, and
# tree_late for one forked on request.

# raw_pids: the values of the pid label in $T/raw, one per line, sorted.
raw_pids() {
	grep -oE 'pid:\[[0-9]+\]' "$T/raw" | grep -oE '[0-9]+' | sort -u
}

# assert_pid_has FUNC PID: some sample of process PID has FUNC on its
# stack (go tool pprof -traces, one block per sample).
assert_pid_has() {
	go_pprof_into "$T/traces.$2" -traces -tagfocus "pid=$2" "$T/r.pb.gz"
	grep -Eq " $1\$" "$T/traces.$2" ||
		{ show_file "traces of pid $2" "$T/traces.$2" 30; fail "no sample of pid $2 in $1"; }
}

t_record_tree_children() {
	start_target proctree -s
	local parent=$LAST_PID kids a b c
	kids=$READY_ARG
	IFS=, read -r a b c <<<"$kids"
	record --children -p "$parent" -d 1 -r 199 -o "$T/r.pb.gz"
	assert_rc 0
	assert_match "$T/err" "^ptprof: recording 4 processes and their children in cpu mode at 199 Hz$"
	assert_match "$T/err" "samples from [0-9]+ threads in 4 processes \(0 exited meanwhile, 0 skipped\)"
	go_raw "$T/r.pb.gz"
	raw_pids >"$T/pids"
	# The parent only waits: the three spinning children are sampled.
	printf '%s\n' "$a" "$b" "$c" | sort >"$T/want"
	diff -u "$T/want" "$T/pids" >"$T/pids.diff" ||
		{ show_file "pid labels vs the children" "$T/pids.diff"; fail "pid labels are not the three children"; }
	assert_match "$T/raw" '^ +process:\[tree-alpha\] state:\[running\] thread:\[tree-alpha\]$'
	assert_pid_has tree_alpha "$a"
	assert_pid_has tree_beta "$b"
	assert_pid_has tree_gamma "$c"
	assert_no_match "$T/traces.$a" 'tree_beta|tree_gamma'
	assert_untouched "$parent"
	for c in $a $b $c; do
		assert_not_traced "$c"
	done
	stop_target "$parent"
}

# A pid list without --children: exactly those processes.
t_record_tree_list() {
	start_target proctree -s
	local parent=$LAST_PID a b c
	IFS=, read -r a b c <<<"$READY_ARG"
	record -p "$a,$c" -d 500ms -r 199 -o "$T/r.pb.gz"
	assert_rc 0
	go_raw "$T/r.pb.gz"
	raw_pids >"$T/pids"
	printf '%s\n' "$a" "$c" | sort >"$T/want"
	diff -q "$T/want" "$T/pids" >/dev/null || fail "pid labels $(tr '\n' ' ' <"$T/pids"), expected $a $c"
	assert_no_match "$T/raw" 'tree_beta'
	# --processes: one root frame "name/pid" per process.
	record -p "$a,$c" -d 300ms -r 199 -f folded --processes -o "$T/r.folded"
	assert_rc 0
	cut -d';' -f1 "$T/r.folded" | sort -u >"$T/roots"
	printf '%s\n' "tree-alpha/$a" "tree-gamma/$c" | sort >"$T/want"
	diff -u "$T/want" "$T/roots" >"$T/roots.diff" ||
		{ show_file "root frames" "$T/roots.diff"; fail "root frames are not the two processes"; }
	assert_untouched "$parent"
	stop_target "$parent"
}

# Children forked while recording are picked up; one that exits is
# dropped, its samples kept, and counted.
t_record_tree_forked_later() {
	start_target proctree -s -n 1
	local parent=$LAST_PID first=$READY_ARG late fd=${TGT_FD[$LAST_PID]}
	record_bg --children -p "$parent" -d 3 -r 199 -o "$T/r.pb.gz"
	wait_for_line "$T/err" '^ptprof: recording 2 processes and their children ' 10 "$REC_PID" ||
		fail "ptprof never said it is recording"
	printf 'fork\n' >&"$fd"
	wait_for_line "${TGT_OUT[$parent]}" '^forked [0-9]+$' 10 "$parent" || fail "the target did not fork"
	late=$(sed -n 's/^forked //p' "${TGT_OUT[$parent]}")
	kill -KILL "$first"
	wait_record 10
	assert_rc 0
	assert_match "$T/err" "in 3 processes \(1 exited meanwhile, 0 skipped\)"
	go_raw "$T/r.pb.gz"
	assert_pid_has tree_late "$late"
	assert_pid_has tree_alpha "$first"
	assert_untouched "$parent"
	assert_not_traced "$late"
	stop_target "$parent"
}

# record -- COMMAND follows the command's children, as perf does, unless
# --no-children.
t_record_tree_command() {
	local cmd="$TARGETS_DIR/proctree -n 3 -w 300; true"
	record -r 199 -f folded -o "$T/c.folded" -- sh -c "$cmd"
	assert_rc 0
	local f
	for f in tree_alpha tree_beta tree_gamma; do
		grep -q ";$f;" "$T/c.folded" || { show_file "folded" "$T/c.folded" 20; fail "no $f in the profile"; }
	done
	record -r 199 -f folded --no-children -o "$T/n.folded" -- sh -c "$cmd"
	assert_rc 0
	assert_no_match "$T/n.folded" 'tree_'
}

# A list with processes that cannot be recorded: the others are, each
# skipped one is named, and the status says so.
t_record_tree_bad_list() {
	start_target proctree -s -n 1
	local parent=$LAST_PID a=$READY_ARG gone gone2
	sh -c 'exit 0' &
	gone=$!
	sh -c 'exit 0' &
	gone2=$!
	wait "$gone" "$gone2"
	record -p "$gone,$a" -d 300ms -r 199 -o "$T/r.pb.gz"
	assert_rc 1
	assert_match "$T/err" "^ptprof: no process $gone\$"
	assert_match "$T/err" "from [0-9]+ threads in 1 process \(0 exited meanwhile, 1 skipped\)"
	go_raw "$T/r.pb.gz"
	assert_match "$T/raw" "pid:\\[$a\\]"
	record -p "$gone,$gone2" -d 300ms -o "$T/none.pb.gz"
	assert_rc 2
	assert_match "$T/err" "^ptprof: no process $gone\$"
	assert_match "$T/err" "^ptprof: no process $gone2\$"
	[ ! -e "$T/none.pb.gz" ] || fail "a profile was written with no process recorded"
	run_ptprof record -p "1,x" -d 1
	assert_rc 64
	assert_match "$T/err" 'needs a process id or a list like 12,13'
	assert_untouched "$parent"
	stop_target "$parent"
}

t_top_tree_list() {
	start_target proctree -s
	local parent=$LAST_PID a b c
	IFS=, read -r a b c <<<"$READY_ARG"
	run_ptprof top -p "$a,$b" -d 1200ms --interval 1s
	assert_rc 0
	assert_match "$T/out" 'tree_alpha'
	assert_match "$T/out" 'tree_beta'
	assert_no_match "$T/out" 'tree_gamma'
	assert_untouched "$parent"
	stop_target "$parent"
}
