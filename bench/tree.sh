#!/bin/bash
# shellcheck disable=SC2034  # (the figures are saved by name: save_figures)
# bench/tree.sh - part "tree" of the benchmark (started by bench/run.sh):
# `ptprof dump --children` of a process tree, build/targets/proctree
# -n TREE_WORKERS -t TREE_THREADS (a parent and worker processes of one
# binary, every thread asleep in pause), runs interleaved BENCH_RUNS times:
#   - wall time of `ptprof dump --children -p PARENT` (the whole tree)
#   - wall time of `ptprof dump -p WORKER` (one worker alone), and the
#     ratio of the two (the issue's target: at most 3x)
#   - for context: the same tree dumped one process at a time, one ptprof
#     run per process (what a tree cost before --children: every run
#     symbolizes libc and the binary again), and eu-stack -i -s -p PID
#     for each process in a loop (eu-stack takes one process per run)
# One untimed warm-up run of each comes first; ptprof's are run with -v
# and checked: every process has its header, every worker its function,
# and the symbols line says how many symbols libdw resolved and how many
# were copied from another process's (each binary symbolized once: the
# tree resolves about as many as one worker alone).  After every run the
# parent and every worker must be alive, untraced and not stopped.

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
part_init tree "$@"

TREE_BIN=build/targets/proctree
[ -x "$TREE_BIN" ] || die "$TREE_BIN is missing (make targets)"
EU_VERSION=$([ "${AVAIL[eu-stack]}" = 1 ] && eu-stack --version 2>&1 | head -1 || echo 'eu-stack: not installed')

TFAIL[ptprof]=0
tfail() { # what rc stderr-file
	TFAIL[ptprof]=$((TFAIL[ptprof] + 1))
	TNOTES+=("ptprof failed in $1: $(why "$2" "$3")")
	PTPROF_FAILED[$PART]=1
}

# ------------------------------------------------------------ target --

