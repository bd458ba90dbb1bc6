#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/linux/lib.sh's stall watch, on a stand-in for lkvm that prints a
# line and then nothing: no Linux boot, about 25 s. The boot gets a VM
# name; after LINUX_STALL_DUMP silent seconds the watch writes NAME.stall
# with the stand-in's threads and what `lkvm debug --name NAME --dump`
# printed, notes output that resumes, and linux_done shows the file when
# a check failed. A boot that never goes quiet leaves no file.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

check() {	# STATUS DESCRIPTION [FILE]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
		[ -n "${3:-}" ] && sed 's/^/#   /' "$3" 2>/dev/null
	fi
}

# The stand-in: `run` prints, keeps quiet for $STANDIN_QUIET s, prints
# again, then waits to be killed; `debug` says which VM it was asked for.
cat >"$tmp/lkvm" <<'STANDIN'
#!/bin/bash
case "$1" in
run)
	echo "booting"
	sleep "$STANDIN_QUIET"
	echo "awake"
	while :; do sleep 1; done ;;
debug)
	echo "registers of $3 ($2 $4)" ;;
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
	_linux_failed=1
	linux_done
) >"$tmp/done" 2>&1
grep -q "^# it stalled; .*quiet.stall:" "$tmp/done" &&
	grep -q "^#   registers of lt-quiet" "$tmp/done"
check $? "linux_done shows the stall file when a check failed" "$tmp/done"

echo "1..$n"
exit "$failed"
