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
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

if out=$("$kpq" check 2>&1); then
	ok 0 "kpq check: $(printf '%s\n' "$out" | tail -n 1 | sed 's/^kpq: check: //')"
else
	ok 1 "kpq check" "$out"
fi

tarball=$(sed -n 's/^TARBALL=//p' "$here/../../kernel-patches/BASE")
if [ ! -r "$tarball" ]; then
	skip "kpq checkpatch" "the base tarball $tarball is not installed (make deps as root)"
	tap_done
	exit
fi
out=$("$kpq" checkpatch 2>&1)
st=$?
lines=$(printf '%s\n' "$out" | grep -c ': checkpatch --strict ')
if [ "$lines" -eq 0 ]; then
	ok 1 "kpq checkpatch ran" "$out"
else
	# A check a patch ("0 NAME" clean, "1 NAME: WHY"), its report's
	# indented lines as comments.
	results=$(printf '%s\n' "$out" | awk '
		/: checkpatch --strict clean$/ {
			sub(/^kpq: /, ""); sub(/: checkpatch --strict clean$/, "")
			print "0 " $0; next
		}
		/: checkpatch --strict: / { sub(/^kpq: /, ""); print "1 " $0; next }
		/^    / { print "#" $0 }')
	while IFS= read -r r; do
		case $r in
		"#"*) printf '%s\n' "$r" ;;
		*) ok "${r%% *}" "checkpatch --strict: ${r#* }" ;;
		esac
	done <<EOF
$results
EOF
	# kpq's status counts too, as before: it fails the suite.
	[ "$st" -eq 0 ] || tap_failed=$((tap_failed + 1))
fi
tap_done
