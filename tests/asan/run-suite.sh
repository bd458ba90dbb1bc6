#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-suite.sh [SUITE]: run a test-guest suite (a path relative to the
# source root) with the ASan+UBSan lkvm of make check-asan. Sanitizer
# reports from any lkvm the suite starts go to files; after the suite's
# own TAP lines comes one more: "ok" when there were none, else "not ok"
# with the start of each report. The exit status is the suite's, or 1 for
# a report. Without SUITE: the skip line for a host without clang.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
asan=$root/build/asan
. "$root/tests/lib/tap.sh"
[ $# -gt 0 ] ||
	tap_skip_all "ASan+UBSan suites" "no clang (Debian package clang-14)"
suite=$1
if [ ! -x "$asan/lkvm" ]; then
	ok 1 "$suite under ASan: $asan/lkvm not built (make asan-build)"
	exit 1
fi
logs=$(mktemp -d /tmp/lkvm-asan.XXXXXX)
trap 'rm -rf "$logs"' EXIT
export LKVM=$asan/lkvm
export ASAN_OPTIONS=log_path=$logs/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
export UBSAN_OPTIONS=log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1
"$root/$suite"
rc=$?
reports=$(find "$logs" -type f | sort)
if [ -z "$reports" ]; then
	echo "ok - $suite: no ASan or UBSan report from lkvm"
	exit "$rc"
fi
for f in $reports; do
	echo "# $(basename "$f"):"
	grep -v '^ *$' "$f" | head -25 | sed 's/^/#   /'
	mkdir -p "$asan/reports"
	cp "$f" "$asan/reports/$(basename "$suite" .sh)-$(basename "$f")"
done
echo "not ok - $suite: $(echo "$reports" | wc -l) sanitizer report(s) from lkvm, kept in $asan/reports"
exit 1
