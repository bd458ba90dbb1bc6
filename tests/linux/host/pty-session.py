#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pty-session.py TIMEOUT TRANSCRIPT -- LKVM ARGS...

Runs LKVM ARGS on a new pseudo-terminal (stdin and stdout both a tty, as
a user at a terminal), waits for a shell prompt, types a command that
prints a marker computed by the shell, waits for the marker, types
`exit 4`, and exits with lkvm's own status. Everything read from the
terminal goes to TRANSCRIPT. Exits 124 when a step times out.
"""
import os
import pty
import re
import select
import sys
import time


def main():
    timeout = float(sys.argv[1])
    transcript = open(sys.argv[2], "wb")
    argv = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    deadline = time.monotonic() + timeout
    seen = b""

    def wait_for(pattern):
        nonlocal seen
        while not re.search(pattern, seen):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([fd], [], [], min(left, 5))
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            transcript.write(data)
            transcript.flush()
            seen += data
        return True

    ok = wait_for(rb"[#$] $|[#$] \x1b")
    if ok:
        seen = b""
        os.write(fd, b"echo pty-marker-$((6 * 7)); tty\r")
        ok = wait_for(rb"pty-marker-42")
    if ok:
        os.write(fd, b"exit 4\r")
    else:
        os.kill(pid, 9)
    # Drain until lkvm closes the terminal, then take its status.
    wait_for(rb"(?!x)x")
    _, status = os.waitpid(pid, 0)
    if not ok:
        sys.exit(124)
    sys.exit(os.waitstatus_to_exitcode(status))


main()
