#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/guest-kernel.sh's incremental rebuild when the patch series
# changes, without a kernel: a copy of the script in a scratch project
# with a made-up base tree, series and a stand-in `make` that reports which
# source files are newer than its last "build" (what Kbuild would
# recompile). A changed patch must mark exactly the files whose content
# changed; a patch whose message alone changed marks none. Seconds.
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"
top=$_linux_top
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

proj=$tmp/proj
base=$tmp/base
bin=$tmp/bin
mkdir -p "$proj/scripts" "$proj/kernel-patches" "$proj/tests/linux/userland" \
	"$proj/include/x86" \
	"$base/kernel/configs" "$base/arch/x86/configs" "$base/a" "$bin"
cp "$top/scripts/guest-kernel.sh" "$proj/scripts/"
# What the initramfs hash reads (the --host build makes no initramfs).
: >"$proj/scripts/mkinitramfs.sh"
: >"$proj/include/x86/guest-sys.h"
cat >"$proj/scripts/kernel-base.sh" <<EOF
#!/bin/sh
echo "$base"
EOF
chmod +x "$proj/scripts/kernel-base.sh"
echo "SHA256=0000" >"$proj/kernel-patches/BASE"
: >"$proj/kernel-patches/lkvm-guest.config"
: >"$proj/kernel-patches/lkvm-nested-host.config"
: >"$base/kernel/configs/tiny-base.config"
: >"$base/kernel/configs/tiny.config"
: >"$base/arch/x86/configs/tiny.config"
echo "Makefile" >"$base/Makefile"
for f in one two three; do
	echo "$f" >"$base/a/$f.c"
done
# Every base file is older than every build.
find "$base" -type f -exec touch -d '2000-01-01' {} +

# The stand-in make: allnoconfig writes the config it was given; a build
# lists, in O=/rebuilt, the sources newer than its previous build.
cat >"$bin/make" <<'EOF'
#!/bin/bash
src= obj= cfg= target=
for a in "$@"; do
	case "$a" in
	-C) ;;
	O=*) obj=${a#O=} ;;
	KCONFIG_ALLCONFIG=*) cfg=${a#KCONFIG_ALLCONFIG=} ;;
	allnoconfig|bzImage) target=$a ;;
	-*|*=*|vmlinux) ;;
	*) src=$a ;;
	esac
done
if [ "$target" = allnoconfig ]; then
	cp "$cfg" "$obj/.config"
	exit
fi
if [ -f "$obj/built" ]; then
	(cd "$src" && find . -type f -newer "$obj/built" | sort) >"$obj/rebuilt"
else
	echo all >"$obj/rebuilt"
fi
mkdir -p "$obj/arch/x86/boot"
echo k >"$obj/vmlinux"
echo k >"$obj/arch/x86/boot/bzImage"
sleep 1.1	# a coarse file system's mtimes still order the next check
touch "$obj/built"
EOF
chmod +x "$bin/make"

# patch FILE SUBJECT: a patch making a/two.c read "two, patched".
patch_for() {
	cat >"$proj/kernel-patches/$1" <<EOF
From: lkvm <lkvm@example.org>
Subject: [PATCH] $2

---
 a/two.c | 2 +-
diff --git a/a/two.c b/a/two.c
--- a/a/two.c
+++ b/a/two.c
@@ -1 +1 @@
-two
+two, patched
EOF
}

build() {
	PATH=$bin:$PATH LKVM_CACHE=$tmp/cache LKVM_JOBS=1 BUSYBOX=$bin/make \
		"$proj/scripts/guest-kernel.sh" --host >"$tmp/log" 2>&1 || {
		sed 's/^/# /' "$tmp/log"
		return 1
	}
	rebuilt=$(cat "$tmp/cache/nested-host/build/rebuilt")
}

echo 0001-two.patch >"$proj/kernel-patches/series"
patch_for 0001-two.patch "a: first wording"
rebuilt=
build
linux_result $? "the first build with the series builds everything"

patch_for 0001-two.patch "a: second wording, same change"
rebuilt=unbuilt
build
[ -z "$rebuilt" ]
linux_result $? "a patch whose message alone changed recompiles nothing"
[ -n "$rebuilt" ] && echo "# recompiled: $rebuilt"

sed -i 's/^+two, patched$/+two, patched again/' \
	"$proj/kernel-patches/0001-two.patch"
build
[ "$rebuilt" = ./a/two.c ]
linux_result $? "a patch whose change changed recompiles just its file"
[ "$rebuilt" = ./a/two.c ] || echo "# recompiled: $rebuilt"

: >"$proj/kernel-patches/series"
build
[ "$rebuilt" = ./a/two.c ] && grep -qx two "$tmp/cache/nested-host/src/a/two.c"
linux_result $? "dropping the patch restores and recompiles its file"
[ "$rebuilt" = ./a/two.c ] || echo "# recompiled: $rebuilt"

linux_done