rm -f "$WORK/tin" "$WORK/tout"
mkfifo "$WORK/tin" "$WORK/tout"
"$TREE_BIN" -n "$TREE_WORKERS" -t "$TREE_THREADS" <"$WORK/tin" >"$WORK/tout" 2>"$LOG/proctree.stderr" &
TPID=$!
exec 3>"$WORK/tin" 4<"$WORK/tout"
line=
read -r -t 120 -u 4 line || true
case $line in
"ready "*) KIDS=${line#ready } ;;
*) die "$TREE_BIN did not get ready: '$line' $(cat "$LOG/proctree.stderr")" ;;
esac
IFS=, read -r -a KID <<<"$KIDS"
[ "${#KID[@]}" = "$TREE_WORKERS" ] || die "$TREE_BIN printed $KIDS: not $TREE_WORKERS workers"
ALL=("$TPID" "${KID[@]}")
TV[parent]=$TPID TV[worker]=${KID[0]} TV[nproc]=${#ALL[@]}
say "bench: process tree ready: parent $TPID, $TREE_WORKERS workers of $TREE_THREADS threads"

check_tree() { # what
	local k
	check_pid "$1" "$TPID" 1
	for k in "${KID[@]}"; do check_pid "$1" "$k" "$TREE_THREADS"; done
}
check_tree "start-up"

TREE=("${PTPROF_WORDS[@]}" --children -p "$TPID")
ONE=("${PTPROF_WORDS[@]}" -p "${KID[0]}")
TCMD[tree]="$(shjoin timeout "$TIMEOUT" "${TREE[@]}") > /dev/null"
TCMD[one]="$(shjoin timeout "$TIMEOUT" "${ONE[@]}") > /dev/null"
TCMD[each]="for PID in $TPID ${KID[*]}; do $(shjoin timeout "$TIMEOUT" "${PTPROF_WORDS[@]}") -p \$PID; done > /dev/null"
TCMD[eu]="for PID in $TPID ${KID[*]}; do timeout $TIMEOUT eu-stack -i -s -p \$PID; done > /dev/null"

# One ptprof run per process, or eu-stack's; the first failure's status.
each_ptprof() {
	local p rc=0
	for p in "${ALL[@]}"; do timeout "$TIMEOUT" "${PTPROF_WORDS[@]}" -p "$p" || rc=$?; done
	return "$rc"
}
each_eu() {
	local p rc=0
	for p in "${ALL[@]}"; do timeout "$TIMEOUT" eu-stack -i -s -p "$p" || rc=$?; done
	return "$rc"
}

# "ptprof: symbols: R resolved, S shared across processes" -> "R S"
symbols_line() {
	awk '/^ptprof: symbols: [0-9]+ resolved, [0-9]+ shared across processes$/ { print $3, $5; ok = 1 }
	     END { exit !ok }' "$1"
}

# ------------------------------------------------- warm-up and check --

say "bench: warm-up ptprof dump --children -v (the tree)"
rc=0
"${TREE[@]}" -v </dev/null >"$OUT/tree.txt" 2>"$LOG/tree.warmup.stderr" || rc=$?
check_tree "warm-up: $(shjoin "${TREE[@]}" -v)"
TCMD[warmup]="$(shjoin "${TREE[@]}" -v) > $OUT/tree.txt 2> $LOG/tree.warmup.stderr"
if [ "$rc" != 0 ]; then
	tfail "the warm-up run of the tree" "$rc" "$LOG/tree.warmup.stderr"
else
	nh=$(grep -c '^ptprof dump: pid ' "$OUT/tree.txt" || true)
	nf=$(grep -cE ' in tree_(alpha|beta|gamma) at ' "$OUT/tree.txt" || true)
	ok=yes
	[ "$nh" = "${#ALL[@]}" ] && [ "$nf" = "$TREE_WORKERS" ] || ok=no
	if v=$(symbols_line "$LOG/tree.warmup.stderr"); then
		read -r TV[tree.resolved] TV[tree.shared] <<<"$v"
	else
		ok=no
		TNOTES+=("no symbols line in the -v stderr of the tree's warm-up: $(head -c 300 "$LOG/tree.warmup.stderr" | tr '\n' ' ')")
	fi
	TV[check.ok]=$ok
	TCHECK+=("tree (-v): exit 0, $nh process headers for ${#ALL[@]} processes, $nf worker frames in tree_alpha/beta/gamma for $TREE_WORKERS workers; symbols: ${TV[tree.resolved]:-?} resolved by libdw, ${TV[tree.shared]:-?} copied from another process")
	[ "$ok" = yes ] || { TCHECK+=("WARNING: the output check of the tree FAILED"); PTPROF_FAILED[$PART]=1; }
fi

# The same worker alone, through the several-process path (--children of
# a process without children), for its symbols line.
say "bench: warm-up ptprof dump (one worker)"
rc=0
"${PTPROF_WORDS[@]}" --children -v -p "${KID[0]}" </dev/null >"$OUT/one.txt" 2>"$LOG/one.warmup.stderr" || rc=$?
check_tree "warm-up: one worker"
if [ "$rc" != 0 ]; then
	tfail "the warm-up run of one worker" "$rc" "$LOG/one.warmup.stderr"
elif v=$(symbols_line "$LOG/one.warmup.stderr"); then
	read -r TV[one.resolved] TV[one.shared] <<<"$v"
	TCHECK+=("one worker alone (--children -v -p ${KID[0]}): exit 0, symbols: ${TV[one.resolved]} resolved by libdw")
fi
say "bench: warm-up, one ptprof per process"
rc=0
each_ptprof </dev/null >"$OUT/each.txt" 2>"$LOG/each.warmup.stderr" || rc=$?
check_tree "warm-up: one ptprof per process"
[ "$rc" = 0 ] || tfail "the warm-up run of one ptprof per process" "$rc" "$LOG/each.warmup.stderr"
if [ "${AVAIL[eu-stack]}" = 1 ]; then
	say "bench: warm-up, eu-stack per process"
	rc=0
	each_eu </dev/null >"$OUT/eu.txt" 2>"$LOG/eu.warmup.stderr" || rc=$?
	check_tree "warm-up: eu-stack per process"
	TCHECK+=("eu-stack per process: exit $rc, $(grep -cE 'tree_(alpha|beta|gamma)' "$OUT/eu.txt" || true) frames in tree_alpha/beta/gamma")
fi

# ------------------------------------------------------- timed runs --

timed() { # key command...
	local key=$1 rc=0 t0 t1
	shift
	t0=$(now_ns)
	"$@" </dev/null >/dev/null 2>"$LOG/tree.$key.$r.stderr" || rc=$?
	t1=$(now_ns)
	check_tree "run $r of $key"
	if [ "$rc" != 0 ]; then
		if [ "$key" = eu ]; then
			TNOTES+=("eu-stack failed in run $r: $(why "$rc" "$LOG/tree.$key.$r.stderr")")
		else
			tfail "run $r of $key" "$rc" "$LOG/tree.$key.$r.stderr"
		fi
		return 0
	fi
	TV[$key.wall]+=" $((t1 - t0))"
	printf '%s\t%s\t%s\n' "$r" "$key" "$((t1 - t0))" >>"$LOG/tree.tsv"
}

printf 'run\tkey\twall_ns\n' >"$LOG/tree.tsv"
for r in $(seq 1 "$RUNS"); do
	say "bench: run $r/$RUNS: the tree, one worker, one ptprof per process, eu-stack per process"
	timed tree "${TREE[@]}"
	timed one "${ONE[@]}"
	timed each each_ptprof
	[ "${AVAIL[eu-stack]}" != 1 ] || timed eu each_eu
done
check_tree "the last run"

exec 3>&- 4<&-
stop_pid "$TPID"
TPID=

note_load "$PART.end"
save_figures tree TV TCMD TFAIL TCHECK TNOTES EU_VERSION LOAD_AT PTPROF_FAILED
