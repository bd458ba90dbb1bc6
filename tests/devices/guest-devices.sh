#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Legacy PC devices and the console through a real VM: UART interrupts via
# the IOAPIC, console input from a pipe, a file, /dev/null and a terminal
# (Ctrl-a x, raw mode restored), the RTC against the host clock, the i8042
# probe and reset, and the debug-exit port's status.
. "$(dirname "$0")/../integration/lib.sh"

GUEST="$GUESTS/guest.elf"
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -x "$LKVM" ] && why="lkvm not built"
[ -z "$why" ] && [ ! -r "$GUEST" ] && why="test guest not built"

guest() { # guest TEST [lkvm args...]: run one guest test, 1 vCPU
	local t=$1
	shift
	run_lkvm 60 run -k "$GUEST" -c 1 -p "test=$t" "$@"
}

if [ -n "$why" ]; then
	for t in "COM2 THRE interrupts" "console input from a pipe" \
		"console input from a file" "console input from /dev/null" \
		"RTC" "i8042 probe" "i8042 reset" "debug-exit status" \
		"terminal: Ctrl-a x"; do
		skip "$t" "$why"
	done
	done_testing
	exit
fi

guest uart-irq </dev/null
if [ "$rc" -eq 0 ] && grep -q '^uart-irq: 9 THRE interrupts, IIR 0xc2' "$TMP/out"; then
	pass "COM2 THRE interrupts: gated by OUT2, one per THR write"
else
	fail "COM2 THRE interrupts (status $rc)"
	show_output
fi

line="console input: $(head -c 24 /dev/urandom | base64)"
guest uart-echo < <(printf '%s\n' "$line")
if [ "$rc" -eq 0 ] && grep -qxF "echo: $line" "$TMP/out"; then
	pass "console input from a pipe reaches COM1 byte-exact"
else
	fail "console input from a pipe (status $rc)"
	show_output
fi

printf '%s\n' "$line" >"$TMP/in.txt"
guest uart-echo <"$TMP/in.txt"
if [ "$rc" -eq 0 ] && grep -qxF "echo: $line" "$TMP/out"; then
	pass "console input from a regular file reaches COM1"
else
	fail "console input from a file (status $rc)"
	show_output
fi

guest uart-echo </dev/null
if [ "$rc" -eq 1 ] && grep -q '^uart-echo: input stopped after 0 bytes' "$TMP/out"; then
	pass "console input from /dev/null: nothing read, no hang"
else
	fail "console input from /dev/null (status $rc)"
	show_output
fi

guest rtc </dev/null
host=$(date -u +%s)
when=$(sed -n 's/^rtc: //p' "$TMP/out")
secs=$(date -u -d "$when" +%s 2>/dev/null || echo 0)
if [ "$rc" -eq 0 ] && [ $((host - secs)) -ge -2 ] && [ $((host - secs)) -le 10 ]; then
	pass "RTC reads host UTC ($when, host $(date -u -d "@$host" '+%F %T'))"
else
	fail "RTC (status $rc, guest '$when', host $host)"
	show_output
fi

guest i8042 </dev/null
if [ "$rc" -eq 0 ] && grep -q '^i8042: self-test 0x55' "$TMP/out"; then
	pass "i8042 probe: self-test, command byte, AUX loop, keyboard test"
else
	fail "i8042 probe (status $rc)"
	show_output
fi

guest reset </dev/null
if [ "$rc" -eq 0 ] && [ "$(lkvm_lines)" -eq 0 ]; then
	pass "i8042 reset (0xfe to port 0x64) ends the VM with status 0"
else
	fail "i8042 reset (status $rc)"
	show_output
fi

all=1
for s in 0 1 42 255 300; do
	guest "exit:$s" </dev/null
	if [ "$rc" -ne $((s & 255)) ]; then
		all=0
		echo "# exit:$s gave status $rc, want $((s & 255))"
		show_output
	fi
done
if [ "$all" -eq 1 ]; then
	pass "debug-exit: lkvm exits with the byte the guest wrote (0 1 42 255, 300 -> 44)"
else
	fail "debug-exit status"
fi

# A terminal: raw mode, Ctrl-a Ctrl-a is a literal ^A, Ctrl-a x quits with
# status 0, and the terminal's settings are back afterwards.
python3 - "$LKVM" "$GUEST" >"$TMP/pty" 2>&1 <<'PY'
import fcntl, os, select, sys, termios, time

def run(data):
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.execv(sys.argv[1], ["lkvm", "run", "-k", sys.argv[2], "-c", "1",
                               "-p", "test=uart-echo"])
    # Write once lkvm has made the terminal raw (no echo, no line
    # editing), not after a fixed time: before that, the tty itself would
    # echo the input (seconds under ASan in a nested VM).
    deadline = time.time() + 30
    while termios.tcgetattr(slave)[3] & (termios.ECHO | termios.ICANON):
        if time.time() > deadline:
            break
        time.sleep(0.01)
    time.sleep(0.2)
    os.write(master, data)
    out, st, deadline = b"", None, time.time() + 30
    while st is None and time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            out += os.read(master, 4096)
        p, status = os.waitpid(pid, os.WNOHANG)
        if p:
            st = status
    if st is None:
        os.kill(pid, 9)
        _, st = os.waitpid(pid, 0)
    while select.select([master], [], [], 0.1)[0]:
        out += os.read(master, 4096)
    after = termios.tcgetattr(slave)
    os.close(master)
    os.close(slave)
    return os.waitstatus_to_exitcode(st), out, before == after

rc, out, same = run(b"ab\x01\x01cd\n")
print("line", rc, repr(out), same)
rc, out, same = run(b"xy\x01x")
print("quit", rc, repr(out), same)
PY
if grep -qxF "line 0 b'echo: ab\\x01cd\\r\\n' True" "$TMP/pty"; then
	pass "terminal: raw input, Ctrl-a Ctrl-a gives ^A, \\n shown as \\r\\n, settings restored"
else
	fail "terminal: line input"
	sed 's/^/#   /' "$TMP/pty"
fi
if grep -qxF "quit 0 b'' True" "$TMP/pty"; then
	pass "terminal: Ctrl-a x ends lkvm with status 0, settings restored"
else
	fail "terminal: Ctrl-a x"
	sed 's/^/#   /' "$TMP/pty"
fi
done_testing
