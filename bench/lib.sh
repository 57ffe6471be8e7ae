# shellcheck shell=bash disable=SC2034  # (settings and figures used by the files sourcing this one)
# bench/lib.sh - sourced by bench/run.sh and by every part of the benchmark
# (bench/dump.sh, accuracy.sh, cost.sh, stall.sh, rss.sh, eintr.sh,
# goroutines.sh, goheap.sh, tree.sh), from the top of the source tree: the settings (read from
# the environment and checked here, once for all), and the helpers the parts
# share.
#
# run.sh starts each part as `bash bench/PART.sh BUILD_DIR WORK_DIR`; WORK_DIR
# is the scratch directory of the whole run (FIFOs to the targets, perf's HOME
# with its build-id cache, go's caches), made and removed by run.sh.
# A part writes its figures to BUILD_DIR/bench/figures/PART.sh (save_figures);
# run.sh sources those files and prints the tables from them (bench/report.sh).

if [ -z "${BASH_VERSION:-}" ]; then
	echo "bench/lib.sh: needs bash" >&2
	exit 1
fi
set -eu
export LC_ALL=C
unset DEBUGINFOD_URLS

# ------------------------------------------------------------- settings --

B=${1:-build}
RUNS=${BENCH_RUNS:-5}
NTHREADS=${BENCH_THREADS:-1000}
TIMEOUT=${BENCH_TIMEOUT:-120}
REC_RUNS=${BENCH_RECORD_RUNS:-3}
REC_SECS=${BENCH_RECORD_SECONDS:-10}
SHARE_IDLE=${BENCH_SHARE_IDLE:-4}
REC_RATE=99
PTPROF_RECORD=${PTPROF_RECORD:-$B/ptprof record}
read -r -a PTPROF_RECORD_WORDS <<<"$PTPROF_RECORD"
PTPROF_DEFAULT="$B/ptprof dump"
PTPROF=${PTPROF:-$PTPROF_DEFAULT}
read -r -a PTPROF_WORDS <<<"$PTPROF"
X_ROWS=${BENCH_TARGET_ROWS:-1}
X_SECS=5
STALL_RUNS=${BENCH_STALL_RUNS:-1}
RSS_SHORT=${BENCH_RSS_SHORT:-10}
RSS_LONG=${BENCH_RSS_LONG:-60}
RSS_RATE=999
NGOR=${BENCH_GOROUTINES:-10000}
PTPROF_HEAP=${PTPROF_HEAP:-$B/ptprof heap}
read -r -a PTPROF_HEAP_WORDS <<<"$PTPROF_HEAP"
# Part goheap: the distinct allocation sites of its target (fixed in
# tests/go/gosites/main.go), and the samples ptprof's heap profile may lack,
# in % of the target's buckets.
GOSITES_SITES=20000
GOHEAP_SLACK_PCT=1
# Part tree: worker processes of build/targets/proctree and threads in each.
TREE_WORKERS=${BENCH_TREE_WORKERS:-20}
TREE_THREADS=${BENCH_TREE_THREADS:-4}

# Timeout of one record run (ptprof record, perf record, strace runs).
RT=$((REC_SECS + TIMEOUT))

# The syscall rows: a SYS_SECS s cpu-mode record under strace -c -e trace=SYS_FILTER.
SYS_SECS=5
SYS_FILTER=ptrace,process_vm_readv,wait4
SYS_MAX=6          # target: calls per thread-sample (strace's count)
SYS_FLOOR=5        # INTERRUPT, wait, GETREGS, process_vm_readv, CONT

BD=$B/bench
LOG=$BD/log
OUT=$BD/out
FIG=$BD/figures
TAB=$BD/tables
TARGET_BIN=$BD/manythreads
RATIO_BIN=$BD/ratio
FLOOR_BIN=$BD/floor
SPIN_BIN=$BD/spinner
EPOLL_BIN=$BD/epoll
TOOLS=(ptprof eu-stack gdb)

# The scratch directory and what lives in it (set_work).
WORK=
PERF_HOME=
GO_ENV=()

# Processes a part has started: killed on exit.
TPID=
RPID=
APID=

say() { printf '%s\n' "$*" >&2; }

die() {
	say ""
	say "################################################################"
	say "bench/$(basename "$0"): BENCHMARK ABORTED: $*"
	say "################################################################"
	exit 1
}

is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac; }

