#!/usr/bin/env python3
"""ref.py - the reference answers of the Go tests, read from Go's own
profiler output (or from any other producer of the same formats), as simple
lines a shell test can compare.  Standard library only.

  ref.py goroutine-counts FILE.1
      A debug=1 goroutine profile ("goroutine profile: total N", then
      "COUNT @ PCS" records with "#" frame lines).  Prints, sorted by name,
      "FUNCTION COUNT" for every function named in a record's "#" lines,
      COUNT being the goroutines that have it anywhere on their stack (each
      goroutine counted once per function), then "total N".  Go itself
      leaves out of the "#" lines the runtime.* frames at the top of a stack
      (runtime.gopark, runtime.chanrecv, ...) and runtime.goexit, so those
      are not counted; the "@" addresses still have them.

  ref.py goroutine-states FILE.2
      A debug=2 dump ("goroutine ID [STATE, ...]:" headers).  Prints
      "reason COUNT STATE" per wait reason or status (the first item in the
      brackets), sorted by STATE, then "goroutine ID STATE" per goroutine,
      sorted by ID, then "total N".

  ref.py goroutine-funcs FILE.2
      The same dump, counted like goroutine-counts: "FUNCTION COUNT" for
      every function on a frame line ("created by" lines are not frames),
      then "total N".

  ref.py pprof-counts [--index TYPE] [--within FUNC] [--label KEY] FILE FUNCTION...
      A pprof profile (gzipped or not).  For one sample type (the first;
      --index TYPE picks one by its name, e.g. cpu, or by position from 0)
      prints "type NAME UNIT", then "FUNCTION SUM" for each FUNCTION given
      (in that order): the sum of that type's values over the samples with
      FUNCTION anywhere on their stack (inlined frames included, each sample
      counted once), then "total SUM" over all samples.  --within FUNC
      counts only the samples with FUNC on their stack (total included).
      --label KEY adds, per value V of the label KEY (sorted), "label KEY=V
      total SUM" and "label KEY=V FUNCTION SUM" for each FUNCTION; samples
      without that label give "label KEY total SUM" and so on.  In V, "%",
      space and any character outside printable ASCII are written %XX
      (UTF-8 bytes).

  ref.py heap-debug1 [--nonzero] FILE
      A debug=1 heap profile (pprof.Lookup("heap").WriteTo(w, 1)): the
      header "heap profile: IO: IB [AO: AB] @ heap/P" and records
      "IO: IB [AO: AB] @ PCS", each followed by "#" frame lines, then a
      "# runtime.MemStats" section that is ignored.  Prints one line of
      JSON: {"rate": P/2 (Go writes 2*MemProfileRate there, as the old C++
      heap profiler did), "heap_period": P, "totals": the header's four
      numbers, "records": [...] in the file's order}, each record
      {"inuse_objects", "inuse_space", "alloc_objects", "alloc_space",
      "pcs": ["0x..."], "funcs": [the function names of its "#" lines]}.
      The numbers are the runtime's raw counts, not scaled by the rate.
      The header must equal the sum of the records.  --nonzero leaves out
      the records whose four numbers are all 0.

  ref.py count-cycle-debug1 FILE
      A debug=1 block or mutex profile ("--- contention:" or "--- mutex:",
      "cycles/second=N", for mutex "sampling period=N", then records
      "CYCLES COUNT @ PCS" with "#" frame lines).  Prints one line of
      JSON: {"profile": "contention" or "mutex", "cycles_per_second",
      "sampling_period" (null when absent), "total_cycles",
      "total_count", "records": [{"cycles", "count", "pcs", "funcs"}]}.

  ref.py pprof-totals FILE [--go GOBIN]
      Runs GOBIN (default: go) tool pprof -raw FILE, offline, and prints
      one line of JSON: {"totals": {TYPE: the sum over all samples},
      "units": {TYPE: UNIT}, "types": [TYPE, ...] in the profile's order,
      "default": the default sample type or null, "period_type",
      "period", "samples": the number of samples as pprof shows them}.
      pprof merges samples with the same stack and labels and drops the
      samples whose values are all 0 before printing; the totals do not
      change, the count of samples may.

  ref.py pprof-func-values FILE --sample-index TYPE [--go GOBIN]
      (The options of these two may come before or after FILE.)
      The same -raw output; prints one line of JSON: {"sample_index":
      TYPE, "unit": UNIT, "total": SUM, "functions": {FUNCTION: flat
      value}}, the flat value of a function being the sum of TYPE over
      the samples whose innermost frame (the first line of the first
      location: inlined frames count) is in it.  TYPE is a name or a
      position from 0.  A location without lines counts under its
      address ("0x..."), a sample without locations under "".  Function
      names holding a space followed by something like "file:line s=N"
      would be split wrongly.

Exit status: 0, 1 on a bad command line, 2 on a file that cannot be read
or is not of the expected format, or when go tool pprof fails (with a
message on stderr).
"""

