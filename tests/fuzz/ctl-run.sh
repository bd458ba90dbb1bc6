#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the control socket's request handling
# and of the `lkvm run` command line, from seeds made here; ok when
# nothing crashed and no invariant broke (each target aborts on one).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/fuzz
t=${FUZZ_CHECK_TIME:-15}
n=0 failed=0
if [ -f "$dir/skip-reason" ]; then
	echo "ok 1 - control and command-line fuzz targets # SKIP $(cat "$dir/skip-reason")"
	echo "1..1"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ctl-proto: requests, each a length byte then the bytes.
p=$work/ctl-proto/corpus
mkdir -p "$p" "$work/ctl-options/corpus"
req() { local s; for s in "$@"; do printf "\\x$(printf %02x ${#s})%s" "$s"; done; }
req $'stat\n' $'pause\n' $'debug\n' $'resume\n' $'stop\n' >"$p/all"
req $'pause\n' $'pause\n' $'resume\n' $'resume\n' >"$p/twice"
req $'info' $'stop\nstat\n' $'debug\n' $'pause\n' >"$p/stopping"
req "$(printf 'x%.0s' {1..70})" $'bogus\n' $'STOP\n' $'stop \n' >"$p/bad"
# ctl-options: NUL-separated arguments after "run".
o=$work/ctl-options/corpus
args() { printf '%s\0' "$@"; }
args -k vmlinux -m 1G -c 2 --name box -p "console=ttyS0" >"$o/basic"
args --kernel=k --initrd=i --mem=512M --cpus=4 --console virtio --rng \
	--no-pvpanic --no-acpi --virtio-transport mmio --loglevel debug \
	--boot-protocol pvh --emulation-assist off --dev /tmp/kvm \
	--hugetlbfs /dev/hugepages --debug-ioport --debug-mmio \
	--debug-single-step >"$o/all"
args -k k -d disk.img,ro,direct,serial=abc -d other.qcow2 >"$o/disks"
args -k k --name ../x -c 0 -m 1T >"$o/bad"
args bzImage extra -h >"$o/positional"

for target in ctl-proto ctl-options; do
	n=$((n + 1))
	if [ ! -x "$dir/$target" ]; then
		echo "not ok $n - $target fuzz: not built (make fuzz-ctl-build)"
		failed=1
		continue
	fi
	"$dir/$target" -max_total_time="$t" -timeout=10 -max_len=4096 \
		-print_final_stats=1 -artifact_prefix="$work/$target/" \
		"$work/$target/corpus" >"$work/$target/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/log")
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok $n - $target fuzz: ${t}s, $runs inputs, invariants held"
		continue
	fi
	grep -B2 -A6 'ERROR\|SUMMARY\|==[0-9]*==\|round-trip\|reply\|differ\|refusal' \
		"$work/$target/log" | head -30 | sed 's/^/# /'
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