is_uint "$RUNS" && [ "$RUNS" -ge 1 ] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
is_uint "$NTHREADS" && [ "$NTHREADS" -ge 1 ] || die "BENCH_THREADS must be a positive integer, not '$NTHREADS'"
is_uint "$TIMEOUT" && [ "$TIMEOUT" -ge 1 ] || die "BENCH_TIMEOUT must be a positive integer, not '$TIMEOUT'"
[ "${#PTPROF_WORDS[@]}" -ge 1 ] || die "PTPROF is empty"
is_uint "$REC_RUNS" || die "BENCH_RECORD_RUNS must be a non-negative integer, not '$REC_RUNS'"
is_uint "$REC_SECS" && [ "$REC_SECS" -ge 1 ] || die "BENCH_RECORD_SECONDS must be a positive integer, not '$REC_SECS'"
is_uint "$SHARE_IDLE" || die "BENCH_SHARE_IDLE must be a non-negative integer, not '$SHARE_IDLE'"
[ "${#PTPROF_RECORD_WORDS[@]}" -ge 1 ] || die "PTPROF_RECORD is empty"
is_uint "$STALL_RUNS" && [ "$STALL_RUNS" -ge 1 ] || die "BENCH_STALL_RUNS must be a positive integer, not '$STALL_RUNS'"
is_uint "$RSS_SHORT" && [ "$RSS_SHORT" -ge 1 ] || die "BENCH_RSS_SHORT must be a positive integer, not '$RSS_SHORT'"
is_uint "$RSS_LONG" && [ "$RSS_LONG" -ge 1 ] || die "BENCH_RSS_LONG must be a positive integer, not '$RSS_LONG'"
is_uint "$NGOR" && [ "$NGOR" -ge 1 ] || die "BENCH_GOROUTINES must be a positive integer, not '$NGOR'"
[ "${#PTPROF_HEAP_WORDS[@]}" -ge 1 ] || die "PTPROF_HEAP is empty"
is_uint "$TREE_WORKERS" && [ "$TREE_WORKERS" -ge 1 ] && [ "$TREE_WORKERS" -le 200 ] ||
	die "BENCH_TREE_WORKERS must be an integer from 1 to 200, not '$TREE_WORKERS'"
is_uint "$TREE_THREADS" && [ "$TREE_THREADS" -ge 1 ] && [ "$TREE_THREADS" -le 64 ] ||
	die "BENCH_TREE_THREADS must be an integer from 1 to 64, not '$TREE_THREADS'"

# The peers found on this machine.
declare -A AVAIL=()
AVAIL[ptprof]=1
AVAIL[eu-stack]=0
AVAIL[gdb]=0
command -v eu-stack >/dev/null 2>&1 && AVAIL[eu-stack]=1
command -v gdb >/dev/null 2>&1 && AVAIL[gdb]=1
HAVE_STRACE=0
command -v strace >/dev/null 2>&1 && HAVE_STRACE=1
HAVE_GO=0
command -v go >/dev/null 2>&1 && HAVE_GO=1
# Why perf cannot be compared (empty: it can), and what perf has instead of a
# wall mode; the record warm-up (record_warmup) refines both.
PERF_NA=
OFFCPU="no wall mode"
command -v perf >/dev/null 2>&1 || PERF_NA="not installed"

# ------------------------------------------------------------- figures --
#
# Every figure the tables are made of.  A part fills the keys of its own rows
# and saves them; run.sh sources the saved files of all parts that ran into
# these same (then empty) variables, so the keys of different parts add up.
#   dump:        WALL SMAX SSUM BMAX BSUM SYS NFAIL FAILMSG SYSCMD SYSDETAIL
#                NSYSFAIL CHECK CMDSTR HMAX BHMAX NSTOPPED COLD (keyed by
#                tool), NTASKS MT_PID
#   accuracy, cost: RV RFAIL RFAILMSG RCMD RCHECK (record rows),
#                SV SFAIL SCMD SDETAIL STGT SNOTES (syscall rows),
#                SHARE_* resp. COST_* (the target)
#   stall, rss, eintr: XV XCMD XFAIL XNOTES PERF_X_NA and the targets' ids
#   goroutines:  GV GCMD GFAIL GCHECK GNOTES DLV_NA and the targets' ids
#   goheap:      HV HCMD HFAIL HCHECK HNOTES GO_PPROF_NA and the target's id
#   tree:        TV TCMD TFAIL TCHECK TNOTES EU_VERSION
#   serve:       VV VCMD VNOTES and the load's sizes
#   every part:  LOAD_AT[PART.start], LOAD_AT[PART.end] (load average), and
#                PTPROF_FAILED[PART]=1 if ptprof failed in some run

declare -A WALL=() SMAX=() SSUM=() BMAX=() BSUM=() SYS=() NFAIL=() FAILMSG=() SYSCMD=() SYSDETAIL=() \
	NSYSFAIL=() CHECK=() CMDSTR=() HMAX=() BHMAX=() NSTOPPED=() COLD=()
