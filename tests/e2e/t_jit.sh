# tests/e2e/t_jit.sh - code compiled at run time: named from the target's
# perf map, and unwound through by its frame pointers.
#
# jitcode (tests/targets/jitcode.c) copies two functions with frame
# pointers and no unwind information into anonymous memory and names them
# in /tmp/perf-PID.map; node --perf-basic-prof is the real thing (skipped
# when node is not installed).

# jit_pc_in FILE N LO SIZE: frame #N's pc lies in [LO, LO + SIZE) (hex).
jit_pc_in() {
	local pc
	pc=$(awk -v n="#$2" '$1 == n { print $2; exit }' "$1")
	[ -n "$pc" ] || fail "no frame #$2 in ${1##*/}"
	if ((pc < 16#$3 || pc >= 16#$3 + $4)); then
		show_file "checked file" "$1" 20
		fail "frame #$2 at $pc is not in [0x$3, 0x$3 + $4)"
	fi
}

t_jit_dump_synthetic() {
	start_target jitcode
	local pid outer inner
	pid=$(target_pid)
	read -r outer inner <<<"$READY_ARG"
	# shellcheck disable=SC2064
	trap "rm -f /tmp/perf-$pid.map; cleanup_targets" EXIT
	dump -p "$pid"
	assert_rc 0
	thread_block "$T/out" jit-0 >"$T/jit"
	# The later line for inner wins over the stale one; outer's name has
	# spaces; both are marked as compiled at run time.
	assert_frame "$T/jit" 0 'jit_inner\(long, char\*\) \[c2\] \[jit\]$'
	assert_frame "$T/jit" 1 'LazyCompile:\*jit_outer /tmp/jit\.js:1 \[jit\]$'
	jit_pc_in "$T/jit" 0 "$inner" 12
	# A return address: just past outer's call.
	jit_pc_in "$T/jit" 1 "$outer" 12
	# Below the code without unwind information, by its frame pointers:
	# the C caller and the rest of the thread.
	assert_frame "$T/jit" 2 'jit_caller at tests/targets/jitcode\.c:[0-9]+$'
	assert_frame "$T/jit" 3 'jit_thread at '
	assert_frame "$T/jit" 4 'start_thread '
	assert_no_match "$T/jit" 'stack incomplete|stale_inner|\?\?'
	assert_untouched "$pid"

	dump -p "$pid" -f json -o "$T/d.json"
	assert_rc 0
	py_check "$T/d.json" '
t = [t for t in d["threads"] if t["name"] == "jit-0"]
check(len(t) == 1, "no thread jit-0")
fr = t[0]["frames"]
check([f["module"] for f in fr[:3]] == ["jit", "jit", "jitcode"],
      "modules of the first frames: %s" % [f["module"] for f in fr[:3]])
check(fr[0]["function"] == "jit_inner(long, char*) [c2]", "frame 0: %s" % fr[0]["function"])
check(t[0]["error"] is None, "stack incomplete: %s" % t[0]["error"])
'
	assert_untouched "$pid"
	stop_target "$pid"
}

t_jit_record_synthetic() {
	start_target jitcode
	local pid
	pid=$(target_pid)
	# shellcheck disable=SC2064
	trap "rm -f /tmp/perf-$pid.map; cleanup_targets" EXIT
	run_ptprof record -p "$pid" -d 1 -f folded -o "$T/f.folded"
	assert_rc 0 1
	# Every sample of the spinning thread is in inner, called from outer,
	# called from jit_caller.
	local want='(^|;)jit_thread;jit_caller;LazyCompile:\*jit_outer /tmp/jit\.js:1;jit_inner\(long, char\*\) \[c2\] [0-9]+$'
	local all in
	all=$(awk '{ n += $NF } END { print n + 0 }' "$T/f.folded")
	in=$(grep -E -- "$want" "$T/f.folded" | awk '{ n += $NF } END { print n + 0 }')
	[ "$all" -gt 0 ] || fail "no samples"
	[ "$in" -eq "$all" ] || { show_file folded "$T/f.folded"; fail "$in of $all samples in the JIT chain"; }
	assert_untouched "$pid"

	# The flame graph colours code compiled at run time as "other".
	run_ptprof record -p "$pid" -d 0.5 -f flamegraph -o "$T/f.html"
	assert_rc 0 1
	assert_match "$T/f.html" 'data-name="jit_inner\(long, char\*\) \[c2\]" data-module="jit"[^>]* data-kind="other"'
	assert_untouched "$pid"

	# pprof: a mapping of its own that go tool pprof reads.
	if command -v go >/dev/null; then
		run_ptprof record -p "$pid" -d 0.5 -o "$T/p.pb.gz"
		assert_rc 0 1
		go_pprof_into "$T/raw" -raw "$T/p.pb.gz"
		assert_match "$T/raw" '\[jit\]'
		assert_match "$T/raw" 'jit_inner\(long, char\*\) \[c2\]'
	fi
	assert_untouched "$pid"
	stop_target "$pid"
}

# The JS below warms fibRecurse until V8's optimizing compiler has written
# it to the perf map, then says ready and recurses forever.
JIT_NODE_JS='
const fs = require("fs");
function fibRecurse(n) { return n < 2 ? n : fibRecurse(n - 1) + fibRecurse(n - 2); }
const map = "/tmp/perf-" + process.pid + ".map";
let optimized = false;
for (let i = 0; i < 2000 && !optimized; i++) {
	fibRecurse(18);
	optimized = i % 20 == 19 && fs.readFileSync(map, "utf8").includes("JS:*fibRecurse");
}
console.log(optimized ? "ready" : "unoptimized");
for (;;) fibRecurse(25);
'

t_jit_node() {
	command -v node >/dev/null || skip "node is not installed"
	command -v eu-stack >/dev/null || skip "eu-stack is not installed"
	# In $T: with a perf map V8 also writes isolate-*-v8.log where it runs.
	(cd "$T" && exec node --perf-basic-prof -e "$JIT_NODE_JS") >"$T/node.out" 2>"$T/node.err" &
	local pid=$!
	# shellcheck disable=SC2064
	trap "kill -9 $pid 2>/dev/null; rm -f /tmp/perf-$pid.map; cleanup_targets" EXIT
	wait_for_line "$T/node.out" '^(ready|unoptimized)$' 30 "$pid" ||
		{ show_file "node stderr" "$T/node.err"; fail "node did not start"; }
	grep -q '^ready$' "$T/node.out" || fail "V8 did not optimize fibRecurse"

	# What a native unwinder finds at the bottom of the main thread:
	# node::Start, or main when node::Start is not named.
	eu-stack -p "$pid" >"$T/eu" 2>&1
	local bottom
	bottom=$(awk -v tid="TID $pid:" '
		$0 == tid { on = 1; next }
		/^TID / { on = 0 }
		on && $3 ~ /^node::Start\(/ { print "node::Start"; exit }
		on && $3 == "main" { m = 1 }
		END { if (m) print "main" }' "$T/eu" | head -n1)
	[ -n "$bottom" ] || { show_file "eu-stack" "$T/eu"; fail "eu-stack found neither node::Start nor main"; }

	dump -p "$pid"
	assert_rc 0 1
	awk -v head="Thread $pid \"" 'index($0, head) == 1 { on = 1 } on && $0 == "" { exit } on' \
		"$T/out" >"$T/main"
	assert_frame "$T/main" 0 '.*fibRecurse.* \[jit\]$'
	assert_match "$T/main" " in $bottom[( ]"
	assert_not_traced "$pid"

	run_ptprof record -p "$pid" -d 3 -f folded -o "$T/f.folded"
	assert_rc 0 1
	# Samples in the JS function, and of those, how many reach the
	# native bottom below the JIT frames: most must.
	local js reach
	js=$(grep -E -- 'fibRecurse' "$T/f.folded" | awk '{ n += $NF } END { print n + 0 }')
	reach=$(grep -E -- 'fibRecurse' "$T/f.folded" | grep -F -- "$bottom" |
		awk '{ n += $NF } END { print n + 0 }')
	[ "$js" -ge 50 ] || { show_file folded "$T/f.folded" 20; fail "only $js samples name fibRecurse"; }
	((reach * 100 >= js * 90)) ||
		{ show_file folded "$T/f.folded" 20; fail "$reach of $js fibRecurse samples reach $bottom"; }
	assert_not_traced "$pid"
	[ "$(proc_state "$pid")" != gone ] || fail "node is gone"
}

# A process named java without a perf map gets one line saying how to
# have one, once per run; with a map, none.
t_jit_jvm_hint() {
	cp "$(command -v sleep)" "$T/java" || fail "cannot copy sleep"
	"$T/java" 1000 &
	local pid=$!
	# shellcheck disable=SC2064
	trap "kill -9 $pid 2>/dev/null; rm -f /tmp/perf-$pid.map; cleanup_targets" EXIT
	local deadline=$(($(now_ms) + 10000))
	until [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = java ]; do
		[ "$(now_ms)" -lt "$deadline" ] || fail "the copy of sleep did not start"
		sleep 0.01
	done
	local hint="^ptprof: process $pid is a JVM without /tmp/perf-$pid\\.map: .*\`jcmd $pid Compiler\\.perfmap\` writes one\$"
	dump -p "$pid"
	assert_rc 0
	assert_eq "$(grep -Ec -- "$hint" "$T/err")" 1 "hint lines of dump"
	# Nothing else but, sleep being stripped, the line on its missing debug info.
	assert_eq "$(grep -vc '^ptprof: no debug info for build id' "$T/err")" 1 "other lines of dump"
	run_ptprof record -m wall -p "$pid" -d 0.3 -f folded -o "$T/f.folded"
	assert_rc 0 1
	assert_eq "$(grep -Ec -- "$hint" "$T/err")" 1 "hint lines of record"
	: >"/tmp/perf-$pid.map"
	dump -p "$pid"
	assert_rc 0
	assert_no_match "$T/err" 'jcmd'
	assert_not_traced "$pid"
}

# A real JVM: the hint, then the map jcmd writes names its compiled Java
# code, and its frame pointers (-XX:+PreserveFramePointer) lead through the
# Java frames to the JVM's C++ and the thread's start.
t_jit_jvm() {
	command -v java >/dev/null && command -v jcmd >/dev/null || skip "java or jcmd is not installed"
	mkdir -p "$T/java"
	cat >"$T/java/Fib.java" <<'JAVA'
public class Fib {
	static int fibRecurse(int n) { return n < 2 ? n : fibRecurse(n - 1) + fibRecurse(n - 2); }
	public static void main(String[] a) {
		long s = 0;
		for (int i = 0; i < 300; i++) s += fibRecurse(20);
		System.out.println("ready");
		for (;;) s += fibRecurse(25);
	}
}
JAVA
	(cd "$T" && exec java -XX:+PreserveFramePointer java/Fib.java) >"$T/java.out" 2>"$T/java.err" &
	local pid=$!
	# shellcheck disable=SC2064
	trap "kill -9 $pid 2>/dev/null; rm -f /tmp/perf-$pid.map; cleanup_targets" EXIT
	wait_for_line "$T/java.out" '^ready$' 60 "$pid" ||
		{ show_file "java stderr" "$T/java.err"; fail "java did not start"; }
	dump -p "$pid"
	assert_rc 0 1
	assert_match "$T/err" "\`jcmd $pid Compiler\\.perfmap\`"
	assert_no_match "$T/out" '\[jit\]'

	jcmd "$pid" Compiler.perfmap >"$T/jcmd.out" 2>&1 || { show_file jcmd "$T/jcmd.out"; fail "jcmd failed"; }
	dump -p "$pid"
	assert_rc 0 1
	assert_no_match "$T/err" 'jcmd'
	# The thread running Java: its first frame is the compiled method,
	# and below the Java frames the JVM's own C++ and the thread start.
	awk '/^Thread / { blk = "" } { blk = blk $0 "\n" }
		/^$/ && blk ~ /Fib\.fibRecurse/ { done = 1; exit }
		END { if (done || blk ~ /Fib\.fibRecurse/) printf "%s", blk }' "$T/out" >"$T/fib"
	assert_match "$T/fib" ' in int Fib\.fibRecurse\(int\) \[jit\]$'
	assert_match "$T/fib" ' in JavaCalls::call_helper\(.*\[libjvm\.so\]$'
	assert_match "$T/fib" ' in start_thread '
	assert_no_match "$T/fib" 'stack incomplete'
	assert_not_traced "$pid"
}

# Hostile perf maps: a FIFO, links, random bytes, a huge sparse file, a
# file of another user.  ptprof neither hangs nor crashes, names nothing it
# should not, and still unwinds by the frame pointers.
t_jit_hostile_map() {
	start_target jitcode
	local pid map
	pid=$(target_pid)
	map=/tmp/perf-$pid.map
	# shellcheck disable=SC2064
	trap "rm -f $map; cleanup_targets" EXIT
	cp "$map" "$T/good.map"

	jit_dump_unnamed() {
		dump -p "$pid"
		assert_rc 0
		thread_block "$T/out" jit-0 >"$T/jit"
		assert_frame "$T/jit" 0 '\?\?$'
		assert_frame "$T/jit" 2 'jit_caller '
		assert_no_match "$T/jit" 'stack incomplete'
		assert_untouched "$pid"
	}
	rm -f "$map" && mkfifo "$map" || fail "mkfifo $map"
	jit_dump_unnamed
	rm -f "$map" && ln -s /dev/zero "$map" || fail "ln -s /dev/zero $map"
	jit_dump_unnamed
	# A link, even to a good map: the runtime writes a file, not a link.
	rm -f "$map" && ln -s "$T/good.map" "$map" || fail "ln -s $T/good.map $map"
	jit_dump_unnamed
	rm -f "$map" && head -c 1048576 /dev/urandom >"$map"
	dump -p "$pid"
	assert_rc 0
	thread_block "$T/out" jit-0 >"$T/jit"
	assert_frame "$T/jit" 2 'jit_caller '
	# Another user's file under the name: not the target's, not read.
	cp "$T/good.map" "$map" && chown nobody "$map" || fail "chown nobody $map"
	jit_dump_unnamed
	# Huge: the real lines come after 300 MiB of NUL bytes (sparse), past
	# what is read; one line before them is.
	rm -f "$map"
	{ grep stale_inner "$T/good.map"; } >"$map"
	truncate -s 300M "$map" && cat "$T/good.map" >>"$map"
	dump -p "$pid"
	assert_rc 0
	thread_block "$T/out" jit-0 >"$T/jit"
	assert_frame "$T/jit" 0 'stale_inner \[jit\]$'
	assert_frame "$T/jit" 1 '\?\?$'
	assert_frame "$T/jit" 2 'jit_caller '
	assert_untouched "$pid"
	stop_target "$pid"
}
