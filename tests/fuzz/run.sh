#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the virtio chain walker (both ring
# layouts), of the virtio-mmio registers, of the channel subsystem with
# virtio-ccw and of the PCI host with virtio-pci, each from its seed
# corpus; ok when nothing crashed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/fuzz
t=${FUZZ_CHECK_TIME:-15}
if [ -f "$dir/skip-reason" ]; then
	echo "ok 1 - virtio fuzz targets # SKIP $(cat "$dir/skip-reason")"
	echo "1..1"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
for target in virtio-walker virtio-mmio-regs virtio-ccw-program \
	virtio-pci-regs; do
	n=$((n + 1))
	if [ ! -x "$dir/$target" ]; then
		echo "not ok $n - $target fuzz: not built (make fuzz-build)"
		failed=1
		continue
	fi
	mkdir -p "$work/$target"
	python3 "$root/tests/fuzz/make-seeds.py" "$work/$target/corpus" \
		"${target#virtio-}" || exit 1
	"$dir/$target" -max_total_time="$t" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$work/$target/" "$work/$target/corpus" \
		>"$work/$target/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		"$work/$target/log")
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok $n - $target fuzz: ${t}s, $runs inputs, no crash"
		continue
	fi
	sed -n '/ERROR\|SUMMARY\|==[0-9]*==/p' "$work/$target/log" | head -20 |
		sed 's/^/# /'
	for f in "$work/$target"/crash-* "$work/$target"/leak-* \
		"$work/$target"/timeout-*; do
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
