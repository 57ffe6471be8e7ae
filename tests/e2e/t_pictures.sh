# tests/e2e/t_pictures.sh - flame graphs (SVG) and speedscope files from
# `ptprof record`.
#
# A flame graph is checked as a file (python's xml.etree must parse it,
# names escaped, self-contained, the samples adding up, a tower per
# thread) and as a user sees it: headless Chromium renders it, driven over
# the DevTools protocol by tests/browser/check-flamegraph.py, which looks
# at the screenshot, measures the boxes against the shares the ratio
# target was built to have, clicks to zoom and reset, searches through
# the prompt and checks that names are trimmed inside their boxes.
#
# A speedscope file is checked against the fields speedscope reads
# (tests/check-speedscope.py).  After every recording the target must be
# untouched, as in t_record.sh.
#
# Uses record and read_summary (t_record.sh), assert_output_refused
# (t_robust.sh).

need_chromium() {
	command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
		command -v google-chrome >/dev/null ||
		skip "chromium is not installed (apt-get install chromium, or make deps)"
}

# browser CHECK SVG ARG...: tests/browser/check-flamegraph.py; its report
# goes to the test's log, Chromium's own to $T/chromium.log.
browser() {
	local out
	out=$(timeout -k 5 40 python3 tests/browser/check-flamegraph.py --tmp "$T" \
		--log "$T/chromium.log" --screenshot "$T/shot.png" "$@" 2>&1) ||
		fail "in the browser: $out"
	echo "$out"
}

# A flame graph as python sees it, for svg_check.
SVG_PY='
import re, sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"

def check(cond, msg):
    if not cond:
        print(msg)
        sys.exit(1)

raw = open(sys.argv[1], "rb").read()
try:
    svg = ET.fromstring(raw)
except ET.ParseError as e:
    check(False, "not well-formed XML: %s" % e)
check(svg.tag == NS + "svg", "the root element is %s" % svg.tag)
total = int(svg.get("data-total"))
frames = []
for g in svg.iter(NS + "g"):
    if g.get("class") != "frame":
        continue
    rect, text, title = g.find(NS + "rect"), g.find(NS + "text"), g.find(NS + "title")
    check(rect is not None and text is not None and title is not None,
          "a frame without rect, text or title: %r" % g.attrib)
    frames.append({"name": g.get("data-name"), "kind": g.get("data-kind"),
                   "module": g.get("data-module"), "file": g.get("data-file"),
                   "line": g.get("data-line"), "value": int(g.get("data-value")),
                   "x": int(g.get("data-x")), "depth": int(g.get("data-depth")),
                   "title": title.text or "", "text": text.text or "",
                   "width": float(rect.get("width"))})

def named(name):
    out = [f for f in frames if f["name"] == name]
    check(out, "no frame named %r; names: %r" % (name, sorted({f["name"] for f in frames})[:50]))
    return out

def inside(f, t):
    return t["depth"] < f["depth"] and t["x"] <= f["x"] and f["x"] + f["value"] <= t["x"] + t["value"]

# Nothing to fetch: the only URLs are the namespace names (SVG, and the
# XHTML one the script creates its measuring canvas in).
urls = set(re.findall(rb"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"\x27<>)]*", raw))
check(urls <= {b"http://www.w3.org/2000/svg", b"http://www.w3.org/1999/xhtml"},
      "URLs in the file: %r" % sorted(urls))
for bad in (b"href", b"url(", b"@import", b"<image", b"<foreignObject", b"src="):
    check(bad not in raw, "%r in the file" % bad)
check(all(b >= 0x20 or b in b"\n\t" for b in raw), "control bytes in the file")
root = [f for f in frames if f["kind"] == "root"]
if total:
    check(len(root) == 1 and root[0]["value"] == total and root[0]["name"] == "all",
          "the root frames: %r" % root)
# Drawn to scale, and nothing narrower than a pixel (those are dropped).
for f in frames:
    want = f["value"] * 1180.0 / total
    check(abs(f["width"] - want) <= 0.006 and f["width"] >= 1.0,
          "%s: %d of %d drawn %.2f px wide" % (f["name"], f["value"], total, f["width"]))
'

# svg_check FILE CODE: python CODE with SVG_PY's names (frames, total,
# named, inside, check) on FILE.
svg_check() {
	local file=$1 code=$2 out
	out=$(python3 - "$file" 2>&1 <<EOF
$SVG_PY
$code
EOF
) || { show_file "checked file" "$file" 20; fail "flame graph ${file##*/}: $out"; }
	[ -z "$out" ] || echo "$out"
}

