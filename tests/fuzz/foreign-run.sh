#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the arm64 and s390x code a guest or a
# kernel file feeds -- the SCLP's service calls, s390 instruction
# interceptions, the s390x and arm64 kernel loaders -- from the seeds of
# foreign-seeds.py; ok when no invariant broke (each target aborts on
# one) and nothing crashed or hung.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "arm64/s390x fuzz targets"
FUZZ_REPORT='in LLVMFuzzerTestOneInput|in check_|in do_|in intercept'
for target in s390-sclp s390-insn s390-loader arm64-image; do
	python3 "$root/tests/fuzz/foreign-seeds.py" "$work/$target" \
		"$target" || exit 1
	# A Linux image has its parameter area at 64 KiB: room to grow.
	max=0
	[ "$target" = s390-loader ] && max=262144
	fuzz_target "$target" "$work/$target" fuzz-foreign-build \
		-max_len="$max"
done
tap_done
