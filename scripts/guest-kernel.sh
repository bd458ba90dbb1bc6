#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-kernel.sh - build the lean lkvm test guest kernel and initramfs.
#
# Source: the pinned base from scripts/kernel-base.sh, with the patches
# listed in kernel-patches/series applied in order (git format-patch files
# in kernel-patches/, applied with patch -p1; '#' comments and blank lines
# ignored; a missing or empty series means no patches). Config: tinyconfig
# + kernel-patches/lkvm-guest.config, checked after olddefconfig.
# Initramfs: scripts/mkinitramfs.sh (uncompressed cpio, static /init).
#
# Everything lives in ${LKVM_CACHE:-$HOME/.cache/lkvm}/guest-kernel/; the
# outputs are rebuilt only when the base, series, patches, config fragment,
# init or these scripts change (hash stamps).
#
# Usage: scripts/guest-kernel.sh [--print | --check | --force | --help]
#   (none)   build what is out of date; print the paths of vmlinux, bzImage
#            and initramfs, one per line
#   --print  print those paths only; build nothing
#   --check  exit 0 when all three are built and up to date, 1 otherwise
#   --force  rebuild kernel and initramfs even when up to date
# Environment: LKVM_CACHE, LKVM_JOBS (make -j, default nproc), CC.
set -euo pipefail

prog=guest-kernel.sh
die() {
	echo "$prog: $*" >&2
	exit 1
}
note() {
	echo "$prog: $*" >&2
}

mode=build
case "${1:-}" in
"") ;;
--print) mode=print ;;
--check) mode=check ;;
--force) mode=force ;;
-h|--help)
	sed -n '4,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
	exit 0 ;;
