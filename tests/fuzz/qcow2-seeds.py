#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds for the blk-qcow2 fuzz target, built byte by byte (no qemu-img):
sound images whose requests reach deep states (allocation of data and L2
tables, refcount block growth, in-place writes, preallocated zero
clusters and writes into them) and hostile ones (a zero refcount on a
table or on guest data, L2 entries pointing data at tables or far past
the end of the file, two L2 entries on one cluster, overlapping tables,
compressed clusters sharing a host cluster with a refcount one short). Each input is the image followed by its
requests: 16 of 8 bytes (little-endian), read back to front by the target
(the last one first; its top byte is also the input's last byte, odd for
read-write). A request v: offset (v % size) & ~511, length
((v >> 48) + 1) * 512 (at most 256 KiB); bit 0 write, else bit 1 zero
(bit 2 unmap), else read only.

usage: qcow2-seeds.py CORPUS_DIR
"""
import os
import struct
import sys
import zlib

COPIED = 1 << 63
COMPRESSED = 1 << 62
ZERO = 1


class Image:
    """Version 3, 16-bit refcounts: cluster 0 header, 1 refcount table,
    2 refcount block, then the L1 table, then one L2 table (guest
    clusters from 0), then guest cluster 0's data."""

    def __init__(self, bits, size):
        self.cs = cs = 1 << bits
        self.size = size
        l2e = cs // 8
        l1n = -(-(size // cs) // l2e)
        l1cl = -(-(l1n * 8) // cs)
        self.c_l1 = 3
        self.c_l2 = 3 + l1cl
        self.c_data = self.c_l2 + 1
        self.b = bytearray((self.c_data + 1) * cs)
        hdr = struct.pack('>IIQIIQIIQQIIQ', 0x514649fb, 3, 0, 0, bits,
                          size, 0, l1n, self.c_l1 * cs, cs, 1, 0, 0)
        hdr += struct.pack('>QQQII', 0, 0, 0, 4, 104)
        self.b[:len(hdr)] = hdr
        self.rct(0, 2 * cs)
        self.l1(0, self.c_l2 * cs | COPIED)
        self.l2(0, self.c_data * cs | COPIED)
        self.b[self.c_data * cs:] = b'\xd0' * cs
        for c in range(self.c_data + 1):
            self.rc(c, 1)

    def put64(self, off, v):
        self.b[off:off + 8] = struct.pack('>Q', v)

    def rct(self, i, v):
        self.put64(self.cs + 8 * i, v)

    def l1(self, i, v):
        self.put64(self.c_l1 * self.cs + 8 * i, v)

    def l2(self, i, v):
        self.put64(self.c_l2 * self.cs + 8 * i, v)

    def rc(self, c, v):
        self.b[2 * self.cs + 2 * c:2 * self.cs + 2 * c + 2] = \
            struct.pack('>H', v)


def op(kind, off, nsect):
    flags = {'r': 0, 'w': 1, 'z': 2, 'zu': 6}[kind]
    return ((nsect - 1) << 48) | off | flags


def seed(img, ops, rw=True):
    # The first request decides the mode through its top byte.
    first = op('r', 0, 0x101 if rw else 0x100)
    ops = [first] + ops
    ops += [op('r', 0, 1)] * (16 - len(ops))
    tail = b''.join(struct.pack('<Q', v) for v in reversed(ops[:16]))
    return bytes(img.b) + tail


def seeds():
    out = {}
    # Refcount block growth: 512-byte clusters, a block covers 128 KiB
    # of file; 3.5 MiB written in 256 KiB requests.
    img = Image(9, 4 << 20)
    out['grow-512'] = seed(img, [op('w', i * (256 << 10), 512)
                                 for i in range(14)])
    # In place, preallocated zero, writes into it, unmap, a new L2 table.
    img = Image(12, 4 << 20)
    out['paths-4k'] = seed(img, [
        op('w', 512, 2), op('z', 0, 8), op('w', 1024, 1),
        op('zu', 0, 8), op('w', 0, 3), op('w', 3 << 20, 20),
        op('z', (3 << 20) + 4096, 4), op('w', (3 << 20) + 4096, 1),
        op('w', 8192, 64), op('zu', 8192, 16), op('w', 4096, 1)])
    out['reads-4k'] = seed(img, [op('r', 0, 16), op('r', 3 << 20, 64)],
                           rw=False)
    writes = [op('w', 4096, 8), op('w', 0, 8), op('w', 3 << 20, 8)]
    for name, cl in (('rct', 1), ('refblock', 2), ('l1', img.c_l1),
                     ('l2', img.c_l2)):
        img = Image(12, 4 << 20)
        img.rc(cl, 0)
        out['zero-rc-' + name] = seed(img, writes)
    for name, e in (('l1', 3 * 4096 | COPIED),
                    ('l1-zero', 3 * 4096 | COPIED | ZERO),
                    ('l1-cow', 3 * 4096),
                    ('own-l2', 4 * 4096 | COPIED),
                    ('rct', 4096 | COPIED),
                    ('far', (1 << 40) | COPIED)):
        img = Image(12, 4 << 20)
        img.l2(1, e)
        out['l2-at-' + name] = seed(img, writes)
    # Guest data the allocator could hand out again (refcount 0), or
    # that two guest clusters share: refused read-write at open.
    img = Image(12, 4 << 20)
    img.rc(img.c_data, 0)
    out['zero-rc-data'] = seed(img, writes)
    for name, e in (('shared', img.c_data * 4096 | COPIED),
                    ('shared-cow', img.c_data * 4096)):
        img = Image(12, 4 << 20)
        img.l2(0, e)
        img.l2(1, e)
        out['l2-' + name] = seed(img, writes)
    # Compressed clusters packed into guest cluster 0's host cluster
    # (raw deflate, 4 KiB window), its refcount counting each; then
    # written over (copy-on-write, each frees its reference), and one
    # whose refcount is one short (refused read-write).
    for name, rc in (('comp-shared', 3), ('comp-shared-short', 2)):
        img = Image(12, 4 << 20)
        base = img.c_data * 4096
        pos = base
        for g in range(3):
            z = zlib.compressobj(6, zlib.DEFLATED, -12)
            data = z.compress(bytes([0x40 + g]) * 4096) + z.flush()
            img.b[pos:pos + len(data)] = data
            nsec = (pos + len(data) - 1) // 512 - pos // 512
            img.l2(g, COMPRESSED | nsec << 58 | pos)
            pos = -(-(pos + len(data)) // 512) * 512
        img.rc(img.c_data, rc)
        out[name] = seed(img, [op('r', 0, 24), op('w', 4096, 1),
                               op('w', 0, 8), op('zu', 8192, 8),
                               op('w', 16384, 8)])
    img = Image(12, 4 << 20)
    img.rct(0, 0x200)
    out['rct-unaligned'] = seed(img, writes)
    img = Image(12, 4 << 20)
    img.l1(0, 4096 | COPIED)
    out['l1-at-rct'] = seed(img, writes)
    return out


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(d, 'hand-' + name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
