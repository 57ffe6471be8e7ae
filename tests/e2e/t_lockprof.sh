# tests/e2e/t_lockprof.sh - lock waits in wall-clock profiles.
#
# record -m wall on the held target (threads waiting on a mutex, a
# recursive, an error-checking and a PI mutex, an rwlock held for writing,
# a join, a condition variable and a semaphore): every waiting sample is
# labelled with the lock and, where one exists, its holder; the text
# report ranks the locks by samples spent waiting, with holder and where
# the waiters wait from.

t_lockprof_text_contended() {
	start_target held
	local pid=$LAST_PID
	locks_parse_held
	record -p "$pid" -d 1 -m wall -o "$T/w.txt"
	assert_rc 0
	assert_untouched "$pid"
	assert_match "$T/w.txt" '^Most contended locks \(thread-samples spent waiting\)$'
	sed -n '/^Most contended locks/,$p' "$T/w.txt" >"$T/locks"
	# Eight locks are waited on; each row names the lock, its holder when
	# it has one, and the waiter's own function outside libc.
	assert_eq "$(grep -c '^ *[0-9]\+  0x' "$T/locks")" 8 "rows of the lock table"
	assert_match "$T/locks" "^ *[0-9]+  ${H[mutex]} +${H[holder]} holder +wait_mutex \([0-9]+\)$"
	assert_match "$T/locks" "^ *[0-9]+  ${H[pi]} +${H[piholder]} piholder +wait_mutex \([0-9]+\)$"
	assert_match "$T/locks" "^ *[0-9]+  ${H[rwlock]} +${H[wholder]} wholder +wait_rdlock \([0-9]+\)$"
	assert_match "$T/locks" "^ *[0-9]+  ${H[cond]} +- +wait_cond \([0-9]+\)$"
	assert_match "$T/locks" "^ *[0-9]+  ${H[sem]} +- +wait_sem \([0-9]+\)$"
	stop_target "$pid"
}

t_lockprof_pprof_labels() {
	need_go
	start_target held
	local pid=$LAST_PID
	locks_parse_held
	record -p "$pid" -d 1 -m wall -o "$T/w.pb.gz"
	assert_rc 0
	assert_untouched "$pid"
	go_pprof_into "$T/raw" -raw "$T/w.pb.gz"
	# The waiter on the plain mutex: its samples carry the lock and holder.
	go_pprof -tags -tagfocus="tid=${H[waiter]}" "$T/w.pb.gz" >"$T/tags" 2>/dev/null ||
		fail "go tool pprof -tags failed"
	assert_match "$T/tags" "^ *lock: Total"
	assert_match "$T/tags" ": ${H[mutex]}$"
	assert_match "$T/tags" "^ *owner: Total"
	assert_match "$T/tags" ": ${H[holder]}$"
	# A condition variable has no holder: a lock label, no owner label.
	go_pprof -tags -tagfocus="tid=${H[cvwaiter]}" "$T/w.pb.gz" >"$T/cv" 2>/dev/null
	assert_match "$T/cv" ": ${H[cond]}$"
	assert_no_match "$T/cv" "owner:"
	stop_target "$pid"
}

# A target in its own pid namespace numbers its threads 1, 2, 3...: lock
# owners read from its memory are those numbers, and --locks must map them
# through NSpid to the tids ptprof (and the user) see.
# Start deadlock2 as pid 1 of a new pid namespace; NS_INNER is its pid as
# we see it, NS_WRAPPER unshare's.  Skips where namespaces are refused.
start_in_pid_namespace() {
	command -v unshare >/dev/null || skip "unshare (util-linux) not installed"
	local out=$T/ns.out fd
	NS_INNER=""
	# A fifo held open by us is its stdin: it runs until we close it.
	mkfifo "$T/ns.in"
	exec {fd}<>"$T/ns.in"
	NS_FD=$fd
	unshare --pid --fork --mount-proc "$TARGETS_DIR/deadlock2" <"$T/ns.in" >"$out" 2>"$T/ns.err" &
	NS_WRAPPER=$!
	# The target is unshare's child; its ready line says its threads are in place.
	local i
	for i in $(seq 1000); do
		NS_INNER=$(pgrep -P "$NS_WRAPPER" 2>/dev/null | head -n 1)
		[ -n "$NS_INNER" ] && grep -q '^ready' "$out" 2>/dev/null && break
		kill -0 "$NS_WRAPPER" 2>/dev/null || break
		sleep 0.01
	done
	[ -n "$NS_INNER" ] && grep -q '^ready' "$out" ||
		{ kill "$NS_WRAPPER" 2>/dev/null; skip "cannot start a target in a new pid namespace: $(cat "$T/ns.err")"; }
	grep -Eq "^NSpid:[[:space:]]+$NS_INNER[[:space:]]+1$" "/proc/$NS_INNER/status" ||
		{ kill -9 "$NS_INNER"; fail "the target is not pid 1 of a new pid namespace"; }
}

stop_in_pid_namespace() {
	kill -9 "$NS_INNER" "$NS_WRAPPER" 2>/dev/null
	wait "$NS_WRAPPER" 2>/dev/null
	exec {NS_FD}>&-
}

t_lockprof_pid_namespace() {
	start_in_pid_namespace
	local inner=$NS_INNER a b
	a=$(tid_by_name "$inner" dl-a)
	b=$(tid_by_name "$inner" dl-b)
	dump -p "$inner" --locks
	assert_not_traced "$inner"
	stop_in_pid_namespace
	assert_rc 0
	# Host tids, not the namespace's small numbers.
	assert_match "$T/out" "^DEADLOCK: thread ($a \"dl-a\"|$b \"dl-b\") waits for mutex 0x[0-9a-f]+ held by thread ($b \"dl-b\"|$a \"dl-a\"), which waits for mutex 0x[0-9a-f]+ held by thread ($a \"dl-a\"|$b \"dl-b\")$"
	assert_match "$T/out" "^  waiting on mutex 0x[0-9a-f]+ held by thread $b \"dl-b\"$"
	assert_match "$T/out" "^  waiting on mutex 0x[0-9a-f]+ held by thread $a \"dl-a\"$"
}

# The same for record's lock labels: each deadlocked thread's mutex is
# held by the other, named by the tid we see.
t_lockprof_record_pid_namespace() {
	start_in_pid_namespace
	local inner=$NS_INNER a b
	a=$(tid_by_name "$inner" dl-a)
	b=$(tid_by_name "$inner" dl-b)
	record -p "$inner" -d 0.3 -m wall -o "$T/w.txt"
	assert_not_traced "$inner"
	stop_in_pid_namespace
	assert_rc 0
	sed -n '/^Most contended locks/,$p' "$T/w.txt" >"$T/locks"
	assert_match "$T/locks" "^ *[0-9]+  0x[0-9a-f]+ +$a dl-a +"
	assert_match "$T/locks" "^ *[0-9]+  0x[0-9a-f]+ +$b dl-b +"
}
