# tests/e2e/t_locks.sh - `ptprof dump`: the thread census, and lock-wait
# analysis with --locks (who waits for which lock, held by whom; deadlock
# cycles), in text and JSON.
#
# Targets: deadlock2, deadlock3, held, many, pool and chain (see
# tests/targets/).  Each prints in its "ready" line the tids and lock
# addresses the expected lines are built from.  After every dump the
# target must be untouched, and stop_target requires a clean exit 0.

# ---------------------------------------------------------------- helpers

# The thread count in the header line of a text dump.
locks_header_threads() {
	head -n 1 "$1" | sed -nE 's/^ptprof dump: pid [0-9]+ .*, ([0-9]+) threads, captured in .*/\1/p'
}

locks_assert_header() {
	local pid=$1 name=$2 n=$3
	head -n 1 "$T/out" >"$T/first"
	assert_match "$T/first" "^ptprof dump: pid $pid \"$name\", $n threads, captured in "
}

# The census of a text dump: the lines after the header and the DEADLOCK
# lines, up to the blank line before the thread blocks.
locks_census() {
	awk 'NR == 1 { next }
	     !c && index($0, "DEADLOCK: ") == 1 { next }
	     $0 == "" { exit }
	     { c = 1; print }' "$1"
}

# FILE has a line that is exactly LINE.
assert_has_line() {
	grep -Fxq -- "$2" "$1" && return 0
	[ "$1" = "$T/out" ] || show_file "checked file" "$1" 60
	fail "${1##*/} has no line '$2'"
}

# Line N of FILE is exactly one of the LINEs.
assert_line_is() {
	local file=$1 n=$2 got want
	shift 2
	got=$(sed -n "${n}p" "$file")
	for want in "$@"; do
		[ "$got" != "$want" ] || return 0
	done
	[ "$file" = "$T/out" ] || show_file "checked file" "$file" 60
	if [ $# -eq 1 ]; then
		fail "line $n of ${file##*/}: got '$got', expected '$1'"
	fi
	local alts
	alts=$(printf "\n    '%s'" "$@")
	fail "line $n of ${file##*/}: got '$got', expected one of:$alts"
}

# The census's "Threads:" line: well formed, non-zero states only, in the
# contract's order, adding up to the header's thread count.  Sets
# LOCKS_THREADS to the line and writes the census to $T/census.
LOCKS_THREADS=
locks_assert_threads_line() {
	local file=$1 census=$T/census line total
	locks_census "$file" >"$census"
	line=$(head -n 1 "$census")
	case $line in
	"Threads: "*) ;;
	*) fail "first census line is not 'Threads: ...': '$line'" ;;
	esac
	total=$(locks_header_threads "$file")
	[ -n "$total" ] || fail "no thread count in the header line"
	local order=" running sleeping disk-sleep stopped tracing-stop zombie idle dead unknown "
	local body=${line#Threads: } part n st rank last=-1 sum=0 prefix
	local -a parts
	IFS=',' read -ra parts <<<"$body"
	for part in "${parts[@]}"; do
		part=${part# }
		n=${part%% *}
		st=${part#* }
		[[ $n =~ ^[1-9][0-9]*$ ]] || fail "Threads line '$line': bad count in '$part'"
		case $order in
		*" $st "*) ;;
		*) fail "Threads line '$line': unknown state '$st'" ;;
		esac
		prefix=${order%%" $st "*}
		rank=${#prefix}
		[ "$rank" -gt "$last" ] || fail "Threads line '$line': '$st' out of order"
		last=$rank
		sum=$((sum + n))
	done
	[ "$sum" -eq "$total" ] || fail "Threads line '$line' adds up to $sum, header says $total threads"
	LOCKS_THREADS=$line
}

# Checks common to every text dump with --locks of a target that has
# NDL deadlock cycles: the DEADLOCK lines come right after the header, the
# census right after them, then a blank line and the first thread block.
locks_assert_layout() {
	local ndl=$1 n
	n=$(grep -c '^DEADLOCK: ' "$T/out")
	assert_eq "$n" "$ndl" "number of DEADLOCK lines"
	if [ "$ndl" -gt 0 ]; then
		local lines
		lines=$(grep -n '^DEADLOCK: ' "$T/out" | cut -d: -f1 | tr '\n' ' ')
		assert_eq "$lines" "$(seq -s ' ' 2 $((ndl + 1))) " "line numbers of the DEADLOCK lines"
	fi
	sed -n "$((ndl + 2))p" "$T/out" >"$T/after"
	assert_match "$T/after" '^Threads: '
	local nc
	nc=$(locks_census "$T/out" | wc -l)
	assert_line_is "$T/out" $((ndl + nc + 2)) ""
	sed -n "$((ndl + nc + 3))p" "$T/out" >"$T/after"
	assert_match "$T/after" '^Thread [0-9]+ "'
}

# The "waiting ..." line of thread NAME: the line right after its Thread line.
locks_wait_line() {
	thread_block "$T/out" "$1" | sed -n 2p
}

assert_wait_line() {
	local name=$1 want=$2 got
	got=$(locks_wait_line "$name")
	[ "$got" = "$want" ] && return 0
	thread_block "$T/out" "$name" >"$T/block-$name"
	show_file "block of $name" "$T/block-$name" 6
	fail "thread $name: line after its Thread line is '$got', expected '$want'"
}

# Thread NAME has no "waiting" line: its Thread line is followed by frame #0.
assert_no_wait_line() {
	local name=$1 got
	thread_block "$T/out" "$name" >"$T/block-$name"
	[ -s "$T/block-$name" ] || fail "no block for thread $name"
	got=$(sed -n 2p "$T/block-$name")
	case $got in
	"  #0 "*) ;;
	*) show_file "block of $name" "$T/block-$name" 6
	   fail "thread $name: line after its Thread line is '$got', expected frame #0" ;;
	esac
}

