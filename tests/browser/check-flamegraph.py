#!/usr/bin/env python3
"""check-flamegraph.py - a ptprof flame graph, opened in headless Chromium
and checked as a user would see and use it.

    check-flamegraph.py CHECK SVG [ARG...]

CHECK is one of
    render [--tol PTS] NAME=PCT...
                         the picture is not blank; each NAME's boxes are as
                         wide, against the root, as its data-value says,
                         and that share is within --tol points of PCT (the
                         truth the target was built to have); text stays
                         inside its box; colours follow the frame kinds;
                         a screenshot pixel inside a box is its colour
    zoom NAME OTHER      a real click on NAME's widest box zooms into it:
                         it fills the width, its ancestors stay at full
                         width, OTHER's boxes are hidden; "Reset zoom"
                         puts every box back where it was
    search TERM NESTED   "Search" opens a prompt; the term entered
                         highlights exactly the frames whose name matches
                         and the share shown counts each sample once
                         (NESTED is a term matching frames on top of each
                         other, e.g. a function and its callees); Escape
                         clears it; Ctrl-F opens the prompt as well
    trim                 names too long for their box end in ".." and
                         never run past it, before and after zooming

Prints what it measured; on a failed check prints why and exits 1.
Chromium is always killed, and the whole run is bounded (--timeout).
"""

import argparse
import os
import re
import signal
import sys

# No __pycache__ left in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CdpError, decode_png  # noqa: E402


