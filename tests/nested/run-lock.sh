#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/nested/run.sh without a VM: a stand-in QEMU that records when it
# runs and leaves the job's status where the L1 would. Two runs started
# together in one checkout must not overlap (make check-nested and kpq's
# nested suite share build/nested/), and the second says it waits;
# NESTED_REPEAT; NESTED_TCG_THREAD. Seconds.
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/lib/tap.sh"

# A scratch checkout: run.sh works in the tree it lives in.
mkdir -p "$tmp/co/tests/nested"
cp "$top/tests/nested/run.sh" "$tmp/co/tests/nested/"
echo kernel >"$tmp/kernel"
cat >"$tmp/qemu" <<'EOQ'
#!/bin/bash
echo "args $*" >>"$FAKE_QEMU_ARGS"
echo "start $(date +%s.%N)" >>"$FAKE_QEMU_LOG"
sleep 1
echo "end $(date +%s.%N)" >>"$FAKE_QEMU_LOG"
echo 0 >"$FAKE_QEMU_DIR/rc"
echo "1 passed, 0 failed, 0 skipped"
EOQ
chmod +x "$tmp/qemu"
export FAKE_QEMU_LOG=$tmp/qemu.log FAKE_QEMU_DIR=$tmp/co/build/nested
export FAKE_QEMU_ARGS=$tmp/qemu.args
run() {
	QEMU=$tmp/qemu NESTED_KERNEL=$tmp/kernel \
		"$tmp/co/tests/nested/run.sh" some-suite >"$tmp/out$1" 2>&1
	echo $? >"$tmp/rc$1"
}
run 1 &
sleep 0.3
run 2 &
wait

ok "$(( $(cat "$tmp/rc1") + $(cat "$tmp/rc2") ))" \
	"both runs end with the job's status 0" "$(cat "$tmp/out1" "$tmp/out2")"
# The stand-in's lines alternate start, end, start, end when the runs
# do not overlap.
order=$(cut -d' ' -f1 "$tmp/qemu.log" | tr '\n' ' ')
[ "$order" = "start end start end " ]
ok $? "the second VM starts only after the first has ended" "got: $order"
grep -q "waiting for this checkout's other nested VM" "$tmp/out2"
ok $? "the second run says it waits" "$(cat "$tmp/out2")"

# NESTED_REPEAT: the job runs the suites that many times; a bad count is
# refused before any VM.
QEMU=$tmp/qemu NESTED_KERNEL=$tmp/kernel NESTED_REPEAT=3 \
	"$tmp/co/tests/nested/run.sh" a.sh b.sh >"$tmp/out3" 2>&1
grep -qx 'tests/run.sh a.sh b.sh a.sh b.sh a.sh b.sh' "$tmp/co/build/nested/job.sh"
ok $? "NESTED_REPEAT=3 runs the suites three times in one boot" \
	"$(cat "$tmp/co/build/nested/job.sh")"
: >"$FAKE_QEMU_LOG"
QEMU=$tmp/qemu NESTED_KERNEL=$tmp/kernel NESTED_REPEAT=x \
	"$tmp/co/tests/nested/run.sh" a.sh >"$tmp/out4" 2>&1
rc=$?
[ "$rc" -eq 2 ] && [ ! -s "$FAKE_QEMU_LOG" ] &&
	grep -q "NESTED_REPEAT=x: not a count" "$tmp/out4"
ok $? "NESTED_REPEAT=x is refused with a message, no VM started" \
	"status $rc: $(cat "$tmp/out4")"
# TCG's threading: one thread for all CPUs unless NESTED_TCG_THREAD says
# multi (QEMU 7.2's multi-threaded TCG loses L2 state now and then).
grep -q -- '-accel tcg,thread=single ' "$FAKE_QEMU_ARGS"
ok $? "the L1 VM runs on single-threaded TCG by default" \
	"$(cat "$FAKE_QEMU_ARGS")"
: >"$FAKE_QEMU_ARGS"
QEMU=$tmp/qemu NESTED_KERNEL=$tmp/kernel NESTED_TCG_THREAD=multi \
	"$tmp/co/tests/nested/run.sh" a.sh >"$tmp/out5" 2>&1
grep -q -- '-accel tcg,thread=multi ' "$FAKE_QEMU_ARGS" &&
	grep -q "multi-threaded" "$tmp/out5"
ok $? "NESTED_TCG_THREAD=multi gives a thread per CPU, and says so" \
	"$(cat "$FAKE_QEMU_ARGS" "$tmp/out5")"
: >"$FAKE_QEMU_LOG"
QEMU=$tmp/qemu NESTED_KERNEL=$tmp/kernel NESTED_TCG_THREAD=many \
	"$tmp/co/tests/nested/run.sh" a.sh >"$tmp/out6" 2>&1
rc=$?
[ "$rc" -eq 2 ] && [ ! -s "$FAKE_QEMU_LOG" ] &&
	grep -q "NESTED_TCG_THREAD=many: not single or multi" "$tmp/out6"
ok $? "NESTED_TCG_THREAD=many is refused with a message, no VM started" \
	"status $rc: $(cat "$tmp/out6")"
tap_done