declare -A RV=() RFAIL=() RFAILMSG=() RCMD=() SV=() SFAIL=() SCMD=() SDETAIL=() STGT=() \
	XV=() XCMD=() XFAIL=() GV=() GCMD=() GFAIL=() HV=() HCMD=() HFAIL=() TV=() TCMD=() TFAIL=() \
	LOAD_AT=() PTPROF_FAILED=()
declare -a RCHECK=() SNOTES=() XNOTES=() GCHECK=() GNOTES=() HCHECK=() HNOTES=() TCHECK=() TNOTES=()
declare -A VV=() VCMD=()
declare -a VNOTES=()
RKEYS=(ptprof-share perf-share ptprof-cpu perf-cpu ptprof-wall)
SKEYS=(sys-ptprof-share sys-floor sys-ptprof-cost)

# Failure counts start at 0 for the given record and syscall keys.
init_keys() { # key...
	local k
	for k in "$@"; do
		case $k in
		sys-*) SFAIL[$k]=0 SDETAIL[$k]= ;;
		*) RFAIL[$k]=0 RFAILMSG[$k]= ;;
		esac
	done
}

# Quote one word the way a reader would type it in a shell.
shq() {
	case $1 in
	'' | *[!A-Za-z0-9_./=:,+@%-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}
shjoin() {
	local w s=
	for w in "$@"; do s="$s${s:+ }$(shq "$w")"; done
	printf '%s' "$s"
}

# One variable as shell assignments that add to a variable of the same name
# and type: one line per key of an associative array, one `+=` per element
# of an indexed array, a plain assignment for a scalar.
figure_lines() { # var
	local -n _fv=$1
	local _k
	case $(declare -p "$1") in
	"declare -A"*) for _k in "${!_fv[@]}"; do printf '%s[%s]=%s\n' "$1" "$(shq "$_k")" "$(shq "${_fv[$_k]}")"; done ;;
	"declare -a"*) for _k in "${!_fv[@]}"; do printf '%s+=(%s)\n' "$1" "$(shq "${_fv[$_k]}")"; done ;;
	*) printf '%s=%s\n' "$1" "$(shq "$_fv")" ;;
	esac
}
# Save variables to FIG/NAME.sh (replacing an earlier file of that name).
save_figures() { # name var...
	local name=$1 v
	shift
	for v in "$@"; do figure_lines "$v"; done >"$FIG/$name.sh.tmp"
	mv "$FIG/$name.sh.tmp" "$FIG/$name.sh"
}
# The load average now, kept as LOAD_AT[KEY].
note_load() { LOAD_AT[$1]=$(cut -d' ' -f1-3 /proc/loadavg); }

# ------------------------------------------------------ time and figures --

now_ns() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=${EPOCHREALTIME/./}
		printf '%s000' "$t"
	else
		date +%s%N
	fi
}

median() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) printf "%.0f\n", a[(NR + 1) / 2]
		      else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
median_f() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2
		      printf "%.6f\n", m }'
}
fmt_ms() { awk -v n="$1" 'BEGIN { printf "%.1f ms", n / 1e6 }'; }
fmt_stall() {
	awk -v n="$1" 'BEGIN { if (n < 100000) printf "%d µs", n / 1e3 + 0.5; else printf "%.1f ms", n / 1e6 }'
}
fmt_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else printf "—" }'; }

# Run a command in a subshell; afterwards write bash's `times` for that
# subshell to CPU_FILE: its second line is the user and sys time of every
# process the subshell waited for (timeout(1), the tool, the tool's children).
timed_run() { # cpu-file stdout-file stderr-file command...
	local tf=$1 o=$2 e=$3
	shift 3
	(
		rc=0
		"$@" >"$o" 2>"$e" || rc=$?
		times >"$tf"
		exit "$rc"
	)
}
cpu_of() { # cpu-file -> user+sys seconds
	awk 'function s(x, p) { split(x, p, "m"); sub(/s$/, "", p[2]); return p[1] * 60 + p[2] }
	     NR == 2 { printf "%.3f\n", s($1) + s($2); ok = 1 } END { exit !ok }' "$1"
}

# CPU time a task has used so far, in ns.
task_cpu_ns() { # pid tid
	local f=/proc/$1/task/$2
	if [ -r "$f/schedstat" ]; then
		awk '{ print $1; exit }' "$f/schedstat"
	else
		awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1e9 / hz }' "$f/stat"
	fi
}

# A failed run's exit status and the start of its stderr, for the notes.
why() { # rc stderr-file
	local w="exit status $1"
	[ "$1" = 124 ] && w="timed out after $RT s"
	[ "$1" -gt 128 ] && [ "$1" != 124 ] && w="killed by signal $(($1 - 128))"
	printf '%s: %s' "$w" "$(head -c 600 "$2" | tr '\n' ' ')"
}

