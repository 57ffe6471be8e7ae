#!/usr/bin/env python3
"""check-speedscope.py - a speedscope file checked against the fields
speedscope reads (https://www.speedscope.app/file-format-schema.json,
src/lib/file-format-spec.ts in speedscope's sources).

    check-speedscope.py FILE [--profiles NAME,...] [--period NS]
        [--unit UNIT] [--total N] [--share PROFILE:FUNC=PCT ...] [--tol PTS]

--profiles  the exact set of profile names
--period    every weight is a whole number of periods (nanoseconds units)
--total     the weights of all profiles add up to N periods (or N values)
--share     FUNC is on the stack of PCT% (+- --tol) of PROFILE's weight
            (PROFILE "*" is every profile)
--name-json a profile with exactly this name exists (given as a JSON
            string, for names a shell argument cannot hold as they are)
--order     CALLER,CALLEE: wherever both are on a stack, CALLER comes
            first (stacks are root first), and in at least one stack

Prints what it found; on a failed check prints why and exits 1.
"""

import argparse
import json
import sys

SCHEMA = "https://www.speedscope.app/file-format-schema.json"
UNITS = {"none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"}


def check(cond, msg):
    if not cond:
        print(msg)
        sys.exit(1)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--profiles")
    ap.add_argument("--period", type=int)
    ap.add_argument("--unit")
    ap.add_argument("--total", type=int)
    ap.add_argument("--share", action="append", default=[])
    ap.add_argument("--tol", type=float, default=10.0)
    ap.add_argument("--name-json", action="append", default=[])
    ap.add_argument("--order", action="append", default=[])
    a = ap.parse_args()

    with open(a.file, "rb") as f:
        raw = f.read()
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        check(False, "not UTF-8 JSON: %s" % e)

    check(isinstance(d, dict), "the top level is not an object")
    check(d.get("$schema") == SCHEMA, "$schema is %r" % d.get("$schema"))
    check(str(d.get("exporter", "")).startswith("ptprof"), "exporter %r" % d.get("exporter"))
    check(isinstance(d.get("name"), str) and d["name"], "name %r" % d.get("name"))
    frames = d.get("shared", {}).get("frames")
    check(isinstance(frames, list) and frames, "shared.frames is %r" % type(frames))
    keys = set()
    for i, fr in enumerate(frames):
        check(isinstance(fr, dict), "frame %d is not an object" % i)
        check(set(fr) <= {"name", "file", "line", "col"}, "frame %d has fields %r" % (i, sorted(fr)))
        check(isinstance(fr.get("name"), str) and fr["name"], "frame %d: name %r" % (i, fr.get("name")))
        if "file" in fr:
            check(isinstance(fr["file"], str) and fr["file"], "frame %d: file %r" % (i, fr["file"]))
        if "line" in fr:
            check(is_int(fr["line"]) and fr["line"] > 0, "frame %d: line %r" % (i, fr["line"]))
        # One frame per function: a frame per line would split its boxes.
        key = (fr["name"], fr.get("file"))
        check(key not in keys, "frame %d repeats %r" % (i, key))
        keys.add(key)

    profiles = d.get("profiles")
    check(isinstance(profiles, list) and profiles, "profiles is %r" % type(profiles))
    active = d.get("activeProfileIndex")
    check(is_int(active) and 0 <= active < len(profiles),
          "activeProfileIndex %r of %d profiles" % (active, len(profiles)))
    total = 0
    by_name = {}
    for i, p in enumerate(profiles):
        what = "profile %d (%r)" % (i, p.get("name"))
        check(p.get("type") == "sampled", "%s: type %r" % (what, p.get("type")))
        check(isinstance(p.get("name"), str) and p["name"], "%s: no name" % what)
        check(p["name"] not in by_name, "%s: a second profile of that name" % what)
        by_name[p["name"]] = p
        check(p.get("unit") in UNITS, "%s: unit %r" % (what, p.get("unit")))
        if a.unit:
            check(p["unit"] == a.unit, "%s: unit %r, expected %r" % (what, p["unit"], a.unit))
        samples, weights = p.get("samples"), p.get("weights")
        check(isinstance(samples, list) and isinstance(weights, list),
              "%s: samples or weights is not a list" % what)
        check(len(samples) == len(weights), "%s: %d samples, %d weights"
              % (what, len(samples), len(weights)))
        for s in samples:
            check(isinstance(s, list) and all(is_int(x) and 0 <= x < len(frames) for x in s),
                  "%s: a stack with an index outside 0..%d: %r" % (what, len(frames) - 1, s))
        for w in weights:
            check(is_int(w) and w > 0, "%s: weight %r" % (what, w))
            if a.period:
                check(w % a.period == 0, "%s: weight %d is not a multiple of %d" % (what, w, a.period))
        check(p.get("startValue") == 0, "%s: startValue %r" % (what, p.get("startValue")))
        check(p.get("endValue") == sum(weights), "%s: endValue %r, the weights add up to %d"
              % (what, p.get("endValue"), sum(weights)))
        total += sum(weights)
    heaviest = max(range(len(profiles)), key=lambda i: profiles[i]["endValue"])
    check(profiles[active]["endValue"] == profiles[heaviest]["endValue"],
          "activeProfileIndex %d is not the busiest profile (%d)" % (active, heaviest))
    print("%d frames, %d profiles: %s" % (len(frames), len(profiles),
                                          ", ".join("%r" % n for n in by_name)))

    if a.profiles is not None:
        want = set(a.profiles.split(",")) if a.profiles else set()
        check(set(by_name) == want, "profiles %r, expected %r" % (sorted(by_name), sorted(want)))
    for n in a.name_json:
        n = json.loads(n)
        check(n in by_name, "no profile named %r; profiles: %r" % (n, sorted(by_name)))
    if a.total is not None:
        want = a.total * (a.period or 1)
        check(total == want, "the weights add up to %d, expected %d" % (total, want))

    for spec in a.share:
        prof, rest = spec.split(":", 1)
        func, pct = rest.rsplit("=", 1)
        ps = profiles if prof == "*" else [by_name.get(prof)]
        check(ps[0] is not None, "no profile named %r" % prof)
        ids = {i for i, fr in enumerate(frames) if fr["name"] == func}
        check(ids, "no frame named %r" % func)
        w_all = w_func = 0
        for p in ps:
            for s, w in zip(p["samples"], p["weights"]):
                w_all += w
                if any(x in ids for x in s):
                    w_func += w
        share = 100.0 * w_func / w_all if w_all else 0
        check(abs(share - float(pct)) <= a.tol, "%s: %s in %.1f%% of the weight, expected %s%% +- %g"
              % (prof, func, share, pct, a.tol))
        print("%s: %s in %.1f%% of the weight" % (prof, func, share))

    for spec in a.order:
        caller, callee = spec.split(",")
        a_ids = {i for i, fr in enumerate(frames) if fr["name"] == caller}
        b_ids = {i for i, fr in enumerate(frames) if fr["name"] == callee}
        both = 0
        for p in profiles:
            for s in p["samples"]:
                ka = [k for k, x in enumerate(s) if x in a_ids]
                kb = [k for k, x in enumerate(s) if x in b_ids]
                if ka and kb:
                    both += 1
                    check(ka[0] < kb[-1], "a stack with %s above %s: %r"
                          % (caller, callee, [frames[x]["name"] for x in s]))
        check(both, "no stack holds both %s and %s" % (caller, callee))
        print("%s below %s in %d stacks" % (caller, callee, both))


if __name__ == "__main__":
    main()
