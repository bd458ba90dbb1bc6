# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# /lib/lkvm/tap.sh in the lkvm test user land: TAP from a guest check
# script. Each line goes to the console as "lkvm-tap: ok N - ...", which
# tests/linux/lib.sh's expect_guest_tap turns into the host suite's own
# checks. Source it, check things, end with tap_done:
#
#	. /lib/lkvm/tap.sh
#	check "the disk is there" test -b /dev/vda
#	tap_is "answer" "$(echo 42)" 42
#	tap_done
#
# Every external command costs a fork and an exec, which are slow where
# guest kernel code is emulated (HOST-NOTES.md): prefer shell builtins.

_tap_n=0
_tap_failed=0
_tap_out=/tmp/.lkvm-tap.out

tap_ok() {
	_tap_n=$((_tap_n + 1))
	echo "lkvm-tap: ok $_tap_n - $*"
}

tap_not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "lkvm-tap: not ok $_tap_n - $*"
}

# tap_skip DESCRIPTION REASON
tap_skip() {
	_tap_n=$((_tap_n + 1))
	echo "lkvm-tap: ok $_tap_n - $1 # SKIP $2"
}

tap_note() {
	echo "lkvm-tap: # $*"
}

# Show a file's lines as TAP comments (no fork).
tap_show() {
	while IFS= read -r _tap_line; do
		echo "lkvm-tap: #   $_tap_line"
	done <"$1"
}

# check DESCRIPTION COMMAND [ARGS...]: ok when COMMAND succeeds; on
# failure its output is shown as comments.
check() {
	_tap_d=$1
	shift
	if "$@" >"$_tap_out" 2>&1; then
		tap_ok "$_tap_d"
	else
		tap_not_ok "$_tap_d (exit status $?)"
		tap_show "$_tap_out"
	fi
}

# check_fails DESCRIPTION COMMAND [ARGS...]: ok when COMMAND fails.
check_fails() {
	_tap_d=$1
	shift
	if "$@" >"$_tap_out" 2>&1; then
		tap_not_ok "$_tap_d (succeeded)"
		tap_show "$_tap_out"
	else
		tap_ok "$_tap_d"
	fi
}

# tap_import FILE: lines "ok - DESCRIPTION" and "not ok - DESCRIPTION" (a
# test program's own checks) become checks; other lines become comments.
tap_import() {
	while IFS= read -r _tap_line; do
		case "$_tap_line" in
		"ok - "*) tap_ok "${_tap_line#ok - }" ;;
		"not ok - "*) tap_not_ok "${_tap_line#not ok - }" ;;
		*) tap_note "$_tap_line" ;;
		esac
	done <"$1"
}

# check_program COMMAND [ARGS...]: run a test program that prints its own
# checks (see tap_import); one that fails without a failed check of its
# own adds one.
check_program() {
	"$@" >"$_tap_out" 2>&1
	_tap_st=$?
	_tap_before=$_tap_failed
	tap_import "$_tap_out"
	if [ "$_tap_st" -ne 0 ] && [ "$_tap_failed" -eq "$_tap_before" ]; then
		tap_not_ok "$1 exited with status $_tap_st"
	fi
}

# tap_is DESCRIPTION GOT WANT
tap_is() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		tap_note "got '$2', want '$3'"
	fi
}

# tap_done: the plan; the script's exit status says whether all passed.
tap_done() {
	echo "lkvm-tap: 1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}
