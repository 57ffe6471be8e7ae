# tests/e2e/t_report.sh - `ptprof report`: pprof files read back.
#
# A Go runtime/pprof CPU profile and heap profile and ptprof's own
# recordings are reported and compared with `go tool pprof` reading the
# same file; profiles written by tests/mkpprof.py from descriptions are
# read by sample type and compared (--diff-base); the hand-made
# hostile inputs of tests/fuzz/seeds.py (bad indices, truncated gzip, a
# gzip bomb ...) must each fail with one line on stderr, exit status 2 and
# nothing on stdout.
#
# Uses need_go, record, assert_line and assert_folded (t_record.sh).

report() {
	run_ptprof report "$@"
}

# The rows of a text report's table: "FLAT FLAT% CUM CUM%  FUNCTION [MODULE]".
REPORT_ROW_RE='^ +[0-9][^ ]* +[0-9]+\.[0-9]% +[0-9][^ ]* +[0-9]+\.[0-9]%  [^ ]'

report_rows() {
	grep -Ec -- "$REPORT_ROW_RE" "$1"
}

# report_row FILE FUNC: "FLAT% CUM%" of FUNC in a text report, without %.
report_row() {
	awk -v f="$2" '$1 ~ /^[0-9]/ && $2 ~ /%$/ && $5 == f {
		sub(/%/, "", $2); sub(/%/, "", $4); print $2, $4; exit
	}' "$1"
}

# The function of the first row.
report_first() {
	grep -Em1 -- "$REPORT_ROW_RE" "$1" | awk '{ print $5 }'
}

# between X LO HI: LO <= X <= HI (decimals).
between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'
}

# go build with a private, offline Go environment (as go_pprof runs).
go_build() {
	mkdir -p "$T/go"
	HOME=$T/go GOCACHE=$T/go/cache GOPATH=$T/go/path GOFLAGS='' GOTOOLCHAIN=local \
		GOPROXY=off GO111MODULE=off timeout 120 go build "$@"
}

