#!/usr/bin/env python3
"""mkpprof.py - write a pprof profile from a short text description.

    python3 tests/mkpprof.py [--no-gzip] DESC OUT

DESC (a file, or - for standard input) holds one item per line; blank
lines and lines starting with # are ignored:

    types alloc_objects/count alloc_space/bytes   the sample types, in order
    default alloc_space                           default_sample_type (optional)
    period space/bytes 524288                     period type and period (optional)
    duration 2000000000                           duration_nanos (optional)
    main;work;leaf 1 512                          a sample: its stack, root first,
                                                  then one value per type

Each function gets one location (no inlining) in one mapping, /usr/bin/prog,
marked as symbolized.  OUT is gzipped unless --no-gzip.  Standard library
only: the protobuf wire format (profile.proto, package perftools.profiles)
is encoded by hand.
"""
import gzip
import sys


def varint(n):
    """A base-128 varint; negative int64 values as their 64-bit two's complement."""
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(num, value):
    return varint(num << 3 | 0) + varint(value)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def packed(num, values):
    return field_bytes(num, b"".join(varint(v) for v in values))


class Strings:
    """The string table: "" first, each string once."""

    def __init__(self):
        self.table = [""]
        self.index = {"": 0}

    def __call__(self, s):
        if s not in self.index:
            self.index[s] = len(self.table)
            self.table.append(s)
        return self.index[s]


def parse(lines):
    d = {"types": [], "default": None, "period": None, "duration": 0, "samples": []}
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        key = words[0]
        if key == "types":
            d["types"] = [tuple(w.split("/", 1)) for w in words[1:]]
        elif key == "default":
            d["default"] = words[1]
        elif key == "period":
            d["period"] = (tuple(words[1].split("/", 1)), int(words[2]))
        elif key == "duration":
            d["duration"] = int(words[1])
        else:
            values = [int(v) for v in words[1:]]
            if len(values) != len(d["types"]):
                sys.exit("line %d: %d values for %d types" % (n, len(values), len(d["types"])))
            d["samples"].append((key.split(";"), values))
    if not d["types"]:
        sys.exit("no 'types' line")
    return d


def encode(d):
    s = Strings()
    out = bytearray()
    for t, u in d["types"]:
        out += field_bytes(1, field_varint(1, s(t)) + field_varint(2, s(u)))
    funcs = {}
    for stack, _ in d["samples"]:
        for f in stack:
            funcs.setdefault(f, len(funcs) + 1)
    for stack, values in d["samples"]:
        # Leaf first in pprof.
        locs = [funcs[f] for f in reversed(stack)]
        out += field_bytes(2, packed(1, locs) + packed(2, values))
    mapping = (field_varint(1, 1) + field_varint(2, 0x400000) + field_varint(3, 0x500000)
               + field_varint(5, s("/usr/bin/prog")) + field_varint(7, 1) + field_varint(8, 1)
               + field_varint(9, 1))
    out += field_bytes(3, mapping)
    for name, fid in funcs.items():
        line = field_varint(1, fid) + field_varint(2, fid)
        loc = (field_varint(1, fid) + field_varint(2, 1) + field_varint(3, 0x400000 + 16 * fid)
               + field_bytes(4, line))
        out += field_bytes(4, loc)
    for name, fid in funcs.items():
        out += field_bytes(5, field_varint(1, fid) + field_varint(2, s(name))
                           + field_varint(3, s(name)) + field_varint(4, s("prog.c")))
    # Strings used by the fields after the table must be interned first.
    period = d["period"]
    if period:
        ptype = field_varint(1, s(period[0][0])) + field_varint(2, s(period[0][1]))
    default = s(d["default"]) if d["default"] else 0
    for string in s.table:
        out += field_bytes(6, string.encode())
    if d["duration"]:
        out += field_varint(10, d["duration"])
    if period:
        out += field_bytes(11, ptype) + field_varint(12, period[1])
    if default:
        out += field_varint(14, default)
    return bytes(out)


def main(argv):
    zip_it = True
    if argv and argv[0] == "--no-gzip":
        zip_it = False
        argv = argv[1:]
    if len(argv) != 2:
        sys.exit("usage: mkpprof.py [--no-gzip] DESC OUT")
    src = sys.stdin if argv[0] == "-" else open(argv[0])
    data = encode(parse(src))
    if zip_it:
        data = gzip.compress(data, mtime=0)
    with open(argv[1], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv[1:])
