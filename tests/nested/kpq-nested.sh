#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kpq-nested.sh - kpq's runner for the nested suite (Kpq-claim: ...
# nested:NAME, kernel-patches/kpq.1): does lkvm's regression selftest NAME
# (tests/selftests/x86/NAME.c) pass on the KVM of the host kernel built
# from a kernel tree? The host is the L1 VM of tests/nested/run.sh, under
# QEMU's software CPU with emulated SVM, so this works whether or not this
# machine has a /dev/kvm.
#
# Usage: tests/nested/kpq-nested.sh TREE OUTDIR NAME...
#   TREE    a kernel source tree that is a git work tree (kpq's patched and
#           unpatched trees are); its committed state is built with
#           scripts/guest-kernel.sh --host --tree (the nested-test host
#           kernel's config) into $LKVM_CACHE/kpq-nested/<tree id>/, so
#           each tree state is built once; the KPQ_NESTED_KEEP (4) most
#           recently used of those are kept
#   OUTDIR  where the logs go: NAME.log (the test's output in the L1),
#           build.log, console.log (the L1's console)
#   NAME    the selftests to run, all in one boot of the L1 VM; each must
#           be built (build/tests/selftests/x86/NAME: make selftests-build)
# Prints one line per NAME on stdout, "NAME STATUS [REASON]":
#   NAME 0 | 1 | 4             the test's exit status in the L1 (4: skip)
#   NAME 124 REASON            it did not end (suite time-out) or the L1
#                              ended before it did
#   NAME notbuilt REASON       the host kernel did not build, or the test
#                              is not built
#   NAME skip REASON           this machine cannot run the L1 VM (no QEMU)
# Everything but the result lines goes to stderr. Exit status 0 when the
# lines were printed, 2 on a usage error.
# Environment: QEMU, LKVM_CACHE, KPQ_NESTED_KEEP, KPQ_NESTED_TIMEOUT (s,
# default 600: the L1 VM's limit), and what tests/nested/run.sh takes.
set -u

prog=kpq-nested.sh
if [ $# -lt 3 ]; then
	echo "usage: $prog TREE OUTDIR NAME..." >&2
	exit 2
fi
tree=$1
outdir=$2
shift 2
names=("$@")
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${LKVM_CACHE:-${HOME:-/tmp}/.cache/lkvm}
keep=${KPQ_NESTED_KEEP:-4}
bindir=$top/build/tests/selftests/x86
jobdir=$top/build/nested/kpq

mkdir -p "$outdir" || exit 2
outdir=$(cd "$outdir" && pwd)
exec 3>&1 1>&2		# results on fd 3, everything else to stderr

all() {	# STATUS [REASON]: the same result for every NAME
	local n
	for n in "${names[@]}"; do
		echo "$n $*" >&3
	done
	exit 0
}

for n in "${names[@]}"; do
	case "$n" in
	*/*|.*|"") echo "$prog: bad selftest name '$n'"; exit 2 ;;
	esac
done

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null ||
	all skip "$qemu not found (the nested VM needs QEMU: make deps)"

id=$(git -C "$tree" rev-parse --verify -q 'HEAD^{tree}' 2>/dev/null) ||
	all notbuilt "$tree is not a git work tree with a commit"
hk=$cache/kpq-nested/$id

# shellcheck source=scripts/tree-cache.sh
. "$top/scripts/tree-cache.sh"

blog=$outdir/build.log
echo "$prog: building the host kernel of $tree (tree $id) in $hk; log $blog"
if ! paths=$("$top/scripts/guest-kernel.sh" --host --tree "$tree" \
	     --out "$hk" 2>"$blog"); then
	tail -n 5 "$blog"
	all notbuilt "the host kernel did not build: $(tail -n 1 "$blog")"
fi
touch "$hk"
tree_cache_prune "$cache/kpq-nested" "$keep" "$hk"
bzimage=$(sed -n 2p <<<"$paths")

# Each test through a wrapper in the project's tree (the L1 writes only
# there): its output and exit status come back in $jobdir.
rm -rf "$jobdir"
mkdir -p "$jobdir" || exit 2
suites=()
for n in "${names[@]}"; do
	if [ ! -x "$bindir/$n" ]; then
		echo "$n notbuilt $bindir/$n is not built (make selftests-build)" >&3
		continue
	fi
	w=$jobdir/$n.sh
	printf '%s\n' '#!/bin/bash' \
		"$(printf '%q' "$bindir/$n") >$(printf '%q' "$jobdir/$n.log") 2>&1" \
		"echo \$? >$(printf '%q' "$jobdir/$n.rc")" \
		"cat $(printf '%q' "$jobdir/$n.log")" >"$w" && chmod +x "$w" ||
		exit 2
	suites+=("$w")
done
[ ${#suites[@]} -gt 0 ] || exit 0

echo "$prog: booting the L1 VM with $bzimage for ${names[*]}; console $outdir/console.log"
NESTED_KERNEL=$bzimage NESTED_TIMEOUT=${KPQ_NESTED_TIMEOUT:-600} \
	"$top/tests/nested/run.sh" "${suites[@]}" >"$outdir/console.log" 2>&1
for w in "${suites[@]}"; do
	n=$(basename "$w" .sh)
	[ ! -f "$jobdir/$n.log" ] || cp "$jobdir/$n.log" "$outdir/$n.log"
	rc=$(cat "$jobdir/$n.rc" 2>/dev/null)
	case "$rc" in
	""|*[!0-9]*)
		if grep -q 'no /dev/kvm in the L1 VM' "$outdir/console.log"; then
			echo "$n notbuilt the L1 VM has no /dev/kvm (KVM not in the tree's host kernel?)" >&3
			continue
		fi
		echo "$n 124 no exit status: timed out, or the L1 VM ended first ($(grep -m 1 -E 'Kernel panic|not ok - the L1' "$outdir/console.log" || tail -n 1 "$outdir/console.log"))" >&3 ;;
	0) echo "$n 0" >&3 ;;
	*) echo "$n $rc $(grep -m 1 '^not ok' "$outdir/$n.log" 2>/dev/null)" >&3 ;;
	esac
done
