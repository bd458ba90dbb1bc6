#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run lkvm KVM selftests (one program per test) as one TAP stream.
#
# Usage: tests/selftests/run.sh [--summary] [--xfail FILE] TEST...
#   --summary     end with "N passed, N failed, N skipped" (make selftests)
#   --xfail FILE  expected failures: lines "PROBE TEST REASON..."; a TEST
#                 that fails while PROBE holds on this host prints
#                 "not ok N TEST # TODO REASON" and does not fail the run
# Each test gets ST_TIMEOUT seconds (default 20) in the guest, enforced by
# the test itself (it fails with the guest's stage); the runner kills a
# test that outlives that by 30 s. A test's diagnostics are passed on as
# "# " lines. Exit status 0 unless a test failed that was not expected to.
set -u

summary=0 xfail=
while [ $# -gt 0 ]; do
	case "$1" in
	--summary) summary=1; shift ;;
	--xfail) xfail=$2; shift 2 ;;
	-h|--help) sed -n '4,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	*) break ;;
	esac
done

limit=${ST_TIMEOUT:-20}
export ST_TIMEOUT=$limit

# Probes of host kinds that expected-failure lines are keyed to.
# ST_HOST_KINDS="kind ..." replaces the probes (for testing this script).
probe() {
	if [ -n "${ST_HOST_KINDS+set}" ]; then
		[[ " $ST_HOST_KINDS " == *" $1 "* ]]
		return
	fi
	case "$1" in
	pvm-native)
		# kvm_pvm with pvm_native=Y: guest CPL0 runs in KVM's emulator.
		local v
		v=$(cat /sys/module/kvm_pvm/parameters/pvm_native 2>/dev/null)
		[ "$v" = Y ] || [ "$v" = y ] || [ "$v" = 1 ] ;;
	*) return 1 ;;
	esac
}

# The reason TEST is expected to fail on this host, or nothing.
xfail_reason() {
	local p t r
	[ -n "$xfail" ] || return 0
	while read -r p t r; do
		case "$p" in ''|'#'*) continue ;; esac
		[ "$t" = "$1" ] && probe "$p" && { echo "$p: $r"; return; }
	done <"$xfail"
}

echo "TAP version 13"
echo "1..$#"
n=0 pass=0 fail=0 skip=0 todo=0
for bin in "$@"; do
	n=$((n + 1))
	name=$(basename "$bin")
	out=$(mktemp)
	timeout --kill-after=5 $((limit + 30)) "$bin" >"$out" 2>&1 </dev/null
	rc=$?
	# The test's own result line, renumbered; everything else a comment.
	res=$(grep -m1 -E '^(not )?ok 1 ' "$out")
	grep -v -E '^(TAP version|1\.\.1$|(not )?ok 1 )' "$out" |
		sed -e 's/^# //' -e 's/^/# /'
	rm -f "$out"
	case "$res" in
	"ok 1 "*"# SKIP"*)
		echo "ok $n $name # SKIP ${res#*# SKIP }"
		skip=$((skip + 1)); continue ;;
	"ok 1 "*)
		if [ $rc -eq 0 ]; then
			echo "ok $n $name"
			why=$(xfail_reason "$name")
			[ -n "$why" ] && echo "# $name passed although listed as an expected failure ($why)"
			pass=$((pass + 1)); continue
		fi ;;
	esac
	if [ -z "$res" ]; then
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			echo "# $name: killed after $((limit + 30))s"
		else
			echo "# $name: ended with status $rc and no result line"
		fi
	fi
	why=$(xfail_reason "$name")
	if [ -n "$why" ]; then
		echo "not ok $n $name # TODO $why"
		todo=$((todo + 1))
	else
		echo "not ok $n $name"
		fail=$((fail + 1))
	fi
done
if [ $summary = 1 ]; then
	[ $todo -gt 0 ] && echo "# $todo of the failures are expected on this host kind (TODO)"
	echo "$pass passed, $((fail + todo)) failed, $skip skipped"
fi
[ $fail -eq 0 ]
