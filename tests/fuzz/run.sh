#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: a short libFuzzer run of the virtio chain walker (both ring
# layouts) from the seed corpus; ok when nothing crashed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/fuzz
t=${FUZZ_CHECK_TIME:-20}
if [ -f "$dir/skip-reason" ]; then
	echo "ok 1 - virtio walker fuzz # SKIP $(cat "$dir/skip-reason")"
	echo "1..1"
	exit 0
fi
if [ ! -x "$dir/virtio-walker" ]; then
	echo "not ok 1 - virtio walker fuzz: $dir/virtio-walker not built (make fuzz-build)"
	echo "1..1"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/tests/fuzz/make-seeds.py" "$work/corpus" || exit 1
"$dir/virtio-walker" -max_total_time="$t" -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
	echo "ok 1 - virtio walker fuzz: ${t}s, $runs inputs, no crash"
else
	sed -n '/ERROR\|SUMMARY\|==[0-9]*==/p' "$work/log" | head -20 | sed 's/^/# /'
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -f "$f" ] || continue
		mkdir -p "$dir/artifacts"
		cp "$f" "$dir/artifacts/"
		echo "# saved $dir/artifacts/$(basename "$f")"
	done
	echo "not ok 1 - virtio walker fuzz: exit status $rc"
fi
echo "1..1"
[ "$rc" -eq 0 ]
