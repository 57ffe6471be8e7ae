# tests/e2e/t_node.sh - ptprof against Node.js.
#
# Node maps its own executable a second time elsewhere (V8's remapped
# embedded builtins: another r-xp mapping of the node binary, at a file
# offset far from the first).  Reporting both to libdw made it free a
# module still in use and ptprof crash in dwfl_module_getsymtab.  Here a
# node process runs a known recursive function; dump and record must
# finish (exit 0 or 1), leave it untraced and running, and the main
# thread's stack must reach node::Start or main whenever eu-stack's does
# in the same run.  JIT frames are not required to have names.

# The script: prints "ready" once the recursion has run, answers "ping"
# with "pong", exits 0 at EOF on stdin, like the targets in build/targets.
node_script() {
	cat >"$T/recurse.js" <<'EOF'
function recurse(n) { return n <= 0 ? 0 : recurse(n - 1) + 1; }
let ready = false;
const timer = setInterval(() => {
	for (let i = 0; i < 20000; i++) recurse(50);
	if (!ready) { ready = true; process.stdout.write("ready\n"); }
}, 1);
let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
	buf += d;
	let i;
	while ((i = buf.indexOf("\n")) >= 0) {
		if (buf.slice(0, i) === "ping") process.stdout.write("pong\n");
		buf = buf.slice(i + 1);
	}
});
process.stdin.on("end", () => { clearInterval(timer); process.exit(0); });
EOF
	local node
	node=$(command -v node)
	printf '#!/bin/sh\nexec %s %s\n' "$node" "$T/recurse.js" >"$T/node-recurse"
	chmod +x "$T/node-recurse"
}

# start_node: the script under node, as a target (LAST_PID).
start_node() {
	command -v node >/dev/null || skip "node is not installed"
	node_script
	TARGETS_DIR=$T start_target node-recurse
	local exe
	exe=$(readlink "/proc/$LAST_PID/exe")
	# Say so when this node does not map itself twice: the test then
	# checks less than it means to.
	if [ "$(awk -v exe="$exe" '$6 == exe && $2 ~ /x/' "/proc/$LAST_PID/maps" | wc -l)" -lt 2 ]; then
		echo "note: $exe has fewer than two executable mappings here"
	fi
}

# node_main_block FILE PID: the dump text's block of thread PID.
node_main_block() {
	awk -v tid="$2" '
		$1 == "Thread" && $2 == tid { on = 1 }
		on && $0 == "" { exit }
		on { print }
	' "$1"
}

t_node_dump() {
	start_node
	local pid=$LAST_PID want=
	if command -v eu-stack >/dev/null; then
		timeout 30 eu-stack -p "$pid" >"$T/eu" 2>&1
		assert_not_traced "$pid"
		awk -v tid="$pid" '$1 == "TID" { on = ($2 == tid ":") } on' "$T/eu" >"$T/eu.main"
		if grep -Eq ' (node::Start\(|main$)' "$T/eu.main"; then
			want=1
		fi
	fi
	# Three tries: a sample may land where frames cannot be walked, a
	# crash on any of them fails.
	local i reached=
	for i in 1 2 3; do
		dump -p "$pid"
		assert_rc 0 1
		assert_match "$T/out" "^Thread $pid "
		node_main_block "$T/out" "$pid" >"$T/main.$i"
		assert_untouched "$pid"
		if grep -Eq ' in (node::Start\(|main( |$))' "$T/main.$i"; then
			reached=1
			break
		fi
	done
	if [ -n "$want" ] && [ -z "$reached" ]; then
		show_file "eu-stack's main thread" "$T/eu.main" 40
		show_file "ptprof's main thread" "$T/main.3" 40
		fail "eu-stack reaches node::Start or main, ptprof's dumps of thread $pid do not"
	fi
	dump -p "$pid" -f json -o "$T/d.json"
	assert_rc 0 1
	assert_untouched "$pid"
	stop_target "$pid"
}

t_node_record() {
	start_node
	local pid=$LAST_PID
	run_ptprof record -p "$pid" -d 2 -o "$T/n.pb.gz"
	assert_rc 0 1
	[ -s "$T/n.pb.gz" ] || fail "no profile written"
	assert_untouched "$pid"
	run_ptprof record -p "$pid" -d 1 -f folded -o "$T/n.folded"
	assert_rc 0 1
	assert_untouched "$pid"
	# The main thread runs the timers: its stacks come up through them.
	assert_match "$T/n.folded" '(^|;)(main|node::Start\(int, char\*\*\));'
	if command -v go >/dev/null; then
		go_pprof_into "$T/raw" -raw "$T/n.pb.gz"
	fi
	stop_target "$pid"
}