# ptprof's stderr summary -> "SAMPLES THREADS TICKS MISSED SECONDS"; fails
# unless the recording ended because the duration elapsed.
ptprof_summary() {
	awk '/ recorded [0-9.]+ s \(duration elapsed\): [0-9]+ samples from [0-9]+ threads, [0-9]+ ticks/ {
		for (i = 1; i < NF; i++) {
			if ($i == "recorded") d = $(i + 1)
			if ($i == "samples" && $(i + 1) == "from") s = $(i - 1)
			if ($i == "threads,") th = $(i - 1)
		}
		tk = $(NF - 1); ok = 1 }
	/ ticks missed / { for (i = 2; i < NF; i++) if ($i == "ticks" && $(i + 1) == "missed") m = $(i - 1) }
	END { if (!ok) exit 1; printf "%d %d %d %d %s\n", s, th, tk, m, d }' "$1"
}

# ---------------------------------------------------- scratch and exit --

set_work() { # dir
	WORK=$1
	PERF_HOME=$WORK/perf-home
	GO_ENV=(env HOME="$WORK/go-home" GOCACHE="$WORK/go-cache" GOTOOLCHAIN=local)
	# ptprof's inflated copies of debug files: here, not in the home.
	export PTPROF_CACHE_DIR=$WORK/debug-cache
}

# On exit: close the FIFOs, kill what is still running of the targets
# started, and remove the scratch directory if this process made it.
OWN_WORK=0
cleanup() {
	set +e
	exec 3>&- 4<&- 5>&- 6<&- 7>&- 8<&-
	for p in "$TPID" "$RPID" "$APID"; do
		if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		fi
	done
	[ "$OWN_WORK" = 1 ] && [ -n "$WORK" ] && rm -rf "$WORK"
}
set_traps() {
	trap cleanup EXIT
	trap 'say "bench: interrupted"; exit 130' INT TERM HUP
}

# What a part does first: takes BUILD_DIR (read above) and WORK_DIR from its
# arguments, sets the traps and reads what the record warm-up found out
# about perf, if it ran.
part_init() { # part build-dir work-dir
	PART=$1
	[ $# = 3 ] && [ -d "$3" ] ||
		die "bench/$1.sh is started by bench/run.sh (BENCH_ONLY=$1 bash bench/run.sh [BUILD_DIR])"
	set_work "$3"
	set_traps
	# shellcheck source=/dev/null
	[ ! -f "$FIG/perf-probe.sh" ] || . "$FIG/perf-probe.sh"
	note_load "$PART.start"
}

# ------------------------------------------------------------- targets --

# After every tool run: the target must be alive, complete and not traced.
check_pid() { # what pid ntasks
	local what=$1 pid=$2 ntasks=$3 n bad
	kill -0 "$pid" 2>/dev/null || die "target (pid $pid) died during/after: $what"
	n=$(ls "/proc/$pid/task" | wc -l)
	[ "$n" -eq "$ntasks" ] || die "target (pid $pid) has $n tasks instead of $ntasks after: $what"
	bad=$(awk '/^TracerPid:/ && $2 != 0 { print FILENAME ": TracerPid " $2 }
	           /^State:/ && ($2 == "t" || $2 == "T") { print FILENAME ": " $0 }' \
		"/proc/$pid/task"/*/status 2>&1 | head -20) || true
	[ -z "$bad" ] || die "target (pid $pid) still traced or stopped after: $what
$bad"
}

stop_pid() { # pid: its stdin is closed already, so it exits by itself
	local pid=$1 _i
	for _i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# bench/ratio.c with NIDLE idle threads, on fds 5 (its stdin) and 6 (its
# stdout): sets RPID, RTASKS and RWTID (the busy worker's tid).
RTASKS='' RWTID=''
start_ratio() { # nidle
	local line=
	rm -f "$WORK/rin" "$WORK/rout"
	mkfifo "$WORK/rin" "$WORK/rout"
	"$RATIO_BIN" "$1" <"$WORK/rin" >"$WORK/rout" 2>"$LOG/ratio.$1.stderr" &
	RPID=$!
	exec 5>"$WORK/rin" 6<"$WORK/rout"
	read -r -t 120 -u 6 line || true
	case $line in
	"ready "*) read -r _ RTASKS RWTID <<<"$line" ;;
	*) die "ratio target did not get ready: '$line' $(cat "$LOG/ratio.$1.stderr")" ;;
	esac
	check_pid "start-up of $RATIO_BIN $1" "$RPID" "$RTASKS"
	say "bench: ratio target pid $RPID ready with $RTASKS tasks (worker tid $RWTID)"
}
stop_ratio() {
	exec 5>&- 6<&-
	stop_pid "$RPID"
	RPID=
}

# Another small target (bench/spinner.c, bench/epoll.c) on fds 7 and 8.
APID='' ALINE=''
start_aux() { # binary args...: sets APID, ALINE ("ready ..." line)
	local line=
	rm -f "$WORK/ain" "$WORK/aout"
	mkfifo "$WORK/ain" "$WORK/aout"
	"$@" <"$WORK/ain" >"$WORK/aout" 2>"$LOG/$(basename "$1").stderr" &
	APID=$!
	exec 7>"$WORK/ain" 8<"$WORK/aout"
	read -r -t 120 -u 8 line || true
	case $line in
	"ready "*) ALINE=$line ;;
	*) die "$1 did not get ready: '$line' $(cat "$LOG/$(basename "$1").stderr")" ;;
	esac
}
stop_aux() {
	exec 7>&- 8<&-
	stop_pid "$APID"
	APID=
}
aux_cmd() {
	local answer=
	printf '%s\n' "$1" >&7 2>/dev/null || return 1
	read -r -t 30 -u 8 answer || return 1
	printf '%s\n' "$answer"
}

