#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: Linux's virtio_ring.c driver <-> lkvm's virtio device side.
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/virtio-peer
. "$root/tests/lib/tap.sh"
[ ! -f "$dir/skip-reason" ] ||
	tap_skip_all "virtio peer test" "$(cat "$dir/skip-reason")"
if [ ! -x "$dir/peer-test" ]; then
	ok 1 "virtio peer test: $dir/peer-test not built (make virtio-peer)"
	tap_done
	exit
fi
exec "$dir/peer-test" "$@"
