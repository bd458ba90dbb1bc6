#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-kernel.sh - build the lean lkvm test guest kernel and initramfs.
#
# Source: the pinned base from scripts/kernel-base.sh, with the patches
# listed in kernel-patches/series applied in order (git format-patch files
# in kernel-patches/, applied with patch -p1; '#' comments and blank lines
# ignored; a missing or empty series means no patches). Config: allnoconfig
# with tinyconfig's fragments + kernel-patches/lkvm-guest.config, checked.
# Initramfs: scripts/mkinitramfs.sh (uncompressed cpio: the test user land,
# busybox-static and tests/linux/userland/).
#
# Everything lives in ${LKVM_CACHE:-$HOME/.cache/lkvm}/guest-kernel/; the
# outputs are rebuilt only when the base, series, patches, config fragment,
# init or these scripts change (hash stamps).
#
# With --host, the nested-test host kernel instead: the same source and
# config plus kernel-patches/lkvm-nested-host.config (KVM, and what lkvm
# asks of a host), in .../nested-host/; no initramfs (tests/nested/run.sh
# boots it with the test one). Only its vmlinux and bzImage are printed.
#
# With --tree TREE --out DIR, the same kernel (same config, same checks)
# and initramfs are built from another source: the committed state of the
# git work tree TREE (HEAD; uncommitted changes to tracked files are
# refused), exported into DIR/src, with no series applied. DIR takes the
# place of guest-kernel/ (DIR/out/ has the outputs, DIR/build the build);
# the stamps hash TREE's tree id instead of the base and the series. kpq's
# trees are such work trees (tests/linux/kpq-guest.sh boots them).
# --host --tree TREE --out DIR builds TREE's nested-test host kernel the
# same way (DIR/out/ has its vmlinux and bzImage; no initramfs): kpq's
# nested suite boots it (tests/nested/kpq-nested.sh).
#
# Usage: scripts/guest-kernel.sh [--print | --check | --force | --help]
#                                [--host] [--tree TREE --out DIR]
#   (none)   build what is out of date; print the paths of vmlinux, bzImage
#            and initramfs, one per line
#   --print  print those paths only; build nothing
#   --check  exit 0 when all three are built and up to date, 1 otherwise
#   --force  rebuild kernel and initramfs even when up to date
# Environment: LKVM_CACHE, LKVM_JOBS (make -j, default nproc), CC, BUSYBOX
# (default /bin/busybox: Debian's busybox-static).
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
tree=
gk=
host=
while [ $# -gt 0 ]; do
	case "$1" in
	--print|--check|--force)
		[ "$mode" = build ] || die "$1: one mode at a time (try --help)"
		mode=${1#--}
		shift ;;
	--host)
		host=1
		shift ;;
	--tree|--out)
		[ -n "${2:-}" ] || die "$1 needs a directory"
		if [ "$1" = --tree ]; then tree=$2; else gk=$2; fi
		shift 2 ;;
	-h|--help)
		sed -n '4,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
		exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
done
[ -z "$tree" ] || [ -n "$gk" ] || die "--tree needs --out DIR"
[ -z "$gk" ] || [ -n "$tree" ] || die "--out needs --tree TREE"

top=$(cd "$(dirname "$0")/.." && pwd)
kp=$top/kernel-patches
fragments=("$kp/lkvm-guest.config")
[ -z "$host" ] || fragments+=("$kp/lkvm-nested-host.config")
series=$kp/series
cache=${LKVM_CACHE:-${HOME:?HOME is not set}/.cache/lkvm}
if [ -n "$tree" ]; then
	gk=$(realpath -m "$gk")
	[ -d "$tree" ] || die "$tree: no such directory"
	tree=$(realpath "$tree")
elif [ -n "$host" ]; then
	gk=$cache/nested-host
else
	gk=$cache/guest-kernel
fi
out=$gk/out
vmlinux=$out/vmlinux
bzimage=$out/bzImage
initramfs=$out/initramfs.cpio
CC=${CC:-gcc}
jobs=${LKVM_JOBS:-$(nproc)}

print_paths() {
	printf '%s\n' "$vmlinux" "$bzimage"
	[ -n "$host" ] || printf '%s\n' "$initramfs"
}

if [ "$mode" = print ]; then
	print_paths
	exit 0
fi

# --tree: the tree id of TREE's HEAD, with tracked files as committed.
tree_id() {
	local id top_level
	top_level=$(git -C "$tree" rev-parse --show-toplevel 2>/dev/null) ||
		top_level=
	[ "$top_level" = "$tree" ] ||
		die "$tree is not the top of a git work tree (--tree builds a committed state)"
	id=$(git -C "$tree" rev-parse --verify -q 'HEAD^{tree}') ||
		die "$tree has no commit"
	[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
		die "$tree has uncommitted changes to tracked files (--tree builds HEAD)"
	echo "$id"
}

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
		/*|..|../*|*/../*|*/..) die "$series: bad patch name '$name'" ;;
		esac
		[ -f "$kp/$name" ] || die "$series lists $name, not found in $kp"
		patches+=("$kp/$name")
	done <"$series"
}
if [ -z "$tree" ]; then
	read_series
