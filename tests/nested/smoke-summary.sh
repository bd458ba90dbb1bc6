#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run.sh's line before the summary, where VMs cannot start here: it
# counts the checks the nested smoke ran in an L1 VM ("ok N - L1: ..."),
# and without them says the run tells nothing about VMs. Stand-in suites,
# no VM; where /dev/kvm works, the line is not printed at all.
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/lib/tap.sh"

printf '#!/bin/sh\necho "ok 1 - L1: one"\necho "ok 2 - L1: two"\necho "not ok 3 - L1: three"\necho "ok 4 - not in L1"\n' >"$tmp/smoke.sh"
printf '#!/bin/sh\necho "ok 1 - a VM # SKIP no KVM here"\n' >"$tmp/skips.sh"
chmod +x "$tmp/smoke.sh" "$tmp/skips.sh"
# Not make check's NESTED_SUITES: the stand-ins are not in it.
with=$(env -u NESTED_SUITES "$top/tests/run.sh" "$tmp/smoke.sh" "$tmp/skips.sh")
without=$(env -u NESTED_SUITES "$top/tests/run.sh" "$tmp/skips.sh")
summary=$(tail -n 1 <<<"$with")
[ "$summary" = "3 passed, 1 failed, 1 skipped" ]
ok $? "the summary counts L1 checks as any others ($summary)" "$with"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	! grep -q "^# /dev/kvm is missing" <<<"$with$without"
	ok $? "where VMs run, no line about their absence"
	ok 0 "the L1 count # SKIP only where VMs cannot start here"
else
	grep -q "^# /dev/kvm is missing .*: 1 skips name KVM; only the nested smoke's 2 checks started VMs, in an L1 VM" <<<"$with"
	ok $? "with the smoke's checks: their count (2 passed, not the failed one)" "$with"
	grep -q "^# /dev/kvm is missing .*: 1 skips name KVM; this run says nothing about VMs" <<<"$without"
	ok $? "without them: the run says nothing about VMs" "$without"
fi
[ "$tap_failed" -eq 0 ]