# speedscope_check FILE ARG...: tests/check-speedscope.py.
speedscope_check() {
	local out
	out=$(python3 tests/check-speedscope.py "$@" 2>&1) ||
		{ show_file "checked file" "$1" 20; fail "speedscope ${1##*/}: $out"; }
	echo "$out"
}

# ============================================================ flame graphs

# 2 s of the ratio target at 499 Hz: the worker splits its CPU 1:3
# between hot_a and hot_b, and the picture must say so, drawn.
t_pictures_flamegraph_render() {
	need_chromium
	start_target ratio
	local pid=$LAST_PID size
	record -p "$pid" -d 2 -r 499 -o "$T/r.svg"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_line "$T/err" "ptprof: wrote $T/r.svg; open it in a web browser"
	[ ! -s "$T/out" ] || fail "-o FILE, yet something on stdout"
	[ "$REC_N" -ge 400 ] || fail "only $REC_N samples in 2 s at 499 Hz ($REC_K ticks)"
	svg_check "$T/r.svg" "
check(total == $REC_N, 'data-total %d, stderr said $REC_N samples' % total)
for name in ('hot_a', 'hot_b', 'worker'):
    for f in named(name):
        check(f['kind'] == 'main' and f['module'] == 'ratio', '%s: %r' % (name, f))
        check(f['file'].endswith('ratio.c') and int(f['line']) > 0, '%s: %r' % (name, f))
        pct = '%.2f%%' % (100.0 * f['value'] / total)
        check(f['title'].startswith(name + ' [ratio] ') and f['title'].endswith(', ' + pct),
              '%s: title %r, expected its share %s' % (name, f['title'], pct))
for f in named('start_thread'):
    check(f['kind'] == 'shared', 'start_thread: %r' % f)
# Only the worker ran: its function is under every sample.
check(sum(f['value'] for f in named('worker')) == total, 'worker is not under every sample')
for f in named('hot_a') + named('hot_b'):
    check(any(inside(f, w) for w in named('worker')), '%s outside worker' % f['name'])
"
	browser render "$T/r.svg" hot_a=25 hot_b=75
	size=$(wc -c <"$T/r.svg")
	echo "r.svg: $size bytes for $REC_N samples"
	stop_target "$pid"
}

# A real click on hot_a zooms into it; Reset zoom puts everything back.
t_pictures_flamegraph_zoom() {
	need_chromium
	start_target ratio
	local pid=$LAST_PID
	record -p "$pid" -d 1 -r 499 -o "$T/z.svg"
	assert_rc 0
	assert_untouched "$pid"
	browser zoom "$T/z.svg" hot_a hot_b
	stop_target "$pid"
}

# Search through the prompt (the Search control, then Ctrl-F): the
# matching frames are highlighted and the share counts nested matches
# once (worker holds hot_a and hot_b).
t_pictures_flamegraph_search() {
	need_chromium
	start_target ratio
	local pid=$LAST_PID
	record -p "$pid" -d 1 -r 499 -o "$T/s.svg"
	assert_rc 0
	assert_untouched "$pid"
	browser search "$T/s.svg" 'hot_b' 'worker|hot_'
	stop_target "$pid"
}

# 33 threads side by side leave no room for whole names: trimmed with
# "..", never past the box; zoomed in, the name is whole again.
t_pictures_flamegraph_trim() {
	need_chromium
	start_target pool
	local pid=$LAST_PID
	record -p "$pid" -d 300ms -m wall --threads -o "$T/p.svg"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	svg_check "$T/p.svg" "
check(total == $REC_N, 'data-total %d, stderr said $REC_N samples' % total)
towers = [f for f in frames if f['kind'] == 'thread']
check(len(towers) == 33, '%d thread towers, expected 33' % len(towers))
check(all(f['depth'] == 1 for f in towers), 'thread frames not right above the root')
"
	browser trim "$T/p.svg"
	stop_target "$pid"
}

