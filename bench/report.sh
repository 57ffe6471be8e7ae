# shellcheck shell=bash
# bench/report.sh - sourced by bench/run.sh after the parts have run: the
# Markdown report made from the figures the parts saved (see bench/lib.sh).
#
#   report_summary   one row per figure the issue asks for, with its target
#                    and whether it is met
#   report_dump      the dump table                       (part dump)
#   report_record    ptprof record vs perf record         (parts accuracy, cost)
#   report_syscalls  syscalls per thread-sample           (parts accuracy, cost)
#   report_target    stall per sample, peak RSS, EINTRs   (parts stall, rss, eintr)
#   report_goroutines Go programs: goroutine dump vs Delve, CPU shares vs
#                    Go's own profiler                   (part goroutines)
#   report_goheap    ptprof heap vs the Go program's own WriteHeapProfile,
#                    system calls, output check          (part goheap)
#
# A table whose parts all did not run is left out; in a table with some of
# its parts run, the rows of the others are left out (in the syscall table,
# whose columns come from both record parts, their cells say "not run").
# The summary keeps every row and says "not run" and why where a part did not.
# Needs RAN[PART]=1 for the parts that ran, SKIPPED[PART] (why not) for the
# others, and LOAD_START, from run.sh.

ran() { [ "${RAN[$1]:-0}" = 1 ]; }
not_run() { printf 'not run (%s)' "${SKIPPED[$1]:-?}"; }
# The load average at the start of the first, at the end of the last of the
# given parts that ran.
load_start() { # part...
	local p
	for p in "$@"; do
		if ran "$p"; then printf '%s' "${LOAD_AT[$p.start]:-?}"; return 0; fi
	done
	return 0
}
load_end() { # part...
	local p s=
	for p in "$@"; do
		if ran "$p"; then s=${LOAD_AT[$p.end]:-?}; fi
	done
	printf '%s' "$s"
}

pct() { awk -v x="$1" 'BEGIN { printf "%.1f%%", x }'; }
fmt_kib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# ------------------------------------------------------------ the dump --

cell() { # tool kind(ms|stall|count) values...
	local t=$1 kind=$2
	shift 2
	if [ "${AVAIL[$t]}" != 1 ]; then
		printf 'n/a (not installed)'
		return
	fi
	if [ $# = 0 ]; then
		printf 'failed (all %s runs, see below)' "$RUNS"
		return
	fi
	local m
	m=$(median "$@")
	case $kind in
	ms) fmt_ms "$m" ;;
	stall) fmt_stall "$m" ;;
	count) awk -v n="$m" -v d="$NTASKS" 'BEGIN { printf "%.1f", n / d }' ;;
	esac
	if [ "$kind" != count ] && [ "${NFAIL[$t]}" != 0 ]; then
		printf ' (%d/%d runs failed)' "${NFAIL[$t]}" "$RUNS"
	fi
	if [ "$kind" = count ] && [ "${NSYSFAIL[$t]}" != 0 ]; then
		printf ' (%d/%d runs failed)' "${NSYSFAIL[$t]}" "$RUNS"
	fi
}

ratio() { # kind ptprof-values | eu-stack-values   (as two strings)
	local a=$1 b=$2
	if [ "${AVAIL[eu-stack]}" != 1 ] || [ -z "${a// /}" ] || [ -z "${b// /}" ]; then
		printf '—'
		return
	fi
	# shellcheck disable=SC2086
	fmt_ratio "$(median $a)" "$(median $b)"
}

row() { # label kind var-name ratio(yes|no)
	local label=$1 kind=$2 var=$3 want_ratio=$4 t
	local -n arr=$var
	printf '| %s ' "$label"
	for t in "${TOOLS[@]}"; do
		# shellcheck disable=SC2086
		printf '| %s ' "$(cell "$t" "$kind" ${arr[$t]})"
	done
	if [ "$want_ratio" = yes ]; then
		printf '| %s |\n' "$(ratio "${arr[ptprof]}" "${arr[eu-stack]}")"
	else
		printf '| — |\n'
	fi
}

report_dump() {
	ran dump || return 0
	local t ptprof_head=ptprof
	[ "$PTPROF" = "$PTPROF_DEFAULT" ] || ptprof_head="ptprof (STUB: PTPROF=$PTPROF)"
	printf '\n## ptprof benchmark: %s tasks (%s blocked workers + spinner + hiccup meter + main), median of %s interleaved runs\n\n' \
		"$NTASKS" "$NTHREADS" "$RUNS"
	printf '%s, %s CPUs, kernel %s; %s; %s; %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -r)" \
		"$( [ "${AVAIL[eu-stack]}" = 1 ] && eu-stack --version 2>&1 | head -1 || echo 'eu-stack: not installed')" \
		"$( [ "${AVAIL[gdb]}" = 1 ] && gdb --version 2>&1 | head -1 || echo 'gdb: not installed')" \
		"$( [ "$HAVE_STRACE" = 1 ] && strace -V 2>&1 | head -1 || echo 'strace: not installed')"
	printf 'Load average (1/5/15 min) at start %s, at end %s; the target'"'"'s spinner keeps one CPU busy.\n\n' \
		"$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)"
	if [ "$ptprof_head" != ptprof ]; then
		printf '**WARNING: the ptprof column was produced by a stub (PTPROF=%s), not by ptprof.**\n\n' "$PTPROF"
	fi
	printf '| | %s | eu-stack | gdb | ptprof / eu-stack |\n' "$ptprof_head"
	printf '|---|---:|---:|---:|---:|\n'
	row "$NTHREADS-thread dump, wall time (inlines + file:line)" ms WALL yes
	# shellcheck disable=SC2086
	printf '| ↳ ptprof'"'"'s first run on a machine: no inflated copies of debug files kept yet (libdw inflates libc'"'"'s; the copies are written after) | %s | — | — | %s |\n' \
		"$( [ -n "${COLD[ptprof]:-}" ] && fmt_ms "$(median ${COLD[ptprof]})" || echo —)" \
		"$(ratio "${COLD[ptprof]:-}" "${WALL[eu-stack]:-}")"
	row "longest stall a target thread sees during that dump" stall SMAX yes
	row "↳ baseline: longest gap over an equal idle period, no tool attached" stall BMAX no
	row "total stall during that dump (sum of gaps > 20 µs)" stall SSUM yes
	row "↳ baseline: sum of gaps > 20 µs over an equal idle period" stall BSUM no
	row "longest lateness of an idle thread's 1 ms wake-ups during that dump (hiccup meter)" stall HMAX yes
	row "↳ baseline: the same over an equal idle period, no tool attached" stall BHMAX no
	# shellcheck disable=SC2086
	printf '| threads stopped by one dump (ptprof -v; the others read in place) | %s | — | — | — |\n' \
		"$(med_or_empty ${NSTOPPED[ptprof]:-} | awk '{ if ($0 == "") print "—"; else printf "%d of %d", $0, '"$NTASKS"' }')"
	if [ "$HAVE_STRACE" = 1 ]; then
		row "syscalls per dumped thread (ptrace + process_vm_readv + wait4, $NTASKS threads)" count SYS yes
	else
		printf '| syscalls per dumped thread | n/a (strace not installed) | n/a | n/a | — |\n'
	fi

	printf '\nCommands (PID %s = %s %s; N = run number; DEBUGINFOD_URLS unset for every tool):\n\n' \
		"$MT_PID" "$TARGET_BIN" "$NTHREADS"
	for t in "${TOOLS[@]}"; do
		[ "${AVAIL[$t]}" = 1 ] || continue
		printf -- '- %s, rows 1-2: `%s`\n' "$t" "${CMDSTR[$t]}"
	done
	printf -- '- stall rows: before each dump the target is sent `reset` on stdin, after it `report`; its spinner thread\n'
	printf '  reads CLOCK_MONOTONIC in a loop and reports the longest gap between two reads and the sum of gaps > 20 µs.\n'
	printf '  Baseline: `reset`, then `sleep` for exactly that dump'"'"'s wall time with no tool attached, then `report`.\n'
	printf -- '- wall time: bash $EPOCHREALTIME read just before and just after the command.\n'
	printf -- '- every run'"'"'s figures (ns): %s\n' "$LOG/raw.tsv"
	for t in "${TOOLS[@]}"; do
		[ "${AVAIL[$t]}" = 1 ] && [ -n "${SYSCMD[$t]:-}" ] || continue
		printf -- '- %s, syscall row: `%s` (calls from the "total" line / %s threads); last run: %s\n' \
			"$t" "${SYSCMD[$t]}" "$NTASKS" "${SYSDETAIL[$t]:-none}"
	done
	if [ "${AVAIL[gdb]}" = 1 ] && [ "$HAVE_STRACE" = 1 ]; then
		printf -- '- gdb is straced without -f (under strace -f its PTRACE_TRACEME probe child hangs), and gdb reads\n'
		printf '  target memory with pread64 on /proc/PID/mem, which this syscall filter does not count.\n'
	fi
	printf '\nOutput check (warm-up run, output in %s/TOOL.txt):\n\n' "$OUT"
	for t in "${TOOLS[@]}"; do
		[ "${AVAIL[$t]}" = 1 ] || { printf -- '- %s: not installed\n' "$t"; continue; }
		printf -- '- %s: %s\n' "$t" "${CHECK[$t]}"
	done
	local any=0
	for t in "${TOOLS[@]}"; do
		if [ "${NFAIL[$t]}" != 0 ]; then
			[ $any = 1 ] || printf '\nFailures:\n\n'
			any=1
			printf -- '- %s failed %d of %d timed runs; first: %s\n' "$t" "${NFAIL[$t]}" "$RUNS" "${FAILMSG[$t]}"
		fi
		if [ "${NSYSFAIL[$t]}" != 0 ]; then
			[ $any = 1 ] || printf '\nFailures:\n\n'
			any=1
			printf -- '- %s failed %d of %d strace runs (see %s/%s.N.strace.stderr)\n' "$t" "${NSYSFAIL[$t]}" "$RUNS" "$LOG" "$t"
		fi
	done
}

# ----------------------------------------------------- the record rows --

# The values of one key, or nothing.
vals() { printf '%s' "${RV[$1]:-}"; }
rfailnote() { # key
	[ "${RFAIL[$1]}" = 0 ] || printf ' (%d/%d runs failed)' "${RFAIL[$1]}" "$REC_RUNS"
}
perf_na() { [ -n "$PERF_NA" ] && printf 'n/a (%s)' "$PERF_NA"; }
no_vals() { # key-of-a-value-list
	[ -z "$(vals "$1" | tr -d ' ')" ] && printf 'failed (all %s runs, see below)' "$REC_RUNS"
}

