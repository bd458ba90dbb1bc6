#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test guest itself, without lkvm: boot bzImage + initramfs in QEMU
# with TCG (software CPU, so guest user space runs on any host) and check
# the kernel, the initramfs, /init and the test user land do their part.
# Two boots of seconds each: one with syscall_fault_fixup (the guest-kernel
# patch's switch: real SYSCALLs never fault under TCG, but a jump to the
# entry point is completed as one), one without (such a jump gets SIGSEGV).
# Both run the system call paths and the vector-state checks.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

QEMU=${QEMU:-qemu-system-x86_64}
CMDLINE="console=ttyS0 panic=-1 reboot=t lkvm.end=reboot"

if ! command -v "$QEMU" >/dev/null; then
	linux_skip "$QEMU not installed"
fi
linux_require_kernel
# shellcheck disable=SC2034 # read by linux_run
LINUX_TIMEOUT=${QEMU_TIMEOUT:-120}

qemu_boot() {	# NAME CMDLINE
	linux_run "$1" "$QEMU" -accel tcg \
		-M microvm,acpi=off,auto-kernel-cmdline=off -smp 2 -m 384 \
		-nodefaults -nographic -no-reboot -serial stdio \
		-kernel "$LINUX_BZIMAGE" -initrd "$LINUX_INITRD" -append "$2"
}

linux_check_script qemu <<'EOF'
. /lib/lkvm/tap.sh
tap_is "busybox sh: a pipe and command substitution" \
	"$(echo lkvm | tr a-z A-Z)" LKVM
. /lib/lkvm/checks/syscalls.sh
. /lib/lkvm/checks/avx.sh
tap_done
EOF
qemu_boot qemu "$CMDLINE syscall_fault_fixup"
linux_check_script qemu-nofixup <<'EOF'
. /lib/lkvm/tap.sh
. /lib/lkvm/checks/syscalls.sh
tap_done
EOF
qemu_boot qemu-nofixup "$CMDLINE"

expect_exit_status qemu 0 "QEMU ends on the guest's reboot (lkvm.end=reboot, reboot=t)"
expect_log_fixed qemu "Command line: $CMDLINE" "kernel sees the command line"
expect_log qemu 'smp: Brought up 1 node, 2 CPUs' "2 CPUs from the MP table"
expect_log qemu 'Freeing initrd memory' "both initramfs archives unpacked"
expect_no_log qemu 'unable to open an initial console' \
	"kernel opens /dev/console for init"
expect_no_log qemu 'Hypervisor detected|kvm-clock' \
	"no KVM paravirt guest support (HOST-NOTES)"
expect_log qemu 'Run /init as init process' "kernel runs /init"
expect_log_fixed qemu 'lkvm-init: hello from /init' "/init prints on the console"
expect_log_fixed qemu "lkvm-init: cmdline: $CMDLINE" \
	"/init mounts /proc and reads /proc/cmdline"
expect_log_fixed qemu 'lkvm-init: running /check' \
	"/init finds the check script of the appended archive"
expect_log qemu 'syscall: completing SYSCALLs that fault on the entry point' \
	"syscall_fault_fixup switches the patch on"
expect_guest_tap qemu
expect_log_fixed qemu 'lkvm-init: /check exited with status 0' \
	"/init reports the script's exit status"
expect_order qemu 'lkvm-init: restarting' 'reboot: Restarting system' \
	"/init restarts the machine when the script ends (lkvm.end=reboot)"
expect_no_log qemu-nofixup 'syscall: completing' \
	"without the switch the patch stays off"
expect_guest_tap qemu-nofixup

linux_done
