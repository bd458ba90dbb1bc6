#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The shared Linux boot: bzImage + initramfs, 2 vCPUs, 384 MiB, serial
# console. One boot (about a minute on kvm_pvm hosts) serves all checks
# below: the kernel's view of the machine, then the test user land's /init
# runs a check script (busybox sh) that checks processes on both CPUs and
# marks the guest's clock, and powers the machine off with busybox's
# poweroff. Add your device's lkvm options to ARGS and its checks to the
# script or the end.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

MEM_MIB=384
ARGS=(-c 2 -m "$MEM_MIB")

linux_require -c -m
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
expect_log basic 'Freeing initrd memory' "initramfs (-i) unpacked"
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

linux_done
