#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 2000
#
# Linux's v9fs against lkvm's virtio-9p, one boot of the test user land
# (busybox) with two shares: a writable one and a read-only one (,ro).
# Large data is made on the host (a 5000-entry directory, a 4 MiB file):
# guest kernel code is slow here. The guest's check script mounts both
# and checks create, write and read back, append, truncate, rename across
# directories, hard and symbolic links, chmod and chown (kept by the
# mapped model), mkfifo, the 5000 entries listed completely, the big
# file's checksum against the host's, and the read-only share refusing a
# write; after lkvm exits, the host checks that it sees exactly what the
# guest wrote, and nothing more. (flock and shared mmap need programs the
# busybox user land lacks: boot-sandbox.sh runs the host's.)
# A busy host stretches the boot's minutes of emulated kernel code.
LINUX_TIMEOUT=${LINUX_TIMEOUT:-900}
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"

ARGS=(-c 1 -m 256)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-9p.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

linux_require -c -m --9p
linux_require_kernel

mkdir -p "$DIR/rw/dir5000" "$DIR/rw/a" "$DIR/rw/b" "$DIR/ro"
(cd "$DIR/rw/dir5000" && seq -f 'f%g' 0 4999 | xargs touch)
head -c $((4 * 1024 * 1024)) /dev/urandom >"$DIR/rw/big.bin"
sum=$(sha256sum "$DIR/rw/big.bin" | cut -d' ' -f1)
echo "read only" >"$DIR/ro/file"
echo "move me" >"$DIR/rw/a/x"
echo "remove me" >"$DIR/rw/doomed"

linux_check_script 9p <<EOF
. /lib/lkvm/tap.sh
O=trans=virtio,version=9p2000.L,msize=131072,cache=mmap
mkdir -p /mnt/rw /mnt/ro
check "mount the writable share" mount -t 9p -o \$O lkvm-rw /mnt/rw
check "mount the read-only share" mount -t 9p -o \$O lkvm-ro /mnt/ro
cd /mnt/rw
echo hello >new
tap_is "create, write, read back" "\$(cat new)" hello
echo more >>new
tap_is "append" "\$(cat new)" "hello
more"
echo 0123456789 >trunc
truncate -s 4 trunc
tap_is "truncate" "\$(cat trunc)" 0123
check "rename across directories" mv a/x b/y
tap_is "... the file moved" "\$(cat b/y)" "move me"
ln new hard
tap_is "hard link: two names" "\$(stat -c %h new)" 2
ln -s b/y sym
tap_is "symbolic link" "\$(readlink sym)" b/y
tap_is "... followed by the guest" "\$(cat sym)" "move me"
chmod 640 new
tap_is "chmod" "\$(stat -c %a new)" 640
chown 123:456 new
tap_is "chown (the mapped model keeps the guest's owner)" "\$(stat -c %u:%g new)" 123:456
mkfifo fifo
check "mkfifo" test -p fifo
set -- dir5000/*
tap_is "a directory of 5000 entries, listed completely" "\$#" 5000
set -- \$(sha256sum big.bin)
tap_is "a 4 MiB file's checksum equals the host's" "\$1" "$sum"
check_fails "the read-only share refuses a write" sh -c 'echo x >/mnt/ro/new'
check_fails "... and an unlink" rm /mnt/ro/file
tap_is "... and still reads" "\$(cat /mnt/ro/file)" "read only"
check "unlink" rm doomed
cd /
umount /mnt/rw
tap_done
poweroff
EOF
linux_boot 9p "${ARGS[@]}" --9p "$DIR/rw,lkvm-rw" --9p "$DIR/ro,lkvm-ro,ro"

expect_exit 9p "lkvm run ends by itself"
expect_guest_tap 9p

# What the host sees after lkvm exits.
if [ -z "$_linux_skip" ]; then
	[ "$(cat "$DIR/rw/new" 2>/dev/null)" = "hello
more" ]
	linux_result $? "host: the file the guest created and appended to"
	[ -f "$DIR/rw/new" ] &&
		[ "$(stat -c %i "$DIR/rw/new")" = "$(stat -c %i "$DIR/rw/hard")" ]
	linux_result $? "host: the hard link is the same file"
	[ "$(readlink "$DIR/rw/sym")" = b/y ] && [ -f "$DIR/rw/b/y" ] &&
		[ ! -e "$DIR/rw/a/x" ]
	linux_result $? "host: the rename and the symbolic link"
	[ ! -e "$DIR/rw/doomed" ] && [ "$(cat "$DIR/rw/trunc" 2>/dev/null)" = 0123 ]
	linux_result $? "host: the removed file is gone, the truncated one cut"
	[ -f "$DIR/rw/new" ] && [ "$(stat -c %u "$DIR/rw/new")" = "$(id -u)" ]
	linux_result $? "host: the guest's chown did not change the host owner"
	[ "$(ls "$DIR/ro")" = file ] && [ "$(cat "$DIR/ro/file")" = "read only" ]
	linux_result $? "host: the read-only share is unchanged"
	[ "$(sha256sum "$DIR/rw/big.bin" | cut -d' ' -f1)" = "$sum" ]
	linux_result $? "host: the big file is unchanged"
else
	for t in created "hard link" rename removed owner "ro unchanged" big; do
		linux_result 0 "host: $t"
	done
fi

linux_done
