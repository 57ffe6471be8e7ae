# tests/e2e/t_tree.sh - `ptprof dump` of several processes: a pid list and
# --children, against build/targets/proctree (a parent and worker
# processes, each in its own named function: tree_alpha, tree_beta,
# tree_gamma; a child forked on request runs tree_late).
#
# After every dump each process is untouched: the parent answers ping and
# no thread of any child is traced or in a tracing stop.

# The section of a several-process text dump that belongs to PID: from
# its header line to the next process's header or the total.
process_section() {
	awk -v pid="$2" '
		/^ptprof dump: pid / { on = ($4 == pid) }
		/^Total: / { on = 0 }
		on { print }
	' "$1"
}

# The pids of the process headers, in the order printed.
header_pids() {
	awk '/^ptprof dump: pid / { printf "%s%s", sep, $4; sep = "," }' "$1"
}

# Every child untouched, and the parent answering ping.
assert_tree_untouched() {
	local parent=$1 kids=$2 k
	for k in ${kids//,/ }; do
		assert_not_traced "$k"
	done
	assert_untouched "$parent"
}

# PID's section: its header, its function and none of its siblings'.
assert_worker_section() {
	local pid=$1 comm=$2 fn=$3 threads=$4 other
	process_section "$T/out" "$pid" >"$T/sec.$pid"
	assert_match "$T/sec.$pid" "^ptprof dump: pid $pid \"$comm\", $threads threads, captured in "
	# The census of this process only.
	assert_match "$T/sec.$pid" "^Threads: $threads sleeping$"
	assert_match "$T/sec.$pid" " in $fn at [^ ]*proctree\.c:[0-9]+$"
	for other in tree_alpha tree_beta tree_gamma tree_late; do
		[ "$other" = "$fn" ] || assert_no_match "$T/sec.$pid" " in $other( |$)"
	done
}

# dump -p A,B,C: the three children, in the order given, and nothing else.
t_tree_dump_pid_list() {
	start_target proctree -t 2
	local parent=$LAST_PID kids=$READY_ARG a b c
	IFS=, read -r a b c <<<"$kids"
	[ -n "$c" ] || fail "proctree printed '$kids', not three pids"

	dump -p "$c,$a,$b"
	assert_rc 0
	assert_tree_untouched "$parent" "$kids"
	assert_eq "$(header_pids "$T/out")" "$c,$a,$b" "process headers"
	assert_worker_section "$a" tree-alpha tree_alpha 2
	assert_worker_section "$b" tree-beta tree_beta 2
	assert_worker_section "$c" tree-gamma tree_gamma 2
	assert_no_match "$T/out" "^Thread $parent "
	assert_match "$T/out" '^Total: 3 processes, 6 threads: 6 sleeping; blocked in: 6 pause$'
	assert_match "$T/err" '^ptprof: dumped 3 processes, 6 threads$'
	stop_target "$parent"
}

# --children: the parent first, then its children; -g groups within each
# process; -v tells how many symbols came from another process.
t_tree_dump_children() {
	start_target proctree -t 3
	local parent=$LAST_PID kids=$READY_ARG a b c
	IFS=, read -r a b c <<<"$kids"

	dump -v -g --children -p "$parent"
	assert_rc 0
	assert_tree_untouched "$parent" "$kids"
	assert_eq "$(header_pids "$T/out")" "$parent,$kids" "process headers"
	process_section "$T/out" "$parent" >"$T/sec.parent"
	assert_match "$T/sec.parent" "^ptprof dump: pid $parent \"proctree\", 1 threads, "
	assert_match "$T/sec.parent" "^Thread $parent \"proctree\" sleeping in read, "
	assert_no_match "$T/sec.parent" ' in tree_(alpha|beta|gamma)( |$)'
	assert_worker_section "$a" tree-alpha tree_alpha 3
	assert_worker_section "$b" tree-beta tree_beta 3
	assert_worker_section "$c" tree-gamma tree_gamma 3
	# Each child's two idle threads form one group of its own.
	local k
	for k in $a $b $c; do
		assert_eq "$(grep -c '^2 threads sleeping in pause: ' "$T/sec.$k")" 1 "groups of 2 in $k"
	done
	assert_eq "$(grep -c '^2 threads ' "$T/out")" 3 "groups of 2 in the dump"
	assert_match "$T/out" '^Total: 4 processes, 10 threads: 10 sleeping; blocked in: 9 pause, 1 read$'
	assert_match "$T/err" '^ptprof: 3 descendant processes found$'
	# One binary and one libc: after the first process, their symbols are
	# taken from the share.
	local line resolved shared
	line=$(grep -E '^ptprof: symbols: [0-9]+ resolved, [0-9]+ shared across processes$' "$T/err") ||
		fail "no symbols line on stderr with -v"
	read -r _ _ resolved _ shared _ <<<"$line"
	[ "$shared" -gt "$resolved" ] ||
		fail "symbols: $resolved resolved, only $shared shared across 4 processes of one binary"

	# A worker without children: just itself, no total.
	dump --children -p "$a"
	assert_rc 0
	assert_tree_untouched "$parent" "$kids"
	assert_eq "$(header_pids "$T/out")" "$a" "process headers of a leaf"
	assert_worker_section "$a" tree-alpha tree_alpha 3
	assert_no_match "$T/out" '^Total: '
	stop_target "$parent"
}

# A child forked after the first dump is in the second.
t_tree_dump_forked_later() {
	start_target proctree
	local parent=$LAST_PID kids=$READY_ARG late
	dump --children -p "$parent"
	assert_rc 0
	assert_eq "$(header_pids "$T/out")" "$parent,$kids" "process headers before the fork"

	printf 'fork\n' >&"${TGT_FD[$parent]}"
	wait_for_line "${TGT_OUT[$parent]}" '^forked [0-9]+$' 10 "$parent" ||
		fail "proctree did not fork on request"
	late=$(sed -n 's/^forked //p' "${TGT_OUT[$parent]}")

	dump --children -p "$parent"
	assert_rc 0
	assert_tree_untouched "$parent" "$kids,$late"
	assert_eq "$(header_pids "$T/out")" "$parent,$kids,$late" "process headers after the fork"
	assert_worker_section "$late" tree-late tree_late 1
	assert_match "$T/out" '^Total: 5 processes, 5 threads: '
	stop_target "$parent"
}

# A list with a missing process and a zombie: the others are dumped, each
# skipped one is named on stderr with its cause, and the exit status is 1.
t_tree_dump_skips_bad_pids() {
	start_target proctree
	local parent=$LAST_PID kids=$READY_ARG a b c
	IFS=, read -r a b c <<<"$kids"
	start_target zombie
	local zparent=$LAST_PID zombie=$READY_ARG
	[ "$(proc_state "$zombie")" = Z ] || fail "child $zombie of the zombie target is not a zombie"
	# A process of ours, started and reaped: its pid names nothing now.
	local gone
	sleep 0 &
	gone=$!
	wait "$gone"
	[ ! -e "/proc/$gone" ] || skip "pid $gone was reused at once"

	dump -p "$a,$gone,$zombie,$b"
	assert_rc 1
	assert_tree_untouched "$parent" "$kids"
	assert_untouched "$zparent"
	assert_eq "$(header_pids "$T/out")" "$a,$b" "process headers"
	assert_worker_section "$a" tree-alpha tree_alpha 1
	assert_worker_section "$b" tree-beta tree_beta 1
	assert_eq "$(grep -c "^ptprof: no process $gone\$" "$T/err")" 1 "lines naming $gone"
	assert_eq "$(grep -c "^ptprof: process $zombie is a zombie" "$T/err")" 1 "lines naming $zombie"
	assert_match "$T/err" '^ptprof: dumped 2 processes, 2 threads; 2 skipped'
	assert_match "$T/out" "^Skipped \(the reason is on stderr\): $gone, $zombie$"

	# The same in JSON: the processes dumped and the pids skipped.
	dump -f json -p "$a,$gone,$zombie,$b"
	assert_rc 1
	py_check "$T/out" "
check([p['pid'] for p in d['processes']] == [$a, $b], 'processes %r' % [p['pid'] for p in d['processes']])
check(d['skipped'] == [$gone, $zombie], 'skipped %r' % d['skipped'])
check(d['exited'] == 0, 'exited %r' % d['exited'])
for p in d['processes']:
    for t in p['threads']:
        check(t['pid'] == p['pid'], 'thread %r of process %r' % (t, p['pid']))
check(d['census']['states'] == {'sleeping': 2}, 'census %r' % d['census'])
"
	# Nothing left to dump: the usual error of one process, exit 2.
	dump -p "$gone,$zombie"
	assert_rc 2
	assert_lines "$T/err" 2
	assert_match "$T/err" "^ptprof: no process $gone\$"
	assert_match "$T/err" "^ptprof: process $zombie is a zombie"
	[ ! -s "$T/out" ] || fail "nothing dumped, yet something on stdout"

	# -t names threads of one process.
	dump -t "$a" -p "$a,$b"
	assert_rc 64
	assert_tree_untouched "$parent" "$kids"
	stop_target "$zparent"
	stop_target "$parent"
}

# pprof: one profile, every sample labelled with its process.
t_tree_dump_pprof_labels() {
	command -v go >/dev/null || skip "go is not installed (apt-get install golang-go)"
	start_target proctree
	local parent=$LAST_PID kids=$READY_ARG a b c
	IFS=, read -r a b c <<<"$kids"
	dump -f pprof -o "$T/tree.pb.gz" --children -p "$parent"
	assert_rc 0
	assert_tree_untouched "$parent" "$kids"
	go_pprof_into "$T/raw" -raw "$T/tree.pb.gz"
	# Each sample's labels, on one line, with its functions.
	awk '
		/^Samples:/ { on = 1; next }
		/^Locations/ { on = 0 }
		on && /^ +[0-9]+: / { if (s != "") print s; s = $0; next }
		on && s != "" { s = s " " $0 }
		END { if (s != "") print s }
	' "$T/raw" >"$T/samples"
	assert_lines "$T/samples" 4
	assert_eq "$(grep -c 'pid:\[' "$T/samples")" 4 "samples with a pid label"
	assert_match "$T/samples" "process:\[proctree\].*pid:\[$parent\]"
	assert_match "$T/samples" "process:\[tree-alpha\].*pid:\[$a\]"
	assert_match "$T/samples" "process:\[tree-beta\].*pid:\[$b\]"
	assert_match "$T/samples" "process:\[tree-gamma\].*pid:\[$c\]"

	go_pprof_into "$T/tags" -tags "$T/tree.pb.gz"
	local p
	for p in "$parent" "$a" "$b" "$c"; do
		assert_match "$T/tags" "^ +1\.0 \( *[0-9.]+%\): $p$"
	done
	# The functions are where their processes say.
	go_pprof_into "$T/beta" -traces -tagfocus="process=tree-beta" "$T/tree.pb.gz"
	assert_match "$T/beta" 'tree_beta'
	assert_no_match "$T/beta" 'tree_alpha|tree_gamma'

	# One process alone is labelled too, as record's samples are.
	dump -f pprof -o "$T/one.pb.gz" -p "$b"
	assert_rc 0
	assert_tree_untouched "$parent" "$kids"
	go_pprof_into "$T/tags1" -tags "$T/one.pb.gz"
	assert_match "$T/tags1" "^ +1\.0 \( *100(\.0+)?%\): $b$"
	assert_match "$T/tags1" '^ +1\.0 \( *100(\.0+)?%\): tree-beta$'
	stop_target "$parent"
}

# A Go program among the processes keeps its goroutine dump, in its own
# section; a pprof profile of both is a thread profile, and says so.
t_tree_dump_go_beside_c() {
	start_target go-gorout -profile "$T/own"
	local gopid=$LAST_PID
	start_target proctree
	local parent=$LAST_PID kids=$READY_ARG a
	a=${kids%%,*}

	dump -p "$gopid,$a"
	assert_rc 0
	assert_not_traced "$gopid"
	assert_tree_untouched "$parent" "$kids"
	assert_eq "$(header_pids "$T/out")" "$gopid,$a" "process headers"
	process_section "$T/out" "$gopid" >"$T/sec.go"
	assert_match "$T/sec.go" "^ptprof dump: pid $gopid \"go-gorout\", Go go1\.[0-9]+"
	assert_match "$T/sec.go" '^Goroutines: 283: 200 chan receive, 50 select, 30 semacquire, '
	assert_eq "$(grep -c '^goroutine [0-9]* \[chan receive' "$T/sec.go")" 200 "goroutines in chan receive"
	assert_no_match "$T/sec.go" 'tree_alpha'
	assert_worker_section "$a" tree-alpha tree_alpha 1
	assert_no_match "$T/sec.$a" '^goroutine '

	command -v go >/dev/null || { stop_target "$parent"; stop_target "$gopid"; return 0; }
	dump -p "$gopid,$a" -f pprof -o "$T/both.pb.gz"
	assert_rc 0
	assert_match "$T/err" 'the Go programs among these processes are shown by thread'
	go_pprof_into "$T/raw" -raw "$T/both.pb.gz"
	assert_match "$T/raw" '^threads/count$'
	assert_match "$T/raw" "process:\[go-gorout\]"
	assert_match "$T/raw" "process:\[tree-alpha\]"
	assert_not_traced "$gopid"
	stop_target "$parent"
	stop_target "$gopid"
}

# Two binaries that share libc: the second process's libc frames are read
# through the first one's (already loaded) module, and must be named
# exactly as a dump of that process alone names them.
t_tree_dump_two_binaries_share_libc() {
	start_target proctree
	local parent=$LAST_PID kids=$READY_ARG a
	a=${kids%%,*}
	start_target chain
	local chain=$LAST_PID n

	dump -p "$chain"
	assert_rc 0
	for n in sleeper reader locker; do
		thread_block "$T/out" "$n" | grep '^  #' >"$T/alone.$n"
		[ -s "$T/alone.$n" ] || fail "no frames of $n in the dump of chain alone"
	done
	dump -v -p "$a,$chain"
	assert_rc 0
	assert_untouched "$chain"
	assert_tree_untouched "$parent" "$kids"
	process_section "$T/out" "$chain" >"$T/sec.chain"
	for n in sleeper reader locker; do
		thread_block "$T/sec.chain" "$n" | grep '^  #' >"$T/both.$n"
		diff "$T/alone.$n" "$T/both.$n" >"$T/diff.$n" ||
			{ show_file "frames of $n, alone vs beside proctree" "$T/diff.$n"; fail "frames of $n differ"; }
	done
	assert_match "$T/sec.chain" ' in clock_nanosleep[^ ]* at [^ ]+:[0-9]+ \[libc\.so\.6\]$|in __GI___clock_nanosleep'
	assert_no_match "$T/out" 'libc\.so\.6\+0x'
	assert_match "$T/err" '^ptprof: symbols: [0-9]+ resolved, [1-9][0-9]* shared across processes$'
	stop_target "$chain"
	stop_target "$parent"
}
