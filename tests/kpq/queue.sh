#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The queue in kernel-patches/ itself: kpq check, then kpq checkpatch
# (the pinned base's checkpatch.pl --strict), one TAP line per patch.
set -u
LC_ALL=C
export LC_ALL
here=$(cd "$(dirname "$0")" && pwd)
kpq=${KPQ:-$here/../../kernel-patches/kpq}
n=0 failed=0

out=$("$kpq" check 2>&1)
st=$?
n=$((n + 1))
if [ "$st" -eq 0 ]; then
	echo "ok $n - kpq check: $(printf '%s\n' "$out" | tail -n 1 | sed 's/^kpq: check: //')"
else
	echo "not ok $n - kpq check"
	printf '%s\n' "$out" | sed 's/^/# /'
	failed=$((failed + 1))
fi

tarball=$(sed -n 's/^TARBALL=//p' "$here/../../kernel-patches/BASE")
if [ ! -r "$tarball" ]; then
	n=$((n + 1))
	echo "ok $n - kpq checkpatch # SKIP the base tarball $tarball is not installed (make deps as root)"
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
fi
out=$("$kpq" checkpatch 2>&1)
st=$?
lines=$(printf '%s\n' "$out" | grep -c ': checkpatch --strict ')
if [ "$lines" -eq 0 ]; then
	n=$((n + 1))
	echo "not ok $n - kpq checkpatch ran"
	printf '%s\n' "$out" | sed 's/^/# /'
	failed=$((failed + 1))
else
	printf '%s\n' "$out" | awk -v n="$n" '
		/: checkpatch --strict clean$/ {
			n++; sub(/^kpq: /, ""); sub(/: checkpatch --strict clean$/, "")
			print "ok " n " - checkpatch --strict: " $0; next
		}
		/: checkpatch --strict: / {
			n++; sub(/^kpq: /, ""); print "not ok " n " - checkpatch --strict: " $0; next
		}
		/^    / { print "#" $0 }
		END { print n > "/dev/stderr" }' 2>"${TMPDIR:-/tmp}/kpq-queue.$$"
	n=$(cat "${TMPDIR:-/tmp}/kpq-queue.$$")
	rm -f "${TMPDIR:-/tmp}/kpq-queue.$$"
	if [ "$st" -ne 0 ]; then
		failed=$((failed + 1))
	fi
fi
echo "1..$n"
[ "$failed" -eq 0 ]
