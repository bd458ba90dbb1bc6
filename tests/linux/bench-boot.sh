#!/bin/bash
# make bench: time from start to "Run /init" for the lean guest kernel under
# lkvm, beside QEMU (-M microvm, KVM, same kernel, initramfs and command
# line). QEMU has no emulation assist, so on hosts whose KVM emulates guest
# supervisor code it stops earlier: the table says how far it got.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -w /dev/kvm ] || { echo "# SKIP Linux boot benchmark: /dev/kvm is not usable"; exit 0; }
paths=$("$top/scripts/guest-kernel.sh" --print) || {
	echo "# SKIP Linux boot benchmark: guest kernel not built (make guest-kernel)"
	exit 0
}
bzimage=$(sed -n 2p <<<"$paths")
initramfs=$(sed -n 3p <<<"$paths")
cmdline="console=ttyS0 panic=-1"
limit=${LINUX_BENCH_TIMEOUT:-400}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# timed NAME CMD...: host seconds at which each output line appeared.
timed() {
	local name=$1 t0 line
	shift
	t0=$(date +%s.%N)
	timeout --kill-after=5 "$limit" "$@" </dev/null 2>&1 |
		while IFS= read -r line; do
			printf '%.2f %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$line"
		done >"$tmp/$name"
}
reached() { # reached NAME: seconds to Run /init, or how far it got
	local t
	t=$(grep -m1 'Run /init as init process' "$tmp/$1" | cut -d' ' -f1)
	if [ -n "$t" ]; then
		echo "$t s"
	else
		echo "not reached; last line at $(tail -1 "$tmp/$1" | cut -d' ' -f1) s: $(tail -1 "$tmp/$1" | cut -d' ' -f2- | cut -c1-60)"
	fi
}
first() { grep -m1 '\] Linux version' "$tmp/$1" | cut -d' ' -f1; }

timed lkvm "$top/lkvm" run -k "$bzimage" -i "$initramfs" -m 384M -c 1 -p "$cmdline"
timed qemu qemu-system-x86_64 -M microvm -enable-kvm -m 384 -smp 1 -nodefaults \
	-no-user-config -nographic -serial stdio -no-reboot \
	-kernel "$bzimage" -initrd "$initramfs" -append "$cmdline"

printf '\n%-28s %-14s %s\n' "Linux boot (1 vCPU, 384M)" "first line" "Run /init"
printf '%-28s %-14s %s\n' "lkvm (assist auto)" "$(first lkvm) s" "$(reached lkvm)"
printf '%-28s %-14s %s\n' "qemu -M microvm" "$(first qemu) s" "$(reached qemu)"
