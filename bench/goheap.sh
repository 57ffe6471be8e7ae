#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/goheap.sh - part "goheap" of the benchmark (started by bench/run.sh):
# `ptprof heap` on a Go program with 20000 distinct allocation sites
# (build/targets/go-gosites: MemProfileRate 1, 20000 distinct stacks of
# main.left / main.right below main.descend, each keeping one 64-byte
# object; it prints the median of five of its own pprof.WriteHeapProfile
# to io.Discard, measured inside it, and its bucket count, then "ready",
# and allocates nothing more until its stdin closes).
#   - wall time of `ptprof heap -p PID -o FILE`, BENCH_RUNS runs (median),
#     beside the program's own WriteHeapProfile time (taken once, at its
#     start: the two are not interleaved, so load on the machine shows in
#     their ratio); and ptprof's CPU time (user+sys) in the same runs
#   - how long the target was stopped: the ptrace calls of one run under
#     strace -f -c (none: no thread was ever stopped; a count, not a
#     timing), with its process_vm_readv calls, and the records read and
#     bucket bytes copied from ptprof's -v line
#   - the output of the untimed warm-up run (-v), checked: its samples as
#     written (the Sample messages in the file) against the target's
#     buckets, the samples as `go tool pprof -raw` shows them, and the
#     in-use objects under main.descend, main.left and main.right
#   - for context only (no target): Go's pprof reading that file back
#     (`go tool pprof -raw`, offline), one run
# After every run the target must be alive and no thread of it traced or
# stopped.  The target is built with the Makefile's rule when missing.

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init goheap "$@"

GOSITES_BIN=build/targets/go-gosites
GOSITES_OBJECT=64     # bytes each keeps
REF=tests/go/ref.py
GH_PID=''

# ------------------------------------------------------------ set-up --

if [ ! -x "$GOSITES_BIN" ]; then
	[ "$HAVE_GO" = 1 ] || die "$GOSITES_BIN is missing and go is not installed (Debian package golang-go)"
	say "bench: building $GOSITES_BIN"
	make -s "$GOSITES_BIN" >&2 || die "could not build $GOSITES_BIN (make $GOSITES_BIN)"
fi
command -v python3 >/dev/null 2>&1 || die "python3 is needed (tests/go/ref.py)"
GO_VERSION=$(go version 2>/dev/null || echo 'go: not installed')
STRACE_VERSION=$([ "$HAVE_STRACE" = 1 ] && strace -V 2>&1 | head -1 || echo 'strace: not installed')

# Go's pprof, offline (as tests/e2e/lib.sh runs it), or why not.
GO_PPROF_NA=
mkdir -p "$WORK/go-home"
go_pprof() {
	"${GO_ENV[@]}" GOPATH="$WORK/go-home/path" GOFLAGS='' GOPROXY=off PPROF_TMPDIR="$WORK/go-home" \
		timeout "$TIMEOUT" go tool pprof "$@"
}
if [ "$HAVE_GO" = 0 ]; then
	GO_PPROF_NA="go not installed"
elif ! go_pprof -h >/dev/null 2>&1; then
	GO_PPROF_NA="go tool pprof does not run"
fi

HFAIL[ptprof]=0
# After every run: alive, no thread traced or stopped; the thread count is
# not held fixed (the Go runtime starts threads when it likes) but noted.
HTASKS=
check_gh() { # what
	local n
	n=$(ls "/proc/$GH_PID/task" 2>/dev/null | wc -l)
	check_pid "$1" "$GH_PID" "$n"
	if [ "$n" != "$HTASKS" ]; then
		HNOTES+=("target $GH_PID had $HTASKS threads, $n after: $1")
		HTASKS=$n
	fi
}
hfail() { # what rc stderr-file
	HFAIL[ptprof]=$((HFAIL[ptprof] + 1))
	HNOTES+=("ptprof heap failed in $1: $(why "$2" "$3")")
	PTPROF_FAILED[$PART]=1
}

