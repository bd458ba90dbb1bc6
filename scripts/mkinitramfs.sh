#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh - build the uncompressed test initramfs (cpio newc).
#
# Usage: scripts/mkinitramfs.sh OUT.cpio KERNEL_TREE [EXTRA_LIST...]
#   OUT.cpio     output file (replaced atomically)
#   KERNEL_TREE  Linux source tree; its usr/gen_init_cpio.c writes the cpio
#   EXTRA_LIST   further gen_init_cpio list files (lines such as
#                "file /bin/x /host/path 0755 0 0") appended to the image
#
# The image holds /dev/console, /proc, /sys, /root and /init, a static
# program built from tests/linux/guest-init.c. Entries get mtime 0, so the
# same inputs give the same bytes.
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
init_src=$top/tests/linux/guest-init.c
CC=${CC:-gcc}

[ -f "$ktree/usr/gen_init_cpio.c" ] ||
	die "$ktree/usr/gen_init_cpio.c not found (not a kernel tree?)"
for list in "$@"; do
	[ -r "$list" ] || die "cannot read list file $list"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$CC" -O2 -o "$work/gen_init_cpio" "$ktree/usr/gen_init_cpio.c" ||
	die "cannot build gen_init_cpio"

# User space, but kept to general registers like all lkvm test guests.
"$CC" -static -nostdlib -ffreestanding -fno-pic -no-pie -Os \
	-mgeneral-regs-only -mno-red-zone -fno-stack-protector \
	-fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
	-Wl,--build-id=none -s -o "$work/init" "$init_src" ||
	die "cannot build $init_src"

cat >"$work/list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0555 0 0
dir /sys 0555 0 0
dir /root 0700 0 0
file /init $work/init 0755 0 0
EOF
for list in "$@"; do
	cat "$list" >>"$work/list"
done

"$work/gen_init_cpio" -t 0 "$work/list" >"$work/initramfs.cpio" ||
	die "gen_init_cpio failed"
mkdir -p "$(dirname "$out")"
mv "$work/initramfs.cpio" "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