else
	tree_sha=$(tree_id) || exit 1
fi

hash_files() {
	local f
	for f in "$@"; do
		printf '%s\n' "${f#"$top"/}"
		sha256sum <"$f"
	done | sha256sum | cut -c1-64
}

# sed reads all of --version's output: with head, the writer could die of
# SIGPIPE, which pipefail turns into this script's exit status 141.
toolchain=$({ "$CC" --version | sed -n 1p; make --version | sed -n 1p; } |
	sha256sum | cut -c1-64)
if [ -z "$tree" ]; then
	src_hash=$(hash_files "$kp/BASE" ${patches[@]+"${patches[@]}"})
else
	src_hash=$(echo "git tree $tree_sha" | sha256sum | cut -c1-64)
fi
kernel_hash=$({ echo "$src_hash $toolchain"; hash_files "${fragments[@]}" "$0"; } |
	sha256sum | cut -c1-64)
mapfile -t userland < <(find "$top/tests/linux/userland" -type f | sort)
busybox=${BUSYBOX:-/bin/busybox}
[ -f "$busybox" ] || [ "$mode" = print ] || [ "$mode" = check ] ||
	die "$busybox not found: install Debian's busybox-static (make deps)"
init_hash=$({ echo "$src_hash $toolchain"
	      [ -f "$busybox" ] && sha256sum <"$busybox"
	      hash_files "$top/scripts/mkinitramfs.sh" "${userland[@]}" \
			 "$top/include/x86/guest-sys.h"; } |
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
	[ -z "$host" ] || return 0
	up_to_date "$out/initramfs.stamp" "$init_hash" "$initramfs"
}

if [ "$mode" = check ]; then
	kernel_ok || { note "kernel missing or out of date"; exit 1; }
	initramfs_ok || { note "initramfs missing or out of date"; exit 1; }
	exit 0
fi

if [ -z "$tree" ]; then
	pristine=$("$top/scripts/kernel-base.sh") || die "no kernel source base"
	# The cache may link to a shared base: copy the tree, never the link
	# (a linked $src would patch the shared base in place).
	pristine=$(realpath "$pristine")
fi

mkdir -p "$gk" "$out"
exec 9>>"$gk/.lock" || die "cannot open $gk/.lock"
flock 9 || die "cannot lock $gk/.lock"

if [ "$mode" = build ] && kernel_ok && initramfs_ok; then
	print_paths
	exit 0
fi

src=$gk/src		# the patched copy of the base the kernel is built from
state=$gk/src.state	# base sha256, patch set hash, files the patches touch
build=$gk/build		# O= build directory

# --tree: $src is TREE's HEAD, exported (the work tree itself may hold an
# in-tree build, which an O= build refuses); a new tree id means a fresh
# export and a fresh build directory.
export_tree() {
	[ -d "$src" ] && [ -f "$state" ] &&
		[ "$(cat "$state")" = "git tree $tree_sha" ] && return 0
	rm -rf "$src" "$state" "$src.tmp" "$build"
	note "exporting $tree (tree $tree_sha) to $src"
	mkdir -p "$src.tmp"
	git -C "$tree" archive --format=tar "$tree_sha" |
		tar -xf - -C "$src.tmp" || die "cannot export $tree to $src"
	[ -f "$src.tmp/Makefile" ] || die "$tree has no Makefile: not a kernel tree"
	mv "$src.tmp" "$src"
	echo "git tree $tree_sha" >"$state.tmp"
	mv "$state.tmp" "$state"
}

# Files a patch creates, changes, deletes or renames (paths after -p1).
patch_files() {
	sed -n -e 's,^--- a/\([^\t]*\).*,\1,p' -e 's,^+++ b/\([^\t]*\).*,\1,p' \
		-e 's,^rename from ,,p' -e 's,^rename to ,,p' \
		-e 's,^copy to ,,p' "$@" | sort -u
}

