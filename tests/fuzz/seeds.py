#!/usr/bin/env python3
"""seeds.py - hand-made pprof inputs, valid and hostile, for the fuzz
corpus, the replayed crash seeds and the `ptprof report` tests.

    python3 tests/fuzz/seeds.py DIR          write every input into DIR
    python3 tests/fuzz/seeds.py --bomb FILE  write a gzip bomb (600 MiB of
                                             zeros in one ~600 KiB member)

Profiles are written field by field (varints by hand), so a test can say
exactly which index is wrong.  Files named valid-* must read; every other
file must be refused with one line, and its name says why.
"""
import gzip
import os
import random
import sys
import zlib


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1  # negative int64 as protobuf writes it
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def num(field, value):
    return varint(field << 3 | 0) + varint(value)


def sub(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def packed(field, values):
    return sub(field, b"".join(varint(v) for v in values))


# profile.proto field numbers
SAMPLE_TYPE, SAMPLE, MAPPING, LOCATION, FUNCTION, STRING_TABLE = 1, 2, 3, 4, 5, 6


def profile(func_name=3, loc_ref=1, fn_ref=1, map_ref=1, loc_id=1, values=(100,),
            first_string=b"", extra_loc=b""):
    """cpu/nanoseconds; one sample main <- work (leaf), work's location
    holding an inlined helper.  Arguments break one thing at a time."""
    strings = [first_string, b"cpu", b"nanoseconds", b"main", b"work", b"helper",
               b"/usr/bin/prog", b"prog.c"]
    p = sub(SAMPLE_TYPE, num(1, 1) + num(2, 2))
    p += sub(SAMPLE, packed(1, [2, loc_ref]) + packed(2, values) +
             sub(3, num(1, 1) + num(2, 3)))  # label cpu="main": ignored
    p += sub(MAPPING, num(1, 1) + num(2, 0x400000) + num(3, 0x500000) + num(5, 6))
    p += sub(LOCATION, num(1, loc_id) + num(2, map_ref) + num(3, 0x401000) +
             sub(4, num(1, fn_ref) + num(2, 10)))
    p += sub(LOCATION, num(1, 2) + num(2, 1) + num(3, 0x402000) +
             sub(4, num(1, 3) + num(2, 7)) + sub(4, num(1, 2) + num(2, 20)))
    p += extra_loc
    p += sub(FUNCTION, num(1, 1) + num(2, func_name) + num(4, 7))
    p += sub(FUNCTION, num(1, 2) + num(2, 4) + num(4, 7))
    p += sub(FUNCTION, num(1, 3) + num(2, 5) + num(4, 7))
    for s in strings:
        p += sub(STRING_TABLE, s)
    return p


def gz(data):
    return gzip.compress(data, 9, mtime=0)


def inputs():
    valid = profile()
    z = gz(valid)
    rnd = random.Random(1)
    big = (1 << 63) - 1
    return {
        "valid-minimal.pb": valid,
        "valid-minimal.pb.gzip": z,
        "valid-two-gzip-members": gz(valid[:40]) + gz(valid[40:]),
        "empty": b"",
        "random-bytes": bytes(rnd.randrange(256) for _ in range(4096)),
        "text-folded": b"main;work;helper 100\n",
        "truncated-gzip": z[: len(z) // 2],
        "gzip-header-only": z[:10],
        "gzip-bad-crc": z[:-8] + bytes(b ^ 0xFF for b in z[-8:-4]) + z[-4:],
        "gzip-junk-after": z + b"junk",
        "gzip-of-garbage": gz(bytes(rnd.randrange(256) for _ in range(4096))),
        "gzip-of-nothing": gz(b""),
        "truncated-protobuf": valid[: len(valid) - 5],
        "bad-string-index": profile(func_name=99),
        "negative-string-index": profile(func_name=-1),
        "first-string-not-empty": profile(first_string=b"x"),
        "bad-location-id": profile(loc_ref=7),
        "bad-function-id": profile(fn_ref=9),
        "bad-mapping-id": profile(map_ref=4),
        "location-id-zero": profile(loc_id=0, loc_ref=0),
        "duplicate-location-id": profile(loc_id=2, loc_ref=2),
        "too-many-values": profile(values=(1, 2)),
        "no-values": profile(values=()),
        "values-overflow": profile(values=(big,)) + 2 * sub(
            SAMPLE, packed(1, [2]) + packed(2, [big])),
    }


def bomb(path):
    """One gzip member: 600 MiB of zeros, ~600 KiB on disk."""
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    with open(path, "wb") as f:
        for _ in range(600):
            f.write(c.compress(zeros))
        f.write(c.flush())


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--bomb":
        bomb(sys.argv[2])
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in inputs().items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
