#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: Linux's virtio_ring.c driver <-> lkvm's virtio device side.
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/virtio-peer
if [ -f "$dir/skip-reason" ]; then
	echo "ok 1 - virtio peer test # SKIP $(cat "$dir/skip-reason")"
	echo "1..1"
	exit 0
fi
if [ ! -x "$dir/peer-test" ]; then
	echo "not ok 1 - virtio peer test: $dir/peer-test not built (make virtio-peer)"
	echo "1..1"
	exit 1
fi
exec "$dir/peer-test" "$@"