# --------------------------------------- the record and syscall rows --
#
# Shared by bench/accuracy.sh and bench/cost.sh: one timed ptprof or perf
# record of the running ratio target (RPID, RWTID, RTASKS), and one strace
# run for the syscall rows.

rv() { RV[$1]+=" $2"; }
rfail() { # key message
	RFAIL[$1]=$((RFAIL[$1] + 1))
	[ -n "${RFAILMSG[$1]}" ] || RFAILMSG[$1]=$2
}

set_ptprof_rec() { # mode|folded output-file seconds
	local fmt=(-m "$1")
	[ "$1" = folded ] && fmt=(-f folded --threads)
	CMD=(timeout "$RT" "${PTPROF_RECORD_WORDS[@]}" -p "$RPID" -d "$3" -r "$REC_RATE" "${fmt[@]}" -o "$2")
}
set_perf_rec() { # output-file seconds
	CMD=(timeout "$RT" env HOME="$PERF_HOME" perf record -e cpu-clock -F "$REC_RATE" --call-graph dwarf
		-p "$RPID" -o "$1" -- sleep "$2")
}

# The per-run tables of the record and syscall rows (LOG/record.tsv,
# LOG/syscalls.tsv), begun by the first part that adds to them.
begin_record_logs() {
	[ -f "$LOG/record.tsv" ] ||
		printf 'run\tkey\tcpu_s\twall_s\tsamples\tticks\tmissed\tworker_cpu_frac\n' >"$LOG/record.tsv"
	[ "$HAVE_STRACE" = 0 ] || [ -f "$LOG/syscalls.tsv" ] ||
		printf 'run\tkey\tstrace_total\tptrace\tprocess_vm_readv\twait4\tthread_samples_stopped\tstrace_per_sample\tptprof_own_per_sample\n' >"$LOG/syscalls.tsv"
}

# Warm-up (untimed, 1 s) on the running ratio target: page cache, perf's
# build-id cache, and whether perf works here at all.  Sets PERF_NA and
# OFFCPU and saves them (FIG/perf-probe.sh) for the parts that follow.
record_warmup() {
	local rc
	say "bench: warm-up ptprof record"
	set_ptprof_rec folded "$OUT/ptprof-warmup.folded" 1
	rc=0
	"${CMD[@]}" >/dev/null 2>"$LOG/ptprof-record.warmup.stderr" || rc=$?
	check_pid "warm-up of ptprof record" "$RPID" "$RTASKS"
	[ "$rc" = 0 ] || say "bench: WARNING: ptprof record warm-up failed: $(why "$rc" "$LOG/ptprof-record.warmup.stderr")"
	if [ -z "$PERF_NA" ]; then
		say "bench: warm-up perf record"
		set_perf_rec "$OUT/perf-warmup.data" 1
		rc=0
		"${CMD[@]}" >/dev/null 2>"$LOG/perf.warmup.stderr" || rc=$?
		check_pid "warm-up of perf record" "$RPID" "$RTASKS"
		if [ "$rc" != 0 ]; then
			PERF_NA="perf record fails here, perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo '?'): $(grep -v -e '^\[' -e '^Error:$' -e '^ *$' "$LOG/perf.warmup.stderr" | head -2 | tr '\n' ' ' | head -c 200 | sed 's/ *$//')"
		elif ! env HOME="$PERF_HOME" perf script -i "$OUT/perf-warmup.data" -F tid,ip,sym >"$OUT/perf-warmup.script" 2>"$LOG/perf-script.warmup.stderr"; then
			PERF_NA="perf script fails here: $(grep -m1 . "$LOG/perf-script.warmup.stderr" | head -c 200)"
		fi
		if [ -z "$PERF_NA" ]; then
			rc=0
			env HOME="$PERF_HOME" timeout 60 perf record -e cpu-clock --off-cpu -o "$WORK/offcpu.data" -- true \
				>/dev/null 2>"$LOG/perf-offcpu.probe.stderr" || rc=$?
			if [ "$rc" != 0 ]; then
				OFFCPU="no wall mode; perf record --off-cpu fails here"
			elif grep -q "off-cpu.*ignored.*BUILD_BPF_SKEL" "$LOG/perf-offcpu.probe.stderr"; then
				OFFCPU="no wall mode; this perf ignores --off-cpu: built without BUILD_BPF_SKEL=1"
			elif grep -qi "off-cpu.*ignored" "$LOG/perf-offcpu.probe.stderr"; then
				OFFCPU="no wall mode; this perf ignores --off-cpu"
			else
				OFFCPU="no wall mode; its --off-cpu (BPF off-CPU time) is not a wall-clock sampler and is not measured here"
			fi
		fi
		[ -z "$PERF_NA" ] || say "bench: perf: $PERF_NA"
	fi
	save_figures perf-probe PERF_NA OFFCPU
}

