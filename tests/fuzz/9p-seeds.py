#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds for the 9p-dispatch fuzz target: request sequences, each request
cap[1] len[2] message, over a share holding file, sub/, abs -> / and
out -> ../outside (tests/fuzz/9p-dispatch.c)."""
import os
import struct
import sys

NOFID = 0xffffffff


def s(x):
    b = x.encode() if isinstance(x, str) else x
    return struct.pack('<H', len(b)) + b


def msg(mtype, tag, body=b''):
    return struct.pack('<IBH', 7 + len(body), mtype, tag) + body


def req(m, cap=4):
    return struct.pack('<BH', cap, len(m)) + m


def seq(*msgs, cap=4):
    """msgs: messages, or (cap, message) for a cap of its own."""
    return b''.join(req(m[1], m[0]) if isinstance(m, tuple) else req(m, cap)
                    for m in msgs)


def walk(fid, newfid, *names):
    return msg(110, 1, struct.pack('<IIH', fid, newfid, len(names)) +
               b''.join(s(n) for n in names))


START = [msg(100, 0xffff, struct.pack('<I', 65536) + s('9P2000.L')),
         msg(104, 1, struct.pack('<II', 0, NOFID) + s('u') + s('') +
             struct.pack('<I', 0))]

SEEDS = {
    'read': START + [walk(0, 1, 'file'), msg(12, 2, struct.pack('<II', 1, 0)),
                     msg(116, 3, struct.pack('<IQI', 1, 0, 100)),
                     msg(120, 4, struct.pack('<I', 1))],
    'create': START + [walk(0, 1, 'sub'),
                       msg(14, 2, struct.pack('<I', 1) + s('new') +
                           struct.pack('<III', 2, 0o644, 0)),
                       msg(118, 3, struct.pack('<IQI', 1, 0, 5) + b'hello'),
                       msg(24, 4, struct.pack('<IQ', 1, 0x3fff)),
                       msg(26, 5, struct.pack('<IIIIIQQQQQ', 1, 8, 0, 0, 0,
                                              2, 0, 0, 0, 0)),
                       msg(50, 6, struct.pack('<II', 1, 0)),
                       msg(52, 7, struct.pack('<IBIQQI', 1, 1, 0, 0, 0, 1) +
                           s('c')),
                       msg(54, 8, struct.pack('<IBQQI', 1, 1, 0, 0, 1) +
                           s('c'))],
    'escape': START + [walk(0, 1, 'abs', 'etc'), walk(0, 2, '..', '..'),
                       walk(0, 3, 'out', 'secret'),
                       msg(12, 4, struct.pack('<II', 3, 2)),
                       walk(0, 4, 'abs'),
                       msg(22, 5, struct.pack('<I', 4)),
                       msg(14, 6, struct.pack('<I', 4) + s('evil') +
                           struct.pack('<III', 2, 0o644, 0))],
    'names': START + [msg(72, 2, struct.pack('<I', 0) + s('d') +
                          struct.pack('<II', 0o755, 0)),
                      msg(16, 3, struct.pack('<I', 0) + s('l') + s('/') +
                          struct.pack('<I', 0)),
                      walk(0, 1, 'file'),
                      msg(70, 4, struct.pack('<II', 0, 1) + s('hard')),
                      msg(74, 5, struct.pack('<I', 0) + s('hard') +
                          struct.pack('<I', 0) + s('h2')),
                      msg(20, 6, struct.pack('<II', 1, 0) + s('f2')),
                      msg(76, 7, struct.pack('<I', 0) + s('h2') +
                          struct.pack('<I', 0)),
                      msg(18, 8, struct.pack('<I', 0) + s('n') +
                          struct.pack('<IIII', 0o20644, 1, 3, 0)),
                      msg(122, 9, struct.pack('<I', 1))],
    'xattr': START + [walk(0, 1, 'sub'),
                      msg(32, 2, struct.pack('<I', 1) + s('user.a') +
                          struct.pack('<QI', 3, 0)),
                      msg(118, 3, struct.pack('<IQI', 1, 0, 3) + b'abc'),
                      msg(120, 4, struct.pack('<I', 1)),
                      msg(30, 5, struct.pack('<II', 0, 2) + s('user.a')),
                      msg(116, 6, struct.pack('<IQI', 2, 0, 100)),
                      msg(30, 7, struct.pack('<II', 0, 3) + s(''))],
    'locks': START + [walk(0, 1, 'file'), msg(12, 2, struct.pack('<II', 1, 2)),
                      msg(52, 3, struct.pack('<IBIQQI', 1, 1, 0, 0, 1, 1) +
                          s('c')),
                      msg(52, 4, struct.pack('<IBIQQI', 1, 0, 0, 2, 1, 1) +
                          s('c')),
                      msg(52, 5, struct.pack('<IBIQQI', 1, 1, 0, 4, 0, 1) +
                          s('c')),
                      msg(52, 6, struct.pack('<IBIQQI', 1, 2, 0, 6, 2, 1) +
                          s('c')),
                      msg(32, 7, struct.pack('<I', 0) + s('user.b') +
                          struct.pack('<QI', 65536, 0))],
    'renames': START + [walk(0, 1, 'sub'),
                        msg(72, 2, struct.pack('<I', 1) + s('d') +
                            struct.pack('<II', 0o755, 0)),
                        walk(0, 2, 'sub', 'd'),
                        msg(74, 3, struct.pack('<I', 0) + s('sub') +
                            struct.pack('<I', 0) + s('sub2')),
                        walk(2, 3, '..'),
                        msg(20, 4, struct.pack('<II', 2, 0) + s('top')),
                        walk(2, 4, '..'),
                        msg(72, 5, struct.pack('<I', 1) + s('e') +
                            struct.pack('<II', 0o755, 0)),
                        msg(122, 6, struct.pack('<I', 2))],
    # cap 0xfe (0xfa or more, and a full reply buffer) before the rename:
    # the log moves past every fid first.
    'refind': START + [walk(0, 1, 'sub'),
                       msg(72, 2, struct.pack('<I', 1) + s('d') +
                           struct.pack('<II', 0o755, 0)),
                       walk(0, 2, 'sub', 'd'),
                       (0xfe, msg(74, 3, struct.pack('<I', 0) + s('sub') +
                                  struct.pack('<I', 0) + s('sub3'))),
                       walk(2, 3, '..'),
                       msg(72, 4, struct.pack('<I', 2) + s('f') +
                           struct.pack('<II', 0o755, 0)),
                       msg(20, 5, struct.pack('<II', 2, 0) + s('top2')),
                       walk(2, 4, '..')],
    'dir': START + [walk(0, 1), msg(12, 2, struct.pack('<II', 1, 0o200000)),
                    msg(40, 3, struct.pack('<IQI', 1, 0, 200)),
                    msg(8, 4, struct.pack('<I', 0)),
                    msg(108, 5, struct.pack('<H', 3))],
}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, msgs in SEEDS.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(seq(*msgs))
    with open(os.path.join(out, name + '-io'), 'wb') as f:
        f.write(seq(*msgs, cap=0x84))
