#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: a short libFuzzer run of the 9P2000.L parser and dispatcher
# over a real share, from seeds made here (tests/fuzz/9p-seeds.py); ok
# when nothing crashed and no invariant broke (the target aborts on one).
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "9p fuzz target"
mkdir -p "$work/9p-dispatch/corpus"
python3 "$root/tests/fuzz/9p-seeds.py" "$work/9p-dispatch/corpus"
FUZZ_REPORT='invariant'
fuzz_target 9p-dispatch "$work/9p-dispatch/corpus" fuzz-9p-build \
	-max_len=65536
tap_done
