#!/bin/bash
# Image files and host paths (issue 13 items 2, 3): -k, -i and -d accept
# only regular files (and block devices for -d), checked before anything
# opens them, so a FIFO gives one "lkvm: ..." line at once instead of a
# hang; backing files and disk formats follow the rule in lkvm.1.
. "$(dirname "$0")/lib.sh"

# expect_refusal DESCRIPTION PATTERN ARGS...: one "lkvm: ...PATTERN" line,
# a status 1-123, within the timeout (a hang is status 124).
expect_refusal() {
	local what=$1 pattern=$2
	shift 2
	run_lkvm 10 "$@"
	if [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && [ "$(lkvm_lines)" -eq 1 ] &&
	   grep -q "^lkvm: .*$pattern" "$TMP/err"; then
		pass "$what: refused ($(grep '^lkvm: ' "$TMP/err"))"
	else
		fail "$what: expected one 'lkvm: ...$pattern' line and a status 1-123, got $rc"
		show_output
	fi
}

head -c 4096 /dev/zero >"$TMP/zeros"
mkfifo "$TMP/fifo"

expect_refusal "FIFO as -k" "cannot open kernel '$TMP/fifo': a FIFO, not a regular file" \
	run -k "$TMP/fifo"
expect_refusal "FIFO as -i" "cannot open initrd '$TMP/fifo': a FIFO, not a regular file" \
	run -k "$TMP/zeros" -i "$TMP/fifo"
expect_refusal "character device as -k" "cannot open kernel '/dev/null': a character device" \
	run -k /dev/null
done_testing