share_cell() { # ptprof|perf
	local t=$1
	[ "$t" = ptprof ] || ! perf_na || return 0
	no_vals "$t-share.a" && return 0
	# shellcheck disable=SC2046
	printf '%s / %s (%s worker samples)' "$(pct "$(median_f $(vals "$t-share.a"))")" \
		"$(pct "$(median_f $(vals "$t-share.b"))")" "$(median $(vals "$t-share.n"))"
	rfailnote "$t-share"
}
share_diff_cell() { # ptprof|perf
	local t=$1 ma mb n
	[ "$t" = ptprof ] || ! perf_na || return 0
	no_vals "$t-share.a" && return 0
	# shellcheck disable=SC2046
	ma=$(median_f $(vals "$t-share.a")) mb=$(median_f $(vals "$t-share.b")) n=$(median $(vals "$t-share.n"))
	awk -v a="$ma" -v b="$mb" -v n="$n" -v runs="$(vals "$t-share.a")" 'BEGIN {
		da = a - 25; if (da < 0) da = -da
		db = b - 75; if (db < 0) db = -db
		k = split(runs, r, " "); s = ""
		for (i = 1; i <= k; i++) { d = r[i] - 25; if (d < 0) d = -d; s = s (i > 1 ? ", " : "") sprintf("%.1f", d) }
		printf "%.1f / %.1f points (hot_a per run: %s; 1 σ sampling noise at %d samples: %.1f)",
			da, db, s, n, 100 * sqrt(0.25 * 0.75 / n) }'
}
cpu_cell() { # key
	local k=$1 m
	[ "$k" != perf-cpu ] || ! perf_na || return 0
	no_vals "$k.cpu" && return 0
	# shellcheck disable=SC2046
	m=$(median_f $(vals "$k.cpu"))
	awk -v m="$m" -v s="$REC_SECS" 'BEGIN { printf "%.2f s = %.3f CPU-s per s of profile", m, m / s }'
	if [ "$k" = perf-cpu ]; then
		# shellcheck disable=SC2046
		printf ' (record %.2f s + report %.2f s)' "$(median_f $(vals perf-cpu.reccpu))" "$(median_f $(vals perf-cpu.repcpu))"
	fi
	rfailnote "$k"
}
cpu_ratio() {
	[ -z "$PERF_NA" ] && [ -n "$(vals ptprof-cpu.cpu | tr -d ' ')" ] && [ -n "$(vals perf-cpu.cpu | tr -d ' ')" ] || {
		printf '—'
		return 0
	}
	# shellcheck disable=SC2046
	fmt_ratio "$(median_f $(vals ptprof-cpu.cpu))" "$(median_f $(vals perf-cpu.cpu))"
}
# Wall-mode CPU time / cpu-mode CPU time (medians; the runs are interleaved,
# so the per-run ratios are shown too).  Target: at most 2x.
WALL_CPU_MAX=2
wall_cpu_cell() {
	local c w
	c=$(vals ptprof-cpu.cpu | tr -d ' ') w=$(vals ptprof-wall.cpu | tr -d ' ')
	[ -n "$c" ] && [ -n "$w" ] || { printf 'n/a (a mode failed in every run)'; return 0; }
	# shellcheck disable=SC2046,SC2154  # (RFAIL is associative: ptprof-cpu is a key, not a difference)
	awk -v c="$(median_f $(vals ptprof-cpu.cpu))" -v w="$(median_f $(vals ptprof-wall.cpu))" \
		-v cs="$(vals ptprof-cpu.cpu)" -v ws="$(vals ptprof-wall.cpu)" -v max="$WALL_CPU_MAX" \
		-v paired=$(( RFAIL[ptprof-cpu] + RFAIL[ptprof-wall] == 0 )) 'BEGIN {
		if (c <= 0) { printf "n/a (cpu mode used no CPU time)"; exit }
		printf "%.2f× (%.2f s / %.2f s; target ≤ %g×: %s)", w / c, w, c, max, (w / c <= max ? "met" : "NOT met")
		k = split(cs, a, " "); l = split(ws, b, " ")
		if (paired && k == l && k > 1) {
			s = ""
			for (i = 1; i <= k; i++) s = s (i > 1 ? ", " : "") (a[i] > 0 ? sprintf("%.2f×", b[i] / a[i]) : "—")
			printf "; per run: %s", s
		} }'
}
samples_cell() { # key
	local k=$1
	[ "$k" != perf-cpu ] || ! perf_na || return 0
	no_vals "$k.samples" && return 0
	# shellcheck disable=SC2046
	awk -v n="$(median $(vals "$k.samples"))" -v s="$REC_SECS" -v k="$k" -v rate="$REC_RATE" -v tasks="$COST_TASKS" \
		-v tk="$(median $(vals "$k.ticks") 2>/dev/null || echo 0)" -v ms="$(median $(vals "$k.missed") 2>/dev/null || echo 0)" \
		-v lost="$(median $(vals "$k.lost") 2>/dev/null || echo 0)" -v wf="$(median_f $(vals "$k.workerfrac"))" 'BEGIN {
		if (k == "ptprof-wall")
			printf "%.0f/s of %d possible (%d tasks × %d Hz); %d samples, %d ticks taken, %d missed (%.0f%%)",
				n / s, tasks * rate, tasks, rate, n, tk, ms, (tk + ms > 0 ? 100 * ms / (tk + ms) : 0)
		else if (k == "ptprof-cpu")
			printf "%.1f/s (worker on a CPU %.0f%% of the run: ≈ %.0f/s possible); %d samples, %d ticks taken, %d missed (%.0f%%)",
				n / s, 100 * wf, rate * wf, n, tk, ms, (tk + ms > 0 ? 100 * ms / (tk + ms) : 0)
		else
			printf "%.1f/s (worker on a CPU %.0f%% of the run: ≈ %.0f/s possible); %d samples, %d lost",
				n / s, 100 * wf, rate * wf, n, lost
	}'
	rfailnote "$k"
}
samples_ratio() {
	[ -z "$PERF_NA" ] && [ -n "$(vals ptprof-cpu.samples | tr -d ' ')" ] && [ -n "$(vals perf-cpu.samples | tr -d ' ')" ] || {
		printf '—'
		return 0
	}
	# shellcheck disable=SC2046
	fmt_ratio "$(median $(vals ptprof-cpu.samples))" "$(median $(vals perf-cpu.samples))"
}

# Anything a reader should not miss, found from the figures.
record_warnings() {
	local t k m v
	for t in ptprof perf; do
		[ "$t" = ptprof ] || [ -z "$PERF_NA" ] || continue
		v=$(vals "$t-share.a" | tr -d ' ')
		[ -n "$v" ] || continue
		# shellcheck disable=SC2046
		m=$(median_f $(vals "$t-share.a"))
		awk -v m="$m" 'BEGIN { d = m - 25; if (d < 0) d = -d; exit !(d > 2) }' &&
			printf -- '- %s: median hot_a share %s is more than 2 points from the truth (25%%)\n' "$t" "$(pct "$m")"
		# shellcheck disable=SC2046
		for v in $(vals "$t-share.a"); do
			awk -v m="$v" 'BEGIN { d = m - 25; if (d < 0) d = -d; exit !(d > 2) }' &&
				printf -- '- %s: one run'"'"'s hot_a share, %s, is more than 2 points from the truth (1 σ of sampling noise at %s samples: %s points)\n' \
					"$t" "$(pct "$v")" "$(median $(vals "$t-share.n"))" \
					"$(awk -v n="$(median $(vals "$t-share.n"))" 'BEGIN { printf "%.1f", 100 * sqrt(0.25 * 0.75 / n) }')"
		done
	done
	for k in ptprof-share ptprof-cpu ptprof-wall; do
		v=$(vals "$k.missed" | tr -d ' ')
		[ -n "$v" ] || continue
		# shellcheck disable=SC2046
		m=$(printf '%s\n' $(vals "$k.missed") | awk '{ s += $1 } END { print s + 0 }')
		# shellcheck disable=SC2046
		[ "$m" = 0 ] || printf -- '- %s: ptprof missed ticks, per run: %s (of %s ticks per %s s run; "ptprof too slow for the rate")\n' \
			"$k" "$(vals "$k.missed" | sed 's/^ //; s/ /, /g')" "$((REC_SECS * REC_RATE))" "$REC_SECS"
	done
	if [ -z "$PERF_NA" ] && [ -n "$(vals ptprof-cpu.workerfrac | tr -d ' ')" ] && [ -n "$(vals perf-cpu.workerfrac | tr -d ' ')" ]; then
		# shellcheck disable=SC2046
		awk -v a="$(median_f $(vals ptprof-cpu.workerfrac))" -v b="$(median_f $(vals perf-cpu.workerfrac))" 'BEGIN {
			if (b - a > 0.1 || a - b > 0.1)
				printf "- the busy worker ran on a CPU %.0f%% of the time while ptprof recorded in cpu mode, %.0f%% while perf did (on %d CPUs; other load on the machine counts too)\n", 100 * a, 100 * b, '"$(nproc)"' }'
	fi
	if [ -z "$PERF_NA" ]; then
		# shellcheck disable=SC2046
		m=$(printf '%s\n' $(vals perf-cpu.lost) | awk '{ s += $1 } END { print s + 0 }')
		[ "$m" = 0 ] || printf -- '- perf lost samples: %s\n' "$(vals perf-cpu.lost)"
	fi
	for k in "${RKEYS[@]}"; do
		[ "${RFAIL[$k]}" = 0 ] || printf -- '- %s failed %d of %d runs; first: %s\n' "$k" "${RFAIL[$k]}" "$REC_RUNS" "${RFAILMSG[$k]}"
	done
}

