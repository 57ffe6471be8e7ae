# tests/e2e/t_goheap.sh - a Go program's heap, allocs, mutex and block
# profiles read from outside (ptprof heap | allocs | mutex | block), each
# beside the profile the program wrote of itself at the same moment.
#
# tests/go/goheap retains memory from main.retainer, churns garbage from
# main.churner, makes mutex contention and blocking with both rates at 1,
# runs the GC twice, writes its own profiles (runtime/pprof) into a
# directory and prints "ready"; from then on it allocates nothing, so the
# records ptprof reads are the ones those files describe.

REF=tests/go/ref.py

# traces FILE INDEX: the profile's stacks with their values for sample
# type INDEX, one line per stack, sorted (go tool pprof -traces).
traces() {
	go_pprof -traces -sample_index="$2" "$1" 2>/dev/null |
		grep -v -e '^File:' -e '^Time:' -e '^Type:' -e '^Build ID:' |
		awk '/^-----/ { if (t != "") print t; t = ""; next }
			{ gsub(/^ +/, ""); t = t "|" $0 } END { if (t != "") print t }' | sort
}

# same_traces OURS THEIRS N: for every sample type 0..N-1, the same
# stacks with the same values, labels included.
same_traces() {
	local i
	for ((i = 0; i < $3; i++)); do
		traces "$1" "$i" >"$T/ours.$i"
		traces "$2" "$i" >"$T/theirs.$i"
		[ -s "$T/theirs.$i" ] || fail "go tool pprof read no stacks from ${2##*/}"
		if ! cmp -s "$T/ours.$i" "$T/theirs.$i"; then
			diff "$T/theirs.$i" "$T/ours.$i" | head -20 >&2
			fail "sample type $i of ${1##*/}: stacks or values differ from ${2##*/} (< Go's, > ours)"
		fi
	done
}

# totals FILE: "TYPE TOTAL" per sample type, from go tool pprof -raw.
totals() {
	python3 "$REF" pprof-totals "$1" >"$T/totals.json" || fail "ref.py cannot read $1"
	python3 -c 'import json, sys
for k, v in json.load(open(sys.argv[1]))["totals"].items():
    print(k, v)' "$T/totals.json"
}

# total_of FILE TYPE
total_of() {
	awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print "none" }' "$1"
}

# within_pct A B PCT: |A - B| <= PCT% of B.
within_pct() {
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= p / 100 * (b < 0 ? -b : b)) }'
}

start_goheap() { # rate|"" [binary]: starts go-goheap writing into $T/own
	mkdir -p "$T/own"
	if [ -n "$1" ]; then
		start_target "${2:-go-goheap}" -rate "$1" -dir "$T/own"
	else
		start_target "${2:-go-goheap}" -dir "$T/own"
	fi
}

# heap_vs_own RATE: totals of the four sample types within 1% of the
# program's own (equal at rate 1), main.retainer on top of inuse_space and
# main.churner among the allocators.
heap_vs_own() {
	local rate=$1 k ours theirs pct=1
	start_goheap "$rate" "${2:-}"
	local pid=$LAST_PID
	run_ptprof heap -p "$pid" -o "$T/heap.pb.gz"
	assert_rc 0
	assert_not_traced "$pid"
	totals "$T/heap.pb.gz" >"$T/ours.tot"
	totals "$T/own/heap.pb.gz" >"$T/theirs.tot"
	[ "$rate" != 1 ] || pct=0
	for k in alloc_objects alloc_space inuse_objects inuse_space; do
		ours=$(total_of "$T/ours.tot" "$k")
		theirs=$(total_of "$T/theirs.tot" "$k")
		[ "$theirs" != none ] && [ "$theirs" -gt 0 ] || fail "Go's own profile has no $k"
		within_pct "$ours" "$theirs" "$pct" ||
			fail "$k: ptprof $ours, the program's own $theirs (rate ${rate:-default})"
	done
	go_pprof -top -sample_index=inuse_space "$T/heap.pb.gz" >"$T/top.inuse" 2>/dev/null
	awk '$NF ~ /^main\./ { print $NF; exit }' "$T/top.inuse" | grep -qx main.retainer ||
		{ show_file top "$T/top.inuse" 20; fail "main.retainer is not the top in-use function"; }
	go_pprof -top -sample_index=alloc_space "$T/heap.pb.gz" >"$T/top.alloc" 2>/dev/null
	grep -q ' main\.churner$' "$T/top.alloc" ||
		{ show_file top "$T/top.alloc" 20; fail "main.churner is not among the allocators"; }
	# The period is the program's MemProfileRate.
	go_pprof -raw "$T/heap.pb.gz" 2>/dev/null | grep -qx "Period: ${rate:-524288}" ||
		fail "the period is not MemProfileRate ${rate:-524288}"
	echo "$pid" >"$T/pid"
}

t_goprof_heap_default_rate_matches_the_programs_own() {
	heap_vs_own ""
	stop_target "$(cat "$T/pid")"
}

