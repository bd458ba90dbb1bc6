#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: the virtio unit suites built for s390x (big-endian, static),
# run under qemu-user; one result per suite, its failures listed as
# comments.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/virtio-be
tests="virtio-queue virtio-core virtio-mmio"
if [ -f "$dir/skip-reason" ]; then
	echo "ok 1 - virtio suites on big-endian s390x # SKIP $(cat "$dir/skip-reason")"
	echo "1..1"
	exit 0
fi
qemu=$(command -v qemu-s390x-static || command -v qemu-s390x)
n=0 failed=0
for t in $tests; do
	n=$((n + 1))
	if [ ! -x "$dir/$t" ]; then
		echo "not ok $n - $t on s390x: not built (make virtio-be)"
		failed=1
		continue
	fi
	out=$(timeout 300 "$qemu" "$dir/$t" 2>/dev/null)
	rc=$?
	passed=$(grep -c '^ok ' <<<"$out")
	bad=$(grep '^not ok ' <<<"$out")
	if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$passed" -gt 0 ]; then
		echo "ok $n - $t on big-endian s390x: $passed checks passed"
	else
		[ -n "$bad" ] && sed 's/^/# /' <<<"$bad"
		echo "not ok $n - $t on big-endian s390x: exit $rc"
		failed=1
	fi
done
echo "1..$n"
exit $failed