report_record() {
	ran accuracy || ran cost || return 0
	local perfv w
	perfv=$( [ "$PERF_NA" != "not installed" ] && perf --version 2>&1 | head -1 || echo 'perf: not installed')
	printf '\n## ptprof record vs perf record: %s s profiles at %s Hz, median of %s interleaved runs\n\n' \
		"$REC_SECS" "$REC_RATE" "$REC_RUNS"
	printf 'Target %s (bench/ratio.c): one worker thread calls hot_a(1) and hot_b(3) in a loop, with the same loop\n' "$RATIO_BIN"
	printf 'body, so the truth is hot_a 25%%, hot_b 75%% of its CPU; idle threads (64 KiB stacks; %s for the share row,\n' "$SHARE_IDLE"
	printf '%s for the others) block in pthread_cond_wait.  The dump target is stopped before these runs.\n' "$NTHREADS"
	printf '%s, %s CPUs; load average (1/5/15 min) at' "$perfv" "$(nproc)"
	printf ' start of the record runs %s, at end %s.\n\n' "$(load_start accuracy cost)" "$(load_end accuracy cost)"
	printf '| | ptprof record | perf record | ptprof / perf |\n'
	printf '|---|---:|---:|---:|\n'
	if ran accuracy; then
		printf '| share of hot_a / hot_b in the worker'"'"'s samples (truth 25.0%% / 75.0%%), 1 busy + %s idle threads | %s | %s | — |\n' \
			"$SHARE_IDLE" "$(share_cell ptprof)" "$(share_cell perf)"
		printf '| ↳ absolute difference of those medians from the truth (hot_a / hot_b) | %s | %s | — |\n' \
			"$(share_diff_cell ptprof)" "$(share_diff_cell perf)"
	fi
	if ran cost; then
		printf '| profiler CPU time (user+sys) for a %s s profile at %s Hz, cpu mode, 1 busy + %s idle threads | %s | %s | %s |\n' \
			"$REC_SECS" "$REC_RATE" "$NTHREADS" "$(cpu_cell ptprof-cpu)" "$(cpu_cell perf-cpu)" "$(cpu_ratio)"
		printf '| profiler CPU time (user+sys), wall mode, 1 busy + %s idle threads | %s | n/a (%s) | — |\n' \
			"$NTHREADS" "$(cpu_cell ptprof-wall)" "$OFFCPU"
		printf '| ↳ wall / cpu: profiler CPU time of wall mode / that of cpu mode, 1 busy + %s idle threads | %s | — | — |\n' \
			"$NTHREADS" "$(wall_cpu_cell)"
		printf '| samples per second actually taken, cpu mode, 1 busy + %s idle threads | %s | %s | %s |\n' \
			"$NTHREADS" "$(samples_cell ptprof-cpu)" "$(samples_cell perf-cpu)" "$(samples_ratio)"
		printf '| samples per second actually taken, wall mode, 1 busy + %s idle threads | %s | n/a (no wall mode) | — |\n' \
			"$NTHREADS" "$(samples_cell ptprof-wall)"
	fi

	printf '\nCommands (DEBUGINFOD_URLS unset; N = run number; runs interleaved in this order within each row group):\n\n'
	if ran accuracy; then
		printf -- '- share row: target `%s %s` (PID %s, worker TID %s)\n' "$RATIO_BIN" "$SHARE_IDLE" "$SHARE_PID" "$SHARE_WTID"
		printf '  - ptprof: `%s`\n' "${RCMD[ptprof-share]:-not run}"
		if [ -z "$PERF_NA" ]; then
			printf '  - perf: `%s`, then `%s`\n' "${RCMD[perf-share]:-not run}" \
				"$(shjoin env HOME="$PERF_HOME" perf script -i "$OUT/perf-share.data" -F tid,ip,sym) > $OUT/perf-share.N.script"
		fi
		printf '  - share = samples of the worker TID (ptprof: folded lines whose root frame is NAME/TID; perf: samples with that\n'
		printf '    tid) with a hot_a (hot_b) frame anywhere on the stack / all samples of the worker TID (cumulative share).\n'
	fi
	if ran cost; then
		printf -- '- CPU-time and samples rows: target `%s %s` (PID %s, worker TID %s)\n' "$RATIO_BIN" "$NTHREADS" "$COST_PID" "$COST_WTID"
		printf '  - ptprof cpu mode: `%s`\n' "${RCMD[ptprof-cpu]:-not run}"
		printf '  - ptprof wall mode: `%s`\n' "${RCMD[ptprof-wall]:-not run}"
		if [ -z "$PERF_NA" ]; then
			printf '  - perf: `%s`, then `%s` (CPU time of both added)\n' "${RCMD[perf-cpu]:-not run}" "${RCMD[perf-report]:-not run}"
		fi
		printf -- '- CPU time: bash `times` in a subshell that ran the command: user+sys of everything it waited for\n'
		printf '  (timeout(1), the profiler, for perf also its `sleep`).  perf runs with HOME set to a scratch directory so that its\n'
		printf '  build-id cache (filled by an untimed 1 s warm-up run) does not touch ~/.debug.\n'
		printf -- '- samples: ptprof'"'"'s stderr summary ("recorded ... N samples from T threads, K ticks" and "lost: ... M ticks\n'
		printf '  missed"); perf: "(N samples)" from perf record'"'"'s stderr, lost from "# Total Lost Samples" of perf report;\n'
		printf '  per second = N / %s.  "worker on a CPU": the worker'"'"'s /proc/PID/task/TID/schedstat run time gained during\n' "$REC_SECS"
		printf '  the command / the command'"'"'s wall time, × %s Hz = the samples a cpu-mode profiler could take.\n' "$REC_RATE"
	fi
	printf -- '- every run'"'"'s figures: %s; profiles in %s; stderr of every run in %s\n' "$LOG/record.tsv" "$OUT" "$LOG"

	printf '\nOutput check:\n\n'
	for w in "${RCHECK[@]}"; do printf -- '- %s\n' "$w"; done
	[ -n "$PERF_NA" ] && printf -- '- perf: %s\n' "$PERF_NA"

	w=$(record_warnings)
	if [ -n "$w" ]; then
		printf '\nNotes and failures (record rows):\n\n%s\n' "$w"
	fi
}

# ---------------------------------------------------- the syscall rows --

svals() { printf '%s' "${SV[$1]:-}"; }
shave() { [ -n "$(svals "$1" | tr -d ' ')" ]; }
sfailnote() { # key
	[ "${SFAIL[$1]}" = 0 ] || printf ' (%d/%d runs failed)' "${SFAIL[$1]}" "$REC_RUNS"
}
# The part whose loop runs a syscall key.
sys_part() { # key
	case $1 in sys-ptprof-cost) printf cost ;; *) printf accuracy ;; esac
}
sys_cell() { # key what(per|own|extra|seize)
	local k=$1
	ran "$(sys_part "$k")" || { not_run "$(sys_part "$k")"; return 0; }
	case $2 in
	per)
		shave "$k.per" || { printf 'failed (all %s runs, see below)' "$REC_RUNS"; return 0; }
		# shellcheck disable=SC2046
		awk -v p="$(median_f $(svals "$k.per"))" -v t="$(median $(svals "$k.tot"))" -v n="$(median $(svals "$k.n"))" \
			'BEGIN { printf "%.2f (medians: %d calls, %d thread-samples stopped)", p, t, n }'
		sfailnote "$k" ;;
	own)
		shave "$k.own" || { printf '—'; return 0; }
		# shellcheck disable=SC2046
		printf '%.2f (it printed: %s)' "$(median_f $(svals "$k.own"))" "$(svals "$k.printed" | sed 's/^ //; s/ /, /g')" ;;
	extra)
		shave "$k.extrawait" || { printf '—'; return 0; }
		# shellcheck disable=SC2046
		awk -v e="$(median $(svals "$k.extrawait"))" -v n="$(median $(svals "$k.n"))" \
			'BEGIN { printf "%.2f (%d calls)", e / n, e }' ;;
	seize)
		shave "$k.seize" || { printf '—'; return 0; }
		svals "$k.seize" | sed 's/^ //; s/ /, /g' ;;
	esac
}
report_syscalls() {
	ran accuracy || ran cost || return 0
	local k w
	printf '\n## ptrace + process_vm_readv + wait4 calls per thread-sample: %s s cpu-mode records at %s Hz under strace, median of %s interleaved runs\n\n' \
		"$SYS_SECS" "$REC_RATE" "$REC_RUNS"
	if [ "$HAVE_STRACE" = 0 ]; then
		printf 'Not measured: strace is not installed.\n'
		return 0
	fi
	printf 'Same targets as the record rows (run in the same loops, after the share and the CPU-cost runs).  The figure\n'
	printf 'compared with the target (≤ %s) is strace'"'"'s: every ptrace, process_vm_readv and wait4 call any thread of ptprof\n' "$SYS_MAX"
	printf 'made / the thread-samples for which a thread was stopped.  ptprof'"'"'s own count (the -v line) is shown beside it:\n'
	printf 'it counts one wait per stop and leaves out the waitpid(-1, WNOHANG) polls that find nothing, which strace counts.\n\n'
	printf '| | ptprof record, 1 busy + %s idle threads | ptprof record, 1 busy + %s idle threads | floor (bench/floor.c), 1 busy + %s idle threads |\n' \
		"$SHARE_IDLE" "$NTHREADS" "$SHARE_IDLE"
	printf '|---|---:|---:|---:|\n'
	printf '| calls per thread-sample counted by strace -f -c (compared with the target: ≤ %s; floor %s) | %s | %s | %s |\n' \
		"$SYS_MAX" "$SYS_FLOOR" "$(sys_cell sys-ptprof-share per)" "$(sys_cell sys-ptprof-cost per)" "$(sys_cell sys-floor per)"
	printf '| calls per thread-sample counted by ptprof itself (its -v line; same denominator) | %s | %s | — |\n' \
		"$(sys_cell sys-ptprof-share own)" "$(sys_cell sys-ptprof-cost own)"
	printf '| ↳ wait4 calls strace counted beyond ptprof'"'"'s count, per thread-sample | %s | %s | — |\n' \
		"$(sys_cell sys-ptprof-share extra)" "$(sys_cell sys-ptprof-cost extra)"
	printf '| threads seized (per run; %s resp. %s tasks in the target) | %s | %s | %s |\n' \
		"$((SHARE_IDLE + 2))" "$((NTHREADS + 2))" "$(sys_cell sys-ptprof-share seize)" "$(sys_cell sys-ptprof-cost seize)" \
		"$(ran accuracy && printf 1 || not_run accuracy)"

	printf '\nCommands (N = run number; stdout and stderr of every run in %s):\n\n' "$LOG"
	for k in sys-ptprof-share sys-ptprof-cost sys-floor; do
		[ -n "${SCMD[$k]:-}" ] || continue
		printf -- '- %s, target `%s`: `%s`\n' "$k" "${STGT[$k]}" "${SCMD[$k]}"
		[ -z "${SDETAIL[$k]}" ] || printf '  - last run: %s\n' "${SDETAIL[$k]}"
	done
	printf -- '- calls: the "total" line of the strace -c summary (ptrace + process_vm_readv + wait4 of all of ptprof'"'"'s threads).\n'
	printf '  Thread-samples stopped: ptprof: "N samples" of its "recorded ..." line + "(no stack)" losses of its "lost:" line\n'
	printf '  (the count its -v figure divides by); floor: "floor: N samples" on its stdout.\n'
	printf -- '- cross-check: strace'"'"'s ptrace calls must equal seize + interrupt + getregs + cont/listen + detach of the -v line,\n'
	printf '  its process_vm_readv calls the process_vm_readv of the -v line; any difference is listed below.\n'
	printf -- '- every run'"'"'s figures: %s\n' "$LOG/syscalls.tsv"

	w=
	for k in "${SNOTES[@]}"; do w+="- $k"$'\n'; done
	[ -z "$w" ] || printf '\nNotes and failures (syscall rows):\n\n%s' "$w"
}

# ------------------------------------------------ the target-side rows --

