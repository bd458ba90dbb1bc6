#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install what a cross build of lkvm needs on a Debian amd64 host:
#   deps-cross.sh DEB_ARCH CROSS_COMPILE      (e.g. arm64 aarch64-linux-gnu-)
# Adds DEB_ARCH to dpkg's foreign architectures, then installs the cross
# compiler, qemu-user-static (the unit tests' runner), dtc, and the
# target's libfdt, zlib and liburing from Debian's multiarch archive.
#
# libfdt-dev is not co-installable across architectures (it would evict the
# host's), and on bookworm the s390x -dev packages cannot follow the host's
# linux-libc-dev from bookworm-security (which has no s390x). So: the
# target's runtime libraries (libfdt1, zlib1g, liburing2:DEB_ARCH), the
# host's architecture-independent headers (libfdt-dev, zlib1g-dev,
# liburing-dev), and the linker names in /usr/local/lib/TRIPLET, which
# scripts/cross-ARCH.mk passes with -L. zlib1g-dev and liburing-dev for
# DEB_ARCH are installed too where the archive allows it.
# A multiarch runtime library must have the host's version; where the
# archive lacks it for DEB_ARCH (bookworm-security carries no s390x, so a
# security update of zlib1g on the host blocks zlib1g:s390x), its package
# is downloaded and its shared library unpacked into /usr/local/lib/TRIPLET
# instead, which scripts/cross-ARCH.mk also gives the binaries as rpath.
# As root this runs apt-get; otherwise it prints what is missing.
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 DEB_ARCH CROSS_COMPILE" >&2
	exit 2
fi
deb_arch=$1
triplet=${2%-}
case "$deb_arch" in
arm64|s390x) ;;
*)	echo "lkvm: deps-cross: unsupported architecture '$deb_arch'" >&2
	exit 2 ;;
esac

pkgs="make gcc-$triplet libc6-dev-$deb_arch-cross qemu-user-static"
pkgs="$pkgs device-tree-compiler libfdt-dev zlib1g-dev liburing-dev"
pkgs="$pkgs libc6:$deb_arch"
runtime="libfdt1:$deb_arch zlib1g:$deb_arch liburing2:$deb_arch"
libdir=/usr/lib/$triplet
linkdir=/usr/local/lib/$triplet
links="libfdt.so.1 libz.so.1 liburing.so.2"

native=$(dpkg --print-architecture)
# installed PKG: PKG:ARCH is that architecture's package; a bare name can
# match one per architecture (zlib1g-dev and zlib1g-dev:s390x): the
# native or "all" one counts, as in deps.sh.
installed() {
	case $1 in
	*:*) want=${1#*:} ;;
	*) want="$native|all" ;;
	esac
	dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "$1" \
		2>/dev/null | grep -qE "^installed ($want)$"
}

need_arch=0
dpkg --print-foreign-architectures | grep -qx "$deb_arch" || need_arch=1
missing=""
for pkg in $pkgs; do
	installed "$pkg" || missing="$missing $pkg"
done
for lib in $links; do
	[ -e "$linkdir/${lib%.so.*}.so" ] || missing="$missing (link:$lib)"
done
for pkg in $runtime; do
	installed "$pkg" || [ -e "$linkdir/.unpacked-${pkg%:*}" ] ||
		missing="$missing $pkg"
done
[ $need_arch -eq 0 ] && [ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	[ $need_arch -eq 1 ] &&
		echo "lkvm: run as root: dpkg --add-architecture $deb_arch" >&2
	echo "lkvm: missing:$missing; run make deps ARCH=... as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ $need_arch -eq 1 ]; then
	echo "lkvm: adding dpkg architecture $deb_arch" >&2
	dpkg --add-architecture "$deb_arch" || exit 1
	apt-get update -qq >/dev/null || exit 1
fi
echo "lkvm: installing cross-build packages for $deb_arch" >&2
# shellcheck disable=SC2086
if ! apt-get install -y -qq $pkgs >/dev/null 2>&1; then
	apt-get update -qq >/dev/null || exit 1
	# shellcheck disable=SC2086
	apt-get install -y -qq $pkgs >/dev/null || exit 1
fi
# The runtime libraries: installed where the archive has the host's
# version, else unpacked from their package (see above).
mkdir -p "$linkdir" || exit 1
for pkg in $runtime; do
	apt-get install -y -qq "$pkg" >/dev/null 2>&1 && continue
	echo "lkvm: $pkg cannot be installed beside the host's version; unpacking it into $linkdir" >&2
	tmp=$(mktemp -d) && chmod 755 "$tmp" || exit 1	# apt's _apt user writes there
	if ! (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null &&
	      dpkg-deb -x ./*.deb root); then
		rm -rf "$tmp"
		exit 1
	fi
	for f in "$tmp/root/lib/$triplet"/*.so.* "$tmp/root/usr/lib/$triplet"/*.so.*; do
		[ -e "$f" ] && cp -a "$f" "$linkdir/"
	done
	rm -rf "$tmp"
	touch "$linkdir/.unpacked-${pkg%:*}"
done
# Optional: the target's own -dev packages (static libraries too).
apt-get install -y -qq "zlib1g-dev:$deb_arch" "liburing-dev:$deb_arch" \
	>/dev/null 2>&1 ||
	echo "lkvm: note: $deb_arch -dev packages not installable here; using the host's headers" >&2

for lib in $links; do
	if [ -e "$libdir/$lib" ]; then
		ln -sf "$libdir/$lib" "$linkdir/${lib%.so.*}.so" || exit 1
	elif [ -e "$linkdir/$lib" ]; then
		ln -sf "$lib" "$linkdir/${lib%.so.*}.so" || exit 1
	else
		echo "lkvm: $libdir/$lib is missing" >&2
		exit 1
	fi
done
