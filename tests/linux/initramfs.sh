#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/mkinitramfs.sh, the test user land's builder, without a boot:
# what the image holds, that the same inputs give the same bytes, and
# that a busybox that cannot run there (dynamically linked, not ELF,
# missing) is refused with a clear message. Seconds.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"
top=$_linux_top
mk=$top/scripts/mkinitramfs.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tree=$("$top/scripts/kernel-base.sh" --print 2>/dev/null)
[ -f "$tree/usr/gen_init_cpio.c" ] ||
	linux_skip "the pinned kernel source is not unpacked (make kernel-base)"
[ -x /bin/busybox ] || linux_skip "/bin/busybox missing (make deps: busybox-static)"
command -v cpio >/dev/null || linux_skip "cpio not installed"

checks=("image holds /init, busybox and a link per applet, tap.sh, the test programs"
	"the same inputs give the same bytes"
	"a dynamically linked busybox is refused, saying so"
	"a busybox that is not ELF is refused, saying so"
	"a missing busybox is refused, naming busybox-static")
if [ -n "$_linux_skip" ]; then
	for c in "${checks[@]}"; do
		linux_result 0 "$c"
	done
	linux_done
	exit
fi

ok=0
"$mk" "$tmp/a.cpio" "$tree" >"$tmp/log" 2>&1 || ok=1
if [ "$ok" = 0 ]; then
	cpio -it <"$tmp/a.cpio" >"$tmp/list" 2>/dev/null
	for f in init bin/busybox bin/sh bin/mount sbin/poweroff usr/bin/sha256sum \
		 lib/lkvm/tap.sh lib/lkvm/checks/syscalls.sh \
		 lib/lkvm/bin/syscall-paths lib/lkvm/bin/ymm-check \
		 lib/lkvm/bin/cpu-features dev/console etc/passwd; do
		grep -qx "$f" "$tmp/list" || { echo "# missing: $f"; ok=1; }
	done
else
	sed 's/^/# /' "$tmp/log"
fi
linux_result "$ok" "${checks[0]}"
"$mk" "$tmp/b.cpio" "$tree" >/dev/null 2>&1 && cmp -s "$tmp/a.cpio" "$tmp/b.cpio"
linux_result $? "${checks[1]}"

refused() {	# BUSYBOX REGEX
	local out
	if out=$(BUSYBOX=$1 "$mk" "$tmp/bad.cpio" "$tree" 2>&1); then
		echo "# accepted $1"
		return 1
	fi
	echo "# $out"
	grep -qE -- "$2" <<<"$out" && [ ! -e "$tmp/bad.cpio" ]
}
dyn=$(type -P true)
refused "$dyn" 'dynamically linked.*busybox-static'
linux_result $? "${checks[2]}"
refused /etc/passwd 'not an ELF'
linux_result $? "${checks[3]}"
refused "$tmp/none" 'not found: install Debian.s busybox-static'
linux_result $? "${checks[4]}"

linux_done