x_na() { [ -n "$PERF_X_NA" ] && printf 'n/a (%s)' "$PERF_X_NA"; }
stall_cell() { # tool
	local t=$1
	[ "$t" != perf ] || ! x_na || return 0
	if [ -z "${XV[stall-$t.per]:-}" ]; then
		printf 'failed (%s)' "${XFAIL[stall-$t]:-no figures}" | head -c 300
		return 0
	fi
	# shellcheck disable=SC2046,SC2086
	awk -v p="$(median ${XV[stall-$t.per]})" -v s="$(median ${XV[stall-$t.sum]})" -v b="$(median ${XV[stall-$t.base]})" \
		-v n="$(median ${XV[stall-$t.n]})" 'BEGIN {
		printf "%.1f µs (gaps > 20 µs: %.2f ms − baseline %.2f ms, / %d samples)", p / 1e3, s / 1e6, b / 1e6, n }'
}
rss_cell() { # tool
	local t=$1 a b
	[ "$t" != perf ] || ! x_na || return 0
	a=${XV[rss-$t.$RSS_SHORT]:-} b=${XV[rss-$t.$RSS_LONG]:-}
	printf '%s s: %s (%s); %s s: %s (%s); %s s / %s s: %s' \
		"$RSS_SHORT" "$( [ -n "$a" ] && fmt_kib "$a" || echo failed)" "${XV[rss-$t.$RSS_SHORT.note]:-}" \
		"$RSS_LONG" "$( [ -n "$b" ] && fmt_kib "$b" || echo failed)" "${XV[rss-$t.$RSS_LONG.note]:-}" \
		"$RSS_LONG" "$RSS_SHORT" "$( [ -n "$a" ] && [ -n "$b" ] && fmt_ratio "$b" "$a" || echo —)"
}
report_target() {
	ran stall || ran rss || ran eintr || return 0
	local r w t d m
	printf '\n## What the target pays: stall per sample, peak RSS, EINTRs (one run each unless noted)\n\n'
	printf 'Load average (1/5/15 min) at start of these runs %s, at end %s; %s CPUs.\n\n' \
		"$(load_start stall rss eintr)" "$(load_end stall rss eintr)" "$(nproc)"
	printf '| | ptprof record | floor (bench/floor.c) | perf record | ratio |\n'
	printf '|---|---:|---:|---:|---:|\n'
	if ran stall; then
		r='—'
		# shellcheck disable=SC2046,SC2086
		[ -n "${XV[stall-ptprof.per]:-}" ] && [ -n "${XV[stall-floor.per]:-}" ] &&
			r="ptprof / floor $(fmt_ratio "$(median ${XV[stall-ptprof.per]})" "$(median ${XV[stall-floor.per]})")"
		printf '| stall the target sees per sample (%s s at %s Hz, cpu mode, 1 spinning thread; median of %s) | %s | %s | %s | %s |\n' \
			"$X_SECS" "$REC_RATE" "$STALL_RUNS" "$(stall_cell ptprof)" "$(stall_cell floor)" "$(stall_cell perf)" "$r"
	fi
	if ran rss; then
		r='—'
		[ -n "${XV[rss-ptprof.$RSS_LONG]:-}" ] && [ -n "${XV[rss-perf.$RSS_LONG]:-}" ] &&
			r="ptprof / perf at $RSS_LONG s $(fmt_ratio "${XV[rss-ptprof.$RSS_LONG]}" "${XV[rss-perf.$RSS_LONG]}")"
		printf '| peak RSS of a %s s and a %s s record at %s Hz (1 busy + %s idle threads) | %s | — | %s | %s |\n' \
			"$RSS_SHORT" "$RSS_LONG" "$RSS_RATE" "$SHARE_IDLE" "$(rss_cell ptprof)" "$(rss_cell perf)" "$r"
	fi
	if ran eintr; then
		printf '| EINTRs seen by a thread looping on epoll_wait(-1) during a %s s record (target: 0 in cpu mode, ≤ 1 in wall mode) | cpu mode: %s (%s samples); wall mode: %s (%s samples); no tool: %s | — | — | — |\n' \
			"$X_SECS" "${XV[eintr-cpu]:-failed}" "${XV[eintr-cpu.samples]:-?}" "${XV[eintr-wall]:-failed}" \
			"${XV[eintr-wall.samples]:-?}" "${XV[eintr-baseline]:-?}"
	fi

	printf '\nCommands (N = run number):\n\n'
	if ran stall; then
		printf -- '- stall row: target `%s` (PID %s; its spinning thread TID %s is the only running thread, main blocks in read(2))\n' "$SPIN_BIN" "$SPIN_PID" "$SPIN_TID"
		for t in ptprof floor perf; do
			[ -n "${XCMD[stall-$t]:-}" ] && printf '  - %s: `%s`\n' "$t" "${XCMD[stall-$t]}"
		done
		printf '  - per sample = (sum of the spinner'"'"'s CLOCK_MONOTONIC gaps > 20 µs during the command − the same sum over an idle\n'
		printf '    period of the same length right after, no tool attached) / samples.  Samples: ptprof "recorded ... N samples" on\n'
		printf '    stderr; floor "floor: N samples" on stdout; perf: lines of `perf script -i %s -F tid`.\n' "$OUT/stall-perf.data"
		printf '    floor: PTRACE_SEIZE once, per tick INTERRUPT, waitpid(__WALL), GETREGS, one 8 KiB process_vm_readv from rsp, CONT.\n'
		printf '  - every run: %s\n' "$LOG/stall.tsv"
	fi
	if ran rss; then
		printf -- '- RSS row: target `%s %s` (PID %s); peak RSS = %%M (KiB) of GNU time, one run each, in this order:\n' "$RATIO_BIN" "$SHARE_IDLE" "$RSS_PID"
		for d in "$RSS_SHORT" "$RSS_LONG"; do
			for t in ptprof perf; do
				[ -n "${XCMD[rss-$t-$d]:-}" ] && printf '  - `%s`\n' "${XCMD[rss-$t-$d]}"
			done
		done
	fi
	if ran eintr; then
		printf -- '- EINTR row: target `%s` (PID %s; epoll_wait thread TID %s, busy thread TID %s); `reset` on stdin, the\n' "$EPOLL_BIN" "$EP_PID" "$EP_TID" "$EP_BUSY"
		printf '  command, then `report` (count of epoll_wait returns with errno EINTR); "no tool": `sleep %s` instead.\n' "$X_SECS"
		for m in cpu wall; do
			[ -n "${XCMD[eintr-$m]:-}" ] && printf '  - %s mode: `%s`\n' "$m" "${XCMD[eintr-$m]}"
		done
	fi

	w=
	for r in "${XNOTES[@]}"; do w+="- $r"$'\n'; done
	[ -n "$PERF_X_NA" ] && w+="- perf: $PERF_X_NA"$'\n'
	if [ -n "${XV[stall-ptprof.per]:-}" ] && [ -n "${XV[stall-floor.per]:-}" ]; then
		# shellcheck disable=SC2046,SC2086
		w+=$(awk -v a="$(median ${XV[stall-ptprof.per]})" -v b="$(median ${XV[stall-floor.per]})" 'BEGIN {
			if (b > 0 && a / b > 1.3) printf "- ptprof stalls the target %.2f× as long per sample as the floor (above 1.3×)\n", a / b }')
	fi
	[ "${XV[eintr-cpu]:-0}" = 0 ] || w+="- ptprof cpu mode injected ${XV[eintr-cpu]} EINTRs into a thread blocked in epoll_wait (target: 0)"$'\n'
	[ "${XV[eintr-wall]:-0}" -le 1 ] 2>/dev/null || w+="- ptprof wall mode injected ${XV[eintr-wall]} EINTRs into a thread blocked in epoll_wait (target: at most 1 per record)"$'\n'
	[ "${XV[eintr-baseline]:-0}" = 0 ] || w+="- the epoll thread saw ${XV[eintr-baseline]} EINTRs with no tool attached"$'\n'
	[ -z "$w" ] || printf '\nNotes and failures (target-side rows):\n\n%s' "$w"
}

# ------------------------------------------------------------- Go rows --

gvals() { printf '%s' "${GV[$1]:-}"; }
# Threshold of the Go rows: dump time (ns) and share of Delve's, share gap.
GOR_MAX_NS=150000000
GOR_MAX_DELVE=0.1
GOCPU_MAX_GAP=5
# The dump cell of a tool: median wall time, or why there is none.
gor_cell() { # ptprof|delve
	local t=$1
	if [ "$t" = delve ] && [ -n "$DLV_NA" ]; then
		printf 'n/a (%s)' "$DLV_NA"
		return 0
	fi
	if [ -z "$(gvals "$t.wall" | tr -d ' ')" ]; then
		printf 'failed (all %s runs, see below)' "$RUNS"
		return 0
	fi
	# shellcheck disable=SC2046
	fmt_ms "$(median $(gvals "$t.wall"))"
	[ "${GFAIL[$t]:-0}" = 0 ] || printf ' (%d/%d runs failed)' "${GFAIL[$t]}" "$RUNS"
}
gor_ratio() {
	[ -z "$DLV_NA" ] && [ -n "$(gvals ptprof.wall | tr -d ' ')" ] && [ -n "$(gvals delve.wall | tr -d ' ')" ] || {
		printf '—'
		return 0
	}
	# shellcheck disable=SC2046
	fmt_ratio "$(median $(gvals ptprof.wall))" "$(median $(gvals delve.wall))"
}
# The share cell of a profiler: median hashA / hashB shares in main.worker's
# samples, or why there is none.
gocpu_cell() { # ptprof|go
	local t=$1
	if [ -z "$(gvals "$t.a" | tr -d ' ')" ]; then
		printf 'none (%s of %s runs gave no share, see below)' "${GFAIL[gocpu-$t]:-?}" "$REC_RUNS"
		return 0
	fi
	# shellcheck disable=SC2046
	printf '%s / %s (%s worker samples; hashA per run: %s)' "$(pct "$(median_f $(gvals "$t.a"))")" \
		"$(pct "$(median_f $(gvals "$t.b"))")" "$(median $(gvals "$t.n"))" \
		"$(gvals "$t.a" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.1f%%", (i > 1 ? ", " : ""), $i }')"
	[ "${GFAIL[gocpu-$t]:-0}" = 0 ] || printf ' (%d/%d runs without a share)' "${GFAIL[gocpu-$t]}" "$REC_RUNS"
}
gocpu_gap() {
	[ -n "$(gvals ptprof.a | tr -d ' ')" ] && [ -n "$(gvals go.a | tr -d ' ')" ] || {
		printf '—'
		return 0
	}
	# shellcheck disable=SC2046
	awk -v a="$(median_f $(gvals ptprof.a))" -v g="$(median_f $(gvals go.a))" -v n="$(median $(gvals go.n))" 'BEGIN {
		d = a - g; if (d < 0) d = -d
		printf "%.1f points (1 σ sampling noise at %d samples: %.1f)", d, n, 100 * sqrt(0.25 * 0.75 / n) }'
}

