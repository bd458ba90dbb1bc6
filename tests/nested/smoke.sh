#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 900
#
# make check's nested smoke run. Where this machine gives no VMs, every
# suite that starts one skips, and a change that stops every VM from
# starting passes make check unseen (it happened: a madvise made fatal,
# on a kernel built without it). So here two short suites that start
# many VMs, control.sh and boot.sh, run in the L1 VM of
# tests/nested/run.sh (2 to 4 minutes), their checks named "L1: ...".
# make check-nested runs all such suites there.
#
# Skips, with the reason: where VMs run directly (the suites did), with
# no QEMU, or before the L1's kernel is built (make nested-host-kernel,
# which make check-nested runs; building it here would cost make check
# minutes on a fresh machine). LKVM_NESTED_SMOKE=0 turns it off.
# The skip reasons avoid naming the device node, which tests/run.sh would
# count as a skip for want of it.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
skip() {
	echo "ok 1 - nested smoke run # SKIP $*"
	exit 0
}

[ "${LKVM_NESTED_SMOKE:-1}" != 0 ] || skip "LKVM_NESTED_SMOKE=0"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	skip "VMs run directly on this machine: the suites ran without a nested VM"
fi
qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || skip "no $qemu (Debian's qemu-system-x86)"
kernel=$(scripts/guest-kernel.sh --host --print | sed -n 2p)
[ -s "$kernel" ] ||
	skip "the L1 VM's kernel is not built ($kernel): make nested-host-kernel, or make check-nested"

# Inside, each suite's own time-out; the L1 VM's below this suite's.
NESTED_TIMEOUT=840 tests/nested/run.sh tests/integration/control.sh \
	tests/integration/boot.sh 2>&1 |
	sed -e 's/^\(\(not \)\{0,1\}ok [0-9]* - \)/\1L1: /' \
		-e 's/^\(not ok\) - /\1 - L1: /' \
		-e 's/^\([0-9]* passed, [0-9]* failed, [0-9]* skipped\)$/# L1: \1/'
exit "${PIPESTATUS[0]}"
