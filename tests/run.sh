#!/bin/bash
# Run test suites (executables printing TAP) and print one summary line:
#   N passed, N failed, N skipped
# A suite that exits non-zero without reporting a failure, or times out,
# counts as one failure. "not ok ... # TODO" (an expected failure on this
# host kind) counts as skipped, and is listed before the summary.
# A suite is killed after SUITE_TIMEOUT (600) s, or after the seconds its
# own "# suite-timeout: N" line (in its first 40 lines) asks for: suites
# that boot Linux several times, each boot under its own time-out.
# Each suite's wall time follows it ("# suite-time: N s"); the slowest
# eight are listed before the summary, for keeping make check's budget.
# Where /dev/kvm is missing or not read-write, a line before the summary
# says so and counts the skips that name KVM: such a pass says nothing
# about VMs beyond what the nested smoke's checks ("L1: ...") did.
# There, when NESTED_SUITES is set (make check sets it to the suites
# make check-nested runs in a nested VM), every suite that skipped for
# want of KVM must be among them, or a failure says which is not.
set -u
timeout_s=${SUITE_TIMEOUT:-600}
passed=0 failed=0 skipped=0 todo=0 kvm_skips=0
l1_passed=0	# checks that passed in an L1 VM (tests/nested/smoke.sh)
failed_names=()
times=()
kvm_suites=()	# suites with at least one skip that names KVM

for suite in "$@"; do
	echo "# suite: $suite"
	out=$(mktemp)
	# TEST_RUNNER (qemu-user for cross builds) runs compiled suites only.
	runner=()
	if [ -n "${TEST_RUNNER:-}" ] && file -b "$suite" 2>/dev/null | grep -q ELF; then
		read -r -a runner <<<"$TEST_RUNNER"
	fi
	suite_timeout=$(head -n 40 "$suite" 2>/dev/null | tr -d '\0' |
		sed -n 's/^# suite-timeout: \([0-9][0-9]*\)$/\1/p' | head -n 1)
	suite_timeout=${suite_timeout:-$timeout_s}
	start=$SECONDS
	timeout --kill-after=10 "$suite_timeout" "${runner[@]}" "$suite" >"$out" 2>&1 </dev/null
	rc=$?
	cat "$out"
	echo "# suite-time: $((SECONDS - start)) s"
	times+=("$((SECONDS - start)) $suite")
	s_fail=0
	s_kvm=$kvm_skips
	while IFS= read -r line; do
		case "$line" in
		"not ok "*"# TODO"*) todo=$((todo + 1)); skipped=$((skipped + 1)) ;;
		"not ok "*) failed=$((failed + 1)); s_fail=$((s_fail + 1))
			failed_names+=("$suite: ${line#not ok }") ;;
		"ok "*"# SKIP"*|"ok "*"# skip"*) skipped=$((skipped + 1))
			# The reason names KVM; lkvm's own name (a path
			# under ~/.cache/lkvm) does not count.
			reason=${line##*# [Ss][Kk][Ii][Pp]}
			case ${reason//[Ll][Kk][Vv][Mm]/} in
			*[Kk][Vv][Mm]*) kvm_skips=$((kvm_skips + 1)) ;;
			esac ;;
		"ok "*) passed=$((passed + 1))
			case "$line" in "ok "[0-9]*" - L1: "*) l1_passed=$((l1_passed + 1)) ;; esac ;;
		esac
	done <"$out"
	rm -f "$out"
	[ "$kvm_skips" -gt "$s_kvm" ] && kvm_suites+=("$suite")
	if [ "$rc" -ne 0 ] && [ "$s_fail" -eq 0 ]; then
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			why="timed out after ${suite_timeout}s"
		else
			why="exited with status $rc"
		fi
		echo "not ok - $suite $why"
		failed=$((failed + 1))
		failed_names+=("$suite: $why")
	fi
done

no_kvm=
[ -r /dev/kvm ] && [ -w /dev/kvm ] || no_kvm=1
if [ -n "$no_kvm" ] && [ -n "${NESTED_SUITES+set}" ]; then
	missed=0
	for suite in ${kvm_suites[@]+"${kvm_suites[@]}"}; do
		case " $NESTED_SUITES " in
		*" $suite "*) ;;
		*) echo "not ok - $suite skips for want of KVM, but make check-nested does not run it (NESTED_SUITES, tests/nested/nested.mk)"
		   failed=$((failed + 1)) missed=$((missed + 1))
		   failed_names+=("$suite: not in NESTED_SUITES") ;;
		esac
	done
	[ "$missed" -eq 0 ] &&
		echo "ok - make check-nested runs each of the ${#kvm_suites[@]} suites that skipped for want of KVM" &&
		passed=$((passed + 1))
fi

if [ "${#times[@]}" -gt 1 ]; then
	echo "# slowest suites (s):"
	printf '%s\n' "${times[@]}" | sort -rn | head -n 8 | sed 's/^/#   /'
fi
if [ "${#failed_names[@]}" -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failed_names[@]}"
fi
[ "$todo" -gt 0 ] && echo "# $todo expected failures on this host kind counted as skipped"
if [ -n "$no_kvm" ]; then
	if [ "$l1_passed" -gt 0 ]; then
		vms="only the nested smoke's $l1_passed checks started VMs, in an L1 VM"
	else
		vms="this run says nothing about VMs"
	fi
	echo "# /dev/kvm is missing or not read-write here: $kvm_skips skips name KVM; $vms${NESTED_SUITES+ (make check-nested runs those suites in a nested VM)}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