# The held target's ready line, "NAME=VALUE ...", into the array H.
declare -gA H=()
locks_parse_held() {
	local kv
	H=()
	for kv in $READY_ARG; do
		H[${kv%%=*}]=${kv#*=}
	done
	for kv in holder waiter rholder rwaiter eholder ewaiter piholder piwaiter \
		wholder rdwaiter sleepy joiner cvwaiter semwaiter \
		mutex rmutex emutex pi rwlock cond sem; do
		[ -n "${H[$kv]:-}" ] || fail "held's ready line has no $kv=: '$READY_ARG'"
	done
}

# ------------------------------------------------------------------- tests

t_locks_deadlock2() {
	start_target deadlock2
	local pid=$LAST_PID ta tb m1 m2
	read -r ta tb m1 m2 <<<"$READY_ARG"
	dump --locks -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	locks_assert_header "$pid" deadlock2 3
	locks_assert_layout 1
	# dl-a holds m1 and wants m2; dl-b holds m2 and wants m1.
	assert_line_is "$T/out" 2 \
		"DEADLOCK: thread $ta \"dl-a\" waits for mutex $m2 held by thread $tb \"dl-b\", which waits for mutex $m1 held by thread $ta \"dl-a\"" \
		"DEADLOCK: thread $tb \"dl-b\" waits for mutex $m1 held by thread $ta \"dl-a\", which waits for mutex $m2 held by thread $tb \"dl-b\""
	assert_wait_line dl-a "  waiting on mutex $m2 held by thread $tb \"dl-b\""
	assert_wait_line dl-b "  waiting on mutex $m1 held by thread $ta \"dl-a\""
	assert_no_wait_line deadlock2
	locks_assert_threads_line "$T/out"
	assert_eq "$LOCKS_THREADS" "Threads: 3 sleeping" "Threads line"
	assert_has_line "$T/census" "Blocked in: 2 futex, 1 read"
	assert_lines "$T/census" 2
	stop_target "$pid"
}

t_locks_deadlock3() {
	start_target deadlock3
	local pid=$LAST_PID
	local -a ready tid lock
	read -ra ready <<<"$READY_ARG"
	tid=("${ready[@]:0:3}")
	lock=("${ready[@]:3:3}")
	[ ${#lock[@]} -eq 3 ] || fail "deadlock3's ready line: '$READY_ARG'"
	dump --locks -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	locks_assert_header "$pid" deadlock3 4
	locks_assert_layout 1
	# c(i+1) holds lock i and wants lock i+1 (mod 3); the cycle may be
	# printed starting at any of the three.
	local -a alts=()
	local s k i j line
	for s in 0 1 2; do
		line="DEADLOCK: thread ${tid[s]} \"c$((s + 1))\" waits for"
		for k in 0 1 2; do
			i=$(((s + k) % 3))
			j=$(((i + 1) % 3))
			[ "$k" -eq 0 ] || line+=", which waits for"
			line+=" mutex ${lock[j]} held by thread ${tid[j]} \"c$((j + 1))\""
		done
		alts+=("$line")
	done
	assert_line_is "$T/out" 2 "${alts[@]}"
	for i in 0 1 2; do
		j=$(((i + 1) % 3))
		assert_wait_line "c$((i + 1))" "  waiting on mutex ${lock[j]} held by thread ${tid[j]} \"c$((j + 1))\""
	done
	locks_assert_threads_line "$T/out"
	assert_eq "$LOCKS_THREADS" "Threads: 4 sleeping" "Threads line"
	assert_has_line "$T/census" "Blocked in: 3 futex, 1 read"
	# c1, c2, c3 are a pool: a trailing run of digits becomes '*'.
	assert_has_line "$T/census" "c*: 3 threads, 0 running, 3 blocked in futex"
	assert_lines "$T/census" 3
	stop_target "$pid"
}

t_locks_held() {
	start_target held
	local pid=$LAST_PID
	locks_parse_held
	dump --locks -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	locks_assert_header "$pid" held 15
	locks_assert_layout 0
	assert_wait_line waiter "  waiting on mutex ${H[mutex]} held by thread ${H[holder]} \"holder\""
	assert_wait_line rwaiter "  waiting on mutex ${H[rmutex]} held by thread ${H[rholder]} \"rholder\""
	assert_wait_line ewaiter "  waiting on mutex ${H[emutex]} held by thread ${H[eholder]} \"eholder\""
	assert_wait_line piwaiter "  waiting on mutex ${H[pi]} held by thread ${H[piholder]} \"piholder\""
	assert_wait_line rdwaiter "  waiting on rwlock ${H[rwlock]} held for writing by thread ${H[wholder]} \"wholder\""
	assert_wait_line joiner "  waiting to join thread ${H[sleepy]} \"sleepy\""
	assert_wait_line cvwaiter "  waiting on condition variable ${H[cond]} (no owner)"
	assert_wait_line semwaiter "  waiting on semaphore ${H[sem]} (no owner)"
	local n
	for n in held holder rholder eholder piholder wholder sleepy; do
		assert_no_wait_line "$n"
	done
	assert_eq "$(grep -c '^  waiting ' "$T/out")" 8 "number of waiting lines"
	locks_assert_threads_line "$T/out"
	assert_eq "$LOCKS_THREADS" "Threads: 15 sleeping" "Threads line"
	assert_has_line "$T/census" "Blocked in: 8 futex, 6 clock_nanosleep, 1 read"
	assert_lines "$T/census" 2
	stop_target "$pid"
}

# Without --locks: the census, but no DEADLOCK and no waiting lines.
t_locks_off_by_default() {
	start_target deadlock2
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_no_match "$T/out" '^DEADLOCK'
	assert_no_match "$T/out" '^ *waiting '
	locks_assert_layout 0
	stop_target "$pid"

	start_target held
	pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	assert_no_match "$T/out" '^DEADLOCK'
	assert_no_match "$T/out" '^ *waiting '
	locks_assert_layout 0
	stop_target "$pid"
}

t_locks_pool_census() {
	start_target pool
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	locks_assert_header "$pid" pool 33
	locks_assert_layout 0
	locks_assert_threads_line "$T/out"
	assert_eq "$LOCKS_THREADS" "Threads: 33 sleeping" "Threads line"
	assert_has_line "$T/census" "worker-*: 32 threads, 0 running, 32 blocked in futex"
	local blocked nfutex
	blocked=$(grep -m1 '^Blocked in: ' "$T/census") || fail "census has no 'Blocked in:' line"
	nfutex=$(echo "$blocked" | sed -nE 's/^Blocked in: (.*, )?([0-9]+) futex(,.*)?$/\2/p')
	if [ -z "$nfutex" ] || [ "$nfutex" -lt 32 ]; then
		fail "'$blocked' does not count 32 or more futex"
	fi
	assert_eq "$blocked" "Blocked in: 32 futex, 1 read" "Blocked in line"

	# With --locks every worker waits on the one condition variable.
	dump --locks -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	locks_assert_layout 0
	assert_eq "$(grep -c '^  waiting ' "$T/out")" 32 "number of waiting lines"
	local addrs
	addrs=$(sed -nE 's/^  waiting on condition variable (0x[0-9a-f]+) \(no owner\)$/\1/p' "$T/out" | sort | uniq -c)
	if [ "$(echo "$addrs" | wc -l)" -ne 1 ] || [ "$(echo "$addrs" | awk '{ print $1 }')" != 32 ]; then
		fail "expected 32 'waiting on condition variable' lines with one address, got: $addrs"
	fi
	stop_target "$pid"
}

t_locks_many_grouped() {
	start_target many
	local pid=$LAST_PID
	dump -g -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	locks_assert_header "$pid" many 501
	locks_assert_threads_line "$T/out"
	assert_eq "$LOCKS_THREADS" "Threads: 501 sleeping" "Threads line"
	assert_has_line "$T/census" "same-*: 500 threads, 0 running, 500 blocked in futex"
	assert_has_line "$T/census" "Blocked in: 500 futex, 1 read"
	assert_eq "$(grep -c '^500 threads sleeping in futex: ' "$T/out")" 1 "group lines of 500"
	assert_eq "$(grep -cE '^[0-9]+ threads ' "$T/out")" 1 "group lines in all"
	grep -m1 '^500 threads sleeping in futex: ' "$T/out" >"$T/group-line"
	assert_eq "$(grep -oE '[0-9]+ "same-[0-9]+"' "$T/group-line" | sort -u | wc -l)" 500 "names in the group line"
	assert_no_match "$T/out" '^Thread [0-9]+ "same-'
	stop_target "$pid"
}

t_locks_census_chain() {
	start_target chain
	local pid=$LAST_PID
	dump -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	locks_assert_header "$pid" chain 5
	locks_assert_layout 0
	locks_assert_threads_line "$T/out"
	assert_eq "$LOCKS_THREADS" "Threads: 1 running, 4 sleeping" "Threads line"
	assert_match "$T/census" '^Blocked in: 2 read, (1 clock_nanosleep, 1 futex|1 futex, 1 nanosleep)$'
	# No two names equal up to trailing digits: no pool lines.
	assert_lines "$T/census" 2
	thread_block "$T/out" busy-0 >"$T/busy-0"
	assert_match "$T/busy-0" '^Thread [0-9]+ "busy-0" running, '

	# --locks: locker waits for the mutex main holds.
	dump --locks -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	locks_assert_layout 0
	thread_block "$T/out" locker >"$T/locker"
	sed -n 2p "$T/locker" >"$T/locker-wait"
	assert_match "$T/locker-wait" "^  waiting on mutex 0x[0-9a-f]+ held by thread $pid \"chain\"$"
	assert_eq "$(grep -c '^  waiting ' "$T/out")" 1 "number of waiting lines"
	stop_target "$pid"
}

t_locks_json_deadlock2() {
	start_target deadlock2
	local pid=$LAST_PID ta tb m1 m2
	read -r ta tb m1 m2 <<<"$READY_ARG"
	dump -f json --locks -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	py_check "$T/out" "
ta, tb, m1, m2 = $ta, $tb, $m1, $m2
def addr(v, what):
    check(isinstance(v, str) and v.startswith('0x'), '%s: address %r is not a 0x string' % (what, v))
    return int(v, 16)
by = {t['name']: t for t in d['threads']}
check(set(by) == {'deadlock2', 'dl-a', 'dl-b'}, 'names %r' % sorted(by))
for t in d['threads']:
    check('waiting_on' in t, 'thread %s has no waiting_on' % t['tid'])
check(by['deadlock2']['waiting_on'] is None, 'main waiting_on %r' % by['deadlock2']['waiting_on'])
for name, lock, owner in (('dl-a', m2, tb), ('dl-b', m1, ta)):
    w = by[name]['waiting_on']
    check(isinstance(w, dict), '%s waiting_on %r' % (name, w))
    check(w.get('kind') == 'mutex', '%s kind %r' % (name, w.get('kind')))
    check(addr(w.get('address'), name) == lock, '%s address %r, expected %#x' % (name, w.get('address'), lock))
    check(w.get('owner') == owner, '%s owner %r, expected %d' % (name, w.get('owner'), owner))
dl = d.get('deadlocks')
check(isinstance(dl, list) and len(dl) == 1, 'deadlocks %r' % dl)
cyc = dl[0]
check(isinstance(cyc, list) and len(cyc) == 2, 'cycle %r' % cyc)
want = {ta: (m2, tb), tb: (m1, ta)}
check(sorted(e.get('tid') for e in cyc) == sorted(want), 'cycle tids %r' % cyc)
for e in cyc:
    lock, owner = want[e['tid']]
    check(addr(e.get('lock'), 'cycle') == lock and e.get('owner') == owner, 'cycle entry %r' % e)
# Each entry's owner is the next entry's tid.
for i, e in enumerate(cyc):
    check(e['owner'] == cyc[(i + 1) % len(cyc)]['tid'], 'cycle out of order: %r' % cyc)
c = d.get('census')
check(isinstance(c, dict), 'census %r' % c)
check(c.get('states') == {'sleeping': 3}, 'census states %r' % c.get('states'))
check(c.get('syscalls') == {'futex': 2, 'read': 1}, 'census syscalls %r' % c.get('syscalls'))
check(c.get('pools') == [], 'census pools %r' % c.get('pools'))
"
	stop_target "$pid"
}

t_locks_json_held() {
	start_target held
	local pid=$LAST_PID
	locks_parse_held
	dump -f json --locks -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	local py="H = {}
"
	local k
	for k in "${!H[@]}"; do
		py+="H['$k'] = ${H[$k]}
"
	done
	py_check "$T/out" "$py
def addr(v, what):
    check(isinstance(v, str) and v.startswith('0x'), '%s: address %r is not a 0x string' % (what, v))
    return int(v, 16)
by = {t['name']: t for t in d['threads']}
check(len(d['threads']) == 15, '%d threads' % len(d['threads']))
for t in d['threads']:
    check('waiting_on' in t, 'thread %s has no waiting_on' % t['tid'])
    name = t['name']
    check(name == 'held' or t['tid'] == H[name], 'thread %r tid %r' % (name, t['tid']))
want = {
    'waiter': ('mutex', H['mutex'], H['holder']),
    'rwaiter': ('mutex', H['rmutex'], H['rholder']),
    'ewaiter': ('mutex', H['emutex'], H['eholder']),
    'piwaiter': ('mutex', H['pi'], H['piholder']),
    'rdwaiter': ('rwlock', H['rwlock'], H['wholder']),
    'joiner': ('join', None, H['sleepy']),
    'cvwaiter': ('condvar', H['cond'], None),
    'semwaiter': ('semaphore', H['sem'], None),
}
for name, t in sorted(by.items()):
    w = t['waiting_on']
    if name not in want:
        check(w is None, '%s waiting_on %r, expected null' % (name, w))
        continue
    kind, lock, owner = want[name]
    check(isinstance(w, dict), '%s waiting_on %r' % (name, w))
    check(w.get('kind') == kind, '%s kind %r, expected %r' % (name, w.get('kind'), kind))
    a = addr(w.get('address'), name)
    check(lock is None or a == lock, '%s address %r, expected %#x' % (name, w.get('address'), lock or 0))
    check('owner' in w and w['owner'] == owner, '%s owner %r, expected %r' % (name, w.get('owner'), owner))
check(d.get('deadlocks') == [], 'deadlocks %r' % d.get('deadlocks'))
c = d.get('census')
check(isinstance(c, dict), 'census %r' % c)
check(c.get('states') == {'sleeping': 15}, 'census states %r' % c.get('states'))
check(c.get('syscalls') == {'futex': 8, 'clock_nanosleep': 6, 'read': 1}, 'census syscalls %r' % c.get('syscalls'))
check(c.get('pools') == [], 'census pools %r' % c.get('pools'))
"
	stop_target "$pid"
}

t_locks_json_pool_census() {
	start_target pool
	local pid=$LAST_PID
	dump -f json --locks -p "$pid"
	assert_rc 0
	assert_untouched "$pid"
	py_check "$T/out" "
c = d.get('census')
check(isinstance(c, dict), 'census %r' % c)
check(c.get('states') == {'sleeping': 33}, 'census states %r' % c.get('states'))
check(c.get('syscalls', {}).get('futex', 0) >= 32, 'census syscalls %r' % c.get('syscalls'))
p = c.get('pools')
check(isinstance(p, list) and len(p) == 1, 'census pools %r' % p)
check(p[0].get('pattern') == 'worker-*' and p[0].get('threads') == 32 and p[0].get('running') == 0,
      'pool %r' % p[0])
check(d.get('deadlocks') == [], 'deadlocks %r' % d.get('deadlocks'))
ws = [t['waiting_on'] for t in d['threads'] if t['name'].startswith('worker-')]
check(len(ws) == 32 and all(w and w.get('kind') == 'condvar' and w.get('owner') is None for w in ws),
      'workers waiting_on %r' % ws[:3])
check(len(set(w['address'] for w in ws)) == 1, 'workers wait on different addresses')
"
	stop_target "$pid"
}
