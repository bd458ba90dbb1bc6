#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 1500
#
# A guest kernel panic ends lkvm with status 3, also with panic=-1 (which
# reboots, and without pvpanic reads as a clean exit 0). The guest's user
# space panics it: `echo c > /proc/sysrq-trigger` (MAGIC_SYSRQ). Linux's
# pvpanic-pci driver must have bound lkvm's function, and lkvm must end at
# once: before the panic=-1 reboot reaches it (with --loglevel info lkvm
# would log the i8042 or 0xcf9 reset) and within seconds of the panic
# line. One boot of vmlinux (no decompressor), 1 vCPU. On kvm_pvm hosts
# a second boot turns the guest kernel's SYSCALL completion off
# (syscall_fault_fixup=0): init dies, and lkvm ends with status 3.
# LINUX_PANIC_ALL=1 adds two boots: a panic before user space
# (rdinit=/nonexistent: "VFS: Unable to mount root fs"), and the sysrq
# panic with --no-pvpanic, which then ends lkvm with status 0 through the
# guest's reboot.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

LINUX_IMAGE=${LINUX_IMAGE:-vmlinux}
ARGS=(-c 1 -m 256 --loglevel info)
# How long after the panic line lkvm may take to exit (host seconds).
PROMPT_S=10

# Host seconds (as logged in NAME.timed) of the first line matching REGEX.
timed_at() {	# NAME REGEX
	grep -E -- "$2" "$LINUX_LOG_DIR/$1.timed" 2>/dev/null |
		head -1 | awk '{ print $1 }'
}

# expect_prompt_exit NAME DESCRIPTION: lkvm's panic line follows the
# guest's within a second, and lkvm is gone within PROMPT_S s of it: its
# last output (the exit path's lines with --loglevel info) by the host
# timestamps of NAME.timed, and by the boot's whole-second start and end.
expect_prompt_exit() {
	local timed=$LINUX_LOG_DIR/$1.timed panic said last start end ok=1
	[ -n "$_linux_skip" ] && { linux_result 0 "$2"; return 0; }
	panic=$(timed_at "$1" 'Kernel panic - not syncing')
	said=$(timed_at "$1" '^ *[0-9.]+ lkvm: guest kernel panicked')
	last=$(tail -n 1 "$timed" 2>/dev/null | awk '{ print $1 }')
	start=$(_linux_field "$1" start)
	end=$(_linux_field "$1" end)
	if [ -n "$panic" ] && [ -n "$said" ] && [ -n "$last" ] &&
	   [ -n "$start" ] && [ -n "$end" ]; then
		said=$(awk -v p="$panic" -v s="$said" \
			'BEGIN { printf "%.2f", s - p }')
		last=$(awk -v p="$panic" -v l="$last" \
			'BEGIN { printf "%.2f", l - p }')
		echo "# $1: after the panic line (at $panic s): lkvm's line" \
			"$said s, its last line $last s; exit at" \
			"$((end - start)) s in whole seconds"
		awk -v s="$said" -v l="$last" -v p="$panic" -v m="$PROMPT_S" \
			-v t=$((end - start)) \
			'BEGIN { exit !(s <= 1 && l <= m && t - p <= m + 1) }' &&
			ok=0
	fi
	linux_result $ok "$2"
}

panic_script() {	# NAME
	linux_check_script "$1" <<'EOF'
echo "lkvm-mark: user space panics the kernel"
echo c >/proc/sysrq-trigger
EOF
}

linux_require -c -m --loglevel --no-pvpanic
linux_require_kernel
panic_script panic
linux_boot panic "${ARGS[@]}"

expect_exit panic "lkvm run ends by itself"
expect_exit_status panic 3 \
	"a guest panic ends lkvm with status 3, also with panic=-1"
expect_order panic 'lkvm-mark: user space panics the kernel' \
	'Kernel panic - not syncing: sysrq triggered crash' \
	"echo c >/proc/sysrq-trigger panics the guest kernel"
expect_log panic 'pci 0000:00:[0-9a-f]{2}\.0: \[1b36:0011\] type 00 class 0x088000' \
	"Linux enumerates the pvpanic function (1b36:0011)"
expect_log panic 'pvpanic-pci 0000:00:[0-9a-f]{2}\.0: enabling device' \
	"Linux's pvpanic-pci driver binds it"
expect_order panic 'Kernel panic - not syncing' \
	'lkvm: guest kernel panicked \(pvpanic\): exiting with status 3' \
	"lkvm says 'guest kernel panicked (pvpanic)' after the guest's panic"
if [ -z "$_linux_skip" ]; then
	[ "$(grep -c 'guest kernel panicked' "$(_linux_log panic)")" -eq 1 ]
	linux_result $? "... in exactly one line"
else
	linux_result 0 "... in exactly one line"
fi
expect_no_log panic 'i8042: guest reset|reset through port 0xcf9|system event' \
	"lkvm ends before the panic=-1 reboot reaches it"
expect_prompt_exit panic \
	"lkvm ends within $PROMPT_S s of the panic (its line within 1 s)"

# A kernel that does not complete the SYSCALLs kvm_pvm hosts leave at CPL3
# (syscall_fault_fixup=0: as without the patch) loses init at its first
# system call; the panic must end lkvm with the diagnostic, never hang.
if [ -d /sys/module/kvm_pvm ] || [ -n "$_linux_skip" ]; then
	saved=$LINUX_CMDLINE
	LINUX_CMDLINE="$LINUX_CMDLINE syscall_fault_fixup=0"
	panic_script panic-nofixup
	linux_boot panic-nofixup "${ARGS[@]}"
	LINUX_CMDLINE=$saved
	expect_log panic-nofixup 'Kernel panic - not syncing: Attempted to kill init' \
		"no SYSCALL completion: init dies on its first system call"
	expect_no_log panic-nofixup 'lkvm-init: hello' \
		"... before printing anything"
	expect_exit_status panic-nofixup 3 \
		"... and lkvm ends with the panic status"
	expect_log panic-nofixup 'lkvm: guest kernel panicked \(pvpanic\)' \
		"... saying the guest kernel panicked"
else
	for t in "no SYSCALL completion: init dies" "... before printing" \
		"... panic status" "... saying so"; do
		skip "$t" "SYSCALL leaves CPL3 on this host (not kvm_pvm)"
	done
fi

if [ "${LINUX_PANIC_ALL:-0}" = 1 ]; then
	saved=$LINUX_CMDLINE
	LINUX_CMDLINE="$LINUX_CMDLINE rdinit=/nonexistent"
	linux_boot panic-early "${ARGS[@]}"
	LINUX_CMDLINE=$saved
	expect_exit_status panic-early 3 \
		"early: a panic before user space ends lkvm with status 3"
	expect_log panic-early 'Kernel panic - not syncing' \
		"early: the guest kernel panicked"
	expect_no_log panic-early 'Run .* as init process' \
		"early: no user space ran before it"
	panic_script panic-no-pvpanic
	linux_boot panic-no-pvpanic "${ARGS[@]}" --no-pvpanic
	expect_log panic-no-pvpanic 'Kernel panic - not syncing' \
		"--no-pvpanic: the guest kernel panics the same way"
	expect_no_log panic-no-pvpanic '1b36:0011' \
		"--no-pvpanic: no pvpanic function on the bus"
	expect_exit_status panic-no-pvpanic 0 \
		"--no-pvpanic: the panic=-1 reboot ends lkvm with status 0"
fi

linux_done