report_goroutines() {
	ran goroutines || return 0
	local w
	printf '\n## Go programs: goroutine dump vs Delve, CPU profile vs Go'"'"'s own profiler\n\n'
	printf '%s, %s CPUs, kernel %s; %s; %s.\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -r)" \
		"$GO_VERSION" "${DLV_VERSION:-Delve: $DLV_NA}"
	printf 'Load average (1/5/15 min) at start of these runs %s, at end %s.\n\n' \
		"$(load_start goroutines)" "$(load_end goroutines)"
	printf '| | ptprof | peer | ptprof / peer |\n'
	printf '|---|---:|---:|---:|\n'
	printf '| dump of %s parked goroutines (build/targets/go-gomany), wall time, median of %s interleaved runs | %s | Delve `goroutines -t`: %s | %s |\n' \
		"$NGOR" "$RUNS" "$(gor_cell ptprof)" "$(gor_cell delve)" "$(gor_ratio)"
	printf '| ↳ goroutines listed (warm-up run; the target has %s besides the runtime'"'"'s own) | %s | %s | — |\n' \
		"$((NGOR + 1))" "${GV[ptprof.listed]:-?}" "$([ -n "$DLV_NA" ] && printf 'n/a' || printf '%s' "${GV[delve.listed]:-?}")"
	if [ "$REC_RUNS" -ge 1 ]; then
		printf '| share of main.hashA / main.hashB in main.worker'"'"'s samples (3:1 by construction), %s s of build/targets/go-gocpu, both profilers at once, median of %s runs | %s | Go'"'"'s runtime/pprof: %s | %s |\n' \
			"$REC_SECS" "$REC_RUNS" "$(gocpu_cell ptprof)" "$(gocpu_cell go)" "$(gocpu_gap)"
		printf '| ↳ samples that reach main.worker (last run) | %s | %s | — |\n' \
			"${GV[ptprof.detail]:-none}" "${GV[go.detail]:-none}"
	fi

	printf '\nCommands (N = run number):\n\n'
	printf -- '- dump rows: target `%s %s` (PID %s), in position when it printed `ready` (it checks its own goroutine dump)\n' \
		build/targets/go-gomany "$NGOR" "$GM_PID"
	printf '  - ptprof: `%s`\n' "${GCMD[ptprof]:-not run}"
	[ -n "$DLV_NA" ] || printf '  - Delve: `%s`\n' "${GCMD[delve]:-not run}"
	printf '  - wall time: bash $EPOCHREALTIME read just before and just after the command; every run: %s\n' "$LOG/goroutines.tsv"
	if [ "$REC_RUNS" -ge 1 ]; then
		printf -- '- share row: target `%s` (PID %s); each run sends it `start` on stdin (Go'"'"'s CPU profiler then runs for\n' \
			"${GCMD[gocpu-go]:-not run}" "$GC_PID"
		printf '  %s s and it answers `profiled`; each profile is copied to %s/gocpu-go.N.pb.gz)\n' "$REC_SECS" "$OUT"
		printf '  - ptprof, started right after `start`: `%s`\n' "${GCMD[gocpu-ptprof]:-not run}"
		printf '  - share = sum of the first sample type (samples) over the samples with main.hashA (main.hashB) on the stack /\n'
		printf '    the same over the samples with main.worker on the stack: `tests/go/ref.py pprof-counts --within main.worker\n'
		printf '    PROFILE main.hashA main.hashB`; every run: %s\n' "$LOG/gocpu.tsv"
	fi

	printf '\nOutput check:\n\n'
	for w in "${GCHECK[@]}"; do printf -- '- %s\n' "$w"; done

	w=
	for r in "${GNOTES[@]}"; do w+="- $r"$'\n'; done
	[ -z "$w" ] || printf '\nNotes and failures (Go rows):\n\n%s' "$w"
}

# ------------------------------------------------------ the Go heap rows --

hvals() { printf '%s' "${HV[$1]:-}"; }
# Thresholds of the heap rows: wall time (ns), share of the program's own
# WriteHeapProfile, longest stop of the target (ms).
GOHEAP_MAX_NS=500000000
GOHEAP_MAX_OWN=2
GOHEAP_MAX_STOP_MS=10
# The wall-time cell: median, or why there is none.
goheap_cell() {
	if [ -z "$(hvals ptprof.wall | tr -d ' ')" ]; then
		printf 'failed (all %s runs, see below)' "$RUNS"
		return 0
	fi
	# shellcheck disable=SC2046
	fmt_ms "$(median $(hvals ptprof.wall))"
	[ "${HFAIL[ptprof]:-0}" = 0 ] || printf ' (%d failed runs, see below)' "${HFAIL[ptprof]}"
}
# The system-call cell: ptrace and process_vm_readv calls of the strace run.
goheap_sys_cell() {
	if [ "$HAVE_STRACE" = 0 ]; then
		printf 'n/a (strace not installed)'
	elif [ -z "$(hvals sys.ptrace)" ]; then
		printf 'failed (see below)'
	else
		printf '%s ptrace%s, %s process_vm_readv (%s of them failed)' "$(hvals sys.ptrace)" \
			"$([ "$(hvals sys.ptrace)" = 0 ] && printf ' (no thread ever stopped)')" \
			"$(hvals sys.readv)" "$(hvals sys.readv_err)"
	fi
}

report_goheap() {
	ran goheap || return 0
	local w r
	printf '\n## Go heap profile: ptprof heap vs the program'"'"'s own WriteHeapProfile\n\n'
	printf '%s, %s CPUs, kernel %s; %s; %s.\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -r)" \
		"$GO_VERSION" "$STRACE_VERSION"
	printf 'Load average (1/5/15 min) at start of these runs %s, at end %s.\n\n' \
		"$(load_start goheap)" "$(load_end goheap)"
	printf '| | ptprof heap | peer | ptprof / peer |\n'
	printf '|---|---:|---:|---:|\n'
	# shellcheck disable=SC2046
	printf '| heap profile of build/targets/go-gosites (%s buckets, %s distinct allocation sites), wall time, median of %s runs | %s | the program'"'"'s own pprof.WriteHeapProfile to io.Discard, median of 5 timed inside it: %s | %s |\n' \
		"$(hvals buckets)" "$GOSITES_SITES" "$RUNS" "$(goheap_cell)" "$(fmt_ms "$(hvals own.ns)")" \
		"$([ -n "$(hvals ptprof.wall | tr -d ' ')" ] && fmt_ratio "$(median $(hvals ptprof.wall))" "$(hvals own.ns)" || printf '—')"
	printf '| ↳ each run | %s | — | — |\n' \
		"$(hvals ptprof.wall | awk '{ for (i = 1; i <= NF; i++) printf "%s%.1f ms", (i > 1 ? ", " : ""), $i / 1e6 }')"
	if [ -n "$(hvals ptprof.cpu | tr -d ' ')" ]; then
		# shellcheck disable=SC2046
		printf '| ↳ ptprof'"'"'s CPU time (user+sys), median; each run | %s; %s | — | — |\n' \
			"$(awk -v c="$(median_f $(hvals ptprof.cpu))" 'BEGIN { printf "%.0f ms", c * 1e3 }')" \
			"$(hvals ptprof.cpu | awk '{ for (i = 1; i <= NF; i++) printf "%s%.0f ms", (i > 1 ? ", " : ""), $i * 1e3 }')"
	fi
	if [ -n "$(hvals v.records)" ]; then
		printf '| ↳ the records read (its -v line, warm-up run) | %s records, %s KiB of bucket memory copied, read in %s ms, %s walk(s) | — | — |\n' \
			"$(hvals v.records)" "$(hvals v.kib)" "$(hvals v.read_ms)" "$(hvals v.walks)"
	fi
	printf '| system calls of one run (strace -f -c -e trace=ptrace,process_vm_readv) | %s | — | — |\n' "$(goheap_sys_cell)"
	printf '| samples in the file (warm-up run) | %s in the file, %s as go tool pprof -raw shows them | the target'"'"'s buckets: %s | — |\n' \
		"$(hvals file.samples | sed 's/^$/?/')" "$(hvals pprof.samples | sed 's/^$/?/')$([ -n "$GO_PPROF_NA" ] && printf ' (%s)' "$GO_PPROF_NA")" "$(hvals buckets)"
	printf '| in-use objects under main.descend / main.left / main.right (warm-up run) | %s / %s / %s | by construction: %s under main.descend | — |\n' \
		"$(hvals descend.objects | sed 's/^$/?/')" "$(hvals left.objects | sed 's/^$/?/')" "$(hvals right.objects | sed 's/^$/?/')" "$GOSITES_SITES"
	if [ -n "$(hvals gopprof.ns)" ]; then
		printf '| context only: Go'"'"'s pprof reading that file back (go tool pprof -raw, offline), one run | — | %s | — |\n' \
			"$(fmt_ms "$(hvals gopprof.ns)")"
	fi

	printf '\nCommands (N = run number):\n\n'
	printf -- '- target `build/targets/go-gosites` (PID %s), in position when it printed `ready` (after `writeheap_ns %s`, `buckets %s`);\n' \
		"$GH_PID" "$(hvals own.ns)" "$(hvals buckets)"
	printf '  its stderr: %s; after its stdin closed: %s\n' "$(hvals target.stderr)" "$(hvals target.after | sed 's/^$/?/')"
	printf -- '- warm-up (checked, untimed): `%s`\n' "${HCMD[warmup]:-not run}"
	printf -- '- timed runs: `%s`; wall time: bash $EPOCHREALTIME read just before and just after the command;\n' "${HCMD[ptprof]:-not run}"
	printf '  CPU time: bash'"'"'s `times` for a subshell that ran it; every run: %s\n' "$LOG/goheap.tsv"
	printf '  The program times its own WriteHeapProfile once, at its start, before these runs: load on the machine\n'
	printf '  shows in the ratio (the load averages above).\n'
	[ -z "${HCMD[strace]:-}" ] || printf -- '- system calls: `%s` (the summary in %s/goheap.strace)\n' "${HCMD[strace]}" "$LOG"
	printf -- '- samples in the file: the Sample messages of the warm-up file (tests/go/ref.py'"'"'s reader); as pprof shows them:\n'
	printf '  `tests/go/ref.py pprof-totals FILE`; in-use objects: `tests/go/ref.py pprof-counts --index inuse_objects FILE\n'
	printf '  main.descend main.left main.right` (the sum over the samples with the function on the stack)\n'
	[ -z "${HCMD[gopprof]:-}" ] || printf -- '- context: `%s`\n' "${HCMD[gopprof]}"

	printf '\nOutput check:\n\n'
	for w in "${HCHECK[@]}"; do printf -- '- %s\n' "$w"; done

	w=
	for r in "${HNOTES[@]}"; do w+="- $r"$'\n'; done
	[ -z "$w" ] || printf '\nNotes and failures (Go heap rows):\n\n%s' "$w"
}

# ---------------------------------------------------- the process tree rows --

tvals() { printf '%s' "${TV[$1]:-}"; }
# Targets of the tree rows: the whole tree against one worker alone, and
# the symbols libdw resolves for the tree against one worker's.
TREE_MAX_RATIO=3
TREE_MAX_SYMS=2
# A median (ns) as ms, or why there is none.
tree_cell() { # key
	if [ -z "$(tvals "$1.wall" | tr -d ' ')" ]; then
		printf 'failed (see below)'
		return 0
	fi
	# shellcheck disable=SC2046
	fmt_ms "$(median $(tvals "$1.wall"))"
}
tree_each() { # key
	tvals "$1.wall" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.1f ms", (i > 1 ? ", " : ""), $i / 1e6 }'
}
tree_ratio() { # key-a key-b
	if [ -z "$(tvals "$1.wall" | tr -d ' ')" ] || [ -z "$(tvals "$2.wall" | tr -d ' ')" ]; then
		printf '—'
		return 0
	fi
	# shellcheck disable=SC2046
	fmt_ratio "$(median $(tvals "$1.wall"))" "$(median $(tvals "$2.wall"))"
}