t_goprof_heap_rate_one_is_exactly_the_programs_own() {
	heap_vs_own 1
	local pid
	pid=$(cat "$T/pid")
	# Stack for stack, value for value, bytes labels and inlined frames
	# included.
	same_traces "$T/heap.pb.gz" "$T/own/heap.pb.gz" 4
	# The records Go's debug=1 text lists, summed, are ptprof's totals.
	python3 "$REF" heap-debug1 "$T/own/heap.txt" >"$T/debug1.json" || fail "ref.py heap-debug1"
	totals "$T/heap.pb.gz" >"$T/ours.tot"
	py_check "$T/debug1.json" "
tot = {}
for line in open('$T/ours.tot'):
    k, v = line.split()
    tot[k] = int(v)
for k in ('inuse_objects', 'inuse_space', 'alloc_objects', 'alloc_space'):
    s = sum(r[k] for r in d['records'])
    check(s == tot[k], '%s: debug=1 records sum to %d, ptprof %d' % (k, s, tot[k]))"
	stop_target "$pid"
}

# -ldflags=-w: no DWARF; the symbol table finds the runtime's variables
# and the layout is the one Go's sources give.  The same profile.
t_goprof_heap_without_dwarf_from_the_symbol_table() {
	heap_vs_own 1 go-goheap-w
	local pid
	pid=$(cat "$T/pid")
	same_traces "$T/heap.pb.gz" "$T/own/heap.pb.gz" 4
	contention_vs_own mutex "$pid"
	stop_target "$pid"
}

t_goprof_allocs_defaults_to_alloc_space() {
	start_goheap 1
	local pid=$LAST_PID
	run_ptprof allocs -p "$pid" -o "$T/allocs.pb.gz"
	assert_rc 0
	go_pprof -top "$T/allocs.pb.gz" >"$T/top" 2>/dev/null
	assert_match "$T/top" '^Type: alloc_space$'
	go_pprof -top "$T/own/allocs.pb.gz" >"$T/top.own" 2>/dev/null
	assert_match "$T/top.own" '^Type: alloc_space$'
	same_traces "$T/allocs.pb.gz" "$T/own/allocs.pb.gz" 4
	# The heap profile has no default type (inuse_space, the last, shows).
	run_ptprof heap -p "$pid" -o "$T/heap.pb.gz"
	go_pprof -top "$T/heap.pb.gz" >"$T/top.heap" 2>/dev/null
	assert_match "$T/top.heap" '^Type: inuse_space$'
	assert_not_traced "$pid"
	stop_target "$pid"
}

t_goprof_heap_text_names_the_retainer_with_the_totals() {
	start_goheap 1
	local pid=$LAST_PID
	run_ptprof heap -p "$pid" -f text --top 5
	assert_rc 0
	assert_match "$T/out" "^Go heap profile of process $pid "
	assert_match "$T/out" '^Sampling: every allocation'
	assert_match "$T/out" '^RSS: '
	# The first function row is main.retainer; its in-use objects are the
	# 4000 the program keeps (plus none: it allocates nothing else there).
	awk '/^Top functions/ { getline; getline; print $NF; exit }' "$T/out" | grep -qx main.retainer ||
		{ show_file out "$T/out" 20; fail "main.retainer is not the first row"; }
	# In use: N objects equals the profile's inuse_objects total.
	run_ptprof heap -p "$pid" -o "$T/heap.pb.gz"
	run_ptprof heap -p "$pid" -f text
	totals "$T/heap.pb.gz" >"$T/ours.tot"
	local n
	n=$(sed -n 's/^In use: .* in \([0-9]*\) objects$/\1/p' "$T/out")
	assert_eq "$n" "$(total_of "$T/ours.tot" inuse_objects)" "in-use objects in the text header"
	stop_target "$pid"
}

# contention_vs_own KIND FILE: our profile equals the program's own, and
# its totals are those of the program's debug=1 text (counts, and cycles
# at the program's cycles/second).
contention_vs_own() {
	local kind=$1 pid=$2
	run_ptprof "$kind" -p "$pid" -o "$T/$kind.pb.gz"
	assert_rc 0
	same_traces "$T/$kind.pb.gz" "$T/own/$kind.pb.gz" 2
	python3 "$REF" count-cycle-debug1 "$T/own/$kind.txt" >"$T/$kind.json" ||
		fail "ref.py count-cycle-debug1"
	totals "$T/$kind.pb.gz" >"$T/ours.tot"
	local c dl
	c=$(total_of "$T/ours.tot" contentions)
	dl=$(total_of "$T/ours.tot" delay)
	py_check "$T/$kind.json" "
recs = d['records']
check(len(recs) > 0, 'the program recorded no $kind events')
count = sum(max(int(r['count']), 1 if '$kind' == 'block' else 0) for r in recs)
check(count == $c, '$kind: debug=1 counts sum to %d, ptprof %d' % (count, $c))
ns = sum(r['cycles'] for r in recs) / (d['cycles_per_second'] / 1e9)
check(abs(ns - $dl) <= 0.001 * ns + len(recs), '$kind: debug=1 delay %.0f ns, ptprof $dl' % ns)"
	assert_not_traced "$pid"
}

