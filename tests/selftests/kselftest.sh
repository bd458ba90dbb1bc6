#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest.sh - build and run the kernel's own KVM selftests on this host.
#
# Takes the pinned Linux source (scripts/kernel-base.sh, Debian's
# linux-source-6.1), builds tools/testing/selftests/kvm for the host arch
# out of tree into $KSELFTEST_OUT (default build/kselftest), runs every test
# binary with a per-test time limit and prints one TAP stream, ending with
#   N passed, N failed, N skipped, N failed to build
# A test the pinned source cannot build is "not ok N name # build failed".
#
# Environment:
#   KERNEL_PATCHES=1     apply kernel-patches/ (kpq apply) to a copy of the
#                        tree first, so the queue's fixes are exercised; the
#                        copy lives in $LKVM_CACHE/kselftest/tree (default
#                        ~/.cache/lkvm), never under build/, whose *.d files
#                        the top-level Makefile includes
#   KSELFTEST_TIMEOUT    seconds per test (default 120)
#   KSELFTEST_TESTS      space-separated test names to run (default: all)
#   KSELFTEST_OUT        output folder (default build/kselftest)
# Usage: tests/selftests/kselftest.sh [--build-only | --run-only | --help]
# Exit status: 0 when nothing failed (skips are fine), 1 otherwise.
set -uo pipefail

prog=kselftest.sh
die() {
	echo "$prog: $*" >&2
	exit 1
}

mode=all
case "${1:-}" in
"") ;;
--build-only) mode=build ;;
--run-only) mode=run ;;
-h|--help)
	sed -n '4,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
	exit 0 ;;
*) die "unknown option '$1' (try --help)" ;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${KSELFTEST_OUT:-$top/build/kselftest}
case "$out" in /*) ;; *) out=$top/$out ;; esac
limit=${KSELFTEST_TIMEOUT:-120}
jobs=${KSELFTEST_JOBS:-2}

arch=$(uname -m)
case "$arch" in
x86_64|aarch64|s390x|riscv64) ;;
*) die "no KVM selftests for host arch $arch" ;;
esac

patched=0
[ "${KERNEL_PATCHES:-0}" = 1 ] && patched=1
if [ $patched = 1 ]; then
	objdir=$out/patched
else
	objdir=$out/pristine
fi
mkdir -p "$objdir" || die "cannot create $objdir"
log=$objdir/build.log
patched_tree=${LKVM_CACHE:-$HOME/.cache/lkvm}/kselftest/tree

prepare_tree() {
	local base kpq=$top/kernel-patches/kpq

	base=$("$top/scripts/kernel-base.sh") || die "no pinned kernel source (scripts/kernel-base.sh failed)"
	if [ $patched = 0 ]; then
		tree=$base
		return
	fi
	[ -x "$kpq" ] || die "KERNEL_PATCHES=1 but kernel-patches/kpq does not exist"
	[ -s "$top/kernel-patches/series" ] || die "KERNEL_PATCHES=1 but kernel-patches/series is empty"
	tree=$patched_tree
	rm -rf "$tree"
	mkdir -p "$(dirname "$tree")" || die "cannot create $(dirname "$tree")"
	echo "# applying kernel-patches/series to a copy of $base" >&2
	"$kpq" apply "$tree" >"$objdir/apply.log" 2>&1 ||
		die "kpq apply failed, see $objdir/apply.log"
}

build() {
	local kvmdir=$tree/tools/testing/selftests/kvm

	echo "# building $kvmdir into $objdir (log: $log)" >&2
	: >"$log"
	# Headers out of tree: the source tree stays pristine.
	make -s -C "$tree" O="$objdir/kbuild" ARCH="$karch" \
		INSTALL_HDR_PATH="$objdir/hdr" headers_install >>"$log" 2>&1 ||
		die "headers_install failed, see $log"
	# -k: one test that does not build must not hide the others.
	make -k -j"$jobs" -C "$kvmdir" OUTPUT="$objdir/kvm" \
		INSTALL_HDR_PATH="$objdir/hdr" \
		KHDR_INCLUDES="-isystem $objdir/hdr/include" >>"$log" 2>&1
	return 0
}

# The programs the Makefile would build for this arch, one per line.
list_tests() {
	# shellcheck disable=SC2016 # $(...) is make's, not the shell's
	make -s -C "$tree/tools/testing/selftests/kvm" OUTPUT="$objdir/kvm" \
		--eval='lkvm-print-progs: ; @echo $(TEST_GEN_PROGS)' \
		lkvm-print-progs 2>/dev/null | tr ' ' '\n' |
		sed -n "s|^$objdir/kvm/||p"
}

case "$arch" in
x86_64) karch=x86 ;;
aarch64) karch=arm64 ;;
*) karch=$arch ;;
esac

if [ "$mode" = run ]; then
	if [ $patched = 1 ]; then
		tree=$patched_tree
	else
		tree=$("$top/scripts/kernel-base.sh" --print)
	fi
	[ -d "$tree" ] || die "no tree at $tree: build first"
else
	prepare_tree
	build
fi
[ "$mode" = build ] && exit 0

mapfile -t tests < <(list_tests)
[ "${#tests[@]}" -gt 0 ] || die "cannot list the KVM selftests of $tree"
if [ -n "${KSELFTEST_TESTS:-}" ]; then
	want=" $KSELFTEST_TESTS "
	sel=()
	for t in "${tests[@]}"; do
		[[ "$want" == *" $t "* || "$want" == *" ${t##*/} "* ]] && sel+=("$t")
	done
	tests=("${sel[@]}")
