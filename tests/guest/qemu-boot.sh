#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP: the test guest boots under QEMU (TCG, so no /dev/kvm is needed)
# through every entry QEMU offers: PVH (microvm), the bzImage's real-mode
# setup and 32-bit entry (pc + SeaBIOS), and the flat image's real-mode
# entry (pc with a one-instruction reset-vector "BIOS"). The 64-bit entry
# is exercised by lkvm's own integration tests. QEMU's isa-debug-exit
# turns guest status s into exit code 2s+1.
set -u
out=${BUILD:-build}/tests/guest
qemu=${QEMU:-qemu-system-x86_64}
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"

names=(pvh-hello pvh32-cmdline pvh-args pvh-initrd-cpl0 pvh-user pvh-exit pvh-initrd pvh-e820 pvh-smp pvh-irq
       pvh-memtest pvh-cpuid pvh-fault pvh-triple pvh-unknown bzimage-hello bzimage-initrd bzimage-reset
       bzimage-pci flat-hello)
if ! command -v "$qemu" >/dev/null; then
	for t in "${names[@]}"; do
		skip "$t" "$qemu not installed"
	done
	tap_plan
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"

# run MACHINE TIMEOUT QEMU-ARGS...: serial output in $log, sets $rc.
run() {
	local machine=$1 t=$2

	shift 2
	timeout "$t" "$qemu" -M "$machine" -accel tcg -m 128 -no-reboot \
		-nodefaults -no-user-config -nographic -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 "$@" \
		</dev/null >"$log" 2>&1
	rc=$?
	# SeaBIOS ends its banner without a newline.
	sed -i 's/^.*Booting from ROM\.*//' "$log"
}

has() { grep -aqxF -- "$1" "$log"; }
fail_log() { sed 's/^/# /' "$log" | head -40; }

result() {	# result NAME STATUS: TAP line; the log shown on failure
	ok "$2" "$1" || {
		echo "# rc=$rc"
		fail_log
	}
}

pvh="$out/guest-pvh.elf"

run microvm 30 -kernel "$pvh" -append "test=hello"
{ [ "$rc" = 1 ] && has "lkvm test guest" &&
	has "boot: pvh" && has "cmdline: test=hello" &&
	grep -q "^mem: 12[0-9] MiB$" "$log" && grep -q "^cpus: 1$" "$log" &&
	grep -q "^e820: 0000000000100000 [0-9a-f]\{16\} 1$" "$log"; }
result pvh-hello $?

run microvm 30 -kernel "$out/guest-pvh32.elf" \
	-append "test=cmdline  a=b c=\"d e\""
{ [ "$rc" = 1 ] &&
	has "cmdline:[test=cmdline  a=b c=\"d e\"]"; }
result pvh32-cmdline $?

run microvm 30 -kernel "$pvh" -append "arg=1 xarg=2 test=args argx=3 arg= arg=a=b"
{ [ "$rc" = 1 ] && has "args: 0=1" && has "args: 1=" && has "args: 2=a=b" &&
	has "args: 3 found"; }
result pvh-args $?

run microvm 30 -kernel "$pvh" -append "test=exit:3"
{ [ "$rc" = 7 ] && has "exit: status 3"; }
result pvh-exit $?

head -c 45000 /dev/urandom >"$tmp/initrd"
want="initrd: $("$out/crc32sum" "$tmp/initrd")"
run microvm 30 -kernel "$pvh" -initrd "$tmp/initrd" -append "test=initrd"
{ [ "$rc" = 1 ] && has "$want"; }
result pvh-initrd $?

run microvm 30 -kernel "$pvh" -initrd "$tmp/initrd" -append "test=initrd:cpl0"
{ [ "$rc" = 1 ] && has "$want"; }
result pvh-initrd-cpl0 $?

run microvm 30 -kernel "$pvh" -append "test=user:1000000"
{ [ "$rc" = 1 ] && has "user: ok" &&
	grep -q "^user: sum 0..999999 = 499999500000 in [0-9]* cycles$" "$log"; }
result pvh-user $?

