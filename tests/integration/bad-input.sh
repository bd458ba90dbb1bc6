#!/bin/bash
# Bad user input: each case gets one clear "lkvm: ..." line and a non-zero
# status below 128 (no crash, no core dump), within a few seconds.
. "$(dirname "$0")/lib.sh"

# expect_refusal DESCRIPTION PATTERN ARGS...
expect_refusal() {
	local what=$1 pattern=$2
	shift 2
	run_lkvm 20 "$@"
	if [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && [ "$(lkvm_lines)" -eq 1 ] &&
	   grep -q "^lkvm: .*$pattern" "$TMP/err"; then
		pass "$what: refused ($(grep '^lkvm: ' "$TMP/err"))"
	else
		fail "$what: expected one 'lkvm: ...$pattern' line and a status 1-123, got $rc"
		show_output
	fi
}

head -c 4096 /dev/zero >"$TMP/zeros"
: >"$TMP/empty"
head -c $((576 * 1024 + 1)) /dev/urandom >"$TMP/too-big-flat"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$TMP/two-mib"
# An ELF header for AArch64 (EM_AARCH64 = 183), otherwise empty.
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\267\000\001\000\000\000' >"$TMP/arm64.elf"
head -c 40 /dev/zero >>"$TMP/arm64.elf"
# An x86_64 ELF header whose one program header lies past the end of the file.
python3 -c 'import struct,sys; sys.stdout.buffer.write(b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x100000, 64, 0, 0, 64, 56, 1, 0, 0, 0))' >"$TMP/trunc.elf"
# A bzImage header ("HdrS" at 0x202) in a file cut short after it.
{ head -c 514 /dev/zero; printf 'HdrS\017\002'; head -c 10 /dev/zero; } >"$TMP/trunc.bzImage"
mkdir "$TMP/dir"

expect_refusal "missing kernel file" "cannot open kernel" run -k "$TMP/nope"
expect_refusal "kernel is a directory" "cannot open kernel" run -k "$TMP/dir"
expect_refusal "missing initrd file" "cannot open initrd" run -k "$TMP/zeros" -i "$TMP/nope"
expect_refusal "no kernel at all" "no kernel" run
expect_refusal "-m 0" "too small" run -k "$TMP/zeros" -m 0
expect_refusal "-c 0" "invalid CPU count" run -k "$TMP/zeros" -c 0
expect_refusal "absurd memory size" "memory size" run -k "$TMP/zeros" -m 99999999999999999G
expect_refusal "memory beyond the host" "more than the host" run -k "$TMP/zeros" -m 1000000G
expect_refusal "absurd CPU count" "too many CPUs" run -k "$TMP/zeros" -c 100000
expect_refusal "unknown option" "unknown option" run --no-such-option -k "$TMP/zeros"
expect_refusal "unknown command" "unknown command" frobnicate
expect_refusal "kernel larger than -m" "does not fit" run -k "$TMP/two-mib" -m 1M
expect_refusal "initrd larger than -m" "does not fit" run -k "$TMP/zeros" -i "$TMP/two-mib" -m 1M
expect_refusal "--env on lkvm run" "--env is for lkvm sandbox" run -k "$TMP/zeros" --env A=1
expect_refusal "--env NAME on lkvm run, NAME unset" "--env is for lkvm sandbox" run -k "$TMP/zeros" --env LKVM_T_NOT_SET
expect_refusal "--env without a name" "invalid --env '=x'" sandbox -k "$TMP/zeros" --env =x -- true
expect_refusal "KVM device missing" "cannot open $TMP/nokvm" run --dev "$TMP/nokvm" -k "$TMP/zeros"
expect_refusal "KVM device is not KVM" "not a KVM device" run --dev /dev/null -k "$TMP/zeros"

why=$(kvm_unusable)
if [ -n "$why" ]; then
	for t in "empty kernel" "non-ELF file over 576 KiB" "ELF for another machine" \
		 "truncated ELF" "truncated bzImage"; do
		skip "$t" "$why"
	done
else
	expect_refusal "empty kernel" "no known kernel format: empty" run -k "$TMP/empty"
	expect_refusal "non-ELF file over 576 KiB" "no known kernel format: .*too big for a flat binary" run -k "$TMP/too-big-flat"
	expect_refusal "ELF for another machine" "no known kernel format: .*another machine" run -k "$TMP/arm64.elf"
	expect_refusal "truncated ELF" "no known kernel format: .*program header" run -k "$TMP/trunc.elf"
	expect_refusal "truncated bzImage" "no known kernel format: truncated bzImage" run -k "$TMP/trunc.bzImage"
fi

# Permission checks need an unprivileged user: root reads mode-000 files.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	cp "$TMP/zeros" "$TMP/unreadable"
	chmod 000 "$TMP/unreadable"
	chmod 755 "$TMP"
	nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$LKVM" run -k "$TMP/unreadable" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && [ "$(lkvm_lines)" -eq 1 ] &&
	   grep -q "^lkvm: cannot open kernel .*Permission denied" "$TMP/err"; then
		pass "unreadable kernel file: refused"
	else
		fail "unreadable kernel file: got $rc"; show_output
	fi
	chmod 644 "$TMP/unreadable"
	if [ -e /dev/kvm ] && [ "$(stat -c %a /dev/kvm)" != 666 ]; then
		timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups \
			"$LKVM" run -k "$TMP/unreadable" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && [ "$(lkvm_lines)" -eq 1 ] &&
		   grep -q "^lkvm: cannot open /dev/kvm: Permission denied" "$TMP/err"; then
			pass "/dev/kvm not writable: refused"
		else
			fail "/dev/kvm not writable: got $rc"; show_output
		fi
	else
		skip "/dev/kvm not writable" "/dev/kvm is missing or world-writable here"
	fi
else
	skip "unreadable kernel file" "needs root and setpriv to act as an unprivileged user"
	skip "/dev/kvm not writable" "needs root and setpriv to act as an unprivileged user"
fi
done_testing
