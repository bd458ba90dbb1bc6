#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the virtio-blk request parser and of
# the qcow2 parser, from seeds made here (requests by python3, images by
# qemu-img when installed and by tests/fuzz/qcow2-seeds.py); ok when
# nothing crashed or hung and (blk-qcow2) no write landed in metadata.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/fuzz
t=${FUZZ_CHECK_TIME:-15}
n=0 failed=0
if [ -f "$dir/skip-reason" ]; then
	echo "ok 1 - virtio-blk fuzz targets # SKIP $(cat "$dir/skip-reason")"
	echo "1..1"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/blk-request/corpus" "$work/blk-qcow2/corpus"
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

for target in blk-request blk-qcow2; do
	n=$((n + 1))
	if [ ! -x "$dir/$target" ]; then
		echo "not ok $n - $target fuzz: not built (make fuzz-blk-build)"
		failed=1
		continue
	fi
	"$dir/$target" -max_total_time="$t" -timeout=10 -max_len=131072 \
		-rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$work/$target/" "$work/$target/corpus" \
		>"$work/$target/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/log")
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok $n - $target fuzz: ${t}s, $runs inputs, no crash"
		continue
	fi
	sed -n '/ERROR\|SUMMARY\|==[0-9]*==\|used .* != avail/p' "$work/$target/log" |
		head -20 | sed 's/^/# /'
	for f in "$work/$target"/crash-* "$work/$target"/leak-* \
		"$work/$target"/timeout-* "$work/$target"/oom-*; do
		[ -f "$f" ] || continue
		mkdir -p "$dir/artifacts"
		cp "$f" "$dir/artifacts/$target-$(basename "$f")"
		echo "# saved $dir/artifacts/$target-$(basename "$f")"
	done
	echo "not ok $n - $target fuzz: exit status $rc"
	failed=1
done
echo "1..$n"
exit $failed