# --threads: a tower per thread under a "name/tid" frame, each thread's
# functions in its own tower; without it, no thread frames.
t_pictures_flamegraph_threads() {
	need_chromium
	start_target ratio
	local pid=$LAST_PID wtid itid
	wtid=$(tid_by_name "$pid" worker)
	itid=$(tid_by_name "$pid" idle)
	record -p "$pid" -d 500ms -m wall --threads -o "$T/t.svg"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	svg_check "$T/t.svg" "
check(total == $REC_N, 'data-total %d, stderr said $REC_N samples' % total)
towers = {f['name']: f for f in frames if f['kind'] == 'thread'}
want = {'ratio/$pid', 'worker/$wtid', 'idle/$itid'}
check(set(towers) == want, 'thread frames %r, expected %r' % (sorted(towers), sorted(want)))
for t in towers.values():
    # Wall mode samples every thread at every tick.
    check(t['depth'] == 1 and t['value'] == $REC_K, 'tower %r: %r, $REC_K ticks' % (t['name'], t))
def only_in(func, tower):
    for f in named(func):
        check(inside(f, towers[tower]), '%s outside the %s tower' % (func, tower))
only_in('idle_wait', 'idle/$itid')
only_in('hot_a', 'worker/$wtid')
only_in('hot_b', 'worker/$wtid')
only_in('ready_and_serve', 'ratio/$pid')
"
	# Each tower a third of the width, as drawn.
	browser render "$T/t.svg" "idle/$itid=33.33" "worker/$wtid=33.33" --tol 0.01

	record -p "$pid" -d 300ms -m wall -o "$T/n.svg"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	svg_check "$T/n.svg" "
check(total == $REC_N, 'data-total %d, stderr said $REC_N samples' % total)
check(not [f for f in frames if f['kind'] == 'thread'], 'thread frames without --threads')
check(all(f['depth'] > 1 for f in named('idle_wait') + named('hot_b')), 'functions at depth 1')
"
	stop_target "$pid"
}

# Thread names with a double quote, a backslash, control characters and
# bytes that are not UTF-8: the file still parses as XML, the names are
# there with the odd characters spelled out (\t, \xNN), and it renders.
t_pictures_flamegraph_odd_names() {
	need_chromium
	start_target oddname utf8
	local pid=$LAST_PID q c u
	read -r q c u <<<"$READY_ARG"
	[ -n "$u" ] || fail "oddname printed no tids: '$READY_ARG'"
	record -p "$pid" -d 300ms -m wall --threads -o "$T/o.svg"
	assert_rc 0
	assert_untouched "$pid"
	svg_check "$T/o.svg" "
towers = {f['name'] for f in frames if f['kind'] == 'thread'}
want = {'oddname/$pid', 'we\"ird\\\\th/$q', 'c\\\\x01\\\\x1f\\\\tl/$c',
        'u\\\\xed\\\\xa0\\\\x80\\\\xe0\\\\x80\\\\x80\\\\xf4\\\\x90\\\\x80\\\\x80/$u'}
check(towers == want, 'thread frames %r, expected %r' % (sorted(towers), sorted(want)))
for f in frames:
    if f['kind'] == 'thread':
        check(f['title'].startswith(f['name'] + '\n'), 'title %r' % f['title'])
check(b'data-name=\"we&quot;ird' in raw, 'the double quote is not escaped as &quot;')
"
	browser render "$T/o.svg"
	stop_target "$pid"
}

# C++ names hold < and >: escaped in the file, shown as they are.
t_pictures_flamegraph_cxx_names() {
	need_chromium
	start_target cxx
	local pid=$LAST_PID
	record -p "$pid" -d 1 -o "$T/c.svg"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	# Worker<int>::run(T step) demangles with its parameter list.
	assert_match "$T/c.svg" 'data-name="ptprof_test::Worker&lt;int&gt;::run\(int\)"'
	svg_check "$T/c.svg" "
for f in named('ptprof_test::Worker<int>::run(int)'):
    check(f['text'] == f['name'], 'its box says %r' % f['text'])
    check(f['title'].startswith('ptprof_test::Worker<int>::run(int) [cxx] '), 'title %r' % f['title'])
"
	# The worker spins in run(): the only thread on a CPU.
	browser render "$T/c.svg" 'ptprof_test::Worker<int>::run(int)=100'
	stop_target "$pid"
}

# A target that never runs in cpu mode: no samples, still a valid picture
# (and a valid speedscope file) saying so.
t_pictures_no_samples() {
	start_target pool
	local pid=$LAST_PID
	record -p "$pid" -d 300ms -o "$T/e.svg"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_eq "$REC_N" 0 "samples of sleeping threads in cpu mode"
	svg_check "$T/e.svg" "
check(total == 0 and not frames, 'total %d, %d frames' % (total, len(frames)))
"
	assert_match "$T/e.svg" '>no samples</text>'
	record -p "$pid" -d 300ms -o "$T/e.json"
	assert_rc 0
	assert_untouched "$pid"
	py_check "$T/e.json" "
check(d['shared']['frames'] == [], 'frames %r' % d['shared']['frames'])
check(len(d['profiles']) == 1, '%d profiles' % len(d['profiles']))
p = d['profiles'][0]
check(p['samples'] == [] and p['weights'] == [] and p['endValue'] == 0, 'profile %r' % p)
check(d['activeProfileIndex'] == 0, 'activeProfileIndex %r' % d['activeProfileIndex'])
"
	stop_target "$pid"
}

# ============================================================== speedscope

