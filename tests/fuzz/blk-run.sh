#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the virtio-blk request parser, of
# the qcow2 parser and of virtio-blk with queue and device resets in the
# middle of I/O, from seeds made here (requests and driver stories by
# python3, images by qemu-img when installed and by
# tests/fuzz/qcow2-seeds.py); ok when nothing crashed or hung, (blk-qcow2)
# no write landed in metadata and (blk-reset) its invariants held.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "virtio-blk fuzz targets"

mkdir -p "$work/blk-request/corpus" "$work/blk-qcow2/corpus"
mkdir -p "$work/blk-reset/corpus"
python3 - "$work/blk-request/corpus" <<'PY' || exit 1
import struct, sys, os
out = sys.argv[1]
def req(shape, dlen, rtype, sector, fill=b'\0' * 16):
    return bytes([shape]) + struct.pack('<H', dlen) + \
        struct.pack('<IIQ', rtype, 0, sector) + fill
seg = lambda s, n, f: struct.pack('<QII', s, n, f)
seeds = {
    'rw': bytes([0x1e]) + req(4, 4096, 0, 0) + req(0, 512, 1, 8) +
          req(0, 0, 4, 0) + req(4, 20, 8, 0),
    'zero': bytes([0x0e]) + req(0, 16, 11, 0, seg(8, 8, 0)) +
            req(0, 16, 13, 0, seg(0, 16, 1)),
    'bad': bytes([0x01]) + req(1, 100, 0, 2**64 - 1) + req(2, 0, 77, 0) +
           req(8, 512, 1, 0) + req(3, 512, 0, 0),
}
for k, v in seeds.items():
    open(os.path.join(out, k), 'wb').write(v)
PY
# blk-reset: byte 0 flags (bit0 packed, bit1 EVENT_IDX, bit2 io_uring,
# bit3 two queues, bit4 FLUSH, bit5 io=vcpu, bit6 io=auto), then ops of
# 4 bytes (op | queue << 4, a, b, c): post a request, notify, reap, reset
# the queue, enable it (a: size, b/c: where), reset the device, wait, set
# how long io=auto's clock says a request takes. The seeds reset queues with
# requests in flight and re-enable them as 1-entry rings at the end of
# their zone, the case that once wrote past the ring.
python3 - "$work/blk-reset/corpus" <<'PY' || exit 1
import os, sys
out = sys.argv[1]
def op(o, q=0, a=0, b=0, c=0):
    return bytes([o | (q << 4), a, b, c])
post = lambda q=0, a=1, t=0, c=7: op(0, q, a, t, c)
notify = lambda q=0: op(3, q)
reap = lambda q=0: op(5, q)
qreset = lambda q=0: op(6, q)
enable = lambda q=0, a=0, b=0xf0, c=0x7f: op(7, q, a, b, c)
devreset = lambda a=0: op(8, 0, a)
wait = lambda a=40: op(9, 0, a)
took = lambda a: op(10, 0, a)
def story(q):
    s = b''
    for i in range(6):
        s += post(q, i * 3, i & 3, 7 + 8 * (i & 1))
    s += notify(q) + qreset(q) + enable(q, 0) + post(q, 9, 0, 7)
    s += notify(q) + wait() + reap(q) + post(q, 5, 1, 3) + notify(q)
    s += wait() + reap(q) + qreset(q) + enable(q, 5, 0x10, 0) + post(q)
    s += notify(q) + reap(q)
    return s
seeds = {
    'packed-uring-2q': bytes([1 | 4 | 8 | 16]) + story(0) + story(1) +
        post(0) + post(1) + notify(0) + notify(1) + devreset() +
        enable(0, 3) + enable(1, 2, 0x40) + post(0) + notify(0) + wait() +
        reap(0),
    'split-uring-2q': bytes([2 | 4 | 8 | 16]) + story(0) + story(1) +
        devreset(1) + enable(0, 1) + post(0) + notify(0) + reap(0),
    'packed-threads': bytes([1 | 16]) + story(0),
    # io=vcpu: lone requests on the notifying thread, the rest handed over
    'split-uring-vcpu-2q': bytes([2 | 4 | 8 | 16 | 32]) + story(0) +
        story(1) + post(0) + notify(0) + wait() + post(0) + post(0) +
        notify(0) + devreset() + enable(0, 2) + post(0) + notify(0),
    'packed-threads-vcpu': bytes([1 | 32]) + story(0) + post(0) +
        notify(0) + post(0) + post(0) + notify(0) + qreset(0) +
        enable(0, 4) + post(0) + notify(0),
    # io=auto: slow requests send lone ones to the I/O loop, quick back
    'split-uring-auto-2q': bytes([2 | 4 | 8 | 16 | 32 | 64]) + took(20) +
        story(0) + took(0) + story(1) + took(255) + post(0) + notify(0) +
        reap(0) + took(0) + post(0) + notify(0) + devreset() +
        enable(0, 2) + post(0) + notify(0),
    'packed-threads-auto': bytes([1 | 32 | 64]) + took(15) + story(0) +
        took(1) + post(0) + notify(0) + qreset(0) + enable(0, 4) +
        post(0) + notify(0),
    'split-threads': bytes([2]) + story(0) + devreset() + enable(0, 6) +
        post(0) + notify(0),
}
for k, v in seeds.items():
    open(os.path.join(out, k), 'wb').write(v)
PY
if command -v qemu-img >/dev/null; then
	q=$work/blk-qcow2/corpus
	head -c 65536 /dev/urandom >"$work/data.raw"
	head -c 32768 /dev/zero >>"$work/data.raw"
	qemu-img convert -q -f raw -O qcow2 -o cluster_size=512,compat=1.1 "$work/data.raw" "$q/v3"
	qemu-img convert -q -f raw -O qcow2 -o cluster_size=512,compat=0.10 "$work/data.raw" "$q/v2"
	yes lkvm | head -c 65536 >"$work/text.raw"
	qemu-img convert -q -c -f raw -O qcow2 -o cluster_size=4096 "$work/text.raw" "$q/comp"
	qemu-img create -q -f qcow2 -o cluster_size=512 "$q/empty" 1M
	# the last byte picks the mode: even read-only, odd read-write
	for f in v3 v2 comp empty; do
		{ cat "$q/$f"; printf '\x01'; } >"$q/$f-rw"
		{ cat "$q/$f"; printf '\x00'; } >"$q/$f-ro"
		rm "$q/$f"
	done
else
	printf 'QFI\xfb\0\0\0\3' >"$work/blk-qcow2/corpus/magic"
fi
# hand-built qcow2 images reaching allocation, refcount block growth,
# preallocated zero clusters, and hostile tables
python3 "$root/tests/fuzz/qcow2-seeds.py" "$work/blk-qcow2/corpus" || exit 1

FUZZ_REPORT='used .* != avail|^blk-reset:'
for target in blk-request blk-qcow2 blk-reset; do
	fuzz_target "$target" "$work/$target/corpus" fuzz-blk-build \
		-max_len=131072 -rss_limit_mb=1024
done
tap_done
