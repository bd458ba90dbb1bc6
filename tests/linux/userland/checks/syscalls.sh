# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# /lib/lkvm/checks/syscalls.sh: every way into and out of a system call
# (tests/linux/userland/syscall-paths.c), and what a jump to the kernel's
# SYSCALL entry point does: completed as a system call when the kernel
# command line has syscall_fault_fixup (kernel-patches/), SIGSEGV
# otherwise. Sourced by check scripts after /lib/lkvm/tap.sh.

check_program /lib/lkvm/bin/syscall-paths all
_entry=$(grep ' entry_SYSCALL_64$' /proc/kallsyms)
_entry=${_entry%% *}
case " $(cat /proc/cmdline) " in
*" syscall_fault_fixup "*)
	check_program /lib/lkvm/bin/syscall-paths entry "0x$_entry" ;;
*)
	check_program /lib/lkvm/bin/syscall-paths entry-off "0x$_entry" ;;
esac