# One ptprof record run: CPU time, summary, worker's CPU use; sets OK=1 on success.
ptprof_rec_run() { # key mode|folded output-file run
	local key=$1 rc=0 t0 t1 w0 w1 sum
	set_ptprof_rec "$2" "$3" "$REC_SECS"
	RCMD[$key]="$(shjoin "${CMD[@]}" | sed "s/\\.$4\\./.N./g") 2> $LOG/$key.N.stderr"
	OK=0
	say "bench: run $4/$REC_RUNS $key"
	w0=$(task_cpu_ns "$RPID" "$RWTID")
	t0=$(now_ns)
	timed_run "$LOG/$key.$4.times" /dev/null "$LOG/$key.$4.stderr" "${CMD[@]}" || rc=$?
	t1=$(now_ns)
	w1=$(task_cpu_ns "$RPID" "$RWTID")
	check_pid "run $4 of $key: $(shjoin "${CMD[@]}")" "$RPID" "$RTASKS"
	if [ "$rc" != 0 ]; then
		rfail "$key" "$(why "$rc" "$LOG/$key.$4.stderr")"
		return 0
	fi
	if ! sum=$(ptprof_summary "$LOG/$key.$4.stderr"); then
		rfail "$key" "no 'recorded ... (duration elapsed)' summary on stderr: $(head -c 600 "$LOG/$key.$4.stderr" | tr '\n' ' ')"
		return 0
	fi
	read -r SAMPLES THREADS TICKS MISSED _ <<<"$sum"
	rv "$key.cpu" "$(cpu_of "$LOG/$key.$4.times")"
	rv "$key.wall" "$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.3f", n / 1e9 }')"
	rv "$key.samples" "$SAMPLES"
	rv "$key.ticks" "$TICKS"
	rv "$key.missed" "$MISSED"
	rv "$key.threads" "$THREADS"
	rv "$key.workerfrac" "$(awk -v w=$((w1 - w0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.4f", w / t }')"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$4" "$key" "${RV[$key.cpu]##* }" "${RV[$key.wall]##* }" \
		"$SAMPLES" "$TICKS" "$MISSED" "${RV[$key.workerfrac]##* }" >>"$LOG/record.tsv"
	OK=1
}

# One perf record run (timed); sets OK=1 on success.
perf_rec_run() { # key data-file run
	local key=$1 rc=0 t0 t1 w0 w1 n
	set_perf_rec "$2" "$REC_SECS"
	RCMD[$key]="$(shjoin "${CMD[@]}") 2> $LOG/$key.N.stderr"
	OK=0
	say "bench: run $3/$REC_RUNS $key"
	w0=$(task_cpu_ns "$RPID" "$RWTID")
	t0=$(now_ns)
	timed_run "$LOG/$key.$3.times" /dev/null "$LOG/$key.$3.stderr" "${CMD[@]}" || rc=$?
	t1=$(now_ns)
	w1=$(task_cpu_ns "$RPID" "$RWTID")
	check_pid "run $3 of $key: $(shjoin "${CMD[@]}")" "$RPID" "$RTASKS"
	if [ "$rc" != 0 ]; then
		rfail "$key" "perf record: $(why "$rc" "$LOG/$key.$3.stderr")"
		return 0
	fi
	n=$(sed -n 's/.*Captured and wrote .*(\([0-9]*\) samples).*/\1/p' "$LOG/$key.$3.stderr" | tail -1)
	rv "$key.reccpu" "$(cpu_of "$LOG/$key.$3.times")"
	rv "$key.wall" "$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.3f", n / 1e9 }')"
	rv "$key.samples" "${n:-0}"
	rv "$key.workerfrac" "$(awk -v w=$((w1 - w0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.4f", w / t }')"
	printf '%s\t%s\t%s\t%s\t%s\t\t\t%s\n' "$3" "$key (record only)" "${RV[$key.reccpu]##* }" "${RV[$key.wall]##* }" \
		"${n:-0}" "${RV[$key.workerfrac]##* }" >>"$LOG/record.tsv"
	OK=1
}