# compare_with_go_top FILE REPORT: every function `go tool pprof -top`
# lists for FILE has the same flat% and cum% in REPORT (text, --top 0),
# within 0.5 points; and the totals agree.
compare_with_go_top() {
	local file=$1 ours=$2
	go_pprof_into "$T/gotop" -top "$file"
	local bad
	bad=$(awk -v ours="$ours" '
		BEGIN {
			while ((getline line < ours) > 0) {
				n = split(line, f, " ")
				if (n >= 5 && f[2] ~ /%$/ && f[1] ~ /^[0-9]/) {
					sub(/%/, "", f[2]); sub(/%/, "", f[4])
					if (!(f[5] in flat)) { flat[f[5]] = f[2]; cum[f[5]] = f[4] }
				}
			}
		}
		/^ *flat +flat%/ { on = 1; next }
		on && NF >= 6 {
			name = $6; gf = $2; gc = $5
			sub(/%/, "", gf); sub(/%/, "", gc)
			rows++
			if (!(name in flat)) { print "missing in the report: " name; exit }
			d1 = flat[name] - gf; d2 = cum[name] - gc
			if (d1 < -0.5 || d1 > 0.5 || d2 < -0.5 || d2 > 0.5) {
				print name ": flat " flat[name] "% cum " cum[name] "%, go tool pprof says " gf "% " gc "%"
				exit
			}
		}
		END { if (!rows && !bad) print "no rows in go tool pprof -top" }
	' "$T/gotop")
	if [ -n "$bad" ]; then
		show_file "go tool pprof -top" "$T/gotop"
		show_file "ptprof report" "$ours"
		fail "$bad"
	fi
	# "Showing nodes accounting for X, P% of TOTAL total": TOTAL in s.
	local gototal ourtotal
	gototal=$(awk '/ of .* total$/ {
		t = $(NF - 1); v = t + 0
		if (t ~ /ms$/) v /= 1e3; else if (t ~ /us$/) v /= 1e6; else if (t ~ /ns$/) v /= 1e9
		print v; exit }' "$T/gotop")
	ourtotal=$(awk '/^Total: / { print $2; exit }' "$ours")
	awk -v a="$gototal" -v b="$ourtotal" 'BEGIN { d = a - b; exit !(a > 0 && d < 0.011 && d > -0.011) }' ||
		{ show_file "go tool pprof -top" "$T/gotop" 8; fail "total ${ourtotal} s, go tool pprof says ${gototal} s"; }
}

# ======================================================= Go's runtime/pprof

t_report_go_cpu_profile() {
	need_go
	go_build -o "$T/cpuprof" tests/go/cpuprof/main.go >"$T/build.log" 2>&1 ||
		{ show_file "go build" "$T/build.log"; fail "go build tests/go/cpuprof failed"; }
	timeout 30 "$T/cpuprof" "$T/go.prof" || fail "tests/go/cpuprof failed"

	report --top 0 "$T/go.prof"
	assert_rc 0
	[ ! -s "$T/err" ] || fail "report printed on stderr"
	assert_line "$T/out" "File: $T/go.prof"
	assert_match "$T/out" '^Type: cpu, Duration: [0-9]+\.[0-9]{2} s$'
	assert_match "$T/out" '^Total: [0-9]+\.[0-9]{2} s in [0-9]+ sample records?$'
	assert_eq "$(report_first "$T/out")" main.spinHot "the top function"
	local flat _
	read -r flat _ <<<"$(report_row "$T/out" main.spinHot)"
	between "$flat" 50 100 || fail "main.spinHot has only $flat% flat"
	assert_match "$T/out" ' main\.spinCold \[cpuprof\]$'
	compare_with_go_top "$T/go.prof" "$T/out"
	echo "main.spinHot $flat% flat"
}

# ====================================================== ptprof's own pprof

# A 2 s cpu recording of the ratio target into $T/r.pb.gz; the worker's
# tid in RATIO_WTID.
record_ratio() {
	start_target ratio
	local pid=$LAST_PID
	RATIO_WTID=$(tid_by_name "$pid" worker)
	# About 1000 samples: the 25/75 split is then checked within 7 points
	# with a chance of a false alarm near one in a million (at 99 Hz, 200
	# samples gave one in fifty).
	record -p "$pid" -d 2 -r 499 -o "$T/r.pb.gz"
	assert_rc 0
	assert_untouched "$pid"
	stop_target "$pid"
}

t_report_ptprof_profile() {
	record_ratio
	report "$T/r.pb.gz"
	assert_rc 0
	[ ! -s "$T/err" ] || fail "report printed on stderr"
	cp "$T/out" "$T/gz.txt"
	assert_eq "$(sed -n 1p "$T/out")" "File: $T/r.pb.gz" "line 1"
	assert_match "$T/out" '^Type: cpu, Duration: 2\.[0-9]{2} s$'
	# cpu mode: only the worker runs.
	assert_match "$T/out" '^Total: [0-9]+\.[0-9]{2} s in [0-9]+ sample records? from 1 thread$'
	local rows
	rows=$(report_rows "$T/out")
	between "$rows" 5 20 || fail "$rows function rows, expected 5 to 20"
	local af bf wc _
	read -r af _ <<<"$(report_row "$T/out" hot_a)"
	read -r bf _ <<<"$(report_row "$T/out" hot_b)"
	read -r _ wc <<<"$(report_row "$T/out" worker)"
	if ! between "$bf" 68 82 || ! between "$af" 18 32; then
		fail "hot_b $bf%, hot_a $af% flat; expected about 75% and 25%"
	fi
	between "$wc" 95 100 || fail "worker on $wc% of the stacks"
	assert_eq "$(report_first "$T/out")" hot_b "the top function"
	assert_match "$T/out" '^ +[0-9.]+m?s +[0-9.]+% +[0-9.]+m?s +[0-9.]+%  hot_b \[ratio\]$'

	# --top 1: one row, hot_b's, and how many were left out.
	report --top 1 "$T/r.pb.gz"
	assert_rc 0
	assert_eq "$(report_rows "$T/out")" 1 "function rows with --top 1"
	assert_eq "$(report_first "$T/out")" hot_b "the one row"
	assert_match "$T/out" '^\([0-9]+ more functions; --top 0 shows all\)$'
	report --top 0 "$T/r.pb.gz"
	assert_rc 0
	assert_no_match "$T/out" 'more functions'
	[ "$(report_rows "$T/out")" -ge "$rows" ] || fail "--top 0 shows fewer rows than the default"

	# Uncompressed, and on standard input: the same report.
	gunzip -c "$T/r.pb.gz" >"$T/r.pb" || fail "gunzip"
	report "$T/r.pb"
	assert_rc 0
	diff <(sed 1d "$T/gz.txt") <(sed 1d "$T/out") >"$T/diff" ||
		{ show_file "diff" "$T/diff"; fail "the report of the gunzipped file differs"; }
	LAST_CMD="ptprof report - <r.pb.gz"
	PT_RC=0
	timeout 30 "$PTPROF" report - <"$T/r.pb.gz" >"$T/out" 2>"$T/err" || PT_RC=$?
	check_sanitizer "$T/err"
	assert_rc 0
	assert_eq "$(sed -n 1p "$T/out")" "File: standard input" "line 1 from stdin"
	diff <(sed 1d "$T/gz.txt") <(sed 1d "$T/out") >"$T/diff" ||
		{ show_file "diff" "$T/diff"; fail "the report from standard input differs"; }
}

# Folded output, to stdout or -o FILE, with and without --threads.
t_report_folded() {
	record_ratio
	report -f folded "$T/r.pb.gz"
	assert_rc 0
	[ ! -s "$T/err" ] || fail "report printed on stderr"
	cp "$T/out" "$T/stdout.folded"
	assert_folded "$T/out"
	assert_match "$T/out" '^([^;]*;)*start_thread;worker;hot_b [0-9]+$'
	assert_no_match "$T/out" '^worker/'

	report -f folded -o "$T/r.folded" "$T/r.pb.gz"
	assert_rc 0
	[ ! -s "$T/out" ] || fail "-o FILE, yet something on stdout"
	assert_line "$T/err" "ptprof: wrote $T/r.folded"
	cmp -s "$T/r.folded" "$T/stdout.folded" || fail "-o FILE and stdout differ"
	report -q -f folded -o "$T/q.folded" "$T/r.pb.gz"
	assert_rc 0
	[ ! -s "$T/err" ] || fail "-q, yet something on stderr"

	report -f folded --threads "$T/r.pb.gz"
	assert_rc 0
	assert_folded "$T/out"
	awk -F';' -v w="worker/$RATIO_WTID" '$1 != w { print; bad = 1 } END { exit bad }' "$T/out" >"$T/bad" ||
		{ show_file "lines of other threads" "$T/bad"; fail "lines that do not start with worker/$RATIO_WTID;"; }
	# The values are nanoseconds: they add up to the Total line.
	report "$T/r.pb.gz"
	local total sum
	total=$(awk '/^Total: / { print $2; exit }' "$T/out")
	sum=$(awk '{ n += $NF } END { printf "%.2f", n / 1e9 }' "$T/r.folded")
	assert_eq "$sum" "$total" "folded values in seconds against the Total line"
}

# Folded stacks against the same file read by go tool pprof -raw: the same
# stacks with the same values.
t_report_folded_matches_go() {
	need_go
	record_ratio
	report -f folded "$T/r.pb.gz"
	assert_rc 0
	cp "$T/out" "$T/ours.folded"
	go_pprof_into "$T/raw" -raw "$T/r.pb.gz"
	local out
	out=$(python3 - "$T/raw" "$T/ours.folded" 2>&1 <<'EOF'
import collections, re, sys
# -raw: "Samples:", a line of types, then "  V1 V2: LOC LOC ..." (leaf
# first) with label lines; "Locations": "  ID: 0xADDR M=N FUNC FILE:LINE
# s=N" and, for inlined frames, more "FUNC FILE:LINE s=N" lines, the
# innermost first.
section, samples, locs, cur = None, [], {}, None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line == "Samples:":
        section = "s"
        continue
    if line.startswith("Locations"):
        section = "l"
        continue
    if line.startswith("Mappings"):
        section = None
        continue
    if section == "s":
        m = re.match(r"^\s+(-?\d+(?:\s+-?\d+)*):((?:\s+\d+)*)\s*$", line)
        if m:
            samples.append((int(m.group(1).split()[-1]), m.group(2).split()))
    elif section == "l":
        m = re.match(r"^\s+(\d+): 0x[0-9a-f]+ (?:M=\d+ )?(.*)$", line)
        if m:
            cur = m.group(1)
            locs[cur] = []
            rest = m.group(2)
        else:
            rest = line.strip()
        if rest and cur:
            locs[cur].append(rest.split(" ")[0])
want = collections.Counter()
for v, ids in samples:
    if v <= 0:
        continue
    names = []
    for i in reversed(ids):
        names += reversed(locs[i])
    want[";".join(names)] += v
got = collections.Counter()
for line in open(sys.argv[2]):
    stack, v = line.rstrip("\n").rsplit(" ", 1)
    got[stack] += int(v)
if not samples or not want:
    sys.exit("nothing parsed from go tool pprof -raw")
if got != want:
    for k in sorted(set(got) | set(want)):
        if got[k] != want[k]:
            print("%s: ptprof %d, go tool pprof %d" % (k, got[k], want[k]))
    sys.exit(1)
print("%d stacks, %d samples agree" % (len(got), len(samples)))
EOF
) || { show_file "ptprof report -f folded" "$T/ours.folded"; fail "folded stacks differ: $out"; }
	echo "$out"
	report --top 0 "$T/r.pb.gz"
	assert_rc 0
	compare_with_go_top "$T/r.pb.gz" "$T/out"
}

# ================================================ sample types and diffs
# Profiles written by tests/mkpprof.py from descriptions; what report must
# print is computed here from the same descriptions (diff_expect), never
# taken from ptprof's output.

# mkpprof NAME: $T/NAME.txt (a description) into $T/NAME.pb.gz.
mkpprof() {
	python3 tests/mkpprof.py "$T/$1.txt" "$T/$1.pb.gz" 2>"$T/mkpprof.err" ||
		{ show_file "mkpprof.py" "$T/mkpprof.err"; fail "tests/mkpprof.py $1 failed"; }
}

# Two heap-like profiles of one program.  OLD names no default type (its
# default is the last, inuse_space); NEW names alloc_space.  gone is only
# in OLD, fresh only in NEW; main is never innermost; loop recurses.
write_heap_pair() {
	cat >"$T/old.txt" <<'DESC'
types alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes
main;work;parse 10 10240 4 4096
main;work;parse 1 1024 1 1024
main;work;render 5 5120 5 5120
main;work 2 2048 1 1024
main;gone 8 1048576 2 262144
main;steady 3 3000 3 3000
main;loop;loop;spin 6 600 6 600
DESC
	cat >"$T/new.txt" <<'DESC'
types alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes
default alloc_space
main;work;parse 4 4096 4 4096
main;work;render 20 20480 6 6144
main;work 2 2048 1 1024
main;fresh 7 3145728 7 3145728
main;steady 3 3000 3 3000
main;loop;loop;spin 9 900 1 100
main;loop 0 0 0 0
DESC
	mkpprof old
	mkpprof new
}

# diff_expect OLD NEW INDEX TOP: what `report --diff-base` must say for
# the descriptions $T/OLD.txt and $T/NEW.txt with --sample-index INDEX
# ("" for none) and --top TOP, one fact a line:
#   type NAME UNIT | total BEFORE AFTER DELTA PCT
#   flat|cum FUNC BEFORE AFTER DELTA PCT | more flat|cum N
# The rules: the type is INDEX (a name or a number) in both, else NEW's
# default type (its last when it names none) looked up by name in OLD;
# flat is the value of the samples where the function is innermost, cum
# of those where it is anywhere (once per sample); rows by |delta|, then
# name; flat rows only for functions with a flat value on either side;
# delta% = 100 * delta / OLD's total, one decimal.  Counts print as
# integers; bytes as go tool pprof scales them (B, kB, MB ... of 1024,
# "%.2f" without ".00"); nanoseconds as the text report does (s, ms, us,
# ns; "%.2f" without trailing zeros).
diff_expect() {
	python3 - "$T/$1.txt" "$T/$2.txt" "$3" "$4" <<'PY'
import sys

def parse(path):
    d = {"types": [], "default": None, "samples": []}
    for line in open(path):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "types":
            d["types"] = [tuple(t.split("/")) for t in w[1:]]
        elif w[0] == "default":
            d["default"] = w[1]
        elif w[0] in ("period", "duration"):
            pass
        else:
            d["samples"].append((w[0].split(";"), [int(v) for v in w[1:]]))
    return d

def pick(d, index):
    names = [t for t, _ in d["types"]]
    if index.isdigit():
        return int(index)
    for i, t in enumerate(names):
        if t == index or t == index[len("inuse_"):] and index.startswith("inuse_"):
            return i
    sys.exit("no type %s" % index)

def totals(d, i):
    flat, cum = {}, {}
    for stack, values in d["samples"]:
        v = values[i]
        if v <= 0:
            continue
        flat[stack[-1]] = flat.get(stack[-1], 0) + v
        for f in set(stack):
            cum[f] = cum.get(f, 0) + v
            flat.setdefault(f, 0)
    return flat, cum, sum(v[i] for _, v in d["samples"] if v[i] > 0)

def fmt(v, unit, sign=0):
    if v == 0:
        return "0"
    pre = "" if not sign else "-" if sign < 0 else "+"
    if unit == "bytes":
        units, f, i = ["B", "kB", "MB", "GB", "TB", "PB"], 1.0, 0
        while i + 1 < len(units) and v / (f * 1024) >= 1.0:
            f *= 1024
            i += 1
        s = "%.2f" % (v / f)
        if s.endswith(".00"):
            s = s[:-3]
        return pre + s + units[i]
    if unit == "nanoseconds":
        scale = [(1e9, "s"), (1e6, "ms"), (1e3, "us"), (1, "ns")]
        i = 0
        while i + 1 < len(scale) and v < scale[i][0] * 0.999995:
            i += 1
        s = ("%.2f" % (v / scale[i][0])).rstrip("0").rstrip(".")
        return pre + s + scale[i][1]
    return pre + str(v)

def pct(mag, sign, base):
    if not base:
        return "-"
    if not sign:
        return "0.0%"
    return "%s%.1f%%" % ("-" if sign < 0 else "+", 100.0 * mag / base)

old, new, index, top = parse(sys.argv[1]), parse(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if index:
    ni, oi = pick(new, index), pick(old, index)
else:
    names = [t for t, _ in new["types"]]
    ni = names.index(new["default"]) if new["default"] in names else len(names) - 1
    oi = pick(old, names[ni])
unit = new["types"][ni][1]
print("type", new["types"][ni][0], unit)
of, oc, ot = totals(old, oi)
nf, nc, nt = totals(new, ni)
sign = (nt > ot) - (nt < ot)
print("total", fmt(ot, unit), fmt(nt, unit), fmt(abs(nt - ot), unit, sign), pct(abs(nt - ot), sign, ot))
for name, o, n in (("flat", of, nf), ("cum", oc, nc)):
    funcs = [f for f in set(o) | set(n) if o.get(f, 0) or n.get(f, 0)]
    funcs.sort(key=lambda f: (-abs(n.get(f, 0) - o.get(f, 0)), f))
    for f in funcs[:top or len(funcs)]:
        b, a = o.get(f, 0), n.get(f, 0)
        s = (a > b) - (a < b)
        print(name, f, fmt(b, unit), fmt(a, unit), fmt(abs(a - b), unit, s), pct(abs(a - b), s, ot))
    if top and len(funcs) > top:
        print("more", name, len(funcs) - top)
PY
}

# diff_facts FILE: the same facts read from report --diff-base's output.
diff_facts() {
	awk '
		/^Type: / { t = $2; sub(/,$/, "", t); print "type", t, $NF; next }
		/^Total: / {
			gsub(/[,()]/, "")
			print "total", $3, $5, $7, (NF >= 8 ? $8 : "-"); next
		}
		/^Flat \(/ { sec = "flat"; next }
		/^Cum \(/ { sec = "cum"; next }
		/^\([0-9]+ more functions/ { print "more", sec, substr($1, 2); next }
		sec != "" && NF == 5 && $1 != "before" { print sec, $5, $1, $2, $3, $4 }
	' "$1"
}

# assert_diff OLD NEW INDEX TOP: report --diff-base says what the
# descriptions say, fact for fact and in order.
assert_diff() {
	local args=(--top "$4" --diff-base "$T/$1.pb.gz")
	[ -z "$3" ] || args=(--sample-index "$3" "${args[@]}")
	report "${args[@]}" "$T/$2.pb.gz"
	assert_rc 0
	[ ! -s "$T/err" ] || fail "report --diff-base printed on stderr"
	assert_eq "$(sed -n 1p "$T/out")" "Before: $T/$1.pb.gz" "line 1"
	assert_eq "$(sed -n 2p "$T/out")" "After:  $T/$2.pb.gz" "line 2"
	diff_expect "$1" "$2" "$3" "$4" >"$T/want" || fail "diff_expect failed"
	diff_facts "$T/out" >"$T/got"
	diff -u "$T/want" "$T/got" >"$T/facts.diff" ||
		{ show_file "expected facts against printed ones" "$T/facts.diff"; fail "report --diff-base ${args[*]} differs from the descriptions"; }
	[ "$(wc -l <"$T/want")" -ge 6 ] || fail "too few facts expected: $(cat "$T/want")"
}

# diff_row SECTION FUNC: "BEFORE AFTER DELTA PCT" of FUNC in $T/out.
diff_row() {
	diff_facts "$T/out" | awk -v s="$1" -v f="$2" '$1 == s && $2 == f { print $3, $4, $5, $6; exit }'
}

t_report_diff_base() {
	write_heap_pair
	# No --sample-index: NEW's default type (alloc_space) in both, not
	# OLD's own default (inuse_space, its last).
	assert_diff old new "" 0
	assert_match "$T/out" '^Type: alloc_space, unit: bytes$'
	# What the descriptions say, spelled out for the reader: gone was only
	# in OLD (1 MiB), fresh is only in NEW (3 MiB); the largest change
	# comes first.
	assert_eq "$(diff_row flat fresh)" "0 3MB +3MB +293.8%" "flat row of fresh"
	assert_eq "$(diff_row flat gone)" "1MB 0 -1MB -97.9%" "flat row of gone"
	assert_eq "$(diff_facts "$T/out" | awk '$1 == "flat" { print $2 }' | head -3 | tr '\n' ' ')" \
		"fresh gone render " "the three largest flat changes"
	assert_eq "$(diff_row flat main)" "" "main (never innermost) in the flat table"

	# Another type by name, and by number: that type's deltas.
	assert_diff old new alloc_objects 0
	assert_match "$T/out" '^Type: alloc_objects, unit: count$'
	# parse -7 and fresh +7: equal changes, by name.
	assert_eq "$(diff_facts "$T/out" | awk '$1 == "flat" { print $2 }' | sed -n 3,4p | tr '\n' ' ')" \
		"fresh parse " "equal changes by name"
	assert_diff old new 3 0
	assert_match "$T/out" '^Type: inuse_space, unit: bytes$'
	assert_diff old new inuse_objects 3
	assert_match "$T/out" '^\([0-9]+ more functions; --top 0 shows all\)$'
	# Default --top: 20 rows at most; these profiles have fewer.
	report --diff-base "$T/old.pb.gz" "$T/new.pb.gz"
	assert_rc 0
	assert_no_match "$T/out" 'more functions'

	# -o FILE: the same text, in the file.
	report --top 0 --diff-base "$T/old.pb.gz" -o "$T/d.txt" "$T/new.pb.gz"
	assert_rc 0
	assert_line "$T/err" "ptprof: wrote $T/d.txt"
	diff_expect old new "" 0 >"$T/want"
	diff_facts "$T/d.txt" >"$T/got"
	cmp -s "$T/want" "$T/got" || fail "-o FILE: the facts differ"

	# The other way round: every delta changes sign.
	assert_diff new old "" 0

	# Time values: CPU profiles in nanoseconds.
	cat >"$T/cpu1.txt" <<'DESC'
types samples/count cpu/nanoseconds
period cpu/nanoseconds 10000000
main;hot 150 1500000000
main;warm 25 250000000
main;cool 1 999999
main;gone 3 30000000
DESC
	cat >"$T/cpu2.txt" <<'DESC'
types samples/count cpu/nanoseconds
period cpu/nanoseconds 10000000
main;hot 100 999999999
main;warm 50 500000000
main;cool 2 2000000
main;new 1 12345
DESC
	mkpprof cpu1
	mkpprof cpu2
	assert_diff cpu1 cpu2 "" 0
	assert_match "$T/out" '^Type: cpu, unit: nanoseconds$'
	assert_eq "$(diff_row flat hot)" "1.5s 1s -500ms -28.1%" "flat row of hot"
	assert_diff cpu1 cpu2 samples 0
}

t_report_diff_base_refused() {
	write_heap_pair
	# Units that differ: one line, exit 2, nothing on stdout.  By number
	# (OLD's type 1 counts bytes, NEW's nanoseconds) ...
	cat >"$T/cpu.txt" <<'DESC'
types samples/count cpu/nanoseconds
main;hot 1 10000000
DESC
	mkpprof cpu
	report --sample-index 1 --diff-base "$T/old.pb.gz" "$T/cpu.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" "^ptprof: report: $T/old.pb.gz counts alloc_space in bytes, $T/cpu.pb.gz counts cpu in nanoseconds"
	[ ! -s "$T/out" ] || fail "units differ, yet something on stdout"
	# ... and by name (NEW's default type, cpu, counts microseconds in it).
	cat >"$T/cpu_us.txt" <<'DESC'
types samples/count cpu/microseconds
main;hot 1 10000
DESC
	mkpprof cpu_us
	report --diff-base "$T/cpu.pb.gz" "$T/cpu_us.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" 'counts cpu in nanoseconds, .* counts cpu in microseconds'
	[ ! -s "$T/out" ] || fail "units differ, yet something on stdout"
	# NEW's default type is not in OLD: the types OLD has.
	report --diff-base "$T/cpu.pb.gz" "$T/new.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_line "$T/err" "ptprof: report: $T/cpu.pb.gz: no sample type 'alloc_space' in this profile (it has samples, cpu)"
	# A missing OLD.
	report --diff-base "$T/nope.pb.gz" "$T/new.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_line "$T/err" "ptprof: report: $T/nope.pb.gz: No such file or directory"

	# Only text shows a difference.
	local f
	for f in folded flamegraph speedscope; do
		report -f "$f" --diff-base "$T/old.pb.gz" "$T/new.pb.gz"
		assert_rc 64
		assert_one_error_line
		assert_match "$T/err" "--diff-base prints a text table, not $f"
		[ ! -s "$T/out" ] || fail "-f $f --diff-base: something on stdout"
	done
	report -f text --diff-base "$T/old.pb.gz" "$T/new.pb.gz"
	assert_rc 0
}

# desc_total NAME COLUMN: "TOTAL N" of description $T/NAME.txt: the sum of
# the values of type COLUMN (0-based) and how many samples have one > 0.
desc_total() {
	awk -v c="$2" '$1 != "types" && $1 != "default" && NF > 1 && $(c + 2) > 0 {
		t += $(c + 2); n++ } END { print t + 0, n + 0 }' "$T/$1.txt"
}

# --sample-index without --diff-base, in every format.
t_report_sample_index() {
	local total n
	write_heap_pair
	# The default: NEW names alloc_space (1); OLD names none, so its last (3).
	report "$T/new.pb.gz"
	assert_rc 0
	assert_line "$T/out" "Type: alloc_space"
	read -r total n <<<"$(desc_total new 1)"
	assert_line "$T/out" "Total: $total bytes in $n sample records"
	report "$T/old.pb.gz"
	assert_line "$T/out" "Type: inuse_space"
	read -r total n <<<"$(desc_total old 3)"
	assert_line "$T/out" "Total: $total bytes in $n sample records"
	# By name and by number.
	report --sample-index alloc_objects "$T/old.pb.gz"
	assert_rc 0
	assert_line "$T/out" "Type: alloc_objects"
	read -r total n <<<"$(desc_total old 0)"
	assert_line "$T/out" "Total: $total in $n sample records"
	report --sample-index 1 "$T/old.pb.gz"
	assert_line "$T/out" "Type: alloc_space"
	read -r total n <<<"$(desc_total old 1)"
	assert_line "$T/out" "Total: $total bytes in $n sample records"
	# Folded stacks carry the chosen type's values (equal stacks merged;
	# the zero sample of main;loop left out).
	report -f folded --sample-index inuse_objects "$T/old.pb.gz"
	assert_rc 0
	python3 - "$T/old.txt" 2 >"$T/want" <<'PY'
import sys
vals = {}
for line in open(sys.argv[1]):
    w = line.split()
    if w and w[0] not in ("types", "default"):
        v = int(w[1 + int(sys.argv[2])])
        if v > 0:
            vals[w[0]] = vals.get(w[0], 0) + v
for k in sorted(vals):
    print(k, vals[k])
PY
	sort "$T/out" >"$T/got"
	diff -u "$T/want" "$T/got" >"$T/folded.diff" ||
		{ show_file "expected against printed" "$T/folded.diff"; fail "folded inuse_objects values differ"; }
	# A name the profile lacks: its types, exit 2.
	report --sample-index x "$T/old.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_line "$T/err" "ptprof: report: $T/old.pb.gz: no sample type 'x' in this profile (it has alloc_objects, alloc_space, inuse_objects, inuse_space)"
	[ ! -s "$T/out" ] || fail "unknown type, yet something on stdout"
	report -f folded --sample-index 4 "$T/old.pb.gz"
	assert_rc 2
	assert_line "$T/err" "ptprof: report: $T/old.pb.gz: no sample type 4 in this profile (it has 0..3: alloc_objects, alloc_space, inuse_objects, inuse_space)"
}

# A heap profile Go wrote itself: our alloc_space (and default) values per
# function are those go tool pprof prints.
t_report_go_heap_sample_index() {
	need_go
	local bin=$TARGETS_DIR/go-heapwrite index bad
	[ -x "$bin" ] || fail "$bin is not built (make targets)"
	timeout 30 "$bin" "$T/heap.pb.gz" || fail "go-heapwrite failed"
	for index in alloc_space ""; do
		if [ -n "$index" ]; then
			report --top 0 --sample-index "$index" "$T/heap.pb.gz"
			assert_line "$T/out" "Type: $index"
			go_pprof -sample_index="$index" -top -nodecount=1000 -nodefraction=0 -unit=B \
				"$T/heap.pb.gz" >"$T/gotop" 2>"$T/gotop.err"
		else
			# Go names no default type in a heap profile: the last.
			report --top 0 "$T/heap.pb.gz"
			assert_line "$T/out" "Type: inuse_space"
			go_pprof -top -nodecount=1000 -nodefraction=0 -unit=B \
				"$T/heap.pb.gz" >"$T/gotop" 2>"$T/gotop.err"
		fi || { show_file "go tool pprof stderr" "$T/gotop.err"; fail "go tool pprof -top failed"; }
		assert_rc 0
		cp "$T/out" "$T/ours"
		# go: "  4194304B 79.60% 79.60%   4194304B 79.60%  main.allocBig".
		bad=$(awk -v ours="$T/ours" '
			BEGIN {
				while ((getline line < ours) > 0) {
					n = split(line, f, " ")
					if (n >= 5 && f[2] ~ /%$/ && f[1] ~ /^[0-9]+$/ && !(f[5] in flat))
						flat[f[5]] = f[1]
				}
			}
			/^ *flat +flat%/ { on = 1; next }
			on && NF >= 6 {
				v = $1; sub(/B$/, "", v)
				rows++
				if (!($6 in flat)) { print "missing in the report: " $6; exit }
				if (flat[$6] != v) { print $6 ": ptprof " flat[$6] ", go tool pprof " v; exit }
			}
			END { if (!rows) print "no rows in go tool pprof -top" }
		' "$T/gotop")
		if [ -n "$bad" ]; then
			show_file "go tool pprof -top" "$T/gotop"
			show_file "ptprof report" "$T/ours"
			fail "${index:-default}: $bad"
		fi
		# What the two functions allocate (exact size classes, all still
		# alive), give or take what the runtime allocates while they run
		# (a collection starting there, say: seen 96 bytes).
		local fn size v
		for fn in allocBig:4194304 allocSmall:1024000; do
			size=${fn#*:} fn=main.${fn%:*}
			v=$(awk -v f="$fn" '$5 == f { print $1; exit }' "$T/ours")
			[ -n "$v" ] && [ "$v" -ge "$size" ] && [ "$v" -lt $((size + 65536)) ] ||
				fail "${index:-default}: $fn has ${v:-no} bytes, expected $size (+ less than 64 KiB)"
		done
		echo "${index:-default}: $(grep -c '^ *[0-9]' "$T/gotop") functions agree with go tool pprof"
	done
}

# ============================================================ bad files

t_report_refuses_bad_files() {
	python3 tests/fuzz/seeds.py "$T/seeds" || fail "tests/fuzz/seeds.py failed"
	local f n=0
	for f in "$T"/seeds/*; do
		case ${f##*/} in valid-*) continue ;; esac
		report "$f"
		assert_rc 2
		assert_one_error_line
		assert_match "$T/err" "^ptprof: report: $f: "
		[ ! -s "$T/out" ] || fail "report ${f##*/}: something on stdout"
		n=$((n + 1))
	done
	[ "$n" -ge 15 ] || fail "only $n bad inputs from seeds.py"

	# The reasons, as the user reads them.
	local -A why=(
		[empty]='empty file \(not a pprof profile\)$'
		[truncated-gzip]='truncated gzip data \(the file was cut short; copy it again\)$'
		[gzip-bad-crc]='corrupt gzip data \(incorrect data check\)$'
		[gzip-junk-after]='junk after the gzip data'
		[gzip-of-garbage]='not a pprof profile \(protobuf decoding failed\)$'
		[text-folded]='not a pprof profile \(this is text; '
		[bad-string-index]='not a valid pprof profile \(function #1 name: string index 99 out of range 0\.\.7\)$'
		[negative-string-index]='string index -1 out of range'
		[bad-location-id]='sample #1 refers to location 7, which does not exist\)$'
		[bad-function-id]='location 1 refers to function 9, which does not exist\)$'
		[bad-mapping-id]='location 1 refers to mapping 4, which does not exist\)$'
		[duplicate-location-id]='two locations with id 2\)$'
		[too-many-values]='sample #1 has 2 values for 1 sample types\)$'
		[values-overflow]='the values add up past 2\^64\)$'
	)
	for f in "${!why[@]}"; do
		report "$T/seeds/$f"
		assert_match "$T/err" "${why[$f]}"
	done

	# The valid ones read: the bad ones fail for the reason in their name.
	for f in valid-minimal.pb valid-minimal.pb.gzip valid-two-gzip-members; do
		report -f folded "$T/seeds/$f"
		assert_rc 0
		assert_eq "$(cat "$T/out")" "main;work;helper 100" "folded $f"
	done

	# A real profile cut anywhere.
	local real=tests/fuzz/corpus/ptprof-ratio-cpu.pb.gzip size cut
	size=$(stat -c %s "$real")
	for cut in 1 2 10 11 100 $((size / 2)) $((size - 8)) $((size - 1)); do
		head -c "$cut" "$real" >"$T/cut"
		report "$T/cut"
		assert_rc 2
		assert_one_error_line
		[ ! -s "$T/out" ] || fail "cut at $cut: something on stdout"
	done
	# ... and its protobuf cut short.
	gunzip -c "$real" | head -c 500 >"$T/cut"
	report "$T/cut"
	assert_rc 2
	assert_one_error_line

	# Random bytes, raw and gzipped.
	python3 - "$T/rnd" <<'EOF' || fail "python could not write random files"
import gzip, os, random, sys
os.makedirs(sys.argv[1])
for seed in range(20):
    r = random.Random(seed)
    data = bytes(r.randrange(256) for _ in range(r.randrange(1, 5000)))
    open(os.path.join(sys.argv[1], "raw%d" % seed), "wb").write(data)
    open(os.path.join(sys.argv[1], "gz%d" % seed), "wb").write(gzip.compress(data))
EOF
	for f in "$T"/rnd/*; do
		report "$f"
		assert_rc 2
		assert_one_error_line
		[ ! -s "$T/out" ] || fail "${f##*/}: something on stdout"
	done

	# 2 million empty samples: decoding them would take ~60 bytes of
	# memory per 2 bytes of file; the decoding budget refuses it.
	python3 -c 'import sys; open(sys.argv[1], "wb").write(b"\x12\x00" * (2 << 20))' "$T/flood" ||
		fail "python"
	report "$T/flood"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" 'decoding it takes more memory than a profile of its size may\)$'

	# Nothing is written for a bad file, not even a temporary file.
	mkdir "$T/o"
	report -f folded -o "$T/o/x.folded" "$T/seeds/bad-string-index"
	assert_rc 2
	[ -z "$(ls -A "$T/o")" ] || fail "files left behind: $(ls -A "$T/o")"
}

# Gzip data that inflates past 512 MiB: refused quickly, without holding
# the inflated data in memory.
t_report_gzip_bomb() {
	python3 tests/fuzz/seeds.py --bomb "$T/bomb.gz" || fail "seeds.py --bomb failed"
	python3 -c '
import gzip, sys
m = gzip.compress(bytes(1 << 20), 9, mtime=0)
open(sys.argv[1], "wb").write(m * 600)' "$T/members.gz" || fail "python"
	local f start ms kb
	for f in bomb.gz members.gz; do
		[ "$(stat -c %s "$T/$f")" -lt $((1024 * 1024)) ] || fail "$f is not small"
		start=$(now_ms)
		report "$T/$f"
		ms=$(($(now_ms) - start))
		assert_rc 2
		assert_one_error_line
		assert_match "$T/err" "^ptprof: report: $T/$f: gzip data inflates to more than 512 MiB; not a profile this tool reads$"
		[ ! -s "$T/out" ] || fail "$f: something on stdout"
		[ "$ms" -lt 20000 ] || fail "$f took $ms ms"
		echo "$f refused in $ms ms"
	done
	# The peak memory of a run (the children's maximum RSS, in KiB).
	kb=$(python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$PTPROF" report "$T/bomb.gz")
	[ "$kb" -lt 200000 ] || fail "reading the bomb took $kb KiB of memory"
	echo "peak RSS $kb KiB"
}

t_report_no_such_file() {
	report "$T/nope.pb.gz"
	assert_rc 2
	assert_one_error_line
	assert_line "$T/err" "ptprof: report: $T/nope.pb.gz: No such file or directory"
	[ ! -s "$T/out" ] || fail "something on stdout"
	mkdir "$T/dir"
	report "$T/dir"
	assert_rc 2
	assert_one_error_line
	assert_match "$T/err" "^ptprof: report: $T/dir: is a directory"
}

# Over 512 MiB: a regular file is refused by its size, unread; anything
# else (a device, a pipe) once 512 MiB have been read.
t_report_too_large() {
	truncate -s 600M "$T/huge" || fail "truncate"
	report "$T/huge"
	assert_rc 2
	assert_one_error_line
	assert_line "$T/err" "ptprof: report: $T/huge: 600 MiB, larger than the 512 MiB a profile may have"
	report /dev/zero
	assert_rc 2
	assert_one_error_line
	assert_line "$T/err" "ptprof: report: /dev/zero: larger than the 512 MiB a profile may have"
	[ ! -s "$T/out" ] || fail "something on stdout"
}

t_report_bad_usage() {
	local p=tests/fuzz/corpus/valid-minimal.pb
	local -a cases=(
		""
		"$p $p"
		"--top x $p"
		"--top -1 $p"
		"--top 1.5 $p"
		"--top $p"
		"-f bogus $p"
		"-f Folded $p"
		"-f folded --top 3 $p"
		"--threads $p"
		"-f speedscope --threads $p"
		"-f folded --diff-base $p $p"
		"--diff-base - -"
		"--diff-base"
		"--sample-index"
		"--no-such-option $p"
		"-o"
	)
	local c
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		report $c
		assert_rc 64
		assert_one_error_line
		[ ! -s "$T/out" ] || fail "report $c: something on stdout"
	done
	report
	assert_match "$T/err" 'which profile\?'
	report --top x "$p"
	assert_match "$T/err" "--top needs a number of functions \(0 for all\), not 'x'"
	report --help
	assert_rc 0
	assert_match "$T/out" '^Usage: ptprof report \[OPTIONS\] FILE$'
}

# ======================================== flame graph and speedscope
# The writers are shared with record; while they are not written (they
# fail with ENOSYS) these tests skip.

skip_if_writer_missing() {
	if [ "$PT_RC" = 2 ] && grep -q 'Function not implemented' "$T/err"; then
		skip "the $1 writer is not written yet (ENOSYS)"
	fi
}

t_report_flamegraph() {
	local p=tests/fuzz/corpus/ptprof-ratio-wall.pb
	report -f flamegraph -o "$T/f.svg" "$p"
	skip_if_writer_missing flamegraph
	assert_rc 0
	assert_line "$T/err" "ptprof: wrote $T/f.svg"
	grep -q '<svg' "$T/f.svg" || fail "no <svg in f.svg"
	python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/f.svg" 2>"$T/xml.err" ||
		{ show_file "XML error" "$T/xml.err"; fail "f.svg is not well-formed XML"; }
	grep -q 'hot_b' "$T/f.svg" || fail "hot_b is not in the flame graph"
	report -f flamegraph --threads "$p"
	assert_rc 0
	grep -q '<svg' "$T/out" || fail "no <svg with --threads on stdout"
}

t_report_speedscope() {
	local p=tests/fuzz/corpus/ptprof-ratio-wall.pb
	report -f speedscope -o "$T/s.json" "$p"
	skip_if_writer_missing speedscope
	assert_rc 0
	py_check "$T/s.json" '
check("speedscope" in d.get("$schema", ""), "no speedscope $schema")
check(len(d.get("profiles", [])) >= 1, "no profiles")
names = [f["name"] for f in d["shared"]["frames"]]
check("hot_b" in names, "hot_b is not a frame")
'
}
