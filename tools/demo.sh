#!/bin/sh
# make demo: start the bundled job server, show what ptprof finds in it.
set -eu
B=${1:-build}
PTPROF=$B/ptprof
WORK=$B/demo-workload
tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

mkfifo "$tmp/in"
"$WORK" < "$tmp/in" > "$tmp/out" &
pid=$!
exec 3> "$tmp/in"   # holding stdin open keeps the workload running
# Readiness: the workload prints "ready" once all its threads run.
i=0
until grep -q '^ready' "$tmp/out" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 500 ] || { echo "demo workload did not start" >&2; exit 1; }
	kill -0 "$pid" 2>/dev/null || { echo "demo workload died" >&2; exit 1; }
	sleep 0.01
done

echo "== ptprof dump -p $pid -g    (threads with the same stack folded)"
"$PTPROF" dump -p "$pid" -g
echo
echo "== ptprof dump -p $pid -t $pid --no-lines    (one thread, names only)"
"$PTPROF" dump -p "$pid" -t "$pid" --no-lines
echo
echo "== ptprof dump -p $pid -f pprof -o demo-threads.pb.gz; go tool pprof -top"
"$PTPROF" dump -p "$pid" -f pprof -o demo-threads.pb.gz
if command -v go >/dev/null 2>&1; then
	HOME=${HOME:-$tmp} GOCACHE=$tmp/gocache GOTOOLCHAIN=local \
		go tool pprof -top demo-threads.pb.gz 2>/dev/null | head -15
fi
echo
echo "== ptprof record -p $pid -d 3 -o demo.pb.gz    (a 3-second CPU profile)"
"$PTPROF" record -p "$pid" -d 3 -o demo.pb.gz
if command -v go >/dev/null 2>&1; then
	echo "== go tool pprof -top demo.pb.gz"
	HOME=${HOME:-$tmp} GOCACHE=$tmp/gocache GOTOOLCHAIN=local \
		go tool pprof -top demo.pb.gz 2>/dev/null | head -12
fi
echo
echo "== ptprof record -p $pid -d 2 -m wall -o demo.txt    (wall clock: where threads wait)"
"$PTPROF" record -p "$pid" -d 2 -m wall -o demo.txt
cat demo.txt
echo
echo "== ptprof record -p $pid -d 3 --threads -o demo.svg    (a flame graph: open demo.svg in a browser)"
"$PTPROF" record -p "$pid" -d 3 --threads -o demo.svg
echo
echo "== ptprof report --top 8 demo.pb.gz    (reads any pprof file; no Go needed)"
"$PTPROF" report --top 8 demo.pb.gz
echo
echo "== ptprof top -p $pid -d 2500ms --top 8 | cat    (the live view; without a terminal, one report a second)"
"$PTPROF" top -p "$pid" -d 2500ms --top 8 </dev/null | cat
echo
echo "The workload is still running untraced:"
grep -h TracerPid /proc/"$pid"/task/*/status | sort | uniq -c
