#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the x86 kernel loaders and of the
# RTC, i8042 and debug-exit ports, from the seeds of platform-seeds.py;
# ok when no invariant broke (each target aborts on one) and nothing
# crashed or hung.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/fuzz
t=${FUZZ_CHECK_TIME:-15}
if [ -f "$dir/skip-reason" ]; then
	echo "ok 1 - platform fuzz targets # SKIP $(cat "$dir/skip-reason")"
	echo "1..1"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
for target in x86-loader pc-ports; do
	n=$((n + 1))
	if [ ! -x "$dir/$target" ]; then
		echo "not ok $n - $target fuzz: not built (make fuzz-platform-build)"
		failed=1
		continue
	fi
	mkdir -p "$work/$target"
	python3 "$root/tests/fuzz/platform-seeds.py" "$work/$target/corpus" \
		"$target" || exit 1
	"$dir/$target" -max_total_time="$t" -timeout=10 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$work/$target/" \
		"$work/$target/corpus" >"$work/$target/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		"$work/$target/log")
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok $n - $target fuzz: ${t}s, $runs inputs, invariants held"
		continue
	fi
	sed -n '/ERROR\|SUMMARY\|==[0-9]*==\|in LLVMFuzzerTestOneInput\|in check_/p' \
		"$work/$target/log" | head -20 | sed 's/^/# /'
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
