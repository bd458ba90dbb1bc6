#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The shared Linux boot: bzImage + initramfs, 2 vCPUs, 384 MiB. One boot
# (minutes on kvm_pvm hosts) serves all checks below; add your device's
# lkvm options to ARGS and its checks at the end.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

MEM_MIB=384
ARGS=(-c 2 -m "$MEM_MIB")

linux_require -c -m
linux_boot basic "${ARGS[@]}"

expect_exit basic "lkvm run ends by itself (guest reboot on panic=-1)"
expect_exit_status basic 0 "lkvm run exits with status 0 on guest reboot"
expect_log_fixed basic "Command line: $LINUX_CMDLINE" \
	"kernel sees the command line intact"
expect_e820_ram basic "$MEM_MIB" "e820 map has usable RAM up to -m $MEM_MIB"
expect_log basic 'console \[ttyS0\] enabled' "serial console ttyS0 enabled"
expect_log basic 'smp: Brought up 1 node, 2 CPUs' "-c 2 brings up 2 CPUs"
expect_rtc_now basic "rtc_cmos sets the system clock to the host's UTC time"
expect_log basic 'Freeing initrd memory' "initramfs (-i) unpacked"
expect_no_log basic 'unable to open an initial console' \
	"kernel opens /dev/console for init"
expect_log basic 'Run /init as init process' "kernel runs /init"
expect_userspace basic 'lkvm-init: hello from /init' "/init runs and prints"

linux_done
