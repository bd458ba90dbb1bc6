#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run lkvm with its stdout a pipe, for tests/integration/console-flood.sh.

console-flood.py unread DELAY -- LKVM ARGS...
    Never read the pipe (shrunk to 4 KiB); after DELAY seconds send
    SIGTERM; print "exit_ms=N rc=R" (N = SIGTERM to exit; rc -9 when it had
    to be killed after 30 s).

console-flood.py slow COUNT SLEEP CHUNK PAUSE -- LKVM ARGS...
    Read nothing for SLEEP seconds, then CHUNK bytes every PAUSE seconds
    until EOF; check that the bytes between "flood: start MODE COUNT\\n" and
    "flood: done\\n" are exactly the guest's stream (tests/guest/
    tests-flood.c); print "bytes=N want=W crc=C wantcrc=W rc=R secs=S".
"""
import fcntl
import os
import signal
import subprocess
import sys
import time
import zlib

F_SETPIPE_SZ = 1031


def stream(count):
    block = b''.join(b'%08u ' % k +
                     bytes(ord('a') + (k + i) % 26 for i in range(9, 63)) +
                     b'\n' for k in range(64))
    reps = count // len(block) + 1
    return (block * reps)[:count]


def spawn(argv):
    r, w = os.pipe()
    try:
        fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
    except OSError:
        pass
    p = subprocess.Popen(argv, stdout=w, stdin=subprocess.DEVNULL)
    os.close(w)
    return p, r


def unread(delay, argv):
    p, r = spawn(argv)
    time.sleep(delay)
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = -9
    print('exit_ms=%d rc=%d' % ((time.monotonic() - t0) * 1000, rc))
    os.close(r)


def slow(count, sleep, chunk, pause, argv):
    t0 = time.monotonic()
    p, r = spawn(argv)
    time.sleep(sleep)
    data = bytearray()
    while True:
        b = os.read(r, chunk)
        if not b:
            break
        data += b
        time.sleep(pause)
    rc = p.wait()
    secs = time.monotonic() - t0
    mode = argv[argv.index('-p') + 1].split(':')[1] if '-p' in argv else '?'
    head = b'flood: start %s %d\n' % (mode.encode(), count)
    got = b''
    i = data.find(head)
    if i >= 0:
        j = data.find(b'flood: done\n', i + len(head) + count)
        if j >= 0:
            got = bytes(data[i + len(head):j])
    want = stream(count)
    print('bytes=%d want=%d crc=%08x wantcrc=%08x rc=%d secs=%.1f' %
          (len(got), len(want), zlib.crc32(got), zlib.crc32(want), rc, secs))


def main():
    args = sys.argv[1:]
    sep = args.index('--')
    opts, argv = args[:sep], args[sep + 1:]
    if opts[0] == 'unread':
        unread(float(opts[1]), argv)
    elif opts[0] == 'slow':
        slow(int(opts[1]), float(opts[2]), int(opts[3]), float(opts[4]),
             argv)
    else:
        sys.exit('unknown mode')


if __name__ == '__main__':
    main()