fi

echo "TAP version 13"
echo "# KVM selftests of $(basename "$tree") ($([ $patched = 1 ] && echo "with kernel-patches/" || echo pristine)), per-test limit ${limit}s"
echo "1..${#tests[@]}"
pass=0 fail=0 skip=0 nobuild=0 n=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	bin=$objdir/kvm/$t
	if [ ! -x "$bin" ]; then
		# Build it alone again: its first error is the reason.
		why=$(make -s -C "$tree/tools/testing/selftests/kvm" \
			OUTPUT="$objdir/kvm" INSTALL_HDR_PATH="$objdir/hdr" \
			KHDR_INCLUDES="-isystem $objdir/hdr/include" "$bin" 2>&1 |
			grep -m1 -E 'error|undefined reference' |
			sed -e "s|$objdir/||g" -e "s|$tree/||g" | cut -c1-200)
		echo "# ${why:-no binary and no compiler error}"
		echo "not ok $n $t # build failed"
		nobuild=$((nobuild + 1))
		continue
	fi
	res=$(mktemp)
	(cd "$(dirname "$bin")" &&
		timeout --kill-after=5 "$limit" "$bin" </dev/null >"$res" 2>&1)
	rc=$?
	tail -n 40 "$res" | awk '{ print "# " $0 }'
	case $rc in
	0) echo "ok $n $t"; pass=$((pass + 1)) ;;
	4)
		why=$(grep -m1 -i 'skip' "$res" | sed -e 's/^.*# SKIP[ -]*//' \
			-e 's/^[# ]*//' | cut -c1-160)
		echo "ok $n $t # SKIP ${why:-exit status 4}"
		skip=$((skip + 1)) ;;
	124|137)
		echo "not ok $n $t # timed out after ${limit}s"
		fail=$((fail + 1)) ;;
	*)
		# The failed assertion and the line that explains it.
		loc=$(grep -A1 -m1 'Test Assertion Failure' "$res" | sed -n 2p |
			sed 's/^[# ]*//')
		msg=$(awk '/Test Assertion Failure/ { f = 1; n = 0; next }
			f { n++; if (n <= 2) next
			    if ($0 ~ /^[ \t]+[0-9]+\t/ || $0 ~ /inlined by/ ||
				$0 ~ /^[ \t]*$/) next
			    sub(/^[ \t]*/, ""); print; exit }' "$res" |
			cut -c1-160)
		[ -n "$msg" ] || msg=$(grep -v '^[[:space:]]*$' "$res" | tail -n 1 | cut -c1-160)
		echo "not ok $n $t # exit status $rc${loc:+ at $loc}${msg:+: $msg}"
		fail=$((fail + 1)) ;;
	esac
	rm -f "$res"
done
echo "$pass passed, $fail failed, $skip skipped, $nobuild failed to build"
[ $fail -eq 0 ] && [ $nobuild -eq 0 ]