*) die "unknown option '$1' (try --help)" ;;
esac
[ $# -le 1 ] || die "too many arguments (try --help)"

top=$(cd "$(dirname "$0")/.." && pwd)
kp=$top/kernel-patches
fragment=$kp/lkvm-guest.config
series=$kp/series
cache=${LKVM_CACHE:-${HOME:?HOME is not set}/.cache/lkvm}
gk=$cache/guest-kernel
out=$gk/out
vmlinux=$out/vmlinux
bzimage=$out/bzImage
initramfs=$out/initramfs.cpio
CC=${CC:-gcc}
jobs=${LKVM_JOBS:-$(nproc)}

print_paths() {
	printf '%s\n' "$vmlinux" "$bzimage" "$initramfs"
}

if [ "$mode" = print ]; then
	print_paths
	exit 0
fi

# The patches named by the series file, in order, as absolute paths.
patches=()
read_series() {
	local line name
	[ -f "$series" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		read -r name _ <<<"$line" || true
		[ -n "$name" ] || continue
		case "$name" in
		/*|*..*) die "$series: bad patch name '$name'" ;;
		esac
		[ -f "$kp/$name" ] || die "$series lists $name, not found in $kp"
		patches+=("$kp/$name")
	done <"$series"
}
read_series

hash_files() {
	local f
	for f in "$@"; do
		printf '%s\n' "${f#"$top"/}"
		sha256sum <"$f"
	done | sha256sum | cut -c1-64
}

toolchain=$({ "$CC" --version | head -1; make --version | head -1; } |
	sha256sum | cut -c1-64)
src_hash=$(hash_files "$kp/BASE" ${patches[@]+"${patches[@]}"})
kernel_hash=$({ echo "$src_hash $toolchain"; hash_files "$fragment" "$0"; } |
	sha256sum | cut -c1-64)
init_hash=$({ echo "$src_hash $toolchain"; hash_files \
	"$top/tests/linux/guest-init.c" "$top/scripts/mkinitramfs.sh"; } |
	sha256sum | cut -c1-64)

up_to_date() {	# $1: stamp, $2: hash, $3...: outputs
	local stamp=$1 hash=$2 f
	shift 2
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] || return 1
	for f in "$@"; do
		[ -s "$f" ] || return 1
	done
}

kernel_ok() {
	up_to_date "$out/kernel.stamp" "$kernel_hash" "$vmlinux" "$bzimage"
}
initramfs_ok() {
	up_to_date "$out/initramfs.stamp" "$init_hash" "$initramfs"
}

if [ "$mode" = check ]; then
	kernel_ok || { note "kernel missing or out of date"; exit 1; }
	initramfs_ok || { note "initramfs missing or out of date"; exit 1; }
	exit 0
fi

pristine=$("$top/scripts/kernel-base.sh") || die "no kernel source base"

mkdir -p "$gk" "$out"
exec 9>>"$gk/.lock" || die "cannot open $gk/.lock"
flock 9 || die "cannot lock $gk/.lock"

if [ "$mode" = build ] && kernel_ok && initramfs_ok; then
	print_paths
	exit 0
fi

tag=${src_hash:0:12}

# Source tree: the pristine base, or a patched copy of it.
prepare_source() {
	local dir=$gk/src-$tag p
	if [ ${#patches[@]} -eq 0 ]; then
		srctree=$pristine
		return 0
	fi
	srctree=$dir
	[ -f "$dir.ok" ] && [ -d "$dir" ] && return 0
	rm -rf "$dir" "$dir.ok" "$dir.tmp"
	note "copying $pristine to apply ${#patches[@]} patch(es)"
	cp -a "$pristine" "$dir.tmp"
	for p in "${patches[@]}"; do
		note "applying ${p#"$top"/}"
		patch -d "$dir.tmp" -p1 --batch --forward --no-backup-if-mismatch \
			-s <"$p" || die "${p#"$top"/} does not apply to the base"
	done
	mv "$dir.tmp" "$dir"
	touch "$dir.ok"
}

# Check that Kconfig kept what the fragment asks for.
verify_config() {
	local config=$1 missing
	missing=$(awk '
		FNR == NR {
			if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/)
				have[substr($0, 1, index($0, "=") - 1)] = $0
			next
		}
		/^CONFIG_[A-Za-z0-9_]+=/ {
			key = substr($0, 1, index($0, "=") - 1)
			if (have[key] != $0)
				printf "  %s (got: %s)\n", $0, \
					(key in have) ? have[key] : "not set"
			next
		}
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
			key = $2
			if (key in have && have[key] !~ /=n$/)
				printf "  %s is not set (got: %s)\n", key, have[key]
		}' "$config" "$fragment")
	if [ -n "$missing" ]; then
		echo "$prog: $config lacks what $fragment asks for" \
			"(unmet dependencies?):" >&2
		echo "$missing" >&2
		return 1
	fi
}

build_kernel() {
	local build=$gk/build-$tag d start end
	# One source base at a time: drop trees of other patch sets.
	for d in "$gk"/build-* "$gk"/src-*; do
		[ -e "$d" ] || continue
		case "$d" in
		"$build"|"$gk/src-$tag"|"$gk/src-$tag.ok") ;;
		*) rm -rf "$d" ;;
		esac
	done
	prepare_source
	mkdir -p "$build"
	local kmake=(make -C "$srctree" O="$build" -s ARCH=x86_64 CC="$CC"
		     KBUILD_BUILD_USER=lkvm KBUILD_BUILD_HOST=lkvm
		     KBUILD_BUILD_TIMESTAMP="$(date -u -d @0)")
	note "configuring in $build"
	"${kmake[@]}" tinyconfig >&2
	"$srctree/scripts/kconfig/merge_config.sh" -m -O "$build" \
		"$build/.config" "$fragment" >/dev/null ||
		die "merge_config.sh failed"
	"${kmake[@]}" olddefconfig >&2
	verify_config "$build/.config" || die "config check failed"
	note "building vmlinux bzImage with -j$jobs (minutes; CPL0-lean config)"
	start=$(date +%s)
	"${kmake[@]}" -j"$jobs" vmlinux bzImage >&2 ||
		die "kernel build failed (log above; tree $build)"
	end=$(date +%s)
	note "kernel built in $((end - start)) s"
	rm -f "$out/kernel.stamp"
	cp "$build/vmlinux" "$vmlinux.tmp"
	cp "$build/arch/x86/boot/bzImage" "$bzimage.tmp"
	cp "$build/.config" "$out/config.tmp"
	mv "$vmlinux.tmp" "$vmlinux"
	mv "$bzimage.tmp" "$bzimage"
	mv "$out/config.tmp" "$out/config"
	echo "$kernel_hash" >"$out/kernel.stamp"
}

build_initramfs() {
	[ -n "${srctree:-}" ] || prepare_source
	rm -f "$out/initramfs.stamp"
	CC=$CC "$top/scripts/mkinitramfs.sh" "$initramfs" "$srctree"
	echo "$init_hash" >"$out/initramfs.stamp"
}

if [ "$mode" = force ] || ! kernel_ok; then
	build_kernel
fi
if [ "$mode" = force ] || ! initramfs_ok; then
	build_initramfs
fi
note "vmlinux $(stat -c %s "$vmlinux") bytes, bzImage $(stat -c %s "$bzimage") bytes, initramfs $(stat -c %s "$initramfs") bytes"
print_paths
