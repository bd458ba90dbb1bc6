#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 1500
#
# Linux's own virtio drivers against lkvm's virtio-pci transport: one boot
# with --console virtio --rng (PCI, the default transport) and the kernel
# console on both ttyS0 and hvc0; the guest's user space checks hvc0 and
# /dev/hwrng, then runs what lkvm reads on stdin, ending in `reboot`. Checks the PCI scan (host bridge, the two
# virtio functions and their BARs), virtio_pci binding, MSI-X being enabled
# with one route per vector, hvc0 registering as a console and carrying
# kernel messages to lkvm's stdout, and the hwrng core pulling entropy from
# virtio-rng.
#
# This boot is the MP-table one: Linux gets acpi=off (lkvm's ACPI tables
# are there, unused) and 2 vCPUs, and its findings are compared with the
# ACPI boot of boot-basic.sh: the same PCI functions, MSI-X use, serial
# ports with their IRQs, and RTC. LINUX_VIRTIO_ALL=1 adds virtio-mmio
# with ACPI and INTx both ways.
LINUX_CMDLINE_EXTRA="${LINUX_CMDLINE_EXTRA:+$LINUX_CMDLINE_EXTRA }console=hvc0 acpi=off"
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

ARGS=(-c 2 -m 256 --console virtio --rng --virtio-transport pci
      --loglevel info)

linux_require -c -m --console --rng --virtio-transport --loglevel
linux_require_kernel
# The guest's user space on hvc0: its output is lkvm's stdout, and what
# lkvm reads on stdin (a file here) reaches the shell the script ends in,
# which runs it: a sum only the shell computes, then busybox's reboot.
linux_check_script virtio <<'EOF'
. /lib/lkvm/tap.sh
case "$(cat /proc/consoles)" in
hvc0*) tap_ok "/dev/console is hvc0 (virtio-console)" ;;
*) tap_not_ok "/dev/console is hvc0 (virtio-console)"; tap_note "$(cat /proc/consoles)" ;;
esac
tap_is "the hwrng core uses virtio-rng" \
	"$(cat /sys/class/misc/hw_random/rng_current)" virtio_rng.0
n=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
tap_is "/dev/hwrng gives 32 bytes" "${#n}" 64
case "$n" in
*[1-9a-f]*) tap_ok "... and they are not all zero" ;;
*) tap_not_ok "... and they are not all zero" ;;
esac
tap_done
exec sh
EOF
LINUX_STDIN=$LINUX_LOG_DIR/virtio.stdin
LINUX_STDIN_AFTER='lkvm-tap: 1\.\.'
mkdir -p "$LINUX_LOG_DIR"
# shellcheck disable=SC2016 # expanded by the guest's shell
printf 'echo lkvm-typed $((6 * 7))\nreboot\n' >"$LINUX_STDIN"
linux_boot virtio "${ARGS[@]}"
LINUX_STDIN=
LINUX_STDIN_AFTER=

expect_exit virtio "lkvm run ends by itself"
expect_log virtio 'pci 0000:00:00\.0: \[1b36:0008\] type 00 class 0x060000' \
	"PCI scan finds the host bridge at 00.0"
expect_log virtio 'pci 0000:00:0[0-9a-f]\.0: \[1af4:1043\] type 00 class 0x078000' \
	"PCI scan finds virtio-console (1af4:1043, modern)"
expect_log virtio 'pci 0000:00:0[0-9a-f]\.0: \[1af4:1044\] type 00' \
	"PCI scan finds virtio-rng (1af4:1044, modern)"
expect_log virtio 'BAR 4 \[mem 0x[0-9a-f]+-0x[0-9a-f]+ 64bit\]' \
	"the 64-bit BAR 4 is sized and placed"
expect_log virtio 'virtio-pci 0000:00:0[0-9a-f]\.0: enabling device' \
	"virtio_pci binds the functions"
expect_log virtio 'lkvm: pci virtio-console\.0: MSI-X enabled \(3 vectors\)' \
	"virtio-console: Linux enables MSI-X (config + 2 queues)"
