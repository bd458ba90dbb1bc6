# SPDX-License-Identifier: GPL-2.0
# Sourced by the tests/fuzz/*run.sh suites: short libFuzzer runs as TAP.
#   fuzz_init WHAT    sets root, dir (build/fuzz), t (FUZZ_CHECK_TIME, 6 s)
#                     and work (a temporary directory, removed at exit);
#                     sources tests/lib/tap.sh (end with tap_done); prints
#                     one skipped test and exits where there is no clang
#                     (build/fuzz/skip-reason says why)
#   fuzz_target TARGET CORPUS HINT [OPTION...]
#                     runs build/fuzz/TARGET on CORPUS for t seconds with
#                     the libFuzzer OPTIONs; prints "ok N" with the number
#                     of inputs, or "not ok N" with the report's lines
#                     (FUZZ_REPORT, an extended regex, adds the target's own
#                     invariant messages) and saves crash, leak, timeout and
#                     oom inputs in build/fuzz/artifacts. HINT is the make
#                     target that builds it. Returns 1 on a failure.

fuzz_init() {
	root=$(cd "$(dirname "$0")/../.." && pwd)
	dir=$root/build/fuzz
	t=${FUZZ_CHECK_TIME:-6}
	. "$root/tests/lib/tap.sh"
	[ ! -f "$dir/skip-reason" ] ||
		tap_skip_all "$1" "$(cat "$dir/skip-reason")"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
}

fuzz_target() {
	local target=$1 corpus=$2 hint=$3 out rc runs f
	local report='ERROR|SUMMARY|==[0-9]+=='

	shift 3
	out=$work/$target.out
	mkdir -p "$out"
	if [ ! -x "$dir/$target" ]; then
		ok 1 "$target fuzz: not built (make $hint)"
		return
	fi
	"$dir/$target" -max_total_time="$t" -timeout=10 -print_final_stats=1 \
		"$@" -artifact_prefix="$out/" "$corpus" >"$out/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log")
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		ok 0 "$target fuzz: ${t}s, $runs inputs, invariants held"
		return
	fi
	[ -z "${FUZZ_REPORT:-}" ] || report="$report|$FUZZ_REPORT"
	grep -E -A4 "$report" "$out/log" | head -30 | sed 's/^/# /'
	for f in "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*; do
		[ -f "$f" ] || continue
		mkdir -p "$dir/artifacts"
		cp "$f" "$dir/artifacts/$target-$(basename "$f")"
		echo "# saved $dir/artifacts/$target-$(basename "$f")"
	done
	ok 1 "$target fuzz: exit status $rc"
}
