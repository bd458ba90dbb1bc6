#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of virtio-net's transmit path, control
# queue and receive path (tests/fuzz/net-tx.c) and of its check of
# received headers (tests/fuzz/net-rxhdr.c) from seeds made here; ok
# when nothing crashed or hung and their invariants held.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "virtio-net fuzz target"

mkdir -p "$work/net-tx/corpus"
python3 - "$work/net-tx/corpus" <<'PY' || exit 1
import os, struct, sys
out = sys.argv[1]
def rec(kind, body):
    return bytes([kind]) + struct.pack('<H', len(body)) + body
def hdr(flags=0, gso=0, hl=0, gs=0, cs=0, co=0):
    return struct.pack('<BBHHHHH', flags, gso, hl, gs, cs, co, 0)
eth = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0])
frame = lambda n: eth + bytes((i * 7) & 0xff for i in range(n))
seeds = {
    'tx': bytes([0x1f]) + rec(0, hdr() + frame(100)) +
        rec(1 | 8, hdr(1, 0, 0, 0, 34, 6) + frame(200)) +
        rec(2 | 16, hdr(1, 1, 54, 1448, 34, 16) + frame(9000)) +
        rec(0, hdr(0, 4) + frame(2000)) + rec(0, b'\1\2'),
    'ctrl': bytes([0xe0]) + rec(1, b'\0\0\1') + rec(1, b'\0\1\1') +
        rec(1, b'\1\0' + struct.pack('<I', 1) + bytes(6) +
            struct.pack('<I', 0)) +
        rec(1, b'\4\0' + struct.pack('<H', 2)) +
        rec(1, b'\4\0' + struct.pack('<H', 9)) +
        rec(1, b'\5\0' + struct.pack('<Q', 3)) + rec(1, b'\x63\x07'),
    'rx': bytes([0x10]) + rec(2, hdr() + frame(60)) +
        rec(2 | 4 * 9, hdr() + frame(3000)) + rec(3, b'') +
        rec(2 | 3, hdr(1, 0, 0, 0, 34, 6) + frame(1400)) + rec(0, hdr() + frame(50)),
}
for k, v in seeds.items():
    open(os.path.join(out, k), 'wb').write(v)
PY
mkdir -p "$work/net-rxhdr/corpus"
python3 - "$work/net-rxhdr/corpus" <<'PY' || exit 1
import os, struct, sys
out = sys.argv[1]
def hdr(flags=0, gso=0, hl=0, gs=0, cs=0, co=0):
    return struct.pack('<BBHHHHH', flags, gso, hl, gs, cs, co, 0)
def head(off, segs, room, *cuts):
    cuts = list(cuts) + [0] * (3 - len(cuts))
    return bytes([off, (segs - 1) | room << 2]) + struct.pack('<HHH', *cuts)
eth = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0])
frame = lambda n: eth + bytes((i * 7) & 0xff for i in range(n))
seeds = {
    'udp-odd-cuts': head(0, 4, 3, 13, 47, 48) + hdr(1, 0, 0, 0, 34, 6) +
        frame(91),
    'tcp-csum-taken': head(1, 2, 0, 40) + hdr(1, 0, 0, 0, 34, 16) +
        frame(120),
    'tso4': head(3, 3, 1, 12, 99) + hdr(1, 1, 54, 1448, 34, 16) +
        frame(3000),
    'tso6-not-taken': head(1, 1, 0) + hdr(1, 4, 74, 1428, 54, 16) +
        frame(200),
    'beyond': head(0, 1, 0) + hdr(1, 0, 0, 0, 60, 6) + frame(60),
}
for k, v in seeds.items():
    open(os.path.join(out, k), 'wb').write(v)
PY
FUZZ_REPORT='^net-(tx|rxhdr):'
fuzz_target net-tx "$work/net-tx/corpus" fuzz-net-build \
	-max_len=70000 -rss_limit_mb=1024
fuzz_target net-rxhdr "$work/net-rxhdr/corpus" fuzz-net-build \
	-max_len=9000 -rss_limit_mb=1024
tap_done