expect_log virtio 'lkvm: pci virtio-console\.0: MSI-X vector 2 -> GSI [0-9]+ \(address 0xfee' \
	"virtio-console: queue vectors get MSI routes to the local APIC"
expect_log virtio 'lkvm: pci virtio-rng\.0: MSI-X enabled \(2 vectors\)' \
	"virtio-rng: Linux enables MSI-X"
expect_log virtio 'printk: console \[hvc0\] enabled' \
	"hvc0 registers as a console"
expect_log virtio 'lkvm: virtio-rng\.0: first request served' \
	"the hwrng core reads entropy from virtio-rng"
if [ -z "$_linux_skip" ]; then
	# After hvc0 is enabled every kernel line comes twice: ttyS0 and hvc0.
	n=$(grep -cF 'Freeing unused kernel image' "$(_linux_log virtio)")
	[ "$n" -ge 2 ] && [ $((n % 2)) -eq 0 ]
	linux_result $? "kernel messages reach stdout through hvc0 as well as ttyS0"
else
	linux_result 0 "kernel messages reach stdout through hvc0 as well as ttyS0"
fi
expect_no_log virtio 'lkvm: .*(ignored|not mapped|out of range|needs reset)' \
	"Linux's drivers trip none of lkvm's hostile-guest checks"
expect_guest_tap virtio
expect_log virtio '^lkvm-typed 42' \
	"input on lkvm's stdin reaches the guest's shell through hvc0"
expect_exit_status virtio 0 "reboot in the guest ends lkvm with status 0"
expect_log virtio 'reboot: Restarting system' "Linux restarts the machine"

# acpi=off: the MP table describes the CPUs, the IOAPIC and the INTx lines.
expect_log virtio 'found SMP MP-table at \[mem 0x0009fc00-0x0009fc0f\]' \
	"acpi=off: Linux uses lkvm's MP table"
expect_log virtio 'smp: Brought up 1 node, 2 CPUs' \
	"acpi=off: both CPUs from the MP table come up"

# The ACPI boot (boot-basic.sh, run first by make check) against this one.
# Each extractor prints a sorted set of normalized lines from a log.
pci_functions() {	# vendor:device, type and class of every function
	grep -oE 'pci 0000:00:[0-9a-f]{2}\.[0-7]: \[[0-9a-f]{4}:[0-9a-f]{4}\] type [0-9]+ class 0x[0-9a-f]+' "$1" |
		sed 's/^pci 0000:00:[0-9a-f.]*: //' | sort -u
}
rng_msix() {
	grep -oE 'lkvm: pci virtio-rng\.0: MSI-X enabled \([0-9]+ vectors\)' "$1" |
		sort -u
}
serial_ports() {
	grep -oE 'ttyS[0-3] at I/O 0x[0-9a-f]+ \(irq = [0-9]+' "$1" | sort -u
}
rtc_clock() {
	grep -oE 'rtc_cmos [^ ]+ (registered as rtc0|setting system clock)' "$1" |
		sed 's/^rtc_cmos [^ ]* //' | sort -u
}
acpi_log=$LINUX_LOG_DIR/basic.log
off_log=$LINUX_LOG_DIR/virtio.log
compare_checks=(
	"ACPI vs acpi=off: the ACPI boot's PCI functions (IDs, class) are found"
	"ACPI vs acpi=off: virtio-rng enables MSI-X with as many vectors"
	"ACPI vs acpi=off: ttyS0-3 at the same ports and IRQs"
	"ACPI vs acpi=off: rtc_cmos registers rtc0 and sets the clock"
)
if [ -n "$_linux_skip" ] || [ ! -s "$acpi_log" ] ||
   [ "$acpi_log" -ot "$LKVM" ]; then
	for t in "${compare_checks[@]}"; do
		linux_skip_one "$t" "no ACPI boot log from this lkvm ($acpi_log): run tests/linux/boot-basic.sh first"
	done
