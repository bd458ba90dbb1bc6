#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/linux/lib.sh's stall watch, on a stand-in for lkvm that prints a
# line and then nothing: no Linux boot, about 50 s. The boot gets a VM
# name; after LINUX_STALL_DUMP silent seconds the watch writes NAME.stall
# with the stand-in's threads and what `lkvm debug --name NAME --dump`
# printed, notes output that resumes, and linux_done shows the file when
# a check failed. A boot that never goes quiet leaves no file. A boot
# whose dumps show the nested stack's hang is killed and run again when
# LINUX_HANG_RETRY allows it.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {	# STATUS DESCRIPTION [FILE]: on failure, FILE's lines
	ok "$1" "$2" || { [ -z "${3:-}" ] || sed 's/^/#   /' "$3" 2>/dev/null; }
}

# The stand-in: `run` prints, keeps quiet for $STANDIN_QUIET s, prints
# again, then waits to be killed; `debug` says which VM it was asked for.
# With STANDIN_HANGS=FILE, `run` stays quiet while FILE holds a number
# above 0, taking one off it, and ends after "awake"; `debug` prints a
# vCPU spinning with interrupts off (the nested stack's hang).
cat >"$tmp/lkvm" <<'STANDIN'
#!/bin/bash
case "$1" in
run)
	echo "booting"
	if [ -n "${STANDIN_HANGS:-}" ]; then
		left=$(cat "$STANDIN_HANGS")
		echo $((left - 1)) >"$STANDIN_HANGS"
		[ "$left" -gt 0 ] || { echo "awake"; exit 0; }
	fi
	sleep "$STANDIN_QUIET"
	echo "awake"
	while :; do sleep 1; done ;;
debug)
	echo "registers of $3 ($2 $4)"
	[ -z "${STANDIN_HANGS:-}" ] || cat <<'DUMP'
vCPU 0 registers:
  rip ffffffff812e78ee  rsp ffff88800f805e98  rflags 0000000000000002
  code at 0x12e78ee: eb f6 66 c7 02 01 00 c3 48 c7 c1 00 02 02 00 65
DUMP
	;;
esac
STANDIN
chmod +x "$tmp/lkvm"

export LKVM=$tmp/lkvm BUILD=$tmp/build STANDIN_QUIET=12
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/lib.sh"
LINUX_STALL_DUMP=5 LINUX_TIMEOUT=20 linux_run quiet "$LKVM" run -k x \
	>"$tmp/out"
stall=$LINUX_LOG_DIR/quiet.stall
grep -q -- "--name lt-quiet-$$ " "$LINUX_LOG_DIR/quiet.cmd"
check $? "an lkvm run without --name gets one" "$LINUX_LOG_DIR/quiet.cmd"
grep -q "^# no output for [0-9]* s" "$stall"
check $? "a silent boot is noticed" "$stall"
grep -q "^registers of lt-quiet-$$ (--name --dump)" "$stall"
check $? "lkvm debug --name NAME --dump is asked, its output kept" "$stall"
grep -qE "^# thread lkvm: state [A-Z], utime [0-9]+, stime [0-9]+ ticks" \
	"$stall"
check $? "lkvm's threads and their CPU times are listed" "$stall"
grep -q "^# output resumed after" "$stall"
check $? "output after the dump is noted" "$stall"
[ "$(grep -c "^# no output" "$stall")" -le 3 ]
check $? "at most three dumps" "$stall"

STANDIN_QUIET=0 LINUX_STALL_DUMP=5 LINUX_TIMEOUT=3 linux_run busy \
	"$LKVM" run --name mine -k x >"$tmp/out"
[ ! -e "$LINUX_LOG_DIR/busy.stall" ]
check $? "a boot ended before LINUX_STALL_DUMP leaves no stall file"
grep -q -- "run --name mine -k x" "$LINUX_LOG_DIR/busy.cmd"
check $? "a boot's own --name is kept" "$LINUX_LOG_DIR/busy.cmd"

# linux_done shows the stall file after a failed check.
(
	tap_failed=1
	linux_done
) >"$tmp/done" 2>&1
grep -q "^# it stalled; .*quiet.stall:" "$tmp/done" &&
	grep -q "^#   registers of lt-quiet" "$tmp/done"
check $? "linux_done shows the stall file when a check failed" "$tmp/done"

# The nested stack's hang: with LINUX_HANG_RETRY=1 the watch kills the
# boot after two dumps showing it, the attempt is a skip naming it, its
# log is kept, and the boot runs again; without, the boot runs on.
echo 1 >"$tmp/hangs"
# In a subshell: the attempt's skip line, in $tmp/out, is not this
# suite's check and must not advance its count.
(
	STANDIN_HANGS=$tmp/hangs STANDIN_QUIET=60 LINUX_STALL_DUMP=5 \
		LINUX_TIMEOUT=50 LINUX_HANG_RETRY=1 linux_run hung "$LKVM" run -k x
) >"$tmp/out"
grep -q "^# the nested stack's hang (vCPU 0 spins at ffffffff812e78ee with interrupts off): killing lkvm" \
	"$LINUX_LOG_DIR/hung.hang-1.stall"
check $? "a boot with the nested stack's hang is killed, its dump kept" \
	"$LINUX_LOG_DIR/hung.hang-1.stall"
grep -q "^ok [0-9]* - boot hung, attempt 1 # SKIP stopped: the nested stack's hang, vCPU 0 spins at ffffffff812e78ee with interrupts off$" \
	"$tmp/out" && grep -q "^booting" "$LINUX_LOG_DIR/hung.hang-1.log"
check $? "the stopped attempt is a skip naming the hang; its log kept" \
	"$tmp/out"
[ "$(grep -c "^# boot hung: exited" "$tmp/out")" = 2 ] &&
	[ "$(cat "$LINUX_LOG_DIR/hung.rc")" = 0 ] &&
	grep -q "^awake" "$LINUX_LOG_DIR/hung.log"
check $? "the boot runs again, and its second run is the result" "$tmp/out"
echo 1 >"$tmp/hangs"
STANDIN_HANGS=$tmp/hangs STANDIN_QUIET=60 LINUX_STALL_DUMP=5 \
	LINUX_TIMEOUT=14 linux_run kept "$LKVM" run -k x >"$tmp/out"
[ "$(grep -c "^# boot kept: exited" "$tmp/out")" = 1 ] &&
	[ "$(cat "$LINUX_LOG_DIR/kept.rc")" = 124 ] &&
	[ ! -e "$LINUX_LOG_DIR/kept.hang" ] && ! grep -q SKIP "$tmp/out"
check $? "without LINUX_HANG_RETRY the hung boot runs to its time-out" \
	"$tmp/out"

tap_done
