#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 1000
#
# Linux in the jail (--jail, issue 18): a root jail as nobody, no NIC (a
# network namespace of its own), 1 vCPU; the test user land's /init runs
# a check script and powers off; lkvm exits 0. One boot, so only with
# LKVM_LINUX_ALL=1 (make check-linux): make check's time is spent. What
# the jail holds and drops is tests/integration/jail.sh's, on the
# freestanding guest.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

ARGS=(-c 1 -m 256 -n mode=none --jail-user nobody)

if [ "${LKVM_LINUX_ALL:-0}" != 1 ]; then
	linux_skip "LKVM_LINUX_ALL=1 (make check-linux): one more boot"
elif [ "$(id -u)" != 0 ]; then
	linux_skip "not root (the test jails as nobody)"
fi
linux_require -c -m -n --jail --jail-user
linux_check_script jail <<'SCRIPT'
. /lib/lkvm/tap.sh
tap_is "a pipe between two processes (fork, exec, wait)" \
	"$(echo jailed | tr a-z A-Z)" JAILED
tap_done
poweroff
SCRIPT
if [ -z "$_linux_skip" ]; then
	jail=$(mktemp -d /tmp/lkvm-jail.XXXXXX)
	chmod 755 "$jail"
	linux_boot jail "${ARGS[@]}" --jail "$jail"
	[ -z "$(ls -A "$jail")" ]
	jail_empty=$?
	rmdir "$jail"
fi

expect_exit jail "the jailed lkvm run ends by itself"
expect_exit_status jail 0 "poweroff in the jailed guest ends lkvm with status 0"
expect_log jail 'Run /init as init process' "the jailed guest's kernel runs /init"
expect_log_fixed jail 'lkvm-init: hello from /init' "/init runs and prints"
expect_guest_tap jail
expect_log jail 'reboot: Power down' "Linux powers the machine off"
expect_no_log jail '^lkvm: ' "lkvm says nothing about the jail"
linux_result "${jail_empty:-0}" "the host's jail directory is left empty"

linux_done