run microvm 30 -kernel "$pvh" -append "test=e820"
{ [ "$rc" = 1 ] &&
	[ "$(grep -c "^e820: [0-9a-f]\{16\} [0-9a-f]\{16\} [0-9a-f]*$" "$log")" = \
	  "$(sed -n "s/^e820 entries: //p" "$log")" ]; }
result pvh-e820 $?

run microvm 30 -smp 3 -kernel "$pvh" -append "test=smp"
{ [ "$rc" = 1 ] && has "cpu 1 up" && has "cpu 2 up" &&
	has "smp: 3 cpus up"; }
result pvh-smp $?

run microvm 30 -kernel "$pvh" -append "test=irq"
{ [ "$rc" = 1 ] && has "irq: self-IPI vector 0x40 delivered"; }
result pvh-irq $?

run microvm 30 -kernel "$pvh" -append "test=memtest"
{ [ "$rc" = 1 ] && has "memtest: ok" &&
	grep -q "^memtest: 12[0-9] MiB in [0-9]* ranges, highest address 0x7ffffff$" "$log"; }
result pvh-memtest $?

run microvm 30 -kernel "$pvh" -append "test=cpuid"
{ [ "$rc" = 1 ] && has "cpuid: hypervisor TCGTCGTCGTCG max-leaf 0x40000001" &&
	grep -q "^cpuid: leaf 0x00000001.0 eax=[0-9a-f]\{8\} ebx=" "$log"; }
result pvh-cpuid $?

run microvm 30 -kernel "$pvh" -append "test=fault"
{ [ "$rc" = 225 ] &&
	grep -q "^exception 13 (#GP) on cpu 0 at rip=[0-9a-f]* " "$log"; }
result pvh-fault $?

# A triple fault resets the machine; -no-reboot makes QEMU exit 0.
run microvm 30 -kernel "$pvh" -append "test=triple"
{ [ "$rc" = 0 ] && has "triple: empty IDT, then ud2" &&
	[ "$(grep -c triple: "$log")" = 1 ]; }
result pvh-triple $?

run microvm 30 -kernel "$pvh" -append "test=nosuch"
{ [ "$rc" = 5 ] && grep -q "^unknown test .nosuch." "$log"; }
result pvh-unknown $?

bz="$out/guest.bzImage"
run pc 60 -kernel "$bz" -append "test=hello"
{ [ "$rc" = 1 ] && has "boot: linux32" &&
	has "cmdline: test=hello" &&
	grep -aq "^e820: 0000000000100000 [0-9a-f]\{16\} 1$" "$log"; }
result bzimage-hello $?

run pc 60 -kernel "$bz" -initrd "$tmp/initrd" -append "test=initrd"
{ [ "$rc" = 1 ] && has "$want"; }
result bzimage-initrd $?

# i8042 reset (0xfe to port 0x64): with -no-reboot QEMU exits 0.
run pc 60 -kernel "$bz" -append "test=reset"
{ [ "$rc" = 0 ] &&
	has "reset: writing 0xfe to port 0x64"; }
result bzimage-reset $?

run pc 60 -kernel "$bz" -append "test=pci" -device virtio-rng-pci
{ [ "$rc" = 1 ] &&
	grep -aq "^pci: 00:00.0 8086:1237 class 060000$" "$log" &&
	grep -aq "^pci: 00:[0-9a-f]\{2\}.0 1af4:1005 class 00ff00$" "$log" &&
	[ "$(grep -ac "^pci: 00:" "$log")" = \
	  "$(sed -n "s/^pci: \([0-9]*\) functions$/\1/p" "$log")" ]; }
result bzimage-pci $?

# Reset vector 0xffff0: ljmp $0x1000, $0 (the flat image's entry).
{ head -c 65520 /dev/zero; printf '\352\000\000\000\020'
  head -c 11 /dev/zero; } >"$tmp/bios"
run pc 30 -bios "$tmp/bios" \
	-device loader,file="$out/guest.flat",addr=0x10000,force-raw=on
{ [ "$rc" = 1 ] && has "boot: real" && has "no boot info" &&
	has "lkvm test guest"; }
result flat-hello $?

tap_done
