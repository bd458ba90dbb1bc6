#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh - build the uncompressed test initramfs (cpio newc): the
# lkvm test user land.
#
# Usage: scripts/mkinitramfs.sh OUT.cpio KERNEL_TREE [EXTRA_LIST...]
#   OUT.cpio     output file (replaced atomically)
#   KERNEL_TREE  Linux source tree; its usr/gen_init_cpio.c writes the cpio
#   EXTRA_LIST   further gen_init_cpio list files (lines such as
#                "file /bin/x /host/path 0755 0 0") appended to the image
#
# The image holds:
#   /init         tests/linux/userland/init.c, a static program without
#                 libc (runs /check or a shell, then powers off)
#   /bin/busybox  Debian's busybox-static ($BUSYBOX, default /bin/busybox),
#                 with a link for each of its applets where busybox puts it
#   /lib/lkvm/    tap.sh and checks/ (shared checks) for check scripts, and
#                 bin/ with the test programs
#                 tests/linux/userland/*.c other than init.c (no libc) and
#                 tests/linux/userland/glibc/*.c (static glibc)
#   /etc          passwd, group and profile; /dev/console, /proc, /sys,
#                 /tmp, /run, /root
# A busybox that is not a static x86_64 executable is refused. Entries get
# mtime 0 (files are staged with it), so the same inputs give the same
# bytes.
set -euo pipefail

prog=mkinitramfs.sh
die() {
	echo "$prog: $*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: $prog OUT.cpio KERNEL_TREE [EXTRA_LIST...]"
out=$1
ktree=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
userland=$top/tests/linux/userland
busybox=${BUSYBOX:-/bin/busybox}
CC=${CC:-gcc}

[ -f "$ktree/usr/gen_init_cpio.c" ] ||
	die "$ktree/usr/gen_init_cpio.c not found (not a kernel tree?)"
for list in "$@"; do
	[ -r "$list" ] || die "cannot read list file $list"
done

# Debian's busybox package is dynamically linked; the initramfs has no
# C library, so only busybox-static's binary works there.
check_busybox() {
	local hdr
	[ -f "$busybox" ] ||
		die "$busybox not found: install Debian's busybox-static (make deps)"
	hdr=$(readelf -h "$busybox" 2>/dev/null) ||
		die "$busybox is not an ELF executable"
	grep -q 'Machine:.*X86-64' <<<"$hdr" ||
		die "$busybox is not an x86_64 executable"
	if readelf -l "$busybox" | grep -q 'Requesting program interpreter' ||
	   readelf -d "$busybox" 2>/dev/null | grep -q '(NEEDED)'; then
		die "$busybox is dynamically linked: the test initramfs needs a static busybox (Debian's busybox-static)"
	fi
}
check_busybox

work=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$CC" -O2 -o "$work/gen_init_cpio" "$ktree/usr/gen_init_cpio.c" ||
	die "cannot build gen_init_cpio"

# gen_init_cpio takes a regular file's mtime from the file itself: every
# file goes in through a copy in $work with mtime 0.
mkdir "$work/files"
stage() {	# SOURCE NAME: $work/files/NAME
	if ! cp "$1" "$work/files/$2" || ! touch -d @0 "$work/files/$2"; then
		die "cannot stage $1"
	fi
}
staged=$work/files

# User space, but kept to general registers like all lkvm test guests.
build_prog() {	# SOURCE OUTPUT
	"$CC" -static -nostdlib -ffreestanding -fno-pic -no-pie -Os \
		-mgeneral-regs-only -mno-red-zone -fno-stack-protector \
		-fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
		-Wl,--build-id=none -s -o "$2" "$1" || die "cannot build $1"
}

stage "$busybox" busybox
stage "$userland/tap.sh" tap.sh
for f in "$userland"/checks/*.sh; do
	stage "$f" "check-${f##*/}"
done
for f in passwd group profile; do
	stage "$userland/etc/$f" "etc-$f"
done
{
	for d in /proc:0555 /sys:0555 /dev:0755 /tmp:01777 /run:0755 \
		 /root:0700 /bin:0755 /sbin:0755 /usr:0755 /usr/bin:0755 \
		 /usr/sbin:0755 /etc:0755 /lib:0755 /lib/lkvm:0755 \
		 /lib/lkvm/bin:0755; do
		echo "dir ${d%%:*} ${d#*:} 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox $staged/busybox 0755 0 0"
	echo "file /lib/lkvm/tap.sh $staged/tap.sh 0644 0 0"
	echo "dir /lib/lkvm/checks 0755 0 0"
	for f in "$userland"/checks/*.sh; do
		echo "file /lib/lkvm/checks/${f##*/} $staged/check-${f##*/} 0644 0 0"
	done
	for f in passwd group profile; do
		echo "file /etc/$f $staged/etc-$f 0644 0 0"
	done
} >"$work/list"

build_prog "$userland/init.c" "$work/init"
stage "$work/init" init
echo "file /init $staged/init 0755 0 0" >>"$work/list"
for src in "$userland"/*.c; do
	name=$(basename "$src" .c)
	[ "$name" = init ] && continue
	build_prog "$src" "$work/$name"
	stage "$work/$name" "$name"
	echo "file /lib/lkvm/bin/$name $staged/$name 0755 0 0" >>"$work/list"
done

# Test programs that need the C library (static glibc, as busybox's).
for src in "$userland"/glibc/*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	"$CC" -static -O2 -Wall -Wextra -Werror -s -o "$work/$name" "$src" ||
		die "cannot build $src"
	stage "$work/$name" "$name"
	echo "file /lib/lkvm/bin/$name $staged/$name 0755 0 0" >>"$work/list"
done

# One link per applet, where busybox itself would install it.
"$busybox" --list-full >"$work/applets" ||
	die "cannot list the applets of $busybox"
while IFS= read -r path; do
	case "$path" in
	bin/*) target=busybox ;;
	sbin/*) target=../bin/busybox ;;
	usr/bin/*|usr/sbin/*) target=../../bin/busybox ;;
	*) continue ;;
	esac
	[ "$path" = bin/busybox ] && continue
	echo "slink /$path $target 0777 0 0"
done <"$work/applets" >>"$work/list"

for list in "$@"; do
	cat "$list" >>"$work/list"
done

"$work/gen_init_cpio" -t 0 "$work/list" >"$work/initramfs.cpio" ||
	die "gen_init_cpio failed"
mkdir -p "$(dirname "$out")"
mv "$work/initramfs.cpio" "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