report_tree() {
	ran tree || return 0
	local w r n
	n=$(tvals nproc)
	printf '\n## Process trees: ptprof dump --children vs a dump of one process\n\n'
	printf '%s, %s CPUs, kernel %s; %s.\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -r)" "$EU_VERSION"
	printf 'Load average (1/5/15 min) at start of these runs %s, at end %s.\n\n' \
		"$(load_start tree)" "$(load_end tree)"
	printf '| build/targets/proctree -n %s -t %s: %s processes of one binary | wall time, median of %s runs | each run | / one worker |\n' \
		"$TREE_WORKERS" "$TREE_THREADS" "$n" "$RUNS"
	printf '|---|---:|---|---:|\n'
	printf '| ptprof dump --children -p PARENT (the whole tree) | %s | %s | %s |\n' \
		"$(tree_cell tree)" "$(tree_each tree)" "$(tree_ratio tree one)"
	printf '| ptprof dump -p WORKER (one worker, %s threads) | %s | %s | 1.00× |\n' \
		"$TREE_THREADS" "$(tree_cell one)" "$(tree_each one)"
	printf '| context: one ptprof dump per process, %s runs in a loop | %s | %s | %s |\n' \
		"$n" "$(tree_cell each)" "$(tree_each each)" "$(tree_ratio each one)"
	if [ "${AVAIL[eu-stack]}" = 1 ]; then
		printf '| context: eu-stack -i -s -p PID per process, %s runs in a loop | %s | %s | %s |\n' \
			"$n" "$(tree_cell eu)" "$(tree_each eu)" "$(tree_ratio eu one)"
	else
		printf '| context: eu-stack per process | n/a (not installed) | — | — |\n'
	fi
	printf '| symbols libdw resolved (-v, warm-up runs) | the tree: %s (%s more copied from another process) | one worker alone: %s | %s |\n' \
		"$(tvals tree.resolved | sed 's/^$/?/')" "$(tvals tree.shared | sed 's/^$/?/')" \
		"$(tvals one.resolved | sed 's/^$/?/')" \
		"$([ -n "$(tvals tree.resolved)" ] && [ -n "$(tvals one.resolved)" ] && fmt_ratio "$(tvals tree.resolved)" "$(tvals one.resolved)" || printf '—')"

	printf '\nCommands (timed: bash $EPOCHREALTIME just before and after; runs interleaved in this order; every run: %s):\n\n' "$LOG/tree.tsv"
	printf -- '- target `build/targets/proctree -n %s -t %s` (parent PID %s), in position when it printed `ready PID,...`\n' \
		"$TREE_WORKERS" "$TREE_THREADS" "$(tvals parent)"
	printf -- '- the tree: `%s`\n' "${TCMD[tree]:-not run}"
	printf -- '- one worker: `%s`\n' "${TCMD[one]:-not run}"
	printf -- '- one ptprof per process: `%s`\n' "${TCMD[each]:-not run}"
	printf -- '- eu-stack per process: `%s`\n' "${TCMD[eu]:-not run}"
	printf -- '- warm-up (checked, untimed): `%s`; symbols of one worker alone from `--children -v -p WORKER`\n' \
		"${TCMD[warmup]:-not run}"

	printf '\nOutput check:\n\n'
	for w in "${TCHECK[@]}"; do printf -- '- %s\n' "$w"; done

	w=
	for r in "${TNOTES[@]}"; do w+="- $r"$'\n'; done
	[ -z "$w" ] || printf '\nNotes and failures (process tree rows):\n\n%s' "$w"
}

# ------------------------------------------------------------ the summary --
#
# One row per figure the issue asks for: ptprof, its peers, the target and
# whether the figures meet it.  Every figure is the one of the detailed
# tables below (same medians); "met?" is computed here, never typed.

# yes / no from an awk condition over the figures.
met() { awk "BEGIN { exit !($1) }" && printf yes || printf no; }
# Median of a list, or nothing if the list is empty (never a failure: a=$(...) stays safe under errexit).
med_or_empty() { [ -z "${*// /}" ] || median_f "$@"; }
# The same for the figures of a part, or nothing if the part did not run.
med_if_ran() { # part values...
	if ran "$1"; then
		shift
		med_or_empty "$@"
	fi
}
sum_row() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }
# A dump peer's median (ns) as ms or as a stall, or why there is none.
dump_peer() { # tool value kind
	if [ "${AVAIL[$1]}" != 1 ]; then printf 'n/a (not installed)'
	elif [ -z "$2" ]; then printf 'failed'
	elif [ "$3" = ms ]; then fmt_ms "$2"
	else fmt_stall "$2"
	fi
}
rss_pair() { # short-KiB long-KiB
	printf '%s s: %s, %s s: %s' "$RSS_SHORT" "$( [ -n "$1" ] && fmt_kib "$1" || echo failed)" \
		"$RSS_LONG" "$( [ -n "$2" ] && fmt_kib "$2" || echo failed)"
	[ -z "$1" ] || [ -z "$2" ] || printf ' (%s)' "$(fmt_ratio "$2" "$1")"
}