class Failed(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failed(msg)


# Every frame as drawn: its attributes, its box and its text's box in CSS
# pixels of the page, whether it is displayed, and its fill as computed
# (after the style sheet) and as written.
FRAMES_JS = r"""
(() => {
  const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; };
  return [...document.querySelectorAll('g.frame')].map(g => {
    const r = g.querySelector('rect'), t = g.querySelector('text');
    return {
      name: g.getAttribute('data-name'), kind: g.getAttribute('data-kind'),
      module: g.getAttribute('data-module'),
      value: +g.getAttribute('data-value'), x: +g.getAttribute('data-x'),
      depth: +g.getAttribute('data-depth'), cls: g.getAttribute('class'),
      shown: getComputedStyle(g).display !== 'none',
      fill: r.getAttribute('fill'), cfill: getComputedStyle(r).fill,
      rect: box(r), text: t.textContent, tbox: box(t),
    };
  });
})()
"""

CONTROLS_JS = r"""
(() => {
  const out = {};
  for (const id of ['unzoom', 'search', 'matched', 'details', 'title']) {
    const e = document.getElementById(id), b = e.getBoundingClientRect();
    out[id] = { text: e.textContent, shown: getComputedStyle(e).display !== 'none',
                box: [b.left, b.top, b.width, b.height] };
  }
  out.total = +document.documentElement.getAttribute('data-total');
  out.height = +document.documentElement.getAttribute('height');
  return out;
})()
"""


def frames(b):
    return b.eval(FRAMES_JS)


def controls(b):
    return b.eval(CONTROLS_JS)


def centre(box):
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def root_of(fs):
    roots = [f for f in fs if f["kind"] == "root"]
    check(len(roots) == 1, "%d root frames" % len(roots))
    r = roots[0]
    check(r["name"] == "all" and r["depth"] == 0 and r["x"] == 0,
          "root frame %r" % {k: r[k] for k in ("name", "depth", "x")})
    return r


def named(fs, name):
    out = [f for f in fs if f["name"] == name]
    check(out, "no frame named %r; names: %s" % (name, sorted({f["name"] for f in fs})[:40]))
    return out


def rgb(s):
    m = re.fullmatch(r"rgb\((\d+), ?(\d+), ?(\d+)\)", s or "")
    check(m, "not an rgb() colour: %r" % s)
    return tuple(int(v) for v in m.groups())


def check_tree(fs, total):
    """Every frame sits on a parent one level down that contains it, and
    the children of a frame add up to no more than it."""
    by_depth = {}
    for f in fs:
        by_depth.setdefault(f["depth"], []).append(f)
    for f in fs:
        check(f["value"] > 0, "frame %s has value %d" % (f["name"], f["value"]))
        check(f["x"] + f["value"] <= total, "frame %s ends past the total" % f["name"])
        if f["depth"] == 0:
            continue
        parents = [p for p in by_depth.get(f["depth"] - 1, [])
                   if p["x"] <= f["x"] and f["x"] + f["value"] <= p["x"] + p["value"]]
        check(len(parents) == 1, "frame %s (depth %d, x %d) has %d parents"
              % (f["name"], f["depth"], f["x"], len(parents)))
        p = parents[0]
        p.setdefault("kids", 0)
        p["kids"] += f["value"]
    for f in fs:
        check(f.get("kids", 0) <= f["value"],
              "children of %s add up to %d > %d" % (f["name"], f.get("kids", 0), f["value"]))


def check_text(fs, when):
    """Text inside its box; the name itself or a prefix of it and ".."."""
    trimmed = 0
    for f in fs:
        if not f["shown"] or not f["text"]:
            continue
        left, _, width, _ = f["rect"]
        tl, _, tw, _ = f["tbox"]
        check(tl >= left - 0.01 and tl + tw <= left + width + 0.01,
              "%s: the text %r (%.1f..%.1f px) runs outside its box (%.1f..%.1f px)"
              % (when, f["text"], tl, tl + tw, left, left + width))
        if f["text"] != f["name"]:
            check(f["text"].endswith("..") and f["name"].startswith(f["text"][:-2]),
                  "%s: the text of %r is %r" % (when, f["name"], f["text"]))
            trimmed += 1
    return trimmed


def check_palette(fs):
    """Warm for the program, yellow-green for libraries, blue-grey for the
    kernel and unknown code; the same name always the same colour."""
    seen = {}
    for f in fs:
        r, g, b = rgb(f["fill"])
        k = f["kind"]
        if k == "main":
            ok = r >= 205 and b <= 70 and r > g > b
        elif k == "shared":
            ok = g >= 195 and b <= 90 and r < g
        elif k == "other":
            ok = b >= 205 and b > r
        elif k in ("root", "thread"):
            ok = True
        else:
            ok = False
        check(ok, "frame %s of kind %r has colour %s" % (f["name"], k, f["fill"]))
        key = (f["name"], k)
        check(seen.setdefault(key, f["fill"]) == f["fill"],
              "%s has colours %s and %s" % (f["name"], seen[key], f["fill"]))


def check_screenshot(b, fs, name, out):
    png = b.screenshot()
    if out:
        with open(out, "wb") as fh:
            fh.write(png)
    w, h, bpp, rows = decode_png(png)
    colours, ink = set(), 0
    for row in rows[::2]:
        for i in range(0, w * bpp, 2 * bpp):
            px = row[i:i + 3]
            colours.add(px)
            if min(px) < 235:
                ink += 1
    samples = len(rows[::2]) * len(range(0, w * bpp, 2 * bpp))
    check(len(colours) >= 8, "the screenshot has only %d colours" % len(colours))
    check(ink >= samples // 20, "the screenshot is nearly blank: %d of %d pixels inked"
          % (ink, samples))
    # A pixel inside the widest NAME box, clear of its text, is its colour.
    f = max(named(fs, name), key=lambda f: f["value"])
    left, top, width, height = f["rect"]
    x, y = int(left + width - 3), int(top + height - 2)
    px = tuple(rows[y][x * bpp:x * bpp + 3])
    want = rgb(f["fill"])
    check(all(abs(a - c) <= 3 for a, c in zip(px, want)),
          "pixel (%d,%d) inside %s is %s, its fill is %s" % (x, y, name, px, want))
    return len(colours), ink * 100.0 / samples


def open_svg(b, path):
    with open(path) as fh:
        head = fh.read(4096)
    m = re.search(r'<svg[^>]* height="(\d+)"', head)
    check(m, "%s: no <svg height=...>" % path)
    b.open("file://" + os.path.abspath(path), 1220, int(m.group(1)) + 20)


# ------------------------------------------------------------------ checks

def do_render(b, a):
    fs = frames(b)
    c = controls(b)
    root = root_of(fs)
    total = c["total"]
    check(root["value"] == total, "root value %d, data-total %d" % (root["value"], total))
    check(abs(root["rect"][2] - 1180) < 0.5, "the root is %.1f px wide" % root["rect"][2])
    check(all(f["shown"] for f in fs), "frames hidden before any click")
    check(not c["unzoom"]["shown"], "Reset zoom shown before any zoom")
    check(c["search"]["text"] == "Search", "the search control says %r" % c["search"]["text"])
    check_tree(fs, total)
    check_palette(fs)
    check_text(fs, "as loaded")
    for spec in a.expect:
        name, pct = spec.rsplit("=", 1)
        mine = named(fs, name)
        drawn = 100.0 * sum(f["rect"][2] for f in mine) / root["rect"][2]
        data = 100.0 * sum(f["value"] for f in mine) / root["value"]
        check(abs(drawn - data) <= 0.5, "%s is drawn %.2f%% wide, its data-value says %.2f%%"
              % (name, drawn, data))
        check(abs(data - float(pct)) <= a.tol, "%s has %.1f%% of the samples; expected %s%% +- %g"
              % (name, data, pct, a.tol))
        check(mine[0]["text"] == name, "%s's box says %r" % (name, mine[0]["text"]))
        print("%s: %.1f%% of the samples, drawn %.2f%% wide" % (name, data, drawn))
    first = a.expect[0].rsplit("=", 1)[0] if a.expect else root["name"]
    n, ink = check_screenshot(b, fs, first, a.screenshot)
    print("screenshot: %d colours, %.0f%% inked; %d frames" % (n, ink, len(fs)))


def do_zoom(b, a):
    before = frames(b)
    root = root_of(before)
    target = max(named(before, a.name), key=lambda f: f["value"])
    others = named(before, a.other)
    check(target["rect"][2] < root["rect"][2] - 10, "%s is already full width" % a.name)
    b.click(*centre(target["rect"]))

    after = frames(b)
    c = controls(b)
    t = [f for f in after if f["depth"] == target["depth"] and f["x"] == target["x"]][0]
    check(t["shown"] and t["name"] == a.name, "%s not shown after the click" % a.name)
    check(abs(t["rect"][2] - root["rect"][2]) <= 1 and abs(t["rect"][0] - root["rect"][0]) <= 1,
          "zoomed %s spans %.1f..%.1f px, the root %.1f..%.1f"
          % (a.name, t["rect"][0], t["rect"][0] + t["rect"][2], root["rect"][0],
             root["rect"][0] + root["rect"][2]))
    for f in after:
        inside = t["x"] <= f["x"] and f["x"] + f["value"] <= t["x"] + t["value"]
        below = f["depth"] < t["depth"] and f["x"] <= t["x"] and t["x"] + t["value"] <= f["x"] + f["value"]
        if below:
            check(f["shown"] and abs(f["rect"][2] - root["rect"][2]) <= 1,
                  "ancestor %s is %s, %.1f px wide" % (f["name"], "shown" if f["shown"] else "hidden",
                                                     f["rect"][2]))
            check("ancestor" in f["cls"], "ancestor %s not marked: class %r" % (f["name"], f["cls"]))
        elif inside and f["depth"] >= t["depth"]:
            check(f["shown"], "%s, above the zoomed frame, is hidden" % f["name"])
        else:
            check(not f["shown"], "%s (x %d..%d) is shown, outside the zoomed %s (x %d..%d)"
                  % (f["name"], f["x"], f["x"] + f["value"], a.name, t["x"], t["x"] + t["value"]))
    for o in others:
        z = [f for f in after if f["depth"] == o["depth"] and f["x"] == o["x"]][0]
        check(not z["shown"], "%s still shown after zooming into %s" % (a.other, a.name))
    check(c["unzoom"]["shown"] and c["unzoom"]["text"] == "Reset zoom",
          "no Reset zoom control after zooming: %r" % c["unzoom"])
    check_text(after, "zoomed")
    print("zoomed into %s: %.1f px wide (was %.1f), %d of %d frames shown"
          % (a.name, t["rect"][2], target["rect"][2], sum(f["shown"] for f in after), len(after)))

    b.click(*centre(c["unzoom"]["box"]))
    again = frames(b)
    c = controls(b)
    check(not c["unzoom"]["shown"], "Reset zoom still shown after resetting")
    for f0, f1 in zip(before, again):
        check(f1["shown"], "%s hidden after Reset zoom" % f1["name"])
        check(all(abs(p - q) <= 0.05 for p, q in zip(f0["rect"], f1["rect"])),
              "%s at %s after Reset zoom, %s before the zoom" % (f1["name"], f1["rect"], f0["rect"]))
        check("ancestor" not in f1["cls"], "%s still dimmed after Reset zoom" % f1["name"])
    print("Reset zoom: every frame back in place")


def union_share(fs, pattern, total):
    """Share of the samples under frames matching pattern, each once; and
    the plain sum of the matching frames' values (what double counting
    would show)."""
    hits = sorted(((f["x"], f["x"] + f["value"]) for f in fs
                   if f["depth"] > 0 and re.search(pattern, f["name"])))
    covered, end = 0, 0
    for lo, hi in hits:
        if hi > end:
            covered += hi - max(lo, end)
            end = hi
    naive = sum(hi - lo for lo, hi in hits)
    return 100.0 * covered / total, 100.0 * naive / total, len(hits)


MATCHED_RE = re.compile(r"Matched: (\d+\.\d\d)% in (\d+) frames?")


def check_search(b, term, when):
    fs = frames(b)
    c = controls(b)
    want, naive, n = union_share(fs, term, c["total"])
    m = MATCHED_RE.fullmatch(c["matched"]["text"])
    check(m, "%s: the search line says %r" % (when, c["matched"]["text"]))
    shown = float(m.group(1))
    check(abs(shown - want) <= 0.006 and int(m.group(2)) == n,
          "%s: %r shows %s%% in %s frames; the matching frames cover %.2f%% in %d"
          % (when, term, m.group(1), m.group(2), want, n))
    check(n > 0, "%s: nothing matches %r" % (when, term))
    for f in fs:
        hit = f["depth"] > 0 and re.search(term, f["name"]) is not None
        marked = "match" in f["cls"].split()
        check(hit == marked, "%s: %s is %smarked as a match" % (when, f["name"], "" if marked else "not "))
        if hit:
            check(rgb(f["cfill"]) == (225, 0, 225), "%s: match %s drawn in %s"
                  % (when, f["name"], f["cfill"]))
        else:
            check(rgb(f["cfill"]) == rgb(f["fill"]), "%s: %s drawn in %s, its fill is %s"
                  % (when, f["name"], f["cfill"], f["fill"]))
    check(c["search"]["text"] == "Clear search", "%s: the search control says %r"
          % (when, c["search"]["text"]))
    print("%s: %r matches %d frames, %.2f%% of the samples (their sum: %.2f%%)"
          % (when, term, n, shown, naive))
    return shown, naive


def check_cleared(b, when):
    fs = frames(b)
    c = controls(b)
    check(c["matched"]["text"] == "", "%s: the search line still says %r" % (when, c["matched"]["text"]))
    check(c["search"]["text"] == "Search", "%s: the search control says %r" % (when, c["search"]["text"]))
    marked = [f["name"] for f in fs if "match" in f["cls"].split()]
    check(not marked, "%s: still marked: %s" % (when, marked))


def do_search(b, a):
    dialogs = []
    answers = []

    def on_event(br, ev):
        if ev.get("method") == "Page.javascriptDialogOpening":
            p = ev["params"]
            dialogs.append(p.get("type"))
            br.post("Page.handleJavaScriptDialog",
                    {"accept": True, "promptText": answers.pop(0) if answers else ""})

    b.on_event = on_event
    check_cleared(b, "as loaded")

    # The Search control, then a term typed into the prompt.
    answers.append(a.term)
    b.click(*centre(controls(b)["search"]["box"]))
    check(dialogs == ["prompt"], "clicking Search opened %r, not one prompt" % dialogs)
    check_search(b, a.term, "Search clicked")

    # Matches on top of matches count once.
    b.key("Escape", "Escape", 27)
    check_cleared(b, "after Escape")
    answers.append(a.nested)
    b.key("f", "KeyF", 70, modifiers=2)
    check(dialogs == ["prompt", "prompt"], "Ctrl-F opened %r" % dialogs[1:])
    shown, naive = check_search(b, a.nested, "Ctrl-F")
    check(naive > shown + 1, "%r: its matches do not nest (sum %.2f%%, covered %.2f%%): "
          "pick a term that matches a function and its callees" % (a.nested, naive, shown))

    # Clicking the control again ("Clear search") clears.
    b.click(*centre(controls(b)["search"]["box"]))
    check(len(dialogs) == 2, "Clear search opened a dialog")
    check_cleared(b, "Clear search clicked")


def do_trim(b, a):
    before = frames(b)
    n = check_text(before, "as loaded")
    check(n > 0, "no name was trimmed: nothing tested (%d frames)" % len(before))
    # The widest trimmed frame, zoomed into: it has room for its name.
    f = max((f for f in before if f["text"] != f["name"] and f["depth"] > 0),
            key=lambda f: f["rect"][2])
    b.click(*centre(f["rect"]))
    after = frames(b)
    m = check_text(after, "zoomed")
    z = [g for g in after if g["depth"] == f["depth"] and g["x"] == f["x"]][0]
    check(z["text"] == z["name"], "zoomed into %r, its box says %r" % (z["name"], z["text"]))
    print("%d of %d names trimmed; zoomed into %r: %d trimmed" % (n, len(before), f["name"], m))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=25.0)
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--log", default=None)
    ap.add_argument("--screenshot", default=None)
    sub = ap.add_subparsers(dest="check", required=True)
    p = sub.add_parser("render")
    p.add_argument("--tol", type=float, default=10.0)
    p.add_argument("svg")
    p.add_argument("expect", nargs="*")
    p = sub.add_parser("zoom")
    p.add_argument("svg")
    p.add_argument("name")
    p.add_argument("other")
    p = sub.add_parser("search")
    p.add_argument("svg")
    p.add_argument("term")
    p.add_argument("nested")
    p = sub.add_parser("trim")
    p.add_argument("svg")
    a = ap.parse_args()

    def timed_out(*_):
        raise Failed("still running after %.0f s" % a.timeout)

    signal.signal(signal.SIGALRM, timed_out)
    signal.signal(signal.SIGTERM, timed_out)
    signal.alarm(int(a.timeout))
    try:
        with Browser(a.tmp, timeout=10, log=a.log) as b:
            open_svg(b, a.svg)
            {"render": do_render, "zoom": do_zoom, "search": do_search,
             "trim": do_trim}[a.check](b, a)
    except (Failed, CdpError) as e:
        print("%s %s: %s" % (a.check, os.path.basename(a.svg), e))
        sys.exit(1)
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    main()
