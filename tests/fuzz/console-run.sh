#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of virtio-console's queues, config space
# and resets against a model (tests/fuzz/console-queues.c) and of the
# sandbox's status-line parser against a reference parse
# (tests/fuzz/sandbox-status.c), from seeds made here: output held back
# by a reader that does not read and then drained, resets in the middle,
# the status port's callback; status lines whole, split and among junk.
# ok when nothing crashed or hung and their invariants held.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "virtio-console and status-line fuzz targets"

mkdir -p "$work/console-queues/corpus"
python3 - "$work/console-queues/corpus" <<'PY' || exit 1
import os, struct, sys
out = sys.argv[1]
def rec(kind, shape, body=b''):
    return bytes([kind, shape]) + struct.pack('<H', len(body)) + body
TX, RXP, IN, RD, CFG, KICK, RST, QRST = range(8)
hello = rec(TX, 0, b'hello from hvc0\n')
rxbufs = rec(RXP, 0, bytes([0x02, 0x83, 0x40 | 0x01, 0x04, 0x85, 0x3f | 0x80]))
seeds = {
    # output through the buffer, a reader, input both ways
    'basic': bytes([1]) + hello + rec(TX, 0x03 | 0x04 | 0x08, b'abc') +
        rxbufs + rec(IN, 0, b'typed input ' * 8) + rec(RD, 3) +
        rec(CFG, 8 | 0x20, b'Z') + rec(CFG, 0, b'\1\2') + rec(RD, 255),
    # a flood nobody reads: chains held, then drained
    'flood': bytes([1 | 8]) + b''.join(rec(TX, (7 << 3) | (i & 3) | (0x40 if i % 3 == 1 else 0),
                                       bytes(range(i, i + 64))) for i in range(24)) +
        rec(CFG, 8, b'!') + rec(RD, 10) + rec(KICK, 0) + rec(RD, 255) +
        b''.join(rec(TX, 7 << 3, b'xyz' * 30) for i in range(12)) + rec(QRST, 1) +
        rec(TX, 0, b'after') + rec(RD, 255),
    # resets in the middle of held output and pending input
    'reset': bytes([8]) + b''.join(rec(TX, 6 << 3, b'%02d' % i) for i in range(20)) +
        rxbufs + rec(RST, 0) + hello + rxbufs + rec(IN, 0, b'x' * 300) +
        rec(RST, 1) + rec(IN, 0, b'lost') + rec(TX, 0, b'dead') + rec(CFG, 8, b'E') +
        rec(RST, 0) + rxbufs + rec(QRST, 0) + rec(IN, 0, b'y' * 40) + rec(RD, 255),
    # the status port's way: a callback; and no output at all
    'callback': bytes([2 | 1]) + rec(TX, 1, b'stdin=ready\nstatus=0\n') + rxbufs +
        rec(IN, 0, b'eof=12\n') + rec(CFG, 8, b'Q') + rec(TX, 0x44 | 2, b'status=') +
        rec(KICK, 1) + rec(QRST, 1) + rec(TX, 0, b'7\n'),
    'none': bytes([4 | 1]) + hello + rec(TX, 0x3f, b'q') + rec(CFG, 8, b'N') +
        rxbufs + rec(IN, 0, b'abc') + rec(RST, 0) + hello,
}
for k, v in seeds.items():
    open(os.path.join(out, k), 'wb').write(v)
PY
mkdir -p "$work/sandbox-status/corpus"
python3 - "$work/sandbox-status/corpus" <<'PY' || exit 1
import os, sys
out = sys.argv[1]
seeds = {
    'ok': b'\x07\x03status=0\n',
    'handshake': b'\x01\x00stdin=ready\nstatus=255\nstatus=256\nstatus=1\n',
    'junk': b'\x09\x0fhello\nstatus=12x\nstatus=\nstatus=0077\nSTATUS=3\n'
        b'status=3\r\nstdin=ready \nstatus=-1\nstatus=+5\nstatus=42',
    'long': b'\x05\x20' + b'a' * 100 + b'status=9\n' + b'status=200\n' +
        b'stdin=ready' * 4 + b'\nstdin=ready\n',
    'nul': b'\x02\x02status=\x001\nstatus=1\x00\n\x00\nstatus=007\n',
}
for k, v in seeds.items():
    open(os.path.join(out, k), 'wb').write(v)
PY
FUZZ_REPORT='^(console-queues|sandbox-status):'
for target in console-queues sandbox-status; do
	fuzz_target "$target" "$work/$target/corpus" fuzz-console-build \
		-max_len=16384 -rss_limit_mb=1024
done
tap_done
