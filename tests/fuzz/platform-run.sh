#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: short libFuzzer runs of the x86 kernel loaders, of the
# RTC, i8042, debug-exit, ACPI PM and 0x92 ports, of the pvpanic register
# and of the emulation assist's decoder, from the seeds of
# platform-seeds.py; ok when no invariant broke (each target aborts on
# one) and nothing crashed or hung.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "platform fuzz targets"
FUZZ_REPORT='in LLVMFuzzerTestOneInput|in check_|^(pvpanic-regs|x86-assist):'
for target in x86-loader pc-ports pvpanic-regs x86-assist; do
	python3 "$root/tests/fuzz/platform-seeds.py" "$work/$target" \
		"$target" || exit 1
	fuzz_target "$target" "$work/$target" fuzz-platform-build \
		-max_len=65536
done
tap_done
