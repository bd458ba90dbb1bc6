#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A guest kernel panic ends lkvm with status 3, also with panic=-1 (which
# reboots, and without pvpanic reads as a clean exit 0). The guest panics
# without user space: rdinit=/nonexistent leaves no /init, so the kernel
# tries to mount a root it was not given and panics ("VFS: Unable to mount
# root fs"). Linux's pvpanic-pci driver must have bound lkvm's function,
# and lkvm must end at once: before the panic=-1 reboot reaches it (with
# --loglevel info lkvm would log the i8042 or 0xcf9 reset) and within
# seconds of the panic line. One boot of vmlinux (no decompressor), 1 vCPU.
# LINUX_PANIC_ALL=1 adds a boot with --no-pvpanic: the same panic then
# ends lkvm with status 0 through the guest's reboot.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

LINUX_IMAGE=${LINUX_IMAGE:-vmlinux}
LINUX_CMDLINE="$LINUX_CMDLINE rdinit=/nonexistent"
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

linux_require -c -m --loglevel --no-pvpanic
linux_boot panic "${ARGS[@]}"

expect_exit panic "lkvm run ends by itself"
expect_exit_status panic 3 \
	"a guest panic ends lkvm with status 3, also with panic=-1"
expect_log panic 'Kernel panic - not syncing' "the guest kernel panicked"
expect_no_log panic 'Run .* as init process' "no user space ran before it"
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

if [ "${LINUX_PANIC_ALL:-0}" = 1 ]; then
	linux_boot panic-no-pvpanic "${ARGS[@]}" --no-pvpanic
	expect_log panic-no-pvpanic 'Kernel panic - not syncing' \
		"--no-pvpanic: the guest kernel panics the same way"
	expect_no_log panic-no-pvpanic '1b36:0011' \
		"--no-pvpanic: no pvpanic function on the bus"
	expect_exit_status panic-no-pvpanic 0 \
		"--no-pvpanic: the panic=-1 reboot ends lkvm with status 0"
fi

linux_done
