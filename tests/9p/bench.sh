#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: lkvm's virtio-9p device fed host-side through its virtqueue
# (build/tests/9p/9p-bench) beside diod (Debian's 9P2000.L server) on the
# same directory at the same msize, and the host file system directly:
# sequential write and read of a SIZE_MB (256) file with 8 requests in
# flight, and create+stat+unlink of FILES (2000) small files; ROUNDS (3)
# rounds, medians. Prints a table with the ratios and TAP lines.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH="$ROOT/build/tests/9p/9p-bench"
. "$ROOT/tests/lib/tap.sh"
[ -x "$BENCH" ] || tap_skip_all "9p bench" "9p-bench not built"
dir=$(mktemp -d "${BENCH_DIR:-/var/tmp}/lkvm-9p-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$BENCH" "$dir" "${SIZE_MB:-256}" "${FILES:-2000}" "${ROUNDS:-3}"