# The first non-empty output file of a key's runs (OUT/KEY.N.SUFFIX).
chk_file() { # key suffix
	local f
	for f in "$OUT/$1".*."$2"; do [ -s "$f" ] && { printf '%s' "$f"; return 0; }; done
	return 1
}

# ---- the syscall rows: ptrace + process_vm_readv + wait4 calls per thread-sample
#
# A SYS_SECS s cpu-mode `ptprof record -v` at 99 Hz under strace -f -c (the
# recording runs in a thread of its own, hence -f), on the share target
# (ratio BENCH_SHARE_IDLE, bench/accuracy.sh) and on the cost target (ratio
# BENCH_THREADS, bench/cost.sh); the floor loop bench/floor.c under the same
# strace on the share target's worker.
# Denominator: the thread-samples for which a thread was stopped (ptprof:
# samples + "(no stack)" losses of its summary, the count its own -v figure
# divides by; floor: its "floor: N samples").  ptprof's own count (its -v
# line) is cross-checked with strace's: ptrace and process_vm_readv must
# agree; strace's wait4 also counts the waitpid(-1, WNOHANG) polls that find
# nothing, which ptprof's count leaves out.

sv() { SV[$1]+=" $2"; }
sfail() { # key run message
	SFAIL[$1]=$((SFAIL[$1] + 1))
	SNOTES+=("$1 failed in run $2: $3")
}

# strace -c summary -> calls of one syscall (or of "total"); 0 if absent.
strace_calls() { # file syscall|total
	awk -v s="$2" '$NF == s && $1 ~ /^[0-9.]+$/ { n = $4 } END { print n + 0 }' "$1"
}
# ptprof -v stderr -> "SEIZE INTERRUPT WAIT GETREGS READV CONT DETACH PER" from
# "system calls on the target: 2 seize, 495 interrupt, ...; 5.0 per thread-sample".
ptprof_counts() {
	awk '/system calls on the target: / {
		line = $0; sub(/.*system calls on the target: /, "", line)
		n = split(line, w, /[ ,;]+/)
		for (i = 2; i <= n; i++) if (w[i - 1] ~ /^[0-9.]+$/) v[w[i]] = w[i - 1]
		ok = 1 }
	END { if (!ok || !("per" in v)) exit 1
	      printf "%d %d %d %d %d %d %d %s\n", v["seize"], v["interrupt"], v["wait"], v["getregs"],
		v["process_vm_readv"], v["cont/listen"], v["detach"], v["per"] }' "$1"
}
# ptprof stderr -> the "(no stack)" losses of its "lost:" line (0 if none).
ptprof_nostack() {
	awk '/ lost: / { for (i = 2; i <= NF; i++) if ($i == "(no") n = $(i - 1) } END { print n + 0 }' "$1"
}