t_goprof_mutex_and_block_match_the_programs_own() {
	start_goheap ""
	local pid=$LAST_PID
	contention_vs_own mutex "$pid"
	contention_vs_own block "$pid"
	run_ptprof mutex -p "$pid" -f text
	assert_rc 0
	assert_match "$T/out" '^Top functions by delay'
	assert_match "$T/out" 'sync\.\(\*Mutex\)\.Unlock$'
	stop_target "$pid"
}

t_goprof_no_runtime_pprof_means_no_heap_and_says_why() {
	start_target go-gonoprof
	local pid=$LAST_PID k
	for k in heap allocs; do
		# Without -o: not even the default file may appear.
		run_ptprof "$k" -p "$pid"
		assert_rc 2
		assert_one_error_line
		assert_match "$T/err" 'runtime/pprof'
		assert_match "$T/err" 'restart'
		[ ! -e "ptprof-$pid-$k.pb.gz" ] || { rm -f "ptprof-$pid-$k.pb.gz"; fail "$k: a file was written"; }
	done
	run_ptprof mutex -p "$pid" -o "$T/m.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" 'SetMutexProfileFraction'
	run_ptprof block -p "$pid" -o "$T/b.pb.gz"
	assert_rc 2
	assert_match "$T/err" 'SetBlockProfileRate'
	[ ! -e "$T/m.pb.gz" ] && [ ! -e "$T/b.pb.gz" ] || fail "a file was written"
	assert_not_traced "$pid"
	stop_target "$pid"
}

t_goprof_heap_of_a_program_that_is_not_go_says_what_to_use() {
	start_target chain
	local pid=$LAST_PID
	run_ptprof heap -p "$pid" -o "$T/h.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" 'not a Go program'
	assert_match "$T/err" 'heaptrack'
	[ ! -e "$T/h.pb.gz" ] || fail "a file was written"
	assert_untouched "$pid"
	stop_target "$pid"
}

t_goprof_heap_of_a_stripped_go_binary_says_why() {
	start_target go-goheap-sw -dir "$T"
	local pid=$LAST_PID
	run_ptprof heap -p "$pid" -o "$T/h.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" 'neither DWARF nor a symbol table'
	assert_match "$T/err" 'build without -s'
	[ ! -e "$T/h.pb.gz" ] || fail "a file was written"
	stop_target "$pid"
}

t_goprof_heap_bad_input() {
	run_ptprof heap
	assert_rc 64
	run_ptprof heap -p 0
	assert_rc 64
	run_ptprof heap -p 1 --watch 10ms
	assert_rc 64
	run_ptprof mutex -p 1 --watch 1s
	assert_rc 64
	run_ptprof heap -p 1 -d 5s
	assert_rc 64
	run_ptprof heap -p 1 -f json
	assert_rc 64
	local gone
	gone=$(sh -c 'echo $$')
	run_ptprof heap -p "$gone"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" "no process $gone"
}

# --watch on a program that grows by a known amount: the reported growth
# per minute within 20% of it, and the goroutine count's too.
t_goprof_heap_watch_reports_the_growth() {
	local bps=2097152
	start_target go-gogrow -rate 4096 -bps "$bps"
	local pid=$LAST_PID
	LAST_CMD="ptprof heap -p $pid --watch 1s -d 8s"
	PT_RC=0
	timeout -k 5 40 "$PTPROF" heap -p "$pid" --watch 1s -d 8s </dev/null >"$T/out" 2>"$T/err" ||
		PT_RC=$?
	check_sanitizer "$T/err"
	assert_rc 0
	# One line per second: the first at once, the last at 8 s.
	local lines
	lines=$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2} ' "$T/out")
	[ "$lines" -ge 8 ] && [ "$lines" -le 10 ] || { show_file out "$T/out" 30; fail "$lines readings, expected 9"; }
	grep -E '^[0-9]{2}:' "$T/out" | tail -1 | grep -q 'main\.grower' ||
		{ show_file out "$T/out" 30; fail "main.grower is not the top in-use function"; }
	local got gor
	got=$(sed -n 's/^  in-use space .*(\([-+0-9.]*\) bytes\/min)$/\1/p' "$T/out")
	gor=$(sed -n 's/^  goroutines *\([-+0-9.]*\)\/min$/\1/p' "$T/out")
	[ -n "$got" ] && [ -n "$gor" ] || { show_file out "$T/out" 30; fail "no growth summary"; }
	within_pct "${got#+}" $((bps * 60)) 20 ||
		{ show_file out "$T/out" 30; fail "in-use growth $got bytes/min, the program grows by $((bps * 60))"; }
	within_pct "${gor#+}" 60 20 ||
		{ show_file out "$T/out" 30; fail "goroutine growth $gor/min, the program starts 60/min"; }
	assert_not_traced "$pid"
	stop_target "$pid"
}
