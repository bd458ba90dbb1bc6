#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP benchmark: wall time from start to exit of the test guest
# (test=exit:0, 1 vCPU, 128 MiB) under lkvm through each boot path, and
# under QEMU (-M microvm, PVH, KVM) for comparison. Each line reports the
# median and the minimum of RUNS runs (default 10) in milliseconds:
#   ok N - NAME: median M ms, min m ms (R runs)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${BUILD:-build}/tests/guest
lkvm=${LKVM:-$root/lkvm}
qemu=${QEMU:-qemu-system-x86_64}
runs=${RUNS:-10}
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"

# bench NAME WANT-STATUS COMMAND...: times RUNS runs of COMMAND.
bench() {
	local name=$1 want=$2 i t0 t1 rc ms=()

	shift 2
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		timeout 30 "$@" </dev/null >/dev/null 2>&1
		rc=$?
		t1=$(date +%s%N)
		if [ "$rc" -ne "$want" ]; then
			ok 1 "$name: exit status $rc, expected $want"
			return
		fi
		ms+=($(((t1 - t0) / 1000000)))
	done
	mapfile -t ms < <(printf '%s\n' "${ms[@]}" | sort -n)
	ok 0 "$name: median ${ms[$((runs / 2))]} ms, min ${ms[0]} ms ($runs runs)"
}

why=
if [ ! -e /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	why="/dev/kvm is not usable"
fi
for img in guest.elf guest-pvh.elf guest.bzImage guest.flat; do
	if [ -n "$why" ] || [ ! -x "$lkvm" ]; then
		skip "lkvm $img" "${why:-$lkvm not built}"
		continue
	fi
	# The flat image has no command line: it runs test=hello, status 0.
	bench "lkvm $img" 0 "$lkvm" run -k "$out/$img" -m 128M -c 1 \
		-p test=exit:0
done
if [ -n "$why" ] || ! command -v "$qemu" >/dev/null; then
	skip "qemu microvm guest-pvh.elf" "${why:-$qemu not installed}"
else
	bench "qemu microvm guest-pvh.elf" 1 "$qemu" -M microvm -enable-kvm \
		-m 128 -nodefaults -no-user-config -nographic -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$out/guest-pvh.elf" -append test=exit:0
fi
tap_done
