#!/bin/bash
# lkvm always exits when a guest with many vCPUs stops at once (issue 13,
# item 9): a stop requested while vcpu_start() was still creating threads
# left an AP blocked in KVM_RUN, and lkvm waited for it forever (and
# ignored SIGTERM). EXIT_RACE_RUNS runs (500) of a guest that resets at
# once with -c EXIT_RACE_CPUS (16); each must exit within 10 s.
. "$(dirname "$0")/lib.sh"

runs=${EXIT_RACE_RUNS:-500}
cpus=${EXIT_RACE_CPUS:-16}
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "$runs runs with -c $cpus all exit" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"
hung=0
bad=0
start=$SECONDS
for i in $(seq 1 "$runs"); do
	timeout -s KILL 10 "$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c "$cpus" \
		-p test=reset >/dev/null 2>"$TMP/err" </dev/null
	rc=$?
	if [ "$rc" -eq 137 ]; then
		hung=$((hung + 1))
	elif [ "$rc" -ne 0 ]; then
		bad=$((bad + 1))
		cat "$TMP/err" >&2
	fi
done
check "$runs runs of a resetting guest with -c $cpus all exit ($hung hung, $((SECONDS - start)) s)" \
	[ "$hung" -eq 0 ]
check "and all of them with status 0 ($bad did not)" [ "$bad" -eq 0 ]
done_testing
