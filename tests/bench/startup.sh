#!/bin/bash
# Start-to-exit of the demo guest: lkvm beside QEMU microvm booting the
# same PVH guest, and beside the floor (a C program making only the KVM
# calls a VMM needs). Median wall time of RUNS runs (default 21) and the
# median peak RSS, with ratios.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
b=$root/build/tests/bench
g=$root/build/tests/guest
runs=${RUNS:-21}
[ -w /dev/kvm ] || { echo "# SKIP startup benchmark: /dev/kvm is not usable"; exit 0; }

measure() { # measure LABEL STATUS CMD... -> "label median min max rss"
	local label=$1
	shift
	local r
	r=$("$b/startbench" "$runs" "$@") || { echo "$label FAILED"; return; }
	echo "$label $r"
}

results=()
results+=("$(measure "floor (memslot, irqchip, PIT2)" 0 "$b/kvm-floor" memslot)")
results+=("$(measure "floor (irqchip first)" 0 "$b/kvm-floor" irqchip)")
results+=("$(measure "floor (no irqchip/PIT)" 0 "$b/kvm-floor" bare)")
for img in guest-pvh.elf guest.elf guest.bzImage; do
	results+=("$(measure "lkvm $img" 0 "$root/lkvm" run -k "$g/$img" -m 256M -c 1 -p test=exit:0)")
done
# What kvmtool's default user-mode NIC (libslirp) costs: the same start
# without it.
results+=("$(measure "lkvm guest-pvh.elf --network none" 0 "$root/lkvm" run -k "$g/guest-pvh.elf" -m 256M -c 1 --network none -p test=exit:0)")
results+=("$(measure "lkvm hello (-c 2, PVH)" 0 "$root/lkvm" run -k "$g/guest-pvh.elf" -m 256M -c 2 -p test=hello)")
if command -v qemu-system-x86_64 >/dev/null; then
	# isa-debug-exit turns status 0 into (0 << 1) | 1 = 1.
	results+=("$(measure "qemu microvm guest-pvh.elf" 1 qemu-system-x86_64 -M microvm -enable-kvm -m 256 \
		-nodefaults -no-user-config -nographic -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$g/guest-pvh.elf" -append test=exit:0)")
fi

floor=$(printf '%s\n' "${results[0]}" | awk '{print $(NF-3)}')
qemu=$(printf '%s\n' "${results[@]}" | awk '/^qemu/ {print $(NF-3)}')
printf '\n%-34s %10s %8s %8s %9s %9s %9s\n' "start to exit ($runs runs)" "median ms" "min ms" "max ms" "RSS KiB" "x floor" "x qemu"
for r in "${results[@]}"; do
	label=${r% * * * *}
	set -- ${r##"$label"}
	if [ "$1" = FAILED ]; then printf '%-34s %s\n' "$label" FAILED; continue; fi
	xf=$(awk -v a="$1" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')
	xq=-
	[ -n "$qemu" ] && xq=$(awk -v a="$1" -v b="$qemu" 'BEGIN { printf "%.2f", a / b }')
	printf '%-34s %10s %8s %8s %9s %9s %9s\n' "$label" "$1" "$2" "$3" "$4" "$xf" "$xq"
done