report_summary() {
	local a b c d e f g pa pb nf fa fb
	nf='no (figure missing)'
	printf '## Summary: ptprof against the targets of the issue\n\n'
	printf '%s, %s CPUs, kernel %s; load average (1/5/15 min) at start %s, at end %s.\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -r)" "$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'Medians of interleaved runs (dump rows: %s runs; record and syscall rows: %s; stall row: %s; peak RSS and\n' \
		"$RUNS" "$REC_RUNS" "$STALL_RUNS"
	printf 'EINTRs: one run each).  The command behind every figure, each run'"'"'s values and the notes are in the detailed\n'
	printf 'sections below.\n\n'
	if ran dump && [ "$PTPROF" != "$PTPROF_DEFAULT" ]; then
		printf '**WARNING: the dump figures of ptprof were produced by a stub (PTPROF=%s), not by ptprof.**\n\n' "$PTPROF"
	fi
	printf '| row | ptprof | peers | target | met? |\n'
	printf '|---|---|---|---|---|\n'

	# 1. system calls per thread-sample (parts accuracy and cost)
	local l1="ptrace + process_vm_readv + wait4 calls per thread-sample, $SYS_SECS s cpu-mode record at $REC_RATE Hz (strace -f -c calls / thread-samples stopped)"
	if ! ran accuracy && ! ran cost; then
		sum_row "$l1" "$(not_run accuracy)" '—' "≤ $SYS_MAX" "$nf"
	elif [ "$HAVE_STRACE" = 0 ]; then
		sum_row "$l1" 'not measured (strace not installed)' '—' "≤ $SYS_MAX" "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_if_ran accuracy $(svals sys-ptprof-share.per)) b=$(med_if_ran cost $(svals sys-ptprof-cost.per))
		# shellcheck disable=SC2046
		c=$(med_if_ran accuracy $(svals sys-ptprof-share.own)) d=$(med_if_ran cost $(svals sys-ptprof-cost.own))
		# shellcheck disable=SC2046
		e=$(med_if_ran accuracy $(svals sys-floor.per))
		fa=failed fb=failed
		ran accuracy || fa='not run'
		ran cost || fb='not run'
		f=$(awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v fa="$fa" -v fb="$fb" -v s="$SHARE_IDLE" -v t="$NTHREADS" 'BEGIN {
			printf "strace: %s with 1 busy + %d idle, %s with 1 busy + %d idle threads (ptprof'"'"'s own count: %s, %s)",
				a == "" ? fa : sprintf("%.2f", a), s, b == "" ? fb : sprintf("%.2f", b), t,
				c == "" ? "—" : sprintf("%.2f", c), d == "" ? "—" : sprintf("%.2f", d) }')
		g="floor: ${e:+$(printf '%.2f' "$e") (bench/floor.c under the same strace); }design floor $SYS_FLOOR"
		if [ -n "$a" ] && [ -n "$b" ]; then
			sum_row "$l1" "$f" "$g" "≤ $SYS_MAX (strace's count, both targets)" "$(met "$a <= $SYS_MAX && $b <= $SYS_MAX")"
		else
			sum_row "$l1" "$f" "$g" "≤ $SYS_MAX (strace's count, both targets)" "$nf"
		fi
	fi

	# 2. stall per sample (part stall)
	local l2="stall the target itself sees per sample ($X_SECS s at $REC_RATE Hz, cpu mode, 1 spinning thread)"
	if ! ran stall; then
		sum_row "$l2" "$(not_run stall)" '—' '≤ 1.3× the floor loop' "$nf"
	else
		# shellcheck disable=SC2086
		a=$(med_or_empty ${XV[stall-ptprof.per]:-}) b=$(med_or_empty ${XV[stall-floor.per]:-}) c=$(med_or_empty ${XV[stall-perf.per]:-})
		f=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "") { printf "failed"; exit }
			printf "%.1f µs", a / 1e3; if (b > 0) printf " (%.2f× the floor)", a / b }')
		g='floor loop (bench/floor.c): '
		if [ -n "$b" ]; then g+=$(awk -v b="$b" 'BEGIN { printf "%.1f µs", b / 1e3 }'); else g+=failed; fi
		g+='; perf: '
		if [ -n "$PERF_X_NA" ]; then g+="n/a ($PERF_X_NA)"; elif [ -n "$c" ]; then g+=$(awk -v c="$c" 'BEGIN { printf "%.1f µs", c / 1e3 }'); else g+=failed; fi
		if [ -n "$a" ] && [ -n "$b" ]; then
			sum_row "$l2" "$f" "$g" '≤ 1.3× the floor loop' "$(met "$b > 0 && $a / $b <= 1.3")"
		else
			sum_row "$l2" "$f" "$g" '≤ 1.3× the floor loop' "$nf"
		fi
	fi

	# 3. and 4. profiler CPU, cpu and wall mode (part cost)
	local l3="profiler CPU (user+sys) per second of profile at $REC_RATE Hz, cpu mode, 1 busy + $NTHREADS idle threads"
	local l4="profiler CPU per second of profile, wall mode, 1 busy + $NTHREADS idle threads"
	if ! ran cost; then
		sum_row "$l3" "$(not_run cost)" '—' '≤ 10% of one core' "$nf"
		sum_row "$l4" "$(not_run cost)" '—' 'wall / cpu ≤ 2×' "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_or_empty $(vals ptprof-cpu.cpu)) b=$(med_or_empty $(vals perf-cpu.cpu)) c=$(med_or_empty $(vals ptprof-wall.cpu))
		f=$(awk -v a="$a" -v s="$REC_SECS" 'BEGIN { if (a == "") printf "failed"; else printf "%.3f CPU-s/s (%.1f%% of one core)", a / s, 100 * a / s }')
		if [ -n "$PERF_NA" ]; then
			g="perf: n/a ($PERF_NA)"
		else
			g=$(awk -v b="$b" -v s="$REC_SECS" 'BEGIN { if (b == "") printf "perf: failed"; else printf "perf record + report: %.3f CPU-s/s (%.1f%%), same target", b / s, 100 * b / s }')
		fi
		if [ -n "$a" ]; then
			sum_row "$l3" "$f" "$g" '≤ 10% of one core (0.100 CPU-s/s)' "$(met "$a / $REC_SECS <= 0.10")"
		else
			sum_row "$l3" "$f" "$g" '≤ 10% of one core (0.100 CPU-s/s)' "$nf"
		fi
		f=$(awk -v a="$a" -v c="$c" -v s="$REC_SECS" 'BEGIN { if (c == "") { printf "failed"; exit }
			printf "%.3f CPU-s/s (%.1f%% of one core); wall / cpu: ", c / s, 100 * c / s
			if (a > 0) printf "%.2f×", c / a; else printf "—" }')
		if [ -n "$a" ] && [ -n "$c" ]; then
			sum_row "$l4" "$f" "— (perf: $OFFCPU)" "wall / cpu ≤ ${WALL_CPU_MAX}×" "$(met "$a > 0 && $c / $a <= $WALL_CPU_MAX")"
		else
			sum_row "$l4" "$f" "— (perf: $OFFCPU)" "wall / cpu ≤ ${WALL_CPU_MAX}×" "$nf"
		fi
	fi

	# 5. and 6. the dump: wall time, longest stall (part dump)
	local l5="$NTHREADS-thread dump, wall time, with inlines and file:line"
	local l6="longest stall any target thread sees during that dump"
	if ! ran dump; then
		sum_row "$l5" "$(not_run dump)" '—' '≤ 0.15× eu-stack -i -s' "$nf"
		sum_row "$l6" "$(not_run dump)" '—' '≤ 1/10 of gdb'"'"'s' "$nf"
	else
		# shellcheck disable=SC2086
		a=$(med_or_empty ${WALL[ptprof]}) b=$(med_or_empty ${WALL[eu-stack]}) c=$(med_or_empty ${WALL[gdb]})
		f=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "") { printf "failed"; exit }
			printf "%.1f ms", a / 1e6; if (b > 0) printf " (%.2f× eu-stack)", a / b }')
		# shellcheck disable=SC2086
		d=$(med_or_empty ${COLD[ptprof]:-})
		[ -z "$d" ] || [ -z "$a" ] || f+=$(awk -v d="$d" -v b="$b" 'BEGIN {
			printf "; first run on a machine, no debug copies kept yet: %.1f ms", d / 1e6
			if (b > 0) printf " (%.2f×)", d / b }')
		g="eu-stack -i -s: $(dump_peer eu-stack "$b" ms); gdb: $(dump_peer gdb "$c" ms)"
		if [ -n "$a" ] && [ -n "$b" ]; then
			sum_row "$l5" "$f" "$g" '≤ 0.15× eu-stack -i -s' "$(met "$b > 0 && $a / $b <= 0.15")"
		else
			sum_row "$l5" "$f" "$g" '≤ 0.15× eu-stack -i -s' "$nf"
		fi
		# shellcheck disable=SC2086
		a=$(med_or_empty ${SMAX[ptprof]}) b=$(med_or_empty ${SMAX[eu-stack]}) c=$(med_or_empty ${SMAX[gdb]})
		f=$([ -n "$a" ] && fmt_stall "$a" || printf failed)
		[ -z "$a" ] || [ -z "$c" ] || f+=$(awk -v a="$a" -v c="$c" 'BEGIN { if (c > 0) printf " (%.3f× gdb)", a / c }')
		g="eu-stack: $(dump_peer eu-stack "$b" stall); gdb: $(dump_peer gdb "$c" stall)"
		if [ -n "$a" ] && [ -n "$c" ]; then
			sum_row "$l6" "$f" "$g" "≤ 1/10 of gdb's ($(fmt_stall "$(awk -v c="$c" 'BEGIN { printf "%.0f", c / 10 }')"))" "$(met "$a <= $c / 10")"
		else
			sum_row "$l6" "$f" "$g" '≤ 1/10 of gdb'"'"'s' "$nf"
		fi
	fi

	# 6b. the dump stops only running threads; idle ones see no stall (part dump)
	local l6b="threads one $NTHREADS-thread dump stops (the others read in place)"
	local l6c="longest lateness of an idle thread's 1 ms wake-ups during that dump"
	if ! ran dump; then
		sum_row "$l6b" "$(not_run dump)" '—' '≤ 10' "$nf"
		sum_row "$l6c" "$(not_run dump)" '—' 'no more than with no tool' "$nf"
	else
		# shellcheck disable=SC2086
		a=$(med_or_empty ${NSTOPPED[ptprof]:-})
		a=${a%.*}
		sum_row "$l6b" "${a:-failed}" "eu-stack, gdb: all $NTASKS" '≤ 10' \
			"$([ -n "$a" ] && met "$a <= 10" || printf '%s' "$nf")"
		# shellcheck disable=SC2086
		a=$(med_or_empty ${HMAX[ptprof]:-}) b=$(med_or_empty ${BHMAX[ptprof]:-})
		c=$(med_or_empty ${HMAX[eu-stack]:-})
		f=$([ -n "$a" ] && fmt_stall "$a" || printf failed)
		g="no tool: $([ -n "$b" ] && fmt_stall "$b" || printf —); eu-stack: $([ -n "$c" ] && fmt_stall "$c" || printf —)"
		# "No more": within the baseline's own spread, 1 ms.
		sum_row "$l6c" "$f" "$g" 'no more than with no tool (+1 ms)' \
			"$([ -n "$a" ] && [ -n "$b" ] && met "$a <= $b + 1000000" || printf '%s' "$nf")"
	fi

	# 7. peak RSS (part rss)
	local l7="peak RSS of a $RSS_SHORT s and a $RSS_LONG s record at $RSS_RATE Hz"
	if ! ran rss; then
		sum_row "$l7" "$(not_run rss)" '—' "$RSS_LONG s within 20% of $RSS_SHORT s" "$nf"
	else
		a=${XV[rss-ptprof.$RSS_SHORT]:-} b=${XV[rss-ptprof.$RSS_LONG]:-}
		f=$(rss_pair "$a" "$b")
		if [ -n "$PERF_X_NA" ]; then g="perf: n/a ($PERF_X_NA)"; else g="perf: $(rss_pair "${XV[rss-perf.$RSS_SHORT]:-}" "${XV[rss-perf.$RSS_LONG]:-}")"; fi
		if [ -n "$a" ] && [ -n "$b" ]; then
			sum_row "$l7" "$f" "$g" "$RSS_LONG s within 20% of $RSS_SHORT s" "$(met "$a > 0 && $b / $a <= 1.2 && $b / $a >= 0.8")"
		else
			sum_row "$l7" "$f" "$g" "$RSS_LONG s within 20% of $RSS_SHORT s" "$nf"
		fi
	fi

	# 8. shares on the known-ratio target (part accuracy)
	local l8="share of the two hot functions (hot_a / hot_b) on the known-ratio target, 1 busy + $SHARE_IDLE idle threads"
	local t8='within 2 points of the truth and of perf'
	if ! ran accuracy; then
		sum_row "$l8" "$(not_run accuracy)" 'truth: 25.0% / 75.0%' "$t8" "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_or_empty $(vals ptprof-share.a)) b=$(med_or_empty $(vals ptprof-share.b))
		# shellcheck disable=SC2046
		pa=$(med_or_empty $(vals perf-share.a)) pb=$(med_or_empty $(vals perf-share.b))
		f=$([ -n "$a" ] && printf '%s / %s' "$(pct "$a")" "$(pct "$b")" || printf failed)
		if [ -n "$PERF_NA" ]; then g="perf: n/a ($PERF_NA)"; elif [ -n "$pa" ]; then g="perf: $(pct "$pa") / $(pct "$pb")"; else g="perf: failed"; fi
		g+="; truth: 25.0% / 75.0%"
		if [ -n "$a" ] && [ -n "$pa" ]; then
			sum_row "$l8" "$f" "$g" "$t8" "$(met "(($a - 25) ^ 2) <= 4 && (($b - 75) ^ 2) <= 4 && (($a - $pa) ^ 2) <= 4 && (($b - $pb) ^ 2) <= 4")"
		else
			sum_row "$l8" "$f" "$g" "$t8" "$nf"
		fi
	fi

	# 9. EINTRs (part eintr)
	local l9="EINTRs seen by a target thread looping on epoll_wait during a $X_SECS s record, cpu and wall mode"
	local t9='cpu mode: 0; wall mode: ≤ 1 per thread'
	if ! ran eintr; then
		sum_row "$l9" "$(not_run eintr)" '—' "$t9" "$nf"
	else
		a=${XV[eintr-cpu]:-} b=${XV[eintr-wall]:-}
		f="cpu mode: ${a:-failed}; wall mode: ${b:-failed} (1 epoll_wait thread)"
		if is_uint "$a" && is_uint "$b"; then
			sum_row "$l9" "$f" "no tool attached: ${XV[eintr-baseline]:-?}" "$t9" "$(met "$a == 0 && $b <= 1")"
		else
			sum_row "$l9" "$f" "no tool attached: ${XV[eintr-baseline]:-?}" "$t9" "$nf"
		fi
	fi

	# 10. and 11. Go programs: goroutine dump, CPU shares (part goroutines)
	local l10="$NGOR-goroutine dump of a Go program (go-gomany), wall time, and the goroutines listed"
	local t10="≤ $((GOR_MAX_NS / 1000000)) ms and ≤ ${GOR_MAX_DELVE}× Delve's goroutines -t, all $((NGOR + 1)) listed"
	local l11="share of main.hashA / main.hashB in main.worker's samples of a Go program (go-gocpu), $REC_SECS s"
	local t11="main.hashA within $GOCPU_MAX_GAP points of Go's own CPU profile"
	if ! ran goroutines; then
		sum_row "$l10" "$(not_run goroutines)" '—' "$t10" "$nf"
		sum_row "$l11" "$(not_run goroutines)" '—' "$t11" "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_or_empty $(gvals ptprof.wall)) b=$(med_or_empty $(gvals delve.wall))
		c=${GV[ptprof.listed]:-}
		f=$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { if (a == "") { printf "failed"; exit }
			printf "%.1f ms", a / 1e6; if (b > 0) printf " (%.3f× Delve)", a / b
			printf ", %s goroutines listed", (c == "" ? "?" : c) }')
		if [ -n "$DLV_NA" ]; then g="Delve: n/a ($DLV_NA)"; elif [ -n "$b" ]; then g="Delve goroutines -t: $(fmt_ms "$b"), ${GV[delve.listed]:-?} goroutines listed"; else g="Delve: failed"; fi
		if [ -n "$a" ] && [ -n "$b" ] && is_uint "$c"; then
			sum_row "$l10" "$f" "$g" "$t10" "$(met "$a <= $GOR_MAX_NS && $a <= $GOR_MAX_DELVE * $b && $c >= $NGOR + 1")"
		else
			sum_row "$l10" "$f" "$g" "$t10" "$nf"
		fi
		if [ "$REC_RUNS" -lt 1 ]; then
			sum_row "$l11" 'not run (BENCH_RECORD_RUNS=0)' '—' "$t11" "$nf"
		else
			# shellcheck disable=SC2046
			a=$(med_or_empty $(gvals ptprof.a)) b=$(med_or_empty $(gvals ptprof.b))
			# shellcheck disable=SC2046
			pa=$(med_or_empty $(gvals go.a)) pb=$(med_or_empty $(gvals go.b))
			# shellcheck disable=SC2046
			f=$([ -n "$a" ] && printf '%s / %s (medians: %s of %s samples reach main.worker)' "$(pct "$a")" "$(pct "$b")" \
				"$(median $(gvals ptprof.n))" "$(median $(gvals ptprof.all))" ||
				printf 'none (no sample reaches main.worker: %s)' "${GV[ptprof.detail]:-no profile}")
			g="Go's runtime/pprof: $([ -n "$pa" ] && printf '%s / %s' "$(pct "$pa")" "$(pct "$pb")" || printf failed); by construction: 75.0% / 25.0%"
			if [ -n "$a" ] && [ -n "$pa" ]; then
				sum_row "$l11" "$f" "$g" "$t11" "$(met "(($a - $pa) ^ 2) <= $GOCPU_MAX_GAP ^ 2")"
			else
				sum_row "$l11" "$f" "$g" "$t11" "$nf"
			fi
		fi
	fi
	# 12. and 13. Go heap profile: wall time, stop of the target (part goheap)
	local l12="heap profile of a Go program with $GOSITES_SITES distinct allocation sites (go-gosites), wall time of ptprof heap"
	local t12="≤ $((GOHEAP_MAX_NS / 1000000)) ms and ≤ ${GOHEAP_MAX_OWN}× the program's own WriteHeapProfile (output checked)"
	local l13="longest stop of the target during ptprof heap on it (go-gosites)"
	local t13="≤ $GOHEAP_MAX_STOP_MS ms"
	if ! ran goheap; then
		sum_row "$l12" "$(not_run goheap)" '—' "$t12" "$nf"
		sum_row "$l13" "$(not_run goheap)" '—' "$t13" "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_or_empty $(hvals ptprof.wall)) b=$(hvals own.ns) c=$(hvals check.ok)
		f=$(awk -v a="$a" -v b="$b" -v n="$(hvals file.samples)" -v k="$(hvals buckets)" 'BEGIN {
			if (a == "") { printf "failed"; exit }
			printf "%.1f ms", a / 1e6; if (b > 0) printf " (%.2f× its own WriteHeapProfile)", a / b
			printf "; %s samples in the file for %s buckets", (n == "" ? "?" : n), k }')
		[ "$c" = yes ] || f+="; output check FAILED"
		g="the program's own pprof.WriteHeapProfile (median of 5, timed inside it): $(fmt_ms "$b")"
		if [ -n "$a" ] && is_uint "$b" && [ "$c" = yes ]; then
			sum_row "$l12" "$f" "$g" "$t12" "$(met "$a <= $GOHEAP_MAX_NS && $a <= $GOHEAP_MAX_OWN * $b")"
		else
			sum_row "$l12" "$f" "$g" "$t12" "$nf"
		fi
		a=$(hvals sys.ptrace) b=$(hvals sys.readv)
		if [ "$HAVE_STRACE" = 0 ]; then
			sum_row "$l13" 'not measured (strace not installed)' '—' "$t13" "$nf"
		elif [ -z "$a" ]; then
			sum_row "$l13" 'failed (the strace run, see below)' '—' "$t13" "$nf"
		elif [ "$a" = 0 ]; then
			sum_row "$l13" "never stopped: 0 ptrace calls in one run (strace -f -c; $b process_vm_readv calls)" \
				'— (the program'"'"'s own WriteHeapProfile runs inside it)' "$t13" yes
		else
			sum_row "$l13" "$a ptrace calls in one run (strace -f -c): stopped, for how long not measured" '—' "$t13" "$nf"
		fi
	fi
	# 14. a process tree (part tree)
	local l14="dump --children of a tree of 1 + $TREE_WORKERS worker processes of one binary ($TREE_THREADS threads each), wall time against a dump of one worker"
	local t14="≤ ${TREE_MAX_RATIO}× one worker's dump; symbols resolved ≤ ${TREE_MAX_SYMS}× one worker's (each binary symbolized once)"
	if ! ran tree; then
		sum_row "$l14" "$(not_run tree)" '—' "$t14" "$nf"
	else
		# shellcheck disable=SC2046
		a=$(med_or_empty $(tvals tree.wall)) b=$(med_or_empty $(tvals one.wall))
		# shellcheck disable=SC2046
		c=$(med_or_empty $(tvals each.wall)) d=$(med_or_empty $(tvals eu.wall))
		pa=$(tvals tree.resolved) pb=$(tvals one.resolved)
		f=$(awk -v a="$a" -v b="$b" -v r="$pa" -v s="$(tvals tree.shared)" -v o="$pb" 'BEGIN {
			if (a == "") { printf "failed"; exit }
			printf "%.1f ms", a / 1e6; if (b > 0) printf " (%.2f× one worker: %.1f ms)", a / b, b / 1e6
			printf "; symbols resolved: %s (one worker alone: %s), %s copied across processes",
				(r == "" ? "?" : r), (o == "" ? "?" : o), (s == "" ? "?" : s) }')
		[ "$(tvals check.ok)" = yes ] || f+="; output check FAILED"
		g="one ptprof per process: $([ -n "$c" ] && fmt_ms "$c" || printf failed)"
		if [ "${AVAIL[eu-stack]}" = 1 ]; then
			g+="; eu-stack -i -s per process: $([ -n "$d" ] && fmt_ms "$d" || printf failed)"
		else
			g+="; eu-stack: n/a (not installed)"
		fi
		if [ -n "$a" ] && [ -n "$b" ] && is_uint "$pa" && is_uint "$pb" && [ "$(tvals check.ok)" = yes ]; then
			sum_row "$l14" "$f" "$g" "$t14" "$(met "$b > 0 && $a / $b <= $TREE_MAX_RATIO && $pb > 0 && $pa / $pb <= $TREE_MAX_SYMS")"
		else
			sum_row "$l14" "$f" "$g" "$t14" "$nf"
		fi
	fi
	serve_summary_rows
}

