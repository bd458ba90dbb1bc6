#!/bin/bash
# A guest that leaves the terminal in a bad state (tests/guest/tests-term.c:
# an OSC, CSI or DCS never ended, the alternate screen with the cursor
# hidden and concealed text, black on black with line drawing, mouse
# reporting, bracketed paste, a hyperlink and a scroll region) cannot hide
# lkvm's exit line on a terminal: lkvm writes the repair, and only it,
# just before its line; after a clean ending it writes nothing extra. On a
# pipe nothing but the newline is added (lkvm: ... lines start a line).
# lkvm runs on a pseudo-terminal that is its stdin, stdout and stderr, as
# at a user's terminal, with --loglevel info for its exit line
# ("debug-exit: guest wrote 0x3, exiting with status 3").
. "$(dirname "$0")/lib.sh"

KINDS=(clean osc csi dcs alt colour modes)
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -e "$GUESTS/guest.elf" ] && why="test guests not built ($GUESTS)"
[ -z "$why" ] && ! command -v python3 >/dev/null && why="python3 is not installed"
if [ -n "$why" ]; then
	for k in "${KINDS[@]}"; do
		skip "terminal left by a '$k' guest: lkvm's line shows" "$why"
	done
	skip "on a pipe: no repair, only the newline" "$why"
	done_testing
	exit
fi

# comment_bytes WHAT FILE: FILE's last $TAIL bytes as TAP comments, escaped
# (cat -A: ESC is ^[, CR ^M, CAN ^X, a line's end $, M- a byte > 0x7f).
TAIL=4096
comment_bytes() {
	echo "#   $1, the last $TAIL bytes (of $(wc -c <"$2")):"
	tail -c "$TAIL" "$2" | cat -A | awk '{ print "#     " $0 }'
}

# show_tail KIND: for a failure, the run's verdict, what should have come
# just before lkvm's line, and the end of what came.
show_tail() {
	grep "^bad $1 " "$TMP/pty" | sed 's/^/#   /'
	[ -f "$TMP/want.$1" ] || return 0
	comment_bytes "wanted just before lkvm's line" "$TMP/want.$1"
	comment_bytes "the output" "$TMP/out.$1"
}

# The bytes just before "lkvm: debug-exit:" for each kind: the guest's
# last bytes, then lkvm's repair (ONLCR makes its newline \r\n).
# Each run's whole output goes to $TMP/out.KIND, what should come just
# before lkvm's line to $TMP/want.KIND: a failure shows both.
python3 - "$LKVM" "$GUESTS/guest.elf" "$TMP" "${KINDS[@]}" >"$TMP/pty" 2>&1 <<'PY'
import os, select, sys, time

WANT = {
    "clean": b"clean: ok\r\n",
    "osc": b"\x1b]0;swallowed\x18\x1b\\",
    "csi": b"\x1b[12;\x18",
    "dcs": b"\x1bPq#0;2;0;0;0\x18\x1b\\",
    "alt": b"hidden\x1b[?1049l\x1b[?25h\x1b[m",
    "colour": b"lqqk\x1b[m\x0f\x1b(B\r\n",
    "modes": b"link\x1b[2;5r\x1b]8;;\x1b\\\x1b[?1000;1006;2004l\x1b[r\x1b[9999H\r\n",
}
LINE = b"lkvm: debug-exit: guest wrote 0x3, exiting with status 3"

def run(kind):
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        env = {k: v for k, v in os.environ.items()
               if k not in ("LANG", "LC_ALL", "LC_CTYPE")}
        os.execve(sys.argv[1], ["lkvm", "run", "-k", sys.argv[2], "-c", "1",
                                "-m", "64M", "--loglevel", "info",
                                "-p", "test=termjunk:" + kind], env)
    os.close(slave)
    out, deadline = b"", time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
        elif os.waitpid(pid, os.WNOHANG)[0]:
            break
    try:
        _, st = os.waitpid(pid, 0)
    except ChildProcessError:
        st = 0
    os.close(master)
    return os.waitstatus_to_exitcode(st), out

for kind in sys.argv[4:]:
    rc, out = run(kind)
    for name, data in (("out", out), ("want", WANT[kind])):
        with open("%s/%s.%s" % (sys.argv[3], name, kind), "wb") as f:
            f.write(data)
    at = out.find(LINE)
    ok = rc == 3 and at >= 0 and out[:at].endswith(WANT[kind])
    # Another of lkvm's lines amid the guest's bytes repairs them early.
    junk = out.rfind(b"junk: %s" % kind.encode())
    amid = junk >= 0 and at >= 0 and out.find(b"lkvm: ", junk, at) >= 0
    print("%s %s rc=%d: lkvm's line %s%s, %d bytes of output" %
          ("ok" if ok else "bad", kind, rc,
           "at byte %d" % at if at >= 0 else "missing",
           "; another lkvm line amid the guest's" if amid else "",
           len(out)))
PY
for k in "${KINDS[@]}"; do
	if grep -q "^ok $k " "$TMP/pty"; then
		pass "terminal left by a '$k' guest: lkvm's line shows, after only the repair"
	else
		fail "terminal left by a '$k' guest: lkvm's line shows"
		show_tail "$k"
	fi
done
grep -q '^Traceback' "$TMP/pty" && sed 's/^/#   /' "$TMP/pty" | head -20

# A pipe for stdout and stderr both: the guest's bytes as they were, then
# a newline (mid-line), no CAN or ST.
timeout --kill-after=5 60 "$LKVM" run -k "$GUESTS/guest.elf" -c 1 -m 64M \
	--loglevel info -p test=termjunk:osc </dev/null 2>&1 | cat >"$TMP/pipe"
if grep -q $'swallowed$' "$TMP/pipe" && grep -q '^lkvm: debug-exit:' "$TMP/pipe" &&
	! grep -q $'\x18' "$TMP/pipe"; then
	pass "on a pipe: no repair, only the newline"
else
	fail "on a pipe: no repair, only the newline"
	comment_bytes "the output" "$TMP/pipe"
fi
done_testing
