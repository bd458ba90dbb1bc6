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

GUEST="$GUESTS/guest.elf"
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -x "$LKVM" ] && why="lkvm not built"
[ -z "$why" ] && [ ! -r "$GUEST" ] && why="test guest not built"
[ -z "$why" ] && ! command -v qemu-img >/dev/null && why="qemu-img not installed (qemu-utils)"
names=("FIFO as -d" "FIFO as -d,ro" "/dev/null as backing file"
	"backing file outside the image's tree" "backing=any allows it"
	"backing=FILE allows it" "backing through a final symlink"
	"guest writes a qcow2 header to a probed-raw disk"
	"format=raw: the guest may write it" "format=raw opens a qcow2-looking file as raw")
if [ -n "$why" ]; then
	for n in "${names[@]}"; do skip "$n" "$why"; done
	done_testing
	exit
fi

# The disks are opened before the guest runs: "test=exit:0" is enough.
expect_refusal "FIFO as -d" "disk image '$TMP/fifo' is a FIFO, not a regular file or block device" \
	run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/fifo"
expect_refusal "FIFO as -d,ro" "disk image '$TMP/fifo' is a FIFO" \
	run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/fifo,ro"

mkdir "$TMP/vm"
qemu-img create -q -f qcow2 -u -b /dev/null -F raw "$TMP/vm/dev.qcow2" 1M
expect_refusal "/dev/null as backing file" "backing file '/dev/null' of '$TMP/vm/dev.qcow2' is a character device, not a regular file" \
	run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/vm/dev.qcow2,backing=any"

truncate -s 1M "$TMP/base.raw"
qemu-img create -q -f qcow2 -u -b "$TMP/base.raw" -F raw "$TMP/vm/up.qcow2" 1M
expect_refusal "backing file outside the image's tree" \
	"backing file '$TMP/base.raw' of '$TMP/vm/up.qcow2' is outside the image's directory tree: to use it, add ',backing=$TMP/base.raw' (or ',backing=any')" \
	run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/vm/up.qcow2"
for opt in any "$TMP/base.raw"; do
	run_lkvm 60 run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/vm/up.qcow2,backing=$opt"
	if [ "$rc" -eq 0 ] && [ "$(lkvm_lines)" -eq 0 ]; then
		pass "backing=${opt/$TMP\//FILE } allows it"
	else
		fail "backing=$opt allows it (status $rc)"
		show_output
	fi
done
cp "$TMP/base.raw" "$TMP/vm/in.raw"
ln -s in.raw "$TMP/vm/link.raw"
qemu-img create -q -f qcow2 -u -b link.raw -F raw "$TMP/vm/link.qcow2" 1M
expect_refusal "backing through a final symlink" "is a symbolic link: to follow it, add ',backing-follow'" \
	run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/vm/link.qcow2"

truncate -s 1M "$TMP/disk.raw"
run_lkvm 60 run -k "$GUEST" -c 1 -p "test=virtio-blk:magic" -d "$TMP/disk.raw"
if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: qcow2 header to sector 0: status 1$' "$TMP/out" &&
	[ "$(grep -c 'write of a qcow2 header to sector 0 refused' "$TMP/err")" -eq 1 ] &&
	[ "$(head -c 4 "$TMP/disk.raw" | od -An -tx1 | tr -d ' ')" = 00000000 ]; then
	pass "guest writes a qcow2 header to a probed-raw disk: IOERR, one log line, the image unchanged"
else
	fail "guest writes a qcow2 header to a probed-raw disk (status $rc)"
	show_output
fi
run_lkvm 60 run -k "$GUEST" -c 1 -p "test=virtio-blk:magic" -d "$TMP/disk.raw,format=raw"
if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: qcow2 header to sector 0: status 0$' "$TMP/out" &&
	[ "$(head -c 4 "$TMP/disk.raw" | od -An -tx1 | tr -d ' ')" = 514649fb ]; then
	pass "format=raw: the guest may write it (the user chose raw)"
else
	fail "format=raw: the guest may write it (status $rc)"
	show_output
fi
# The image now starts with a qcow2 magic and no valid header: probed, it
# is refused; with format=raw it is a raw disk again.
run_lkvm 60 run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/disk.raw"
probed=$rc
run_lkvm 60 run -k "$GUEST" -c 1 -p "test=virtio-blk:ro" -d "$TMP/disk.raw,format=raw,ro"
if [ "$probed" -ne 0 ] && [ "$rc" -eq 0 ] && grep -q 'capacity 2048 sectors' "$TMP/out"; then
	pass "format=raw opens a qcow2-looking file as raw (probed, it is refused)"
else
	fail "format=raw opens a qcow2-looking file as raw (probed status $probed, raw status $rc)"
	show_output
fi
done_testing