else
	a=$(pci_functions "$acpi_log")
	[ "$(echo "$a" | grep -c .)" -ge 2 ] &&
		[ -z "$(comm -23 <(echo "$a") <(pci_functions "$off_log"))" ]
	linux_result $? "${compare_checks[0]}"
	a=$(rng_msix "$acpi_log")
	[ -n "$a" ] && [ "$a" = "$(rng_msix "$off_log")" ]
	linux_result $? "${compare_checks[1]}"
	a=$(serial_ports "$acpi_log")
	[ "$(echo "$a" | grep -c .)" -eq 4 ] && [ "$a" = "$(serial_ports "$off_log")" ]
	linux_result $? "${compare_checks[2]}"
	a=$(rtc_clock "$acpi_log")
	[ "$(echo "$a" | grep -c .)" -eq 2 ] && [ "$a" = "$(rtc_clock "$off_log")" ]
	linux_result $? "${compare_checks[3]}"
fi

# More boots when asked (each costs minutes here): the same devices on
# virtio-mmio (with ACPI: the windows stay on the command line), and on
# PCI with MSI off in the guest, INTx through the MP table's and through
# the _PRT's level-triggered, active-low lines.
if [ "${LINUX_VIRTIO_ALL:-0}" = 1 ]; then
	mp_cmdline=$LINUX_CMDLINE
	LINUX_CMDLINE=${mp_cmdline/ acpi=off/}
	linux_boot virtio-mmio -c 1 -m 256 --console virtio --rng \
		--virtio-transport mmio --loglevel info
	expect_exit virtio-mmio "mmio: lkvm run ends by itself"
	expect_log virtio-mmio 'virtio-mmio: Registering device virtio-mmio\.0 at 0xd0000000-0xd00001ff, IRQ [0-9]+' \
		"mmio: Linux registers the devices from virtio_mmio.device="
	expect_log virtio-mmio 'printk: console \[hvc0\] enabled' \
		"mmio: hvc0 registers as a console"
	expect_log virtio-mmio 'lkvm: virtio-rng\.0: first request served' \
		"mmio: the hwrng core reads entropy from virtio-rng"
	LINUX_CMDLINE="$mp_cmdline pci=nomsi"
	linux_boot virtio-intx -c 1 -m 256 --console virtio --rng \
		--loglevel info
	expect_exit virtio-intx "intx: lkvm run ends by itself"
	expect_log virtio-intx 'virtio-pci 0000:00:0[0-9a-f]\.0: PCI->APIC IRQ transform: INT A -> IRQ [0-9]+' \
		"intx: Linux routes INTA# through the MP table"
	expect_no_log virtio-intx 'MSI-X enabled' "intx: MSI-X stays off"
	expect_log virtio-intx 'printk: console \[hvc0\] enabled' \
		"intx: hvc0 registers as a console"
	expect_log virtio-intx 'lkvm: virtio-rng\.0: first request served' \
		"intx: virtio-rng requests complete (the driver waits for INTx)"
	LINUX_CMDLINE="${mp_cmdline/ acpi=off/} pci=nomsi"
	linux_boot virtio-intx-acpi -c 1 -m 256 --console virtio --rng \
		--loglevel info
	expect_exit virtio-intx-acpi "intx, ACPI: lkvm run ends by itself"
	expect_log virtio-intx-acpi 'ACPI: INT_SRC_OVR \(bus 0 bus_irq 5 global_irq 5 low level\)' \
		"intx, ACPI: the MADT makes the first INTx line level, active-low"
	expect_no_log virtio-intx-acpi 'MSI-X enabled' "intx, ACPI: MSI-X stays off"
	expect_log virtio-intx-acpi 'lkvm: virtio-rng\.0: first request served' \
		"intx, ACPI: virtio-rng requests complete (INTA# from the _PRT)"
else
	linux_skip "LINUX_VIRTIO_ALL=1 adds the mmio and INTx boots (minutes each)"
	for t in "mmio: Linux registers the devices" "mmio: hvc0" \
		"mmio: virtio-rng" "intx: INTA# through the MP table" \
		"intx: virtio-rng requests complete" \
		"intx, ACPI: virtio-rng requests complete"; do
		linux_result 0 "$t"
	done
fi

linux_done