# The ratio target in cpu mode: one profile, the worker's, weights in
# nanoseconds (whole periods at 499 Hz), hot_b under ~3/4 of them.
# Sample counts against the CPU it had: alone (tests/run-e2e.sh).
E2E_SERIAL+=" pictures_speedscope_ratio"
t_pictures_speedscope_ratio() {
	start_target ratio
	local pid=$LAST_PID wtid
	wtid=$(tid_by_name "$pid" worker)
	record -p "$pid" -d 2 -r 499 -o "$T/s.json"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	assert_line "$T/err" "ptprof: wrote $T/s.json; open it at https://www.speedscope.app or with speedscope $T/s.json"
	[ ! -s "$T/out" ] || fail "-o FILE, yet something on stdout"
	[ "$REC_N" -ge 400 ] || fail "only $REC_N samples in 2 s at 499 Hz ($REC_K ticks)"
	speedscope_check "$T/s.json" --profiles "worker/$wtid" --unit nanoseconds \
		--period $((1000000000 / 499)) --total "$REC_N" \
		--share "worker/$wtid:hot_b=75" --share "worker/$wtid:hot_a=25" \
		--share "worker/$wtid:worker=100" --tol 10 \
		--order start_thread,worker --order worker,hot_b --order worker,hot_a
	stop_target "$pid"
}

# Wall mode: a profile per thread, "name/tid", each sampled at every tick.
t_pictures_speedscope_threads() {
	start_target ratio
	local pid=$LAST_PID wtid itid
	wtid=$(tid_by_name "$pid" worker)
	itid=$(tid_by_name "$pid" idle)
	record -p "$pid" -d 500ms -m wall -f speedscope -o "$T/w.out"
	assert_rc 0
	assert_untouched "$pid"
	read_summary
	speedscope_check "$T/w.out" --profiles "ratio/$pid,worker/$wtid,idle/$itid" \
		--unit nanoseconds --period $((1000000000 / 99)) --total "$REC_N" \
		--share "idle/$itid:idle_wait=100" --share "worker/$wtid:idle_wait=0" --tol 0
	py_check "$T/w.out" "
for p in d['profiles']:
    check(p['endValue'] == $REC_K * $((1000000000 / 99)), '%s: endValue %d for $REC_K ticks' % (p['name'], p['endValue']))
"
	stop_target "$pid"
}

# Odd thread names are JSON-escaped; bytes that are not UTF-8 come out as
# their Latin-1 characters, as in ptprof's other JSON.
t_pictures_speedscope_odd_names() {
	start_target oddname utf8
	local pid=$LAST_PID q c u
	read -r q c u <<<"$READY_ARG"
	[ -n "$u" ] || fail "oddname printed no tids: '$READY_ARG'"
	record -p "$pid" -d 300ms -m wall -o "$T/o.json"
	assert_rc 0
	assert_untouched "$pid"
	speedscope_check "$T/o.json" \
		--name-json "\"we\\\"ird\\\\th/$q\"" \
		--name-json "\"c\\u0001\\u001f\\tl/$c\"" \
		--name-json "\"u\\u00ed\\u00a0\\u0080\\u00e0\\u0080\\u0080\\u00f4\\u0090\\u0080\\u0080/$u\"" \
		--share "*:odd_wait=75" --tol 0.01
	stop_target "$pid"
}

# ================================================================== errors

# The picture does not fit: one error line naming the file, which never
# appears, and nothing left behind.
t_pictures_output_disk_full() {
	mkdir "$T/full"
	mount -t tmpfs -o size=4k tmpfs "$T/full" 2>"$T/mount.err" ||
		skip "cannot mount a tmpfs: $(head -n 1 "$T/mount.err")"
	trap 'umount "$T/full" 2>/dev/null; cleanup_targets' EXIT
	start_target pool
	local pid=$LAST_PID fmt size left

	for fmt in flamegraph speedscope; do
		# The same picture on stdout is bigger than the filesystem.
		record -q -p "$pid" -d 200ms -m wall --threads -f "$fmt" -o -
		assert_rc 0
		assert_untouched "$pid"
		size=$(wc -c <"$T/out")
		[ "$size" -gt 5000 ] || fail "the $fmt output is only $size bytes: it would fit"

		record -q -p "$pid" -d 200ms -m wall --threads -f "$fmt" -o "$T/full/out.$fmt"
		assert_output_refused "$T/full/out.$fmt"
		assert_match "$T/err" "^ptprof: write $T/full/out.$fmt: No space left on device$"
		left=$(ls -A "$T/full")
		[ -z "$left" ] || fail "left in $T/full: $left"
		assert_untouched "$pid"
	done
	stop_target "$pid"
	umount "$T/full" || fail "umount $T/full"
}
