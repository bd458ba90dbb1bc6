# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tree-cache.sh - sourced by kpq's runners (tests/linux/kpq-guest.sh,
# tests/nested/kpq-nested.sh), which keep one build per kernel tree state
# in a cache directory.
#
# tree_cache_prune DIR KEEP CURRENT: drop the least recently used entries
# of DIR beyond the KEEP most recent, never CURRENT nor one that a build
# holds locked (DIR/<entry>/.lock); says so on stdout, prefixed "$prog: ".
tree_cache_prune() {
	local dir=$1 keep=$2 current=$3 d n=0
	while IFS= read -r d; do
		n=$((n + 1))
		if [ "$n" -le "$keep" ] || [ "$d" = "$current" ]; then
			continue
		fi
		# shellcheck disable=SC2154 # prog: the caller's name
		(flock -n 9 && rm -rf "$d") 9>>"$d/.lock" 2>/dev/null &&
			echo "$prog: removed $d (kept the $keep most recent)"
	done < <(find "$dir" -mindepth 1 -maxdepth 1 -type d \
		 -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
}
