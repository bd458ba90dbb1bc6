#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Linux's own virtio drivers against lkvm's virtio-pci transport: one boot
# with --console virtio --rng (PCI, the default transport) and the kernel
# console on both ttyS0 and hvc0. Checks the PCI scan (host bridge, the two
# virtio functions and their BARs), virtio_pci binding, MSI-X being enabled
# with one route per vector, hvc0 registering as a console and carrying
# kernel messages to lkvm's stdout, and the hwrng core pulling entropy from
# virtio-rng.
LINUX_CMDLINE_EXTRA="${LINUX_CMDLINE_EXTRA:+$LINUX_CMDLINE_EXTRA }console=hvc0"
. "$(dirname "$0")/lib.sh"

ARGS=(-c 1 -m 256 --console virtio --rng --virtio-transport pci
      --loglevel info)

linux_require -c -m --console --rng --virtio-transport --loglevel
linux_boot virtio "${ARGS[@]}"

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

linux_done
