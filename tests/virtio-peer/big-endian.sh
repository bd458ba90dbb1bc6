#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: the virtio unit suites built for s390x (big-endian, static),
# run under qemu-user; one result per suite, its failures listed as
# comments.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/virtio-be
tests="virtio-queue virtio-core virtio-mmio"
. "$root/tests/lib/tap.sh"
[ ! -f "$dir/skip-reason" ] ||
	tap_skip_all "virtio suites on big-endian s390x" "$(cat "$dir/skip-reason")"
qemu=$(command -v qemu-s390x-static || command -v qemu-s390x)
for t in $tests; do
	if [ ! -x "$dir/$t" ]; then
		ok 1 "$t on s390x: not built (make virtio-be)"
		continue
	fi
	out=$(timeout 300 "$qemu" "$dir/$t" 2>/dev/null)
	rc=$?
	passed=$(grep -c '^ok ' <<<"$out")
	bad=$(grep '^not ok ' <<<"$out")
	if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$passed" -gt 0 ]; then
		ok 0 "$t on big-endian s390x: $passed checks passed"
	else
		[ -n "$bad" ] && sed 's/^/# /' <<<"$bad"
		ok 1 "$t on big-endian s390x: exit $rc"
	fi
done
tap_done