# Bring $src to pristine base + the series. A new base means a fresh copy
# (and a fresh build dir); a new patch set only restores the files the old
# set touched and applies the new one. Of those files, only the ones whose
# content differs from the last build's get a new mtime, so the incremental
# kernel build recompiles exactly what depends on a change: a patch whose
# message alone changed costs no recompilation (0007 touches a header half
# the kernel includes).
prepare_source() {
	local base_sha f p old=() new=() prev=$gk/src.prev
	if [ -n "$tree" ]; then
		export_tree
		return
	fi
	base_sha=$(sed -n 's/^SHA256=//p' "$kp/BASE")
	if [ -d "$src" ] && [ ! -L "$src" ] && [ -f "$state" ] &&
	   [ "$(sed -n 1p "$state")" = "$base_sha" ]; then
		[ "$(sed -n 2p "$state")" = "$src_hash" ] && return 0
		mapfile -t old < <(sed -n '3,$p' "$state")
		# Keep the last build's copies (and mtimes) to compare with.
		rm -rf "$prev"
		for f in ${old[@]+"${old[@]}"}; do
			[ -e "$src/$f" ] || continue
			{ mkdir -p "$prev/$(dirname "$f")" &&
				cp -p "$src/$f" "$prev/$f"; } ||
				die "cannot save $src/$f"
		done
		rm -f "$state"
		note "reverting ${#old[@]} file(s) of the previous patch set"
		for f in ${old[@]+"${old[@]}"}; do
			if [ -e "$pristine/$f" ]; then
				cp -p "$pristine/$f" "$src/$f"
			else
				rm -f "$src/$f"
			fi
		done
	else
		# (A $src that is a link loses the link, not its target.)
		rm -rf "$src" "$state" "$src.tmp" "$build" "$prev"
		note "copying $pristine to $src"
		cp -a --reflink=auto "$pristine" "$src.tmp"
		mv "$src.tmp" "$src"
	fi
	for p in ${patches[@]+"${patches[@]}"}; do
		note "applying ${p#"$top"/}"
		patch -d "$src" -p1 --batch --forward --no-backup-if-mismatch \
			-s <"$p" || die "${p#"$top"/} does not apply to the base (tree $src left as is; it is reset on the next run)"
	done
	[ ${#patches[@]} -gt 0 ] && mapfile -t new < <(patch_files "${patches[@]}")
	for f in ${old[@]+"${old[@]}"} ${new[@]+"${new[@]}"}; do
		[ -e "$src/$f" ] || continue
		if [ -e "$prev/$f" ] && cmp -s "$prev/$f" "$src/$f"; then
			touch -r "$prev/$f" "$src/$f"
		else
			touch "$src/$f"
		fi
	done
	rm -rf "$prev"
	{
		echo "$base_sha"
		echo "$src_hash"
		printf '%s\n' ${new[@]+"${new[@]}"} | sed '/^$/d'
	} >"$state.tmp"
	mv "$state.tmp" "$state"
}

# Check that Kconfig kept what the fragments (after the config file $1)
# ask for; where two name an option, the later one's choice counts.
verify_config() {
	local config=$1 missing
	shift
	missing=$(awk '
		FNR == NR {
			if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/)
				have[substr($0, 1, index($0, "=") - 1)] = $0
			next
		}
		/^CONFIG_[A-Za-z0-9_]+=/ {
			key = substr($0, 1, index($0, "=") - 1)
			want[key] = $0
			next
		}
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
			want[$2] = ""
		}
		END {
			for (key in want) {
				if (want[key] == "") {
					if (key in have && have[key] !~ /=n$/)
						printf "  %s is not set (got: %s)\n", key, have[key]
				} else if (!(key in have)) {
					printf "  %s (got: not set)\n", want[key]
				} else if (have[key] != want[key]) {
					printf "  %s (got: %s)\n", want[key], have[key]
				}
			}
		}' "$config" "$@")
	if [ -n "$missing" ]; then
		echo "$prog: $config lacks what ${*#"$top"/} ask(s) for" \
			"(unmet dependencies?):" >&2
		echo "$missing" >&2
		return 1
	fi
}

build_kernel() {
	local start end
	prepare_source
	mkdir -p "$build"
	local kmake=(make -C "$src" O="$build" -s ARCH=x86_64 CC="$CC"
		     KBUILD_BUILD_USER=lkvm KBUILD_BUILD_HOST=lkvm
		     KBUILD_BUILD_TIMESTAMP="$(date -u -d @0)")
	note "configuring in $build"
	# tinyconfig's fragments plus ours, as allnoconfig presets: what no
	# fragment names is off, even options that only our choices make
	# visible (plain tinyconfig + olddefconfig would turn those on).
	# Kconfig warns about our lines overriding tinyconfig's (expected);
	# its output goes to $build/config.log, shown on failure only.
	cat "$src/kernel/configs/tiny-base.config" \
		"$src/kernel/configs/tiny.config" \
		"$src/arch/x86/configs/tiny.config" "${fragments[@]}" \
		>"$build/allno.config" || die "cannot collect config fragments"
	"${kmake[@]}" KCONFIG_ALLCONFIG="$build/allno.config" allnoconfig \
		>"$build/config.log" 2>&1 || {
		cat "$build/config.log" >&2
		die "configuring failed"
	}
	verify_config "$build/.config" "${fragments[@]}" ||
		die "config check failed"
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
	prepare_source
	rm -f "$out/initramfs.stamp"
	CC=$CC "$top/scripts/mkinitramfs.sh" "$initramfs" "$src"
	echo "$init_hash" >"$out/initramfs.stamp"
}

if [ "$mode" = force ] || ! kernel_ok; then
	build_kernel
fi
if [ -z "$host" ] && { [ "$mode" = force ] || ! initramfs_ok; }; then
	build_initramfs
fi
note "vmlinux $(stat -c %s "$vmlinux") bytes, bzImage $(stat -c %s "$bzimage") bytes$(
	[ -n "$host" ] || echo ", initramfs $(stat -c %s "$initramfs") bytes")"
print_paths
