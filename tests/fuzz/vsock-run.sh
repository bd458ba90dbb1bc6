#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: a short libFuzzer run of virtio-vsock's packet path
# (tests/fuzz/vsock-tx.c) from seeds made here; ok when nothing crashed
# or hung and its invariants held.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "virtio-vsock fuzz target"

mkdir -p "$work/vsock-tx/corpus"
python3 - "$work/vsock-tx/corpus" <<'PY' || exit 1
import os, struct, sys
out = sys.argv[1]
def rec(kind, arg, body):
    return bytes([kind, arg]) + struct.pack('<H', len(body)) + body
def hdr(op, sport=1, dport=1, length=0, flags=0, alloc=65536, fwd=0):
    return struct.pack('<QQIIIHHIII', 3, 2, sport, dport, length, 1, op,
                       flags, alloc, fwd)
def pkt(op, data=b'', **kw):
    return hdr(op, length=len(data), **kw) + data
seeds = {
    # guest connects to host port 1 (listening), sends, host answers
    'g2h': rec(3, 1, b'') + rec(0, 0, pkt(1)) + rec(3, 1, b'') +
        rec(0, 0, pkt(5, b'hello' * 100)) + rec(4, 0, b'world' * 50) +
        rec(4, 8, b'') + rec(0, 0, pkt(4, flags=3)) + rec(0, 0, pkt(3)),
    # host CONNECT 1, guest answers, data both ways, credit stall
    'h2g': rec(2, 2, b'') + rec(0, 0, pkt(2, dport=0, alloc=100)) +
        rec(4, 0, bytes(5000)) + rec(0, 0, pkt(6, dport=0, alloc=100,
                                                fwd=100)) +
        rec(0, 0, pkt(7, dport=0)) + rec(4, 16, b''),
    # junk: short packets, bad ops, tiny receive buffers, reset
    'junk': rec(1, 1, b'\0' * 10) + rec(1, 3, pkt(99)) + rec(6, 3, b'\0' * 8)
        + rec(2, 1, b'CONNECT x\n') + rec(7, 0, b'') + rec(0, 0, pkt(5, b'x')),
    # table full: 10 guest connections to a listener
    'many': rec(3, 2, b'') + b''.join(rec(0, 0, pkt(1, sport=i, dport=2))
                                       for i in range(10)),
}
for k, v in seeds.items():
    open(os.path.join(out, k), 'wb').write(v)
PY
FUZZ_REPORT='^vsock-tx:'
fuzz_target vsock-tx "$work/vsock-tx/corpus" fuzz-vsock-build \
	-max_len=70000 -rss_limit_mb=1024
tap_done
