#!/bin/bash
# The control socket when lkvm is out of file descriptors: a guest (or
# anything else) that uses up lkvm's descriptors must not make the
# control thread spin on a listening socket it cannot accept from, and
# lkvm stop must still work once a descriptor is free.
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
[ -z "$why" ] && ! command -v prlimit >/dev/null && why="no prlimit (util-linux)"
if [ -n "$why" ]; then
	skip "control socket without descriptors" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"
name="fds-$$"

"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=ticker --name "$name" \
	>"$TMP/guest.out" 2>"$TMP/guest.err" </dev/null &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do
	grep -q '^tick ' "$TMP/guest.out" && [ -S "$LKVM_HOME/$name.sock" ] && break
	sleep 0.2
done
check "the guest is ticking" grep -q '^tick ' "$TMP/guest.out"

# The control thread's CPU time in clock ticks (utime + stime).
ctl_ticks() {
	local t
	for t in /proc/$pid/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = lkvm-control ] || continue
		awk '{ print $14 + $15 }' "$t/stat"
		return
	done
	echo -1
}

# Leave lkvm two free descriptors, then keep 16 connections pending for
# 3 s: two are accepted, the rest make accept() fail with EMFILE.
nfds=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
limit=$((nfds + 2))
check "lkvm's descriptor limit lowered to $limit ($nfds open)" \
	prlimit --pid "$pid" --nofile="$limit:$limit"
before=$(ctl_ticks)
python3 - "$LKVM_HOME/$name.sock" <<'PY'
import socket, sys, time
socks = []
for _ in range(16):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    socks.append(s)
time.sleep(3)
PY
after=$(ctl_ticks)
hz=$(getconf CLK_TCK)
check_that "the control thread does not spin: $((after - before)) ticks of CPU in 3 s (HZ $hz)" \
	'[ "$before" -ge 0 ] && [ $((after - before)) -lt $((hz / 2)) ]'
check_that "lkvm says once in a while why it cannot accept" \
	'grep -q "control: accept: Too many open files" "$TMP/guest.err"'
ok_stop=1
for _ in 1 2 3 4 5; do
	"$LKVM" stop "$name" >/dev/null 2>&1 && { ok_stop=0; break; }
	sleep 1
done
check_that "lkvm stop still works with the low limit" '[ "$ok_stop" -eq 0 ]'
wait "$pid"
rc=$?
check "the stopped VM's lkvm exits with status 0" [ "$rc" -eq 0 ]
done_testing
