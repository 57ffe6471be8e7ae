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
	go_pprof -raw "$T/w.pb.gz" >"$T/raw" 2>"$T/raw.err" || fail "go tool pprof -raw failed"
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