# One strace run on the running ratio target (RPID, RWTID, RTASKS).
sys_run() { # key run
	local key=$1 r=$2 f=$LOG/$1.$2.strace rc=0 tot pt rd w4 n sum c own
	local se it wa gr pv co de pr
	local -a S=(strace -f -c -e "trace=$SYS_FILTER" -o "$f")
	case $key in
	sys-floor) CMD=(timeout "$RT" "${S[@]}" "$FLOOR_BIN" "$RPID" "$RWTID" "$SYS_SECS" "$REC_RATE") ;;
	*) CMD=(timeout "$RT" "${S[@]}" "${PTPROF_RECORD_WORDS[@]}" -v -p "$RPID" -d "$SYS_SECS" -r "$REC_RATE"
		-m cpu -o "$OUT/$key.$r.pb.gz") ;;
	esac
	SCMD[$key]="$(shjoin "${CMD[@]}" | sed "s/\\.$r\\./.N./g") > $LOG/$key.N.stdout 2> $LOG/$key.N.stderr"
	STGT[$key]="$RATIO_BIN $((RTASKS - 2)) (PID $RPID, worker TID $RWTID)"
	say "bench: run $r/$REC_RUNS $key"
	"${CMD[@]}" >"$LOG/$key.$r.stdout" 2>"$LOG/$key.$r.stderr" || rc=$?
	check_pid "run $r of $key: $(shjoin "${CMD[@]}")" "$RPID" "$RTASKS"
	if [ "$rc" != 0 ]; then
		sfail "$key" "$r" "$(why "$rc" "$LOG/$key.$r.stderr")"
		return 0
	fi
	tot=$(strace_calls "$f" total) pt=$(strace_calls "$f" ptrace)
	rd=$(strace_calls "$f" process_vm_readv) w4=$(strace_calls "$f" wait4)
	if [ "$key" = sys-floor ]; then
		n=$(sed -n 's/^floor: \([0-9]*\) samples$/\1/p' "$LOG/$key.$r.stdout")
		if ! is_uint "${n:-x}" || [ "$n" = 0 ] || [ "$tot" = 0 ]; then
			sfail "$key" "$r" "no sample count or no strace total (stdout: $(head -c 200 "$LOG/$key.$r.stdout" | tr '\n' ' '))"
			return 0
		fi
		SDETAIL[$key]="ptrace $pt, process_vm_readv $rd, wait4 $w4 = $tot calls / $n samples"
	else
		if ! sum=$(ptprof_summary "$LOG/$key.$r.stderr"); then
			sfail "$key" "$r" "no 'recorded ... (duration elapsed)' summary on stderr: $(head -c 400 "$LOG/$key.$r.stderr" | tr '\n' ' ')"
			return 0
		fi
		if ! c=$(ptprof_counts "$LOG/$key.$r.stderr"); then
			sfail "$key" "$r" "no 'system calls on the target' line on stderr (-v): $(head -c 400 "$LOG/$key.$r.stderr" | tr '\n' ' ')"
			return 0
		fi
		read -r n _ <<<"$sum"
		n=$((n + $(ptprof_nostack "$LOG/$key.$r.stderr")))
		read -r se it wa gr pv co de pr <<<"$c"
		if [ "$n" = 0 ] || [ "$tot" = 0 ]; then
			sfail "$key" "$r" "no thread-samples stopped, or no strace total"
			return 0
		fi
		own=$((se + it + wa + gr + pv + co + de))
		sv "$key.own" "$(awk -v a="$own" -v n="$n" 'BEGIN { printf "%.4f", a / n }')"
		sv "$key.printed" "$pr"
		sv "$key.seize" "$se"
		SDETAIL[$key]="strace: ptrace $pt, process_vm_readv $rd, wait4 $w4 = $tot calls; ptprof's -v line: $se seize, $it interrupt, $wa wait, $gr getregs, $pv process_vm_readv, $co cont/listen, $de detach = $own calls, printed $pr per thread-sample; $n thread-samples stopped"
		# Cross-checks of ptprof's own count against strace's.
		[ "$pt" = $((se + it + gr + co + de)) ] ||
			SNOTES+=("$key run $r: strace counted $pt ptrace calls, ptprof $((se + it + gr + co + de)) (seize + interrupt + getregs + cont/listen + detach)")
		[ "$rd" = "$pv" ] ||
			SNOTES+=("$key run $r: strace counted $rd process_vm_readv calls, ptprof $pv (ptprof counts only its stack reads; one more per record is its copy of the target's vDSO for symbols)")
		[ "$w4" -ge "$wa" ] ||
			SNOTES+=("$key run $r: strace counted fewer wait4 calls ($w4) than ptprof ($wa)")
		awk -v a="$own" -v n="$n" -v p="$pr" 'BEGIN { d = a / n - p; if (d < 0) d = -d; exit !(d > 0.051) }' &&
			SNOTES+=("$key run $r: ptprof printed $pr per thread-sample, but its counts add up to $own / $n stopped thread-samples = $(awk -v a="$own" -v n="$n" 'BEGIN { printf "%.2f", a / n }')")
		sv "$key.extrawait" "$((w4 - wa))"
	fi
	sv "$key.per" "$(awk -v a="$tot" -v n="$n" 'BEGIN { printf "%.4f", a / n }')"
	sv "$key.n" "$n"
	sv "$key.tot" "$tot"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$key" "$tot" "$pt" "$rd" "$w4" "$n" \
		"${SV[$key.per]##* }" "$( [ "$key" = sys-floor ] && echo - || echo "${SV[$key.own]##* }")" >>"$LOG/syscalls.tsv"
}

# ------------------------------------------------ the target-side rows --
#
# Shared by bench/stall.sh, rss.sh and eintr.sh.

xfail() { # tool message
	case $1 in *ptprof*) PTPROF_FAILED[$PART]=1 ;; esac
	XFAIL[$1]=${XFAIL[$1]:-$2}
	XNOTES+=("$1 failed: $2")
}
xv() { XV[$1]+=" $2"; }

# Why perf is left out of the stall and RSS rows (empty: it is not).
PERF_X_NA=
set_perf_x_na() {
	PERF_X_NA=$PERF_NA
	command -v perf >/dev/null 2>&1 || PERF_X_NA="not installed"
	mkdir -p "$PERF_HOME"
}