# ------------------------------------------------------ the serve rows --

vvals() { printf '%s' "${VV[$1]:-}"; }
# Thresholds of the serve rows: seconds from a window's end to its answer,
# and serve's CPU while idle (% of one core).
SERVE_MAX_LATE=1
SERVE_MAX_IDLE_PCT=0.1

# 15.-17. ptprof serve (part serve)
serve_summary_rows() {
	local nf='no (figure missing)' a b f
	local l15="ptprof serve on loopback: ${N_INDEX:-100} concurrent clients on /debug/pprof/ and ${N_PROF:-10} on profile?seconds=${PROF_SECS:-2}, answers that were not 200"
	local l16="the same ${N_PROF:-10} profiles: time from the end of the window to the end of the answer (client time − seconds)"
	local l17="ptprof serve's own CPU while idle (sum of its threads' schedstat run time over ${IDLE_SECS:-5} s)"
	if ! ran serve; then
		sum_row "$l15" "$(not_run serve)" '—' 'none' "$nf"
		sum_row "$l16" "$(not_run serve)" '—' "≤ $SERVE_MAX_LATE s" "$nf"
		sum_row "$l17" "$(not_run serve)" '—' "< $SERVE_MAX_IDLE_PCT% of one core" "$nf"
		return 0
	fi
	a=$(( $(vvals index.err) + $(vvals prof.err) ))
	f="$a errors ($(vvals index.ok) index and $(vvals prof.ok) profiles answered 200; slowest index answer $(vvals index.max) s)"
	[ "$a" = 0 ] || f+="; $(vvals errors)"
	sum_row "$l15" "$f" "— (Go's net/http/pprof answers a second CPU profile with 500 \"cpu profiling already in use\")" 'none' "$(met "$a == 0")"
	b=$(printf '%s\n' $(vvals prof.late) | sort -g | tail -n 1)
	if [ -z "$b" ]; then
		sum_row "$l16" 'no profile answered' '—' "≤ $SERVE_MAX_LATE s" "$nf"
	else
		# shellcheck disable=SC2046
		sum_row "$l16" "longest $b s, median $(median_f $(vvals prof.late) | awk '{ printf "%.3f", $1 }') s (each: $(vvals prof.late | sed 's/ $//; s/ /, /g'))" '—' "≤ $SERVE_MAX_LATE s" "$(met "$b <= $SERVE_MAX_LATE")"
	fi
	a=$(vvals idle.pct)
	if [ -z "$a" ]; then
		sum_row "$l17" 'failed' '—' "< $SERVE_MAX_IDLE_PCT% of one core" "$nf"
	else
		sum_row "$l17" "$a% of one core ($(vvals idle.threads) threads; /proc/PID/stat ticks: $(vvals idle.ticks_pct)%)" '—' "< $SERVE_MAX_IDLE_PCT% of one core" "$(met "$a < $SERVE_MAX_IDLE_PCT")"
	fi
}

report_serve() {
	ran serve || return 0
	local r
	printf '\n## ptprof serve: concurrent clients, profile latency, idle cost\n\n'
	printf '%s, %s CPUs, kernel %s.\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uname -r)"
	printf 'Load average (1/5/15 min) at start of these runs %s, at end %s.\n\n' \
		"$(load_start serve)" "$(load_end serve)"
	printf '| | ptprof serve |\n|---|---|\n'
	printf '| index requests answered 200 / failed | %s / %s (slowest %s s) |\n' "$(vvals index.ok)" "$(vvals index.err)" "$(vvals index.max)"
	printf '| profile?seconds=%s requests answered 200 / failed | %s / %s |\n' "${PROF_SECS:-2}" "$(vvals prof.ok)" "$(vvals prof.err)"
	printf '| each profile: client time − %s s | %s |\n' "${PROF_SECS:-2}" "$(vvals prof.late | sed 's/ $//; s/ /, /g')"
	printf '| idle CPU, schedstat / stat ticks | %s%% / %s%% of one core |\n' "$(vvals idle.pct)" "$(vvals idle.ticks_pct)"
	printf '\nCommands:\n\n'
	printf -- '- server: `%s`\n' "${VCMD[serve]:-?}"
	printf -- '- load: %s; every answer in %s/serve.load\n' "${VCMD[load]:-?}" "$LOG"
	printf -- '- idle: %s\n' "${VCMD[idle]:-?}"
	for r in "${VNOTES[@]}"; do printf -- '- note: %s\n' "$r"; done
}
