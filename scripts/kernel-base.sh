#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-base.sh - provide the pinned, pristine Linux source tree.
#
# Reads kernel-patches/BASE, makes sure exactly that Debian package version
# is installed (installs it as root, otherwise prints the command and
# fails), verifies the tarball's sha256 and unpacks it once into the cache:
#   ${LKVM_CACHE:-$HOME/.cache/lkvm}/linux-<VERSION>/
# The path of that tree is printed on stdout; messages go to stderr.
#
# The tree is shared and must stay pristine: build out of tree
# (make -C <tree> O=<dir>) or patch a copy of it.
#
# Usage: scripts/kernel-base.sh [--print | --check | --help]
#   (none)   install/verify/unpack as needed, print the tree's path
#   --print  print the tree's path only; no checks, no changes
#   --check  verify package version, sha256 and unpacked tree; change
#            nothing; exit 0 when all is in place
# Safe to run concurrently (flock on the cache); idempotent.
set -euo pipefail

prog=kernel-base.sh
die() {
	echo "$prog: $*" >&2
	exit 1
}
note() {
	echo "$prog: $*" >&2
}

mode=ensure
case "${1:-}" in
"") ;;
--print) mode=print ;;
--check) mode=check ;;
-h|--help)
	sed -n '4,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
	exit 0 ;;
*) die "unknown option '$1' (try --help)" ;;
esac
[ $# -le 1 ] || die "too many arguments (try --help)"

top=$(cd "$(dirname "$0")/.." && pwd)
base_file=${LKVM_KERNEL_BASE:-$top/kernel-patches/BASE}
[ -r "$base_file" ] || die "cannot read $base_file"

PACKAGE='' VERSION='' TARBALL='' SHA256='' SRCDIR=''
# shellcheck source=/dev/null
. "$base_file"
for key in PACKAGE VERSION TARBALL SHA256 SRCDIR; do
	[ -n "${!key}" ] || die "$base_file: $key is not set"
done
case "$SHA256" in
*[!0-9a-f]*) die "$base_file: SHA256 is not lower-case hex" ;;
esac
[ ${#SHA256} -eq 64 ] || die "$base_file: SHA256 must have 64 hex digits"
case "$VERSION$SRCDIR" in
*/*|*..*) die "$base_file: VERSION and SRCDIR must not contain / or .." ;;
esac

cache=${LKVM_CACHE:-${HOME:?HOME is not set}/.cache/lkvm}
upstream=${VERSION%%-*}
tree=$cache/linux-$VERSION
stamp=$tree.unpacked
lock=$cache/.linux-$VERSION.lock

if [ "$mode" = print ]; then
	echo "$tree"
	exit 0
fi

installed_version() {
	dpkg-query -W -f='${db:Status-Status} ${Version}' "$PACKAGE" \
		2>/dev/null | sed -n 's/^installed //p'
}

install_cmd="apt-get install -y $PACKAGE=$VERSION"

# Keep apt from moving the package on: any later apt-get install (a cross
# tool chain's, say) would otherwise upgrade it to the archive's candidate.
hold_package() {
	[ "$mode" = check ] && return 0
	[ "$(id -u)" -eq 0 ] || return 0
	apt-mark showhold "$PACKAGE" 2>/dev/null | grep -qx "$PACKAGE" &&
		return 0
	apt-mark hold "$PACKAGE" >/dev/null ||
		note "cannot hold $PACKAGE at $VERSION (apt-mark hold failed)"
}

ensure_package() {
	local have
	have=$(installed_version)
	if [ "$have" = "$VERSION" ]; then
		hold_package
		return 0
	fi
	if [ -n "$have" ]; then
		note "$PACKAGE $have is installed, the pinned base is $VERSION"
	else
		note "$PACKAGE is not installed (pinned: $VERSION)"
	fi
	if [ "$mode" = check ] || [ "$(id -u)" -ne 0 ]; then
		die "run as root: $install_cmd"
	fi
	note "installing: $install_cmd"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq --allow-downgrades \
		--allow-change-held-packages "$PACKAGE=$VERSION" \
		>&2; then
		apt-get update -qq >&2 ||
			die "apt-get update failed"
		apt-get install -y -qq --allow-downgrades \
			--allow-change-held-packages "$PACKAGE=$VERSION" >&2 ||
			die "cannot install $PACKAGE=$VERSION (is it still in the archive?)"
	fi
	have=$(installed_version)
	[ "$have" = "$VERSION" ] ||
		die "installed $PACKAGE is '$have' after install, expected $VERSION"
	hold_package
}

verify_tarball() {
	local sum
	[ -r "$TARBALL" ] ||
		die "$TARBALL is missing; reinstall: apt-get install -y --reinstall $PACKAGE=$VERSION"
	sum=$(sha256sum "$TARBALL") || die "cannot read $TARBALL"
	sum=${sum%% *}
	if [ "$sum" != "$SHA256" ]; then
		note "sha256 mismatch for $TARBALL"
		note "  expected $SHA256 ($base_file)"
		note "  actual   $sum"
		die "the tarball is not the pinned base; reinstall with: apt-get install -y --reinstall $PACKAGE=$VERSION"
	fi
}

# A cheap pristine check: an in-tree kernel build leaves these behind.
check_pristine() {
	local f
	for f in .config include/config include/generated vmlinux; do
		[ -e "$tree/$f" ] &&
			die "$tree is not pristine ($f exists): someone built in the shared tree; remove $tree and $stamp to unpack it again"
	done
	return 0
}

mkdir -p "$cache" || die "cannot create cache directory $cache"
exec 9>>"$lock" || die "cannot open lock file $lock"
flock 9 || die "cannot lock $lock"

ensure_package
verify_tarball

if [ -f "$stamp" ] && [ -d "$tree" ] &&
   [ "$(cat "$stamp")" = "$SHA256" ]; then
	check_pristine
	[ "$mode" = check ] && note "ok: $PACKAGE $VERSION unpacked in $tree"
	echo "$tree"
	exit 0
fi

[ "$mode" = check ] && die "$tree is not unpacked yet (run $0)"

# Unpack into a temporary sibling, then rename: an interrupted run leaves
# no half tree behind that a later run could mistake for a complete one.
rm -f "$stamp"
rm -rf "$tree" "$tree".tmp.*
tmp=$tree.tmp.$$
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp"
note "unpacking $TARBALL ($upstream) into $tree"
tar -xJf "$TARBALL" -C "$tmp" || die "cannot unpack $TARBALL"
[ -f "$tmp/$SRCDIR/Makefile" ] ||
	die "$TARBALL has no $SRCDIR/Makefile (SRCDIR in $base_file wrong?)"
mv "$tmp/$SRCDIR" "$tree"
rm -rf "$tmp"
trap - EXIT
echo "$SHA256" >"$stamp.tmp" && mv "$stamp.tmp" "$stamp"
note "unpacked $tree"
echo "$tree"
