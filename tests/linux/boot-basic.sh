#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 1000
#
# The shared Linux boot: bzImage + initramfs, 2 vCPUs, 384 MiB, serial
# console, a virtio-rng on PCI, with lkvm's ACPI tables (boot-virtio.sh
# boots with acpi=off and compares). One boot (about a minute on kvm_pvm
# hosts) serves all checks below: the kernel's view of the machine, then
# the test user land's /init runs a check script (busybox sh) that checks
# processes on both CPUs and marks the guest's clock, and powers the
# machine off with busybox's poweroff (ACPI S5). Add your device's lkvm
# options to ARGS and its checks to the script or the end.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

MEM_MIB=384
ARGS=(-c 2 -m "$MEM_MIB" --rng --loglevel info)

linux_require -c -m --rng --loglevel
linux_require_kernel
linux_check_script basic <<'EOF'
. /lib/lkvm/tap.sh
tap_is "a pipe between two processes (fork, exec, wait)" \
	"$(echo lkvm | tr a-z A-Z)" LKVM
# Field 39 of /proc/PID/stat: the CPU the process last ran on.
set -- $(taskset -c 0 cat /proc/self/stat)
tap_is "a process pinned to CPU 0 runs there" "${39}" 0
set -- $(taskset -c 1 cat /proc/self/stat)
tap_is "a process pinned to CPU 1 runs there" "${39}" 1
echo "lkvm-mark: date $(date +%s)"
echo "lkvm-mark: sleep 2 starts"
sleep 2
echo "lkvm-mark: sleep 2 ended"
tap_done
poweroff
EOF
linux_boot basic "${ARGS[@]}"

expect_exit basic "lkvm run ends by itself"
expect_exit_status basic 0 "poweroff in the guest ends lkvm with status 0"
expect_log basic 'reboot: Power down' "Linux powers the machine off"
expect_log_fixed basic "Command line: $LINUX_CMDLINE" \
	"kernel sees the command line intact"
expect_e820_ram basic "$MEM_MIB" "e820 map has usable RAM up to -m $MEM_MIB"
expect_log basic 'console \[ttyS0\] enabled' "serial console ttyS0 enabled"
expect_log basic 'smp: Brought up 1 node, 2 CPUs' "-c 2 brings up 2 CPUs"
expect_rtc_now basic "rtc_cmos sets the system clock to the host's UTC time"
# (Not the whole "Freeing initrd memory": the log holds lkvm's own lines
# too, and one may come while the guest is in the middle of a line, which
# lkvm then ends early: "Freein", "lkvm: ...", "g initrd memory: 3348K".)
expect_log basic 'initrd memory: [0-9]+K' "initramfs (-i) unpacked"
# stdout and stderr are one pipe here: every lkvm line starts a line, so
# no other line holds one (an lkvm line may name lkvm itself, as in
# "decompressed by lkvm: N bytes"; the guest's marks are "lkvm-...").
if [ -z "$_linux_skip" ]; then
	! grep -v '^lkvm: ' "$(_linux_log basic)" | grep -q 'lkvm: '
	linux_result $? "lkvm's own lines start at the beginning of a line of the log"
else
	linux_result 0 "lkvm's own lines start at the beginning of a line of the log"
fi
expect_no_log basic 'unable to open an initial console' \
	"kernel opens /dev/console for init"
expect_log basic 'Run /init as init process' "kernel runs /init"
expect_log_fixed basic 'lkvm-init: hello from /init' "/init runs and prints"
expect_guest_tap basic

# The guest's clock: `date` against the host's time when its line came
# out, and a `sleep 2` timed by the host (a wrong clock, not a slow host,
# fails these: the bounds leave room for fork and exec).
if [ -z "$_linux_skip" ]; then
	gdate=$(grep -m1 -oE 'lkvm-mark: date [0-9]+' "$(_linux_log basic)" |
		sed 's/.* //')
	hdate=$(linux_line_time basic 'lkvm-mark: date ')
	echo "# guest date ${gdate:-none}, host ${hdate:-none}"
	[ -n "$gdate" ] && [ -n "$hdate" ] &&
		[ "$(echo "d = $gdate - $hdate; d <= 3 && d >= -3" | bc)" = 1 ]
	linux_result $? "the guest's date is the host's to 3 s"
	t1=$(linux_line_time basic 'lkvm-mark: sleep 2 starts')
	t2=$(linux_line_time basic 'lkvm-mark: sleep 2 ended')
	echo "# sleep 2 took $(echo "${t2:-0} - ${t1:-0}" | bc) s of host time"
	[ -n "$t1" ] && [ -n "$t2" ] &&
		[ "$(echo "d = $t2 - $t1; d >= 1.5 && d <= 6" | bc)" = 1 ]
	linux_result $? "sleep 2 in the guest takes 1.5 to 6 s of host time"
else
	linux_result 0 "the guest's date is the host's to 3 s"
	linux_result 0 "sleep 2 in the guest takes 1.5 to 6 s of host time"
fi

# ACPI: the tables are found and used, and describe the whole machine.
expect_log basic 'ACPI: RSDP 0x00000000000E0000 000024 \(v02 LKVM' \
	"ACPI: Linux finds lkvm's RSDP at 0xe0000"
expect_log basic 'ACPI: Using ACPI \(MADT\) for SMP configuration' \
	"ACPI: the MADT gives the CPUs and the IOAPIC"
expect_log basic 'ACPI: PM: \(supports S0 S5\)' \
	"ACPI: the DSDT's \\_S5 and the PM registers make S5 (power-off) usable"
expect_log basic 'PCI: MMCONFIG at \[mem 0xe0000000-0xe00fffff\] reserved' \
	"ACPI: the MCFG's ECAM is accepted (reserved as a motherboard resource)"
expect_log basic 'ACPI: PCI Root Bridge \[PCI0\] \(domain 0000 \[bus 00\]\)' \
	"ACPI: the host bridge \\_SB.PCI0, bus 0 only"
expect_log basic 'root bus resource \[mem 0xc0000000-0xcfffffff window\]' \
	"ACPI: the host bridge's _CRS has lkvm's BAR window"
expect_log basic 'PCI: Using ACPI for IRQ routing' "ACPI: PCI IRQs from the _PRT"
expect_log basic 'lkvm: pci virtio-rng\.0: MSI-X enabled \(2 vectors\)' \
	"ACPI: the FADT leaves MSI on: virtio-rng gets MSI-X"
expect_log basic ' 00:[0-9a-f]+: ttyS0 at I/O 0x3f8 \(irq = 4,' \
	"ACPI: COM1 (PNP0501) at 0x3f8, IRQ 4, from the DSDT"
expect_log basic 'rtc_cmos 00:[0-9a-f]+: registered as rtc0' \
	"ACPI: the RTC is the DSDT's PNP0B00"
expect_log basic 'lkvm: acpi-pm: guest requested S5 \(soft off\)' \
	"ACPI: poweroff reaches lkvm as an S5 request to the PM device"
expect_no_log basic 'lkvm: acpi-pm: .*ignored' \
	"Linux makes no request the ACPI PM device refuses"

linux_done