# ------------------------------------------------------------ target --
#
# On FIFOs: fd 3 its stdin, fd 4 its stdout; it prints "writeheap_ns N",
# "buckets N", then "ready".

rm -f "$WORK/hin" "$WORK/hout"
mkfifo "$WORK/hin" "$WORK/hout"
"$GOSITES_BIN" <"$WORK/hin" >"$WORK/hout" 2>"$LOG/go-gosites.stderr" &
GH_PID=$!
TPID=$GH_PID
exec 3>"$WORK/hin" 4<"$WORK/hout"
OWN_NS='' BUCKETS='' line=''
while read -r -t 120 -u 4 line; do
	case $line in
	"writeheap_ns "*) OWN_NS=${line#writeheap_ns } ;;
	"buckets "*) BUCKETS=${line#buckets } ;;
	ready) break ;;
	*) die "$GOSITES_BIN printed '$line' before ready" ;;
	esac
done
[ "$line" = ready ] || die "$GOSITES_BIN did not get ready: '$line' $(cat "$LOG/go-gosites.stderr")"
if ! is_uint "$OWN_NS" || ! is_uint "$BUCKETS"; then
	die "$GOSITES_BIN printed no writeheap_ns / buckets before ready (got '$OWN_NS' / '$BUCKETS')"
fi
HTASKS=$(ls "/proc/$GH_PID/task" | wc -l)
check_gh "start-up of $GOSITES_BIN"
HV[own.ns]=$OWN_NS HV[buckets]=$BUCKETS
HV[target.stderr]=$(head -c 300 "$LOG/go-gosites.stderr" | tr '\n' ' ')
say "bench: go-gosites pid $GH_PID ready: $BUCKETS buckets, its own WriteHeapProfile $(fmt_ms "$OWN_NS") ($HTASKS threads)"

HEAP=("${PTPROF_HEAP_WORDS[@]}" -p "$GH_PID")
HCMD[ptprof]="$(shjoin timeout "$TIMEOUT" "${HEAP[@]}" -o "$OUT/goheap.N.pb.gz") 2> $LOG/goheap.N.stderr"

# ------------------------------------------------- warm-up and check --

WARM=$OUT/goheap.warmup.pb.gz
CMD=(timeout "$TIMEOUT" "${HEAP[@]}" -o "$WARM" -v)
HCMD[warmup]="$(shjoin "${CMD[@]}") 2> $LOG/goheap.warmup.stderr"
say "bench: warm-up ptprof heap (-v) on go-gosites"
rc=0
"${CMD[@]}" </dev/null >/dev/null 2>"$LOG/goheap.warmup.stderr" || rc=$?
check_gh "warm-up run: $(shjoin "${CMD[@]}")"
if [ "$rc" != 0 ]; then
	hfail "the warm-up run" "$rc" "$LOG/goheap.warmup.stderr"
	HCHECK+=("ptprof heap failed in the warm-up run: nothing to check")
