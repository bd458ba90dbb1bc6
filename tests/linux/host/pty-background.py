#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pty-background.py TIMEOUT -- LKVM ARGS...

Runs LKVM ARGS as a shell's `cmd &` at a terminal would: a new session on
a new pseudo-terminal (its controlling terminal), LKVM in a background
process group of it with the terminal as stdin; stdout and stderr are
this script's. After a second a line is typed at the terminal, which a
background process must leave alone. Exits with LKVM's status (128 + N
after signal N); 125 when it was stopped (SIGTTIN or SIGTTOU: it read or
changed the terminal), 124 when it did not end within TIMEOUT seconds.
"""
import os
import signal
import sys
import termios
import fcntl
import time


def leader(slave, argv, report):
    """The session leader: the terminal's foreground; LKVM in the back."""
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.dup2(slave, 0)
        os.close(slave)
        try:
            os.execvp(argv[0], argv)
        except OSError as err:
            os.write(2, b"pty-background.py: %s: %s\n" %
                     (argv[0].encode(), err.strerror.encode()))
        os._exit(127)
    # As a shell does, from both sides: whichever runs first. EACCES here
    # means the child has already set its group and run LKVM.
    try:
        os.setpgid(pid, pid)
    except PermissionError:
        pass
    os.write(report, b"%d\n" % pid)
    _, status = os.waitpid(pid, os.WUNTRACED)
    if os.WIFSTOPPED(status):
        os.killpg(pid, signal.SIGKILL)
        os._exit(125)
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


def main():
    timeout = float(sys.argv[1])
    argv = sys.argv[sys.argv.index("--") + 1:]
    master, slave = os.openpty()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.close(r)
        leader(slave, argv, w)
    os.close(slave)
    os.close(w)
    lkvm = int(os.read(r, 32).decode().strip() or 0)
    deadline = time.monotonic() + timeout
    typed = False
    while True:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
        now = time.monotonic()
        if now > deadline:
            if lkvm:
                os.killpg(lkvm, signal.SIGKILL)
            os.waitpid(pid, 0)
            return 124
        if not typed and now > deadline - timeout + 1:
            os.write(master, b"typed at the terminal\n")
            typed = True
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
