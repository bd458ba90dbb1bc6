# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# tests/lib/tap.sh - the TAP lines of the shell test suites, in the form
# tests/run.sh counts: "ok N - ..." passed, "not ok N - ..." failed,
# "ok N - ... # SKIP REASON" skipped (a REASON that names KVM counts as a
# skip for want of it: the skips of suites that need no VM must not).
# POSIX sh (kpq's suites run under dash). Source it before the first
# check, report each check, end with tap_done:
#
#	. "$(dirname "$0")/../lib/tap.sh"
#	[ "$(echo 42)" = 42 ]
#	ok $? "echo prints 42" "what to show when it did not"
#	skip "the disk check" "no disk here"
#	tap_done
#
#   ok STATUS DESCRIPTION [DIAG...]
#			"ok N - DESCRIPTION" when STATUS is 0, else
#			"not ok N - DESCRIPTION" and each non-empty DIAG's
#			lines as "# " comments; a failure is counted and ok
#			returns 1 (callers may show more: ok ... || cat log)
#   skip DESCRIPTION REASON
#			"ok N - DESCRIPTION # SKIP REASON"
#   tap_line ok|"not ok" TEXT
#			"ok N - TEXT" or "not ok N - TEXT", counted as
#			neither passed nor failed here: for directives such
#			as "# TODO" that the helpers above do not write
#   tap_plan		"1..N", N the checks reported so far
#   tap_done		tap_plan; status 1 when a check failed, else 0
#   tap_skip_all DESCRIPTION REASON
#			a suite that cannot run here: one skipped check and
#			the plan, then exit 0
#
# tap_n counts the checks reported, tap_failed those that failed.

tap_n=0
tap_failed=0

tap_line() {	# printf, not echo: dash's echo would expand a backslash
	tap_n=$((tap_n + 1))
	printf '%s %d - %s\n' "$1" "$tap_n" "$2"
}

ok() {
	if [ "$1" -eq 0 ] 2>/dev/null; then
		tap_line ok "$2"
		return 0
	fi
	tap_line "not ok" "$2"
	tap_failed=$((tap_failed + 1))
	shift 2
	for _tap_diag in "$@"; do
		[ -z "$_tap_diag" ] || printf '%s\n' "$_tap_diag" | sed 's/^/# /'
	done
	return 1
}

skip() {
	tap_line ok "$1 # SKIP $2"
}

tap_plan() {
	echo "1..$tap_n"
}

tap_done() {
	tap_plan
	[ "$tap_failed" -eq 0 ]
}

tap_skip_all() {
	skip "$1" "$2"
	tap_plan
	exit 0
}
