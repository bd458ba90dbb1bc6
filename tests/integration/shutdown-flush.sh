#!/bin/bash
# The one shutdown path drains and flushes every writable disk before lkvm's
# exit status is delivered (seen as an fdatasync of the image under strace).
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
[ -z "$why" ] && ! command -v strace >/dev/null && why="strace is not installed"
if [ -n "$why" ]; then
	skip "disks flushed at exit" "$why"
	done_testing
	exit
fi
truncate -s 8M "$TMP/disk.raw"
truncate -s 8M "$TMP/ro.raw"
strace -f -qq -e trace=fdatasync,fsync -o "$TMP/trace" \
	"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=exit:0 \
	-d "$TMP/disk.raw" -d "$TMP/ro.raw,ro" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "lkvm with two disks exits 0" [ "$rc" -eq 0 ]
check_that "the writable disk is flushed at exit" \
	'grep -qE "(fdatasync|fsync)\([0-9]+\) += 0" "$TMP/trace"'
check_that "only the writable disk is flushed" \
	'[ "$(grep -cE "(fdatasync|fsync)\(" "$TMP/trace")" -eq 1 ]'
done_testing
