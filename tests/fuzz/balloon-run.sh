#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: a short libFuzzer run of virtio-balloon's page lists,
# statistics and free page reports (tests/fuzz/balloon-pages.c) from seeds
# made here; ok when nothing crashed or hung and its invariants held.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "virtio-balloon fuzz target"

mkdir -p "$work/balloon-pages/corpus"
python3 - "$work/balloon-pages/corpus" <<'PY' || exit 1
import os, struct, sys
out = sys.argv[1]
def rec(kind, body):
    return bytes([kind]) + struct.pack('<H', len(body)) + body
def pfns(*p):
    return b''.join(struct.pack('<I', x) for x in p)
def stat(tag, val):
    return struct.pack('<HQ', tag, val)
ram0 = 0x10000 >> 12
ram1 = 0x200000 >> 12
rom = 0x300000 >> 12
seeds = {
    'inflate': bytes([3]) + rec(0, pfns(*range(ram0 + 0x40, ram0 + 0x80))) +
        rec(1, pfns(ram0 + 0x40, ram0 + 0x41)) +
        rec(0, pfns(rom, 0, 0xffffffff, ram1, ram1 + 0x3f, ram1 + 0x40)),
    'stats': bytes([1]) + rec(2, stat(4, 1 << 20) + stat(5, 1 << 28) +
                              stat(77, 5)) + rec(5, b'') +
        rec(2, stat(6, 123) + b'\1\2\3') + rec(4, b'') + rec(2, b''),
    'long': bytes([0]) + rec(0, pfns(*([ram0 + 0x40] * 4097))) +
        rec(1, pfns(*range(ram0, ram0 + 4096))),
    'report': bytes([3]) + rec(3, struct.pack('<IB', ram0 + 0x20, 16)) +
        rec(3 | 8, struct.pack('<IBIB', ram1, 4, ram0 + 0x90, 2)) +
        rec(3, struct.pack('<IB', rom, 1)) + rec(4, b'') +
        rec(3, struct.pack('<IB', ram1 + 0x3e, 4)),
}
for k, v in seeds.items():
    open(os.path.join(out, k), 'wb').write(v)
PY
FUZZ_REPORT='^balloon-pages:'
fuzz_target balloon-pages "$work/balloon-pages/corpus" fuzz-balloon-build \
	-max_len=70000 -rss_limit_mb=1024
tap_done
