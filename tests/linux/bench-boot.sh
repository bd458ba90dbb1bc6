#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the lean guest kernel with the test user land, from start to
# the kernel's first line, to `Run /init`, to the first line user space
# prints (/init's hello) and to the VMM's exit, under lkvm (bzImage and
# vmlinux) beside QEMU -M microvm with the same kernel, command line and
# initramfs: with KVM (no emulation assist, so on hosts whose KVM emulates
# guest supervisor code it stops early: the table says where) and with
# TCG (software CPU, for scale). The check script prints one line and the
# machine restarts (lkvm.end=reboot), which ends both VMMs. Host seconds;
# LINUX_BENCH_RUNS runs each (default 1), the median shown.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/linux/lib.sh
. tests/linux/lib.sh
runs=${LINUX_BENCH_RUNS:-1}
qemu=${QEMU:-qemu-system-x86_64}

[ -w /dev/kvm ] || { echo "# SKIP Linux boot benchmark: /dev/kvm is not usable"; exit 0; }
linux_require_kernel
[ -n "$_linux_skip" ] && { echo "# SKIP Linux boot benchmark: $_linux_skip"; exit 0; }
LINUX_LOG_DIR=$BUILD/bench/linux
cmdline="console=ttyS0 panic=-1 lkvm.end=reboot"
linux_check_script bench <<'EOF'
echo "lkvm-bench: user space runs"
EOF
initrd=$LINUX_INITRD

# Host seconds from the start to the first line matching REGEX in NAME's
# timed log, or "-" when none.
at() {
	local t
	t=$(grep -m1 -E -- "^ *[0-9.]+ .*$2" "$LINUX_LOG_DIR/$1.timed" 2>/dev/null |
	    awk '{ print $1 }')
	echo "${t:--}"
}
ended() {
	echo $(($(cat "$LINUX_LOG_DIR/$1.end") - $(cat "$LINUX_LOG_DIR/$1.start")))
}
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0 || v[1] == "-") print "-"; else print v[int((NR + 1) / 2)] }'
}

# run NAME COMMAND...: RUNS runs; one row of medians.
declare -A row
run() {
	local name=$1 i f
	shift
	for i in $(seq 1 "$runs"); do
		LINUX_TIMEOUT=${LINUX_BENCH_TIMEOUT:-400} linux_run "$name.$i" "$@" >/dev/null
	done
	for f in first init user exit; do
		row[$name.$f]=$(for i in $(seq 1 "$runs"); do
			case $f in
			first) at "$name.$i" '\] Linux version' ;;
			init) at "$name.$i" 'Run /init as init process' ;;
			user) at "$name.$i" 'lkvm-init: hello from /init' ;;
			exit) ended "$name.$i" ;;
			esac
		done | median)
	done
	# The guest's last line, not the VMM's own words at its end.
	row[$name.last]=$(grep -E '^\[ *[0-9]+\.[0-9]+\]' \
		"$LINUX_LOG_DIR/$name.$runs.log" | tail -n 1 | cut -c1-90)
	row[$name.rc]=$(cat "$LINUX_LOG_DIR/$name.$runs.rc")
}

run lkvm-bz ./lkvm run -k "$LINUX_BZIMAGE" -i "$initrd" -m 384M -c 1 -p "$cmdline"
run lkvm-vm ./lkvm run -k "$LINUX_VMLINUX" -i "$initrd" -m 384M -c 1 -p "$cmdline"
qemu_args=(-M microvm -m 384 -smp 1 -nodefaults -no-user-config -nographic
	   -serial stdio -no-reboot -kernel "$LINUX_BZIMAGE" -initrd "$initrd"
	   -append "$cmdline reboot=t")
# QEMU stops the VM on an emulation failure but does not exit: the
# watcher ends it on that line (status 122), or after
# LINUX_BENCH_SILENCE seconds without output (default 60; status 123).
watch=(tests/linux/peer-watch.sh -s "${LINUX_BENCH_SILENCE:-60}" --)
run qemu-kvm "${watch[@]}" "$qemu" -enable-kvm "${qemu_args[@]}"
run qemu-tcg "${watch[@]}" "$qemu" -accel tcg "${qemu_args[@]}"

ratio() {	# A B: A / B, or n/a
	if [ "$1" = - ] || [ "$2" = - ]; then
		echo "n/a"
	else
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	fi
}

printf '\n%-26s %8s %8s %10s %8s %6s\n' "Linux to user space" \
	"1st line" "/init" "user out" "exit" "status"
for n in lkvm-bz lkvm-vm qemu-kvm qemu-tcg; do
	case $n in
	lkvm-bz) label="lkvm bzImage (assist)" ;;
	lkvm-vm) label="lkvm vmlinux (assist)" ;;
	qemu-kvm) label="qemu microvm, KVM" ;;
	qemu-tcg) label="qemu microvm, TCG" ;;
	esac
	printf '%-26s %8s %8s %10s %8s %6s\n' "$label" "${row[$n.first]}" \
		"${row[$n.init]}" "${row[$n.user]}" "${row[$n.exit]}" \
		"${row[$n.rc]}"
done
echo "(host seconds from start, median of $runs run(s); '-': not reached; status 124: killed by the timeout;"
echo " 122: QEMU ended by tests/linux/peer-watch.sh on an emulation failure, 123: on its silence)"
echo "ratio to the peer, start to user-space output: lkvm bzImage / QEMU KVM $(ratio "${row[lkvm-bz.user]}" "${row[qemu-kvm.user]}"), lkvm bzImage / QEMU TCG $(ratio "${row[lkvm-bz.user]}" "${row[qemu-tcg.user]}")"
if [ "${row[qemu-kvm.user]}" = - ]; then
	echo "QEMU with KVM got no further than: ${row[qemu-kvm.last]}"
fi
