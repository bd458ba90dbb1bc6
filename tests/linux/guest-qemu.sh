#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test guest itself, without lkvm: boot bzImage + initramfs in QEMU
# with TCG (software CPU, so guest user space runs on any host) and check
# the kernel, the initramfs and /init do their part. Seconds, not minutes.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

QEMU=${QEMU:-qemu-system-x86_64}
CMDLINE="console=ttyS0 panic=-1 reboot=t"

if ! command -v "$QEMU" >/dev/null; then
	linux_skip "$QEMU not installed"
fi
linux_require_kernel
# shellcheck disable=SC2034 # read by linux_run
LINUX_TIMEOUT=${QEMU_TIMEOUT:-120}
linux_run qemu "$QEMU" -accel tcg \
	-M microvm,acpi=off,auto-kernel-cmdline=off -smp 2 -m 384 \
	-nodefaults -nographic -no-reboot -serial stdio \
	-kernel "$LINUX_BZIMAGE" -initrd "$LINUX_INITRAMFS" -append "$CMDLINE"

expect_exit_status qemu 0 "QEMU ends on the guest's reboot (reboot=t)"
expect_log_fixed qemu "Command line: $CMDLINE" "kernel sees the command line"
expect_log qemu 'smp: Brought up 1 node, 2 CPUs' "2 CPUs from the MP table"
expect_log qemu 'Freeing initrd memory' "uncompressed initramfs unpacked"
expect_no_log qemu 'unable to open an initial console' \
	"kernel opens /dev/console for init"
expect_no_log qemu 'Hypervisor detected|kvm-clock' \
	"no KVM paravirt guest support (HOST-NOTES)"
expect_log qemu 'Run /init as init process' "kernel runs /init"
expect_log_fixed qemu 'lkvm-init: hello from /init' "/init prints on the console"
expect_log_fixed qemu "lkvm-init: cmdline: $CMDLINE" \
	"/init mounts /proc and reads /proc/cmdline"
expect_order qemu 'lkvm-init: restarting' 'reboot: Restarting system' \
	"/init's reboot(RESTART) restarts the machine"

linux_done