else
	# "heap: N records (K KiB of buckets) read in T ms, W walk(s)"
	v=$(awk '/: [0-9]+ records \([0-9]+ KiB of buckets\) read in [0-9.]+ ms, [0-9]+ walk/ {
		for (i = 2; i <= NF; i++) {
			if ($i == "records") n = $(i - 1)
			if ($i == "KiB") k = substr($(i - 1), 2)
			if ($i == "in" && $(i - 1) == "read") t = $(i + 1)
			if ($i ~ /^walks?,?$/) w = $(i - 1)
		}
		ok = 1 }
		END { if (!ok) exit 1; printf "%d %d %s %d\n", n, k, t, w }' "$LOG/goheap.warmup.stderr") ||
		v=''
	if [ -n "$v" ]; then
		read -r a b c d <<<"$v"
		HV[v.records]=$a HV[v.kib]=$b HV[v.read_ms]=$c HV[v.walks]=$d
	else
		HNOTES+=("no 'N records (K KiB of buckets) read in T ms' line in ptprof's -v stderr: $(head -c 300 "$LOG/goheap.warmup.stderr" | tr '\n' ' ')")
	fi

	# The samples as written: the file's Sample messages.
	if n=$(python3 -c 'import sys; sys.path.insert(0, "tests/go"); import ref
print(len(ref.read_pprof(sys.argv[1])["samples"]))' "$WARM" 2>"$LOG/goheap.check.stderr"); then
		HV[file.samples]=$n
	else
		HCHECK+=("tests/go/ref.py cannot read $WARM: $(head -c 300 "$LOG/goheap.check.stderr" | tr '\n' ' ')")
		PTPROF_FAILED[$PART]=1
	fi
	# In-use objects (one per site, by construction) under the site functions.
	if c=$(python3 "$REF" pprof-counts --index inuse_objects "$WARM" main.descend main.left main.right 2>"$LOG/goheap.check.stderr"); then
		HV[descend.objects]=$(awk '$1 == "main.descend" { print $2 }' <<<"$c")
		HV[left.objects]=$(awk '$1 == "main.left" { print $2 }' <<<"$c")
		HV[right.objects]=$(awk '$1 == "main.right" { print $2 }' <<<"$c")
		HV[all.objects]=$(awk '$1 == "total" { print $2 }' <<<"$c")
	else
		HCHECK+=("tests/go/ref.py pprof-counts cannot read $WARM: $(head -c 300 "$LOG/goheap.check.stderr" | tr '\n' ' ')")
		PTPROF_FAILED[$PART]=1
	fi
	# The samples as Go's pprof shows them (merged by stack, all-zero ones dropped).
	if [ -z "$GO_PPROF_NA" ]; then
		if t=$(python3 "$REF" pprof-totals "$WARM" 2>"$LOG/goheap.check.stderr"); then
			HV[pprof.samples]=$(python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["samples"])' <<<"$t")
		else
			HCHECK+=("go tool pprof -raw cannot read $WARM: $(head -c 300 "$LOG/goheap.check.stderr" | tr '\n' ' ')")
			PTPROF_FAILED[$PART]=1
		fi
	fi

	n=${HV[file.samples]:-} d=${HV[descend.objects]:-}
	slack=$((BUCKETS * GOHEAP_SLACK_PCT / 100))
	HV[slack]=$slack
	if is_uint "$n" && is_uint "$d"; then
		ok=$(awk -v n="$n" -v b="$BUCKETS" -v s="$slack" -v d="$d" -v want="$GOSITES_SITES" \
			-v l="${HV[left.objects]:-0}" -v r="${HV[right.objects]:-0}" \
			'BEGIN { print (n >= b - s && d == want && l > 0 && r > 0) ? "yes" : "no" }')
		HV[check.ok]=$ok
		HCHECK+=("ptprof heap -v: exit 0, $n samples in the file for the target's $BUCKETS buckets (at least $((BUCKETS - slack)) wanted: $GOHEAP_SLACK_PCT% slack); ${HV[pprof.samples]:-?} as go tool pprof -raw shows them (it merges samples of the same stack and drops all-zero ones, such as the buckets of the target's five WriteHeapProfile calls)")
		HCHECK+=("in-use objects under main.descend: $d (the target keeps one $GOSITES_OBJECT-byte object from each of its $GOSITES_SITES sites: $GOSITES_SITES wanted), under main.left: ${HV[left.objects]:-?} (by construction $((GOSITES_SITES - 1)): counter 0 goes right at every level), under main.right: ${HV[right.objects]:-?} (by construction $GOSITES_SITES), in all: ${HV[all.objects]:-?}")
		[ "$ok" = yes ] || { HCHECK+=("WARNING: the output check FAILED"); PTPROF_FAILED[$PART]=1; }
	else
		HV[check.ok]=no
		PTPROF_FAILED[$PART]=1
	fi
fi

# ------------------------------------------------------- timed runs --

printf 'run\twall_ns\tcpu_s\n' >"$LOG/goheap.tsv"
for r in $(seq 1 "$RUNS"); do
	f=$OUT/goheap.$r.pb.gz
	CMD=(timeout "$TIMEOUT" "${HEAP[@]}" -o "$f")
	say "bench: run $r/$RUNS ptprof heap on go-gosites"
	rc=0
	t0=$(now_ns)
	timed_run "$LOG/goheap.$r.times" /dev/null "$LOG/goheap.$r.stderr" "${CMD[@]}" </dev/null || rc=$?
	t1=$(now_ns)
	check_gh "run $r: $(shjoin "${CMD[@]}")"
	if [ "$rc" != 0 ]; then
		hfail "run $r" "$rc" "$LOG/goheap.$r.stderr"
		continue
	fi
	cpu=$(cpu_of "$LOG/goheap.$r.times") || cpu=''
	HV[ptprof.wall]+=" $((t1 - t0))"
	[ -z "$cpu" ] || HV[ptprof.cpu]+=" $cpu"
	printf '%s\t%s\t%s\n' "$r" "$((t1 - t0))" "${cpu:--}" >>"$LOG/goheap.tsv"
	rm -f "$f"
done

# ------------------------------------------------- the strace run --

if [ "$HAVE_STRACE" = 1 ]; then
	f=$LOG/goheap.strace
	CMD=(timeout "$TIMEOUT" strace -f -c -e "trace=ptrace,process_vm_readv" -o "$f" "${HEAP[@]}" -o "$OUT/goheap.strace.pb.gz")
	HCMD[strace]="$(shjoin "${CMD[@]}") 2> $LOG/goheap.strace.stderr"
	say "bench: ptprof heap on go-gosites under strace -f -c"
	rc=0
	"${CMD[@]}" </dev/null >/dev/null 2>"$LOG/goheap.strace.stderr" || rc=$?
	check_gh "the strace run: $(shjoin "${CMD[@]}")"
	if [ "$rc" != 0 ] || [ ! -s "$f" ]; then
		hfail "the strace run" "$rc" "$LOG/goheap.strace.stderr"
	else
		HV[sys.ptrace]=$(strace_calls "$f" ptrace)
		HV[sys.readv]=$(strace_calls "$f" process_vm_readv)
		HV[sys.readv_err]=$(awk '$NF == "process_vm_readv" && $1 ~ /^[0-9.]+$/ && NF == 6 { n = $5 } END { print n + 0 }' "$f")
	fi
fi

# ----------------------------------- context: Go's pprof reading it --

if [ -z "$GO_PPROF_NA" ] && [ -s "$WARM" ]; then
	HCMD[gopprof]="$(shjoin go tool pprof -raw "$WARM") > /dev/null (offline: HOME, GOCACHE, GOPATH, PPROF_TMPDIR in the scratch directory, GOPROXY=off, GOFLAGS=)"
	say "bench: go tool pprof -raw of ptprof's file (context)"
	rc=0
	t0=$(now_ns)
	go_pprof -raw "$WARM" >/dev/null 2>"$LOG/goheap.gopprof.stderr" || rc=$?
	t1=$(now_ns)
	if [ "$rc" = 0 ]; then
		HV[gopprof.ns]=$((t1 - t0))
	else
		HNOTES+=("go tool pprof -raw failed: $(why "$rc" "$LOG/goheap.gopprof.stderr")")
	fi
fi

check_gh "the last run"
exec 3>&- 4<&-
stop_pid "$GH_PID"
TPID=
# Its promise: nothing allocated, no collection, no new bucket since "ready".
HV[target.after]=$(sed -n 's/^gosites: since ready: //p' "$LOG/go-gosites.stderr" | head -1)
case ${HV[target.after]} in
"mallocs=0 collections=0 mem_records=+0") ;;
'') HNOTES+=("go-gosites printed no 'since ready' line: $(tail -c 300 "$LOG/go-gosites.stderr" | tr '\n' ' ')") ;;
*) HNOTES+=("go-gosites since ready: ${HV[target.after]} (it should not have allocated)") ;;
esac

note_load "$PART.end"
save_figures goheap GH_PID HV HCMD HFAIL HCHECK HNOTES GO_PPROF_NA GO_VERSION STRACE_VERSION LOAD_AT PTPROF_FAILED
