#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""no-userns.py COMMAND...: run COMMAND (as root) in a user namespace
that maps uids and gids 0-65535 to the host's and allows no user
namespaces below it (user.max_user_namespaces 0 there), so that a
COMMAND that drops to another user finds none; the host's setting stays.
Exit status: COMMAND's, or 99 when the namespace cannot be made."""
import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000

libc = ctypes.CDLL(None, use_errno=True)
ready_r, ready_w = os.pipe()
go_r, go_w = os.pipe()
pid = os.fork()
if pid == 0:
    if libc.unshare(CLONE_NEWUSER) != 0:
        os._exit(99)
    os.write(ready_w, b'x')
    if os.read(go_r, 1) != b'x':
        os._exit(99)
    with open('/proc/sys/user/max_user_namespaces', 'w') as f:
        f.write('0')
    os.execvp(sys.argv[1], sys.argv[1:])
os.close(ready_w)
os.close(go_r)
if os.read(ready_r, 1) == b'x':
    try:
        for m in ('uid_map', 'gid_map'):
            with open('/proc/%d/%s' % (pid, m), 'w') as f:
                f.write('0 0 65536\n')
        os.write(go_w, b'x')
    except OSError:
        pass
os.close(go_w)
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
