#!/bin/bash
# lkvm list/stop/pause/resume/stat/debug against a running guest.
. "$(dirname "$0")/lib.sh"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
if [ -n "$why" ]; then
	skip "control commands" "$why"
	done_testing
	exit
fi
export LKVM_HOME="$TMP/home"
name="ctl-$$"
ticks() { grep -c '^tick ' "$TMP/guest.out"; }
has_ticks() { [ "$(ticks)" -ge "$1" ]; }

"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 2 -p test=ticker --name "$name" \
	>"$TMP/guest.out" 2>"$TMP/guest.err" </dev/null &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT

check "the guest is ticking" wait_for 20 has_ticks 1
check "a socket appears in \$LKVM_HOME" [ -S "$LKVM_HOME/$name.sock" ]

"$LKVM" list >"$TMP/list"
check "lkvm list shows the VM, its pid and state" \
	grep -qE "^$pid +$name +running$" "$TMP/list"

"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 --name "$name" >"$TMP/out" 2>"$TMP/err"
rc=$?
check_that "a second VM with the same name is refused" \
	'[ "$rc" -eq 1 ] && grep -q "^lkvm: a VM named .$name. is already running" "$TMP/err"'

"$LKVM" stat "$name" >"$TMP/stat"
check "lkvm stat names the VM" grep -q "^name $name$" "$TMP/stat"
check "lkvm stat counts port exits" grep -qE "^vcpu0 KVM_EXIT_IO [1-9][0-9]*$" "$TMP/stat"
check "lkvm stat reports both vCPUs" grep -q "^vcpu1 exits" "$TMP/stat"

check "lkvm pause succeeds" "$LKVM" pause "$name"
before=$(ticks)
sleep 2.5
after=$(ticks)
check "a paused guest does not run ($before ticks, then $after)" [ "$before" -eq "$after" ]
"$LKVM" list >"$TMP/list"
check "lkvm list shows it paused" grep -qE "^$pid +$name +paused$" "$TMP/list"
"$LKVM" pause "$name" 2>"$TMP/err"
rc=$?
check_that "pausing twice is refused" '[ "$rc" -eq 1 ] && grep -q "already paused" "$TMP/err"'
"$LKVM" debug "$name" >"$TMP/debug"
check_that "lkvm debug dumps every vCPU's registers" \
	'[ "$(grep -c "^vCPU [01] registers:" "$TMP/debug")" -eq 2 ] && grep -q "rip " "$TMP/debug"'
check "lkvm resume succeeds" "$LKVM" resume "$name"
check "a resumed guest runs again" wait_for 10 has_ticks $((after + 2))
"$LKVM" resume "$name" 2>"$TMP/err"
rc=$?
check_that "resuming a running VM is refused" '[ "$rc" -eq 1 ] && grep -q "not paused" "$TMP/err"'

check "lkvm stop succeeds" "$LKVM" stop "$name"
wait "$pid"
rc=$?
check "the stopped VM's lkvm exits with status 0" [ "$rc" -eq 0 ]
check "its socket is gone" [ ! -e "$LKVM_HOME/$name.sock" ]
"$LKVM" list >"$TMP/list"
check_that "lkvm list no longer shows it" '! grep -q " $name " "$TMP/list"'
"$LKVM" stop "$name" 2>"$TMP/err"
rc=$?
check_that "stopping a VM that is not running fails clearly" \
	'[ "$rc" -eq 1 ] && grep -q "^lkvm: no VM named .$name. is running" "$TMP/err"'
"$LKVM" stop 2>"$TMP/err"
rc=$?
check "stop without a name is a usage error" [ "$rc" -eq 2 ]

# SIGTERM goes through the same stop path. guest.out is emptied here:
# the job truncates it only in its forked child, and has_ticks must not
# see the first VM's ticks; nor may SIGTERM reach that child before its
# exec (wait_exec).
: >"$TMP/guest.out"
"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=ticker --name "$name-term" \
	>"$TMP/guest.out" 2>/dev/null </dev/null &
pid=$!
wait_for 20 has_ticks 1
wait_exec "$pid"
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM ends lkvm with status 143" [ "$rc" -eq 143 ]
check "SIGTERM removes the socket" [ ! -e "$LKVM_HOME/$name-term.sock" ]

# A vCPU waiting on a word (test=spin: RDX holds its address, then the
# tag "lkvm-spin"): lkvm debug shows the bytes RDX points at.
spinning() { grep -q "^spin: waiting" "$TMP/spin.out"; }
"$LKVM" run -k "$GUESTS/guest.elf" -m 64M -c 1 -p test=spin --name "$name-spin" \
	>"$TMP/spin.out" 2>/dev/null </dev/null &
pid=$!
wait_for 20 spinning
"$LKVM" debug "$name-spin" >"$TMP/debug" 2>&1
check_that "lkvm debug shows the memory a register points at" \
	'grep -qE "^  \[rdx\] at 0x[0-9a-f]+: 00 00 00 00 6c 6b 76 6d 2d 73 70 69 6e 00 00 00$" "$TMP/debug"'
"$LKVM" stop "$name-spin" >/dev/null 2>&1
wait "$pid"
done_testing