import gzip
import json
import os
import re
import subprocess
import sys
import tempfile


class BadInput(Exception):
    """The file is not what the subcommand reads."""


def die_usage(msg):
    sys.stderr.write("ref.py: %s\n(ref.py goroutine-counts FILE.1 | goroutine-states FILE.2 | "
                     "goroutine-funcs FILE.2 | pprof-counts [--index TYPE] [--within FUNC] "
                     "[--label KEY] FILE FUNCTION... | heap-debug1 [--nonzero] FILE | "
                     "count-cycle-debug1 FILE | pprof-totals FILE [--go GOBIN] | "
                     "pprof-func-values FILE --sample-index TYPE [--go GOBIN])\n" % msg)
    sys.exit(1)


def read_text(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise BadInput("cannot read %s: %s" % (path, e.strerror))
    return data.decode("utf-8", "replace")


def print_counts(counts, total):
    for name in sorted(counts):
        print("%s %d" % (name, counts[name]))
    print("total %d" % total)


# ---------------------------------------------------- goroutine profiles --

def goroutine_counts(path):
    """debug=1: cumulative goroutine count per function of the "#" lines."""
    lines = read_text(path).split("\n")
    header = re.match(r"goroutine profile: total (\d+)$", lines[0])
    if not header:
        raise BadInput("%s: no 'goroutine profile: total N' first line" % path)
    counts, total, count, funcs = {}, 0, None, set()

    def flush():
        if count is not None:
            for fn in funcs:
                counts[fn] = counts.get(fn, 0) + count

    for ln in lines[1:]:
        rec = re.match(r"(\d+) @( 0x[0-9a-f]+)*$", ln)
        if rec:
            flush()
            count, funcs = int(rec.group(1)), set()
            total += count
        elif ln.startswith("#") and count is not None:
            # "#\t0xPC\tNAME+0xOFF\tFILE:LINE" (tabs doubled for alignment),
            # "#\t0xPC" for an address without a name, "# labels: {...}".
            fields = [f for f in ln[1:].split("\t") if f]
            if len(fields) >= 2 and fields[0].startswith("0x") and "+0x" in fields[1]:
                funcs.add(fields[1].rsplit("+0x", 1)[0])
        elif ln.strip() and not ln.startswith("#"):
            raise BadInput("%s: unexpected line %r" % (path, ln[:200]))
    flush()
    if total != int(header.group(1)):
        raise BadInput("%s: the records add up to %d goroutines, the header says %s"
                       % (path, total, header.group(1)))
    print_counts(counts, total)


HEADER = re.compile(r"goroutine (\d+) \[([^\]]*)\]:$")


def dump_blocks(path):
    """debug=2: (id, state, [frame function names]) per goroutine."""
    blocks, cur = [], None
    for ln in read_text(path).split("\n"):
        h = HEADER.match(ln)
        if h:
            cur = (int(h.group(1)), h.group(2).split(",")[0].strip(), [])
            blocks.append(cur)
        elif cur is None or not ln or ln[0] in "\t " or ln.startswith("created by "):
            continue
        elif ln.endswith(")") and "(" in ln:
            # "pkg.F(args)": the arguments hold no parentheses, the name may
            # ("runtime.(*mheap).alloc(...)").
            cur[2].append(ln[:ln.rindex("(")])
        elif ln == "...additional frames elided...":
            continue
        else:
            cur = None  # not a dump line: whatever follows is not this goroutine's
    if not blocks:
        raise BadInput("%s: no 'goroutine N [STATE]:' header" % path)
    return blocks


def goroutine_states(path):
    blocks = dump_blocks(path)
    reasons = {}
    for _, state, _ in blocks:
        reasons[state] = reasons.get(state, 0) + 1
    for state in sorted(reasons):
        print("reason %d %s" % (reasons[state], state))
    for gid, state, _ in sorted(blocks):
        print("goroutine %d %s" % (gid, state))
    print("total %d" % len(blocks))


def goroutine_funcs(path):
    blocks = dump_blocks(path)
    counts = {}
    for _, _, funcs in blocks:
        for fn in set(funcs):
            counts[fn] = counts.get(fn, 0) + 1
    print_counts(counts, len(blocks))


# ------------------------------------------------------------ pprof --

def varint(buf, pos, end):
    """One base-128 varint at buf[pos:end] -> (value, next position)."""
    value = shift = 0
    while True:
        if pos >= end:
            raise BadInput("truncated varint")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7
        if shift >= 70:
            raise BadInput("varint longer than 10 bytes")


def fields(buf, start=0, end=None):
    """The fields of one message: (number, wire type, int or (start, end))."""
    pos = start
    end = len(buf) if end is None else end
    while pos < end:
        key, pos = varint(buf, pos, end)
        num, wt = key >> 3, key & 7
        if num == 0:
            raise BadInput("field number 0")
        if wt == 0:
            v, pos = varint(buf, pos, end)
        elif wt == 1 or wt == 5:
            n = 8 if wt == 1 else 4
            if pos + n > end:
                raise BadInput("truncated fixed-size field")
            v = int.from_bytes(buf[pos:pos + n], "little")
            pos += n
        elif wt == 2:
            n, pos = varint(buf, pos, end)
            if n > end - pos:
                raise BadInput("length-delimited field runs past its message")
            v = (pos, pos + n)
            pos += n
        else:
            raise BadInput("unsupported wire type %d" % wt)
        yield num, wt, v


def signed(v):
    """An int64 sent as a varint (two's complement in 64 bits)."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def ints(buf, wt, v, out):
    """Append a repeated integer field, packed or not, to out."""
    if wt == 0:
        out.append(v)
    elif wt == 2:
        pos, end = v
        while pos < end:
            x, pos = varint(buf, pos, end)
            out.append(x)
    else:
        raise BadInput("repeated integer field with wire type %d" % wt)


def scalar(wt, v):
    if wt != 0:
        raise BadInput("integer field with wire type %d" % wt)
    return v


def read_pprof(path):
    try:
        with open(path, "rb") as f:
            buf = f.read()
    except OSError as e:
        raise BadInput("cannot read %s: %s" % (path, e.strerror))
    if buf[:2] == b"\x1f\x8b":
        try:
            buf = gzip.decompress(buf)
        except (OSError, EOFError) as e:
            raise BadInput("%s: bad gzip data: %s" % (path, e))
    try:
        return decode_pprof(buf)
    except BadInput as e:
        raise BadInput("%s: %s" % (path, e))


def decode_pprof(buf):
    """The parts of a Profile message that pprof-counts needs."""
    p = {"types": [], "samples": [], "locations": {}, "functions": {}, "strings": []}
    for num, wt, v in fields(buf):
        if num in (1, 2, 4, 5) and wt != 2:
            raise BadInput("message field %d with wire type %d" % (num, wt))
        if num == 1:  # ValueType
            t = {1: 0, 2: 0}
            for n2, w2, v2 in fields(buf, *v):
                if n2 in t:
                    t[n2] = scalar(w2, v2)
            p["types"].append((t[1], t[2]))
        elif num == 2:  # Sample
            s = {"locs": [], "values": [], "labels": []}
            for n2, w2, v2 in fields(buf, *v):
                if n2 == 1:
                    ints(buf, w2, v2, s["locs"])
                elif n2 == 2:
                    ints(buf, w2, v2, s["values"])
                elif n2 == 3:
                    if w2 != 2:
                        raise BadInput("label with wire type %d" % w2)
                    lab = {1: 0, 2: 0, 3: 0, 4: 0}
                    for n3, w3, v3 in fields(buf, *v2):
                        if n3 in lab:
                            lab[n3] = scalar(w3, v3)
                    s["labels"].append(lab)
            s["values"] = [signed(x) for x in s["values"]]
            p["samples"].append(s)
        elif num == 4:  # Location
            loc_id, funcs = 0, []
            for n2, w2, v2 in fields(buf, *v):
                if n2 == 1:
                    loc_id = scalar(w2, v2)
                elif n2 == 4:  # Line
                    if w2 != 2:
                        raise BadInput("line with wire type %d" % w2)
                    for n3, w3, v3 in fields(buf, *v2):
                        if n3 == 1:
                            funcs.append(scalar(w3, v3))
            if loc_id == 0 or loc_id in p["locations"]:
                raise BadInput("location id %d is zero or not unique" % loc_id)
            p["locations"][loc_id] = funcs
        elif num == 5:  # Function
            fn_id, name = 0, 0
            for n2, w2, v2 in fields(buf, *v):
                if n2 == 1:
                    fn_id = scalar(w2, v2)
                elif n2 == 2:
                    name = scalar(w2, v2)
            if fn_id == 0 or fn_id in p["functions"]:
                raise BadInput("function id %d is zero or not unique" % fn_id)
            p["functions"][fn_id] = name
        elif num == 6:  # string_table
            if wt != 2:
                raise BadInput("string with wire type %d" % wt)
            p["strings"].append(buf[v[0]:v[1]].decode("utf-8", "replace"))
    return p


def string_at(p, i):
    i = signed(i)
    if not 0 <= i < len(p["strings"]):
        raise BadInput("string index %d out of range (%d strings)" % (i, len(p["strings"])))
    return p["strings"][i]


def escape(s):
    out = []
    for ch in s:
        if ch == "%" or ch == " " or not 0x20 < ord(ch) < 0x7F:
            out.extend("%%%02X" % b for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


def pprof_counts(path, funcs, index, within, label):
    p = read_pprof(path)
    if p["strings"] and p["strings"][0] != "":
        raise BadInput("%s: string_table[0] is not empty" % path)
    if not p["types"]:
        raise BadInput("%s: no sample type" % path)
    names = [string_at(p, t) for t, _ in p["types"]]
    if index is None:
        k = 0
    elif index.isdigit() and int(index) < len(names):
        k = int(index)
    elif index in names:
        k = names.index(index)
    else:
        raise BadInput("%s: no sample type %r (it has: %s)" % (path, index, ", ".join(names)))
    print("type %s %s" % (names[k], string_at(p, p["types"][k][1]) or "-"))

    fn_names = {fid: string_at(p, n) for fid, n in p["functions"].items()}
    loc_funcs = {}
    for lid, fids in p["locations"].items():
        for fid in fids:
            if fid not in fn_names:
                raise BadInput("%s: location %d refers to missing function %d" % (path, lid, fid))
        loc_funcs[lid] = {fn_names[fid] for fid in fids}

    sums = {fn: 0 for fn in funcs}
    total = 0
    by_label = {}
    for s in p["samples"]:
        if len(s["values"]) != len(p["types"]):
            raise BadInput("%s: a sample has %d values for %d sample types"
                           % (path, len(s["values"]), len(p["types"])))
        on_stack = set()
        for lid in s["locs"]:
            if lid not in loc_funcs:
                raise BadInput("%s: a sample refers to missing location %d" % (path, lid))
            on_stack |= loc_funcs[lid]
        if within is not None and within not in on_stack:
            continue
        v = s["values"][k]
        total += v
        for fn in funcs:
            if fn in on_stack:
                sums[fn] += v
        if label is not None:
            key = label
            for lab in s["labels"]:
                if string_at(p, lab[1]) == label:
                    value = string_at(p, lab[2]) if lab[2] else str(signed(lab[3]))
                    key = "%s=%s" % (label, escape(value))
                    break
            row = by_label.setdefault(key, {"total": 0, "funcs": {fn: 0 for fn in funcs}})
            row["total"] += v
            for fn in funcs:
                if fn in on_stack:
                    row["funcs"][fn] += v
    for fn in funcs:
        print("%s %d" % (fn, sums[fn]))
    print("total %d" % total)
    for key in sorted(by_label):
        print("label %s total %d" % (key, by_label[key]["total"]))
        for fn in funcs:
            print("label %s %s %d" % (key, fn, by_label[key]["funcs"][fn]))


# ------------------------------------------------- debug=1 text profiles --

def frame_name(ln):
    """The function of a "#" frame line of a debug=1 record, or None.

    "#\t0xPC\tNAME+0xOFF\tFILE:LINE" (tabs doubled for alignment), or
    "#\t0xPC" for an address without a function (then the address)."""
    fields = [f for f in ln[1:].split("\t") if f]
    if len(fields) >= 2 and fields[0].startswith("0x") and "+0x" in fields[1]:
        return fields[1].rsplit("+0x", 1)[0]
    if len(fields) == 1 and re.match(r"0x[0-9a-f]+$", fields[0]):
        return fields[0]
    return None


def pcs_of(text):
    return ["0x%x" % int(pc, 16) for pc in text.split()]


def debug1_records(path, lines, record_re, stop=None):
    """The records of a debug=1 profile body: (match, pcs, funcs) each, a
    record line being followed by its "#" frame lines.  Parsing ends at
    the line stop, if given; blank lines are allowed anywhere."""
    records = []
    for ln in lines:
        if stop is not None and ln == stop:
            break
        m = record_re.match(ln)
        if m:
            records.append((m, pcs_of(m.group(m.lastindex)), []))
        elif ln.startswith("#"):
            if not records:
                raise BadInput("%s: frame line before any record: %r" % (path, ln[:200]))
            name = frame_name(ln)
            if name is not None:
                records[-1][2].append(name)
        elif ln.strip():
            raise BadInput("%s: unexpected line %r" % (path, ln[:200]))
    return records


HEAP_HEADER = re.compile(r"heap profile: (-?\d+): (-?\d+) \[(-?\d+): (-?\d+)\] @ heap/(\d+)$")
HEAP_RECORD = re.compile(r"(-?\d+): (-?\d+) \[(-?\d+): (-?\d+)\] @((?: 0x[0-9a-f]+)*)$")
HEAP_KEYS = ("inuse_objects", "inuse_space", "alloc_objects", "alloc_space")


def heap_debug1(path, nonzero):
    lines = read_text(path).split("\n")
    header = HEAP_HEADER.match(lines[0])
    if not header:
        raise BadInput("%s: no 'heap profile: ... @ heap/N' first line" % path)
    totals = dict(zip(HEAP_KEYS, (int(x) for x in header.groups()[:4])))
    period = int(header.group(5))
    records, sums = [], dict.fromkeys(HEAP_KEYS, 0)
    for m, pcs, funcs in debug1_records(path, lines[1:], HEAP_RECORD, "# runtime.MemStats"):
        rec = dict(zip(HEAP_KEYS, (int(x) for x in m.groups()[:4])))
        for k in HEAP_KEYS:
            sums[k] += rec[k]
        if nonzero and not any(rec[k] for k in HEAP_KEYS):
            continue
        rec["pcs"], rec["funcs"] = pcs, funcs
        records.append(rec)
    if sums != totals:
        raise BadInput("%s: the records add up to %s, the header says %s" % (path, sums, totals))
    print(json.dumps({"rate": period // 2, "heap_period": period, "totals": totals,
                      "records": records}, sort_keys=True))


CC_RECORD = re.compile(r"(-?\d+) (-?\d+) @((?: 0x[0-9a-f]+)*)$")


def count_cycle_debug1(path):
    lines = read_text(path).split("\n")
    name = re.match(r"--- (\S+):$", lines[0])
    cps = re.match(r"cycles/second=(-?\d+)$", lines[1]) if len(lines) > 1 else None
    if not name or not cps:
        raise BadInput("%s: no '--- NAME:' and 'cycles/second=N' first lines" % path)
    rest, period = lines[2:], None
    if rest:
        sp = re.match(r"sampling period=(-?\d+)$", rest[0])
        if sp:
            period, rest = int(sp.group(1)), rest[1:]
    records, total_cycles, total_count = [], 0, 0
    for m, pcs, funcs in debug1_records(path, rest, CC_RECORD):
        cycles, count = int(m.group(1)), int(m.group(2))
        total_cycles += cycles
        total_count += count
        records.append({"cycles": cycles, "count": count, "pcs": pcs, "funcs": funcs})
    print(json.dumps({"profile": name.group(1), "cycles_per_second": int(cps.group(1)),
                      "sampling_period": period, "total_cycles": total_cycles,
                      "total_count": total_count, "records": records}, sort_keys=True))


# ------------------------------------------------ go tool pprof -raw --

def pprof_raw_text(path, gobin):
    """The output of `GOBIN tool pprof -raw PATH`, run offline."""
    if not os.path.isfile(path):
        raise BadInput("cannot read %s: no such file" % path)
    with tempfile.TemporaryDirectory(prefix="ref-pprof.") as home:
        env = dict(os.environ, HOME=home, GOCACHE=os.path.join(home, "cache"),
                   GOPATH=os.path.join(home, "path"), GOFLAGS="", GOTOOLCHAIN="local",
                   GOPROXY="off", PPROF_TMPDIR=home)
        try:
            r = subprocess.run([gobin, "tool", "pprof", "-raw", path], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise BadInput("cannot run %s tool pprof: %s" % (gobin, e))
    if r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip().split("\n")[-3:]
        raise BadInput("%s tool pprof -raw %s: status %d: %s"
                       % (gobin, path, r.returncode, " / ".join(err)))
    return r.stdout.decode("utf-8", "replace")


RAW_SAMPLE = re.compile(r"((?: +-?\d+)+): ((?:\d+ )*)$")
RAW_LOCATION = re.compile(r" *(\d+): (0x[0-9a-f]+) (?:M=\d+ )?(?:\[F\] )?(.*)$")
RAW_LINE = re.compile(r"(.*) \S*:-?\d+ s=-?\d+(?:\(.*\))?$")


def parse_raw(text, path):
    """The -raw text of github.com/google/pprof/profile.Profile.String:
    header lines ("PeriodType: T U", "Period: N", ...), "Samples:", a line
    of "TYPE/UNIT" words ("[dflt]" appended to the default one), sample
    lines (" %10d" per value, ": ", "ID " per location) each followed by
    label lines indented 16 spaces, "Locations", location lines
    ("%6d: %#x M=N [F] FUNC FILE:LINE s=START" for the first line, 13
    spaces and the next lines of inlined frames under it), "Mappings"."""
    lines = text.split("\n")
    p = {"period_type": None, "period": None, "types": [], "units": {}, "default": None,
         "samples": [], "locations": {}}
    i = 0
    while i < len(lines) and lines[i] != "Samples:":
        ln = lines[i]
        if ln.startswith("PeriodType: "):
            p["period_type"] = ln[len("PeriodType: "):]
        elif ln.startswith("Period: "):
            p["period"] = int(ln[len("Period: "):])
        i += 1
    if i + 1 >= len(lines):
        raise BadInput("%s: pprof -raw printed no 'Samples:' section" % path)
    i += 1
    if lines[i] != "Locations":
        for word in lines[i].split():
            if word.endswith("[dflt]"):
                word = word[:-len("[dflt]")]
                p["default"] = word.rsplit("/", 1)[0]
            if "/" not in word:
                raise BadInput("%s: sample type %r is not TYPE/UNIT" % (path, word))
            t, u = word.rsplit("/", 1)
            p["types"].append(t)
            p["units"][t] = u
        i += 1
    while i < len(lines) and lines[i] != "Locations":
        ln = lines[i]
        m = RAW_SAMPLE.match(ln)
        if m:
            values = [int(v) for v in m.group(1).split()]
            if len(values) != len(p["types"]):
                raise BadInput("%s: a sample has %d values for %d sample types"
                               % (path, len(values), len(p["types"])))
            p["samples"].append((values, [int(x) for x in m.group(2).split()]))
        elif not ln.startswith(" " * 16) and ln.strip():
            raise BadInput("%s: unexpected line in the samples: %r" % (path, ln[:200]))
        i += 1
    if i == len(lines):
        raise BadInput("%s: pprof -raw printed no 'Locations' section" % path)
    i += 1
    while i < len(lines) and lines[i] != "Mappings":
        m = RAW_LOCATION.match(lines[i])
        if m:
            rest = m.group(3).strip()
            if rest == "":
                name = m.group(2)
            elif rest == "??":
                name = "??"
            else:
                ln = RAW_LINE.match(rest)
                if not ln:
                    raise BadInput("%s: cannot read location line %r" % (path, lines[i][:200]))
                name = ln.group(1)
            p["locations"][int(m.group(1))] = name
        elif lines[i].strip() and not lines[i].startswith(" " * 13):
            raise BadInput("%s: unexpected line in the locations: %r" % (path, lines[i][:200]))
        i += 1
    for _, locs in p["samples"]:
        for lid in locs:
            if lid not in p["locations"]:
                raise BadInput("%s: a sample refers to missing location %d" % (path, lid))
    return p


def pprof_totals(path, gobin):
    p = parse_raw(pprof_raw_text(path, gobin), path)
    totals = dict.fromkeys(p["types"], 0)
    for values, _ in p["samples"]:
        for t, v in zip(p["types"], values):
            totals[t] += v
    print(json.dumps({"totals": totals, "units": p["units"], "types": p["types"],
                      "default": p["default"], "period_type": p["period_type"],
                      "period": p["period"], "samples": len(p["samples"])}, sort_keys=True))


def pprof_func_values(path, gobin, index):
    p = parse_raw(pprof_raw_text(path, gobin), path)
    if index in p["types"]:
        k = p["types"].index(index)
    elif index.isdigit() and int(index) < len(p["types"]):
        k = int(index)
    else:
        raise BadInput("%s: no sample type %r (it has: %s)" % (path, index, ", ".join(p["types"])))
    funcs, total = {}, 0
    for values, locs in p["samples"]:
        name = p["locations"][locs[0]] if locs else ""
        funcs[name] = funcs.get(name, 0) + values[k]
        total += values[k]
    print(json.dumps({"sample_index": p["types"][k], "unit": p["units"][p["types"][k]],
                      "total": total, "functions": funcs}, sort_keys=True))


def options(args, opts, cmd):
    """Options anywhere among args: a False default marks a flag, any
    other default an option taking a value.  -> (options, the other args)."""
    opts, rest, i = dict(opts), [], 0
    while i < len(args):
        a = args[i]
        if a in opts and opts[a] is False:
            opts[a] = True
        elif a in opts:
            if i + 1 >= len(args):
                die_usage("%s: %s needs a value" % (cmd, a))
            opts[a] = args[i + 1]
            i += 1
        elif a.startswith("--"):
            die_usage("%s: unknown option %s" % (cmd, a))
        else:
            rest.append(a)
        i += 1
    return opts, rest


def main(argv):
    if len(argv) < 2:
        die_usage("no subcommand")
    cmd, args = argv[1], argv[2:]
    try:
        if cmd in ("goroutine-counts", "goroutine-states", "goroutine-funcs"):
            if len(args) != 1:
                die_usage("%s takes one FILE" % cmd)
            {"goroutine-counts": goroutine_counts, "goroutine-states": goroutine_states,
             "goroutine-funcs": goroutine_funcs}[cmd](args[0])
        elif cmd == "pprof-counts":
            opts = {"--index": None, "--within": None, "--label": None}
            while args and args[0] in opts:
                if len(args) < 2:
                    die_usage("%s needs a value" % args[0])
                opts[args[0]] = args[1]
                args = args[2:]
            if not args:
                die_usage("pprof-counts needs a FILE")
            pprof_counts(args[0], args[1:], opts["--index"], opts["--within"], opts["--label"])
        elif cmd == "heap-debug1":
            opts, files = options(args, {"--nonzero": False}, cmd)
            if len(files) != 1:
                die_usage("heap-debug1 takes [--nonzero] FILE")
            heap_debug1(files[0], opts["--nonzero"])
        elif cmd == "count-cycle-debug1":
            if len(args) != 1:
                die_usage("count-cycle-debug1 takes one FILE")
            count_cycle_debug1(args[0])
        elif cmd == "pprof-totals":
            opts, files = options(args, {"--go": "go"}, cmd)
            if len(files) != 1:
                die_usage("pprof-totals takes one FILE")
            pprof_totals(files[0], opts["--go"])
        elif cmd == "pprof-func-values":
            opts, files = options(args, {"--go": "go", "--sample-index": None}, cmd)
            if len(files) != 1 or opts["--sample-index"] is None:
                die_usage("pprof-func-values takes one FILE and --sample-index TYPE")
            pprof_func_values(files[0], opts["--go"], opts["--sample-index"])
        else:
            die_usage("unknown subcommand %r" % cmd)
    except BadInput as e:
        sys.stderr.write("ref.py: %s\n" % e)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
