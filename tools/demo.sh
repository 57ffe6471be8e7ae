#!/bin/sh
# make demo: start the bundled job server, show what ptprof finds in it.
set -eu
B=${1:-build}
PTPROF=$B/ptprof
WORK=$B/demo-workload
GOWORK=$B/demo-goworkload
tmp=$(mktemp -d)
trap 'exec 3>&- 4>&- 2>/dev/null; for p in ${pid:-} ${gopid:-}; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# start NAME FD BINARY: run BINARY with a fifo on FD as its stdin (held
# open, it keeps the workload running) and wait for its "ready" line.
# Sets started to its pid.
start() {
	mkfifo "$tmp/$1.in"
	"$3" < "$tmp/$1.in" > "$tmp/$1.out" &
	started=$!
	eval "exec $2> \"\$tmp/\$1.in\""
	i=0
	until grep -q '^ready' "$tmp/$1.out" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || { echo "demo $1 did not start" >&2; exit 1; }
		kill -0 "$started" 2>/dev/null || { echo "demo $1 died" >&2; exit 1; }
		sleep 0.01
	done
}

# pt ARG...: ptprof, where exit status 1 (done, a few threads or frames
# unreadable, said on stderr) is a result to show, not a failure.
pt() {
	rc=0
	"$PTPROF" "$@" || rc=$?
	[ "$rc" -le 1 ] || exit "$rc"
}

start workload 3 "$WORK"
pid=$started

echo "== ptprof dump -p $pid -g    (threads with the same stack folded)"
pt dump -p "$pid" -g
echo
echo "== ptprof dump -p $pid -t $pid --no-lines    (one thread, names only)"
pt dump -p "$pid" -t "$pid" --no-lines
echo
echo "== ptprof dump -p $pid -f pprof -o demo-threads.pb.gz; go tool pprof -top"
pt dump -p "$pid" -f pprof -o demo-threads.pb.gz
if command -v go >/dev/null 2>&1; then
	HOME=${HOME:-$tmp} GOCACHE=$tmp/gocache GOTOOLCHAIN=local \
		go tool pprof -top demo-threads.pb.gz 2>/dev/null | head -15
fi
echo
echo "== ptprof record -p $pid -d 3 -o demo.pb.gz    (a 3-second CPU profile)"
pt record -p "$pid" -d 3 -o demo.pb.gz
if command -v go >/dev/null 2>&1; then
	echo "== go tool pprof -top demo.pb.gz"
	HOME=${HOME:-$tmp} GOCACHE=$tmp/gocache GOTOOLCHAIN=local \
		go tool pprof -top demo.pb.gz 2>/dev/null | head -12
fi
echo
echo "== ptprof record -p $pid -d 2 -m wall -o demo.txt    (wall clock: where threads wait)"
pt record -p "$pid" -d 2 -m wall -o demo.txt
cat demo.txt
echo
echo "== ptprof record -p $pid -d 3 --threads -o demo.svg    (a flame graph: open demo.svg in a browser)"
pt record -p "$pid" -d 3 --threads -o demo.svg
echo
echo "== ptprof report --top 8 demo.pb.gz    (reads any pprof file; no Go needed)"
pt report --top 8 demo.pb.gz
echo
echo "== ptprof top -p $pid -d 2500ms --top 8 | cat    (the live view; without a terminal, one report a second)"
pt top -p "$pid" -d 2500ms --top 8 </dev/null | cat
echo
echo "The workload is still running untraced:"
grep -h TracerPid /proc/"$pid"/task/*/status | sort | uniq -c

start goworkload 4 "$GOWORK"
gopid=$started
echo
echo "== ptprof dump -p $gopid -g    (a Go service: its goroutines, grouped like goroutine?debug=1)"
pt dump -p "$gopid" -g
echo
echo "== ptprof record -p $gopid -d 3 -o demo-go.svg    (a Go flame graph: open demo-go.svg)"
pt record -p "$gopid" -d 3 -o demo-go.svg
echo
echo "== ptprof heap -p $gopid -f text --top 6    (its heap profile, as runtime/pprof would write it; no port, no restart)"
pt heap -p "$gopid" -f text --top 6
