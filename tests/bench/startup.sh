#!/bin/bash
# Start-up of the demo guest: lkvm beside QEMU microvm booting the same
# PVH guest, and beside the floor (a C program making only the KVM calls
# a VMM needs), over RUNS runs (default 21), with ratios. Two times:
#   exit  fork to the exit status (what a shell waiting for lkvm sees);
#   gone  fork until every process the command started has ended, as
#         seen by startbench, a child subreaper. lkvm exits before KVM
#         has torn the VM down and leaves that to a child holding the VM
#         (exit_detached()); "gone" includes it. The floor programs and
#         QEMU tear down before they exit, so their two times match.
# Medians, the min and max of "gone", and the median peak RSS. Then the
# seccomp filters' cost: --seccomp on beside off as paired runs
# (startbench --pair: on and off back to back in each round, the order
# alternating), with and without the default user-mode NIC (under the
# filters its libslirp thread starts with lkvm): medians, lowest and
# highest, and each round's on/off ratio.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
b=$root/build/tests/bench
g=$root/build/tests/guest
runs=${RUNS:-21}
[ -w /dev/kvm ] || { echo "# SKIP startup benchmark: /dev/kvm is not usable"; exit 0; }

measure() { # measure LABEL STATUS CMD... -> "label exit gone min max rss"
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

# Ratios like with like: exit to the floor's exit, gone to its gone.
col() { printf '%s\n' "$1" | awk -v n="$2" '{print $(NF - n)}'; }
floor_exit=$(col "${results[0]}" 4)
floor_gone=$(col "${results[0]}" 3)
qemu_exit='' qemu_gone=''
for r in "${results[@]}"; do
	case $r in
	qemu*FAILED) ;;
	qemu*) qemu_exit=$(col "$r" 4) qemu_gone=$(col "$r" 3) ;;
	esac
done
ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo -; }
printf '\n%-34s %8s %8s %8s %8s %8s %7s %7s %7s %7s\n' "start-up ($runs runs)" "exit ms" "gone ms" \
	"gone min" "gone max" "RSS KiB" "exit/fl" "gone/fl" "exit/qm" "gone/qm"
for r in "${results[@]}"; do
	label=${r% * * * * *}
	# shellcheck disable=SC2086 # the numbers, split
	set -- ${r##"$label"}
	if [ "$1" = FAILED ]; then printf '%-34s %s\n' "$r" ""; continue; fi
	printf '%-34s %8s %8s %8s %8s %8s %7s %7s %7s %7s\n' "$label" "$1" "$2" "$3" "$4" "$5" \
		"$(ratio "$1" "$floor_exit")" "$(ratio "$2" "$floor_gone")" \
		"$(ratio "$1" "$qemu_exit")" "$(ratio "$2" "$qemu_gone")"
done
echo "# exit: to the exit status; gone: until every process it started has ended"
echo "# (lkvm's teardown child included); fl = floor (memslot, irqchip, PIT2), qm = QEMU microvm"

# pair LABEL ARGS...: lkvm run ARGS with --seccomp on, then off.
pairs=()
pair() {
	local label=$1 r
	shift
	r=$("$b/startbench" --pair "$runs" 0 "$root/lkvm" run "$@" --seccomp on -- \
		"$root/lkvm" run "$@" --seccomp off) || { pairs+=("$label FAILED"); return; }
	pairs+=("$label|${r//$'\n'/ }")
}
pair "guest-pvh.elf (default NIC)" -k "$g/guest-pvh.elf" -m 256M -c 1 -p test=exit:0
pair "guest-pvh.elf --network none" -k "$g/guest-pvh.elf" -m 256M -c 1 --network none -p test=exit:0
pair "guest.bzImage (default NIC)" -k "$g/guest.bzImage" -m 256M -c 1 -p test=exit:0
printf '\n%-30s %-22s %-22s %-20s %-22s %-22s %-20s %7s %7s\n' "seccomp on/off ($runs pairs)" \
	"on exit ms" "off exit ms" "on/off exit" "on gone ms" "off gone ms" "on/off gone" \
	"on KiB" "off KiB"
for p in "${pairs[@]}"; do
	label=${p%%|*}
	case $p in *" FAILED") printf '%-30s FAILED\n' "$label"; continue ;; esac
	# shellcheck disable=SC2086 # the numbers, split
	set -- ${p#*|}
	# a em emin emax gm gmin gmax rss b ... a/b rem rmin rmax rgm rgmin rgmax
	printf '%-30s %-22s %-22s %-20s %-22s %-22s %-20s %7s %7s\n' "$label" \
		"$2 ($3-$4)" "${10} (${11}-${12})" "${18} (${19}-${20})" \
		"$5 ($6-$7)" "${13} (${14}-${15})" "${21} (${22}-${23})" "$8" "${16}"
done
echo "# median (lowest-highest); ratios: each pair's on/off, median (lowest-highest);"
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg)"
