#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write seed inputs for a virtio fuzz target into DIR.

make-seeds.py DIR [walker|mmio-regs|ccw-program|pci-regs]

walker: valid split and packed rings (direct chains, indirect tables, a
buffer crossing the R0/R1 boundary) followed by a mix of operations, so
that fuzzing starts from deep states instead of an empty queue.
mmio: the register sequence of Linux's virtio_mmio driver (v2 and legacy)
bringing up a queue over a ring with a chain in it, then notify, ack,
config accesses.
ccw: Linux's virtio_ccw bring-up as channel programs (MSCH to enable,
SENSE ID, SET_VIRTIO_REV, features, status, SET_VQ, indicators), then a
DIAGNOSE 0x500 notification over a ring with a chain in it, TSCH after
each START, on both subchannels.
pci: Linux's virtio_pci_modern probe over ECAM and BAR 4 (features,
queue set-up, DRIVER_OK), then traffic with MSI-X vectors or with INTx
and the ISR, the PCI_CFG window, and BAR 4 moved. Formats: see the
comments atop virtio-walker.c, virtio-mmio-regs.c, virtio-ccw-program.c
and virtio-pci-regs.c."""
import os
import struct
import sys

R0, R1 = 0x1000, 0x3000
NEXT, WRITE, INDIRECT, AVAIL, USED = 1, 2, 4, 1 << 7, 1 << 15


def header(flags, size, desc, drv, dev, mem):
    return (struct.pack('<BBHIII', flags, 0, size, desc, drv, dev) +
            struct.pack('<H', len(mem)) + bytes(mem))


def put(mem, off, fmt, *vals):
    b = struct.pack('<' + fmt, *vals)
    mem[off:off + len(b)] = b


def split_seed(flags, size=8):
    mem = bytearray(0x1000)
    d = lambda i, a, l, f, n: put(mem, 16 * i, 'QIHH', a, l, f, n)
    d(0, R0 + 0x800, 64, NEXT, 1)
    d(1, R0 + 0x900, 64, WRITE, 0)
    d(2, R1 - 16, 32, WRITE, 0)                 # spans R0/R1
    heads = [0, 2]
    if flags & 4:
        d(3, R0 + 0x400, 48, INDIRECT, 0)
        put(mem, 0x400, 'QIHH', R0 + 0xa00, 16, NEXT, 1)
        put(mem, 0x410, 'QIHH', R0 + 0xb00, 16, NEXT | WRITE, 2)
        put(mem, 0x420, 'QIHH', R0 + 0xc00, 16, WRITE, 0)
        heads.append(3)
    put(mem, 0x100, 'HH', 0, len(heads))        # avail flags, idx
    for i, h in enumerate(heads):
        put(mem, 0x104 + 2 * i, 'H', h)
    ops = bytes([0, 4, 1, 9, 2, 8, 3, 5, 7, 0x02, 0x01, 4, 0, 0, 1, 3, 0, 2,
                 9, 1, 0, 6, 0x04, 0x01, 3, 0, 2, 3])
    return header(flags, size, 0, 0x100, 0x200, mem) + ops


def packed_seed(flags, size=7):
    mem = bytearray(0x1000)
    d = lambda i, a, l, id_, f: put(mem, 16 * i, 'QIHH', a, l, id_, f)
    d(0, R0 + 0x800, 64, 0, AVAIL | NEXT)
    d(1, R0 + 0x900, 64, 0, AVAIL | WRITE)
    d(2, R1 - 16, 32, 1, AVAIL | WRITE)
    if flags & 4:
        d(3, R0 + 0x400, 48, 2, AVAIL | INDIRECT)
        put(mem, 0x400, 'QIHH', R0 + 0xa00, 16, 0, 0)
        put(mem, 0x410, 'QIHH', R0 + 0xb00, 16, 0, WRITE)
        put(mem, 0x420, 'QIHH', R0 + 0xc00, 16, 0, WRITE)
    put(mem, 0x100, 'HH', 0x8001, 2 if flags & 2 else 0)
    ops = bytes([0, 4, 1, 9, 2, 8, 3, 5, 7, 0x0e, 0x00, 0x80, 0x00, 0, 1, 3,
                 1, 2, 2, 3, 8, 0, 0, 3])
    return header(flags, size, 0, 0x100, 0x104, mem) + ops


def split_long_seed(indirect):
    """A chain of 40 descriptors (direct) or a 48-entry indirect table:
    past the chain's 16 inline iovecs."""
    mem = bytearray(0x1800)
    size = 64
    if indirect:
        put(mem, 0, 'QIHH', R0 + 0x800, 48 * 16, INDIRECT, 0)
        for i in range(48):
            put(mem, 0x800 + 16 * i, 'QIHH', R0 + 0x1000 + 8 * i, 8,
                (NEXT if i < 47 else 0) | (WRITE if i >= 24 else 0), i + 1)
    else:
        for i in range(40):
            put(mem, 16 * i, 'QIHH', R0 + 0x1000 + 8 * i, 8,
                (NEXT if i < 39 else 0) | (WRITE if i >= 20 else 0), i + 1)
    put(mem, 0x400, 'HHH', 0, 1, 0)             # avail: idx 1, ring[0] 0
    ops = bytes([0, 1, 3, 5, 0, 2, 3])
    return header(2 | 4, size, 0, 0x400, 0x500, mem) + ops


def split_inflight_seed():
    """Driver re-posts head 0 without the device returning it: the 5th
    chain in flight on a 4-entry queue is a violation."""
    mem = bytearray(0x200)
    put(mem, 0, 'QIHH', R0 + 0x100, 8, 0, 0)
    put(mem, 0x80, 'HH', 0, 4)                  # avail idx 4, ring all 0
    ops = bytes([1, 0, 1, 0, 1, 0, 1, 0,
                 7, 0x82, 0x00, 5, 0,           # avail idx = 5
                 1, 0, 1, 0])
    return header(0, 4, 0, 0x80, 0xc0, mem) + ops


def packed_long_seed():
    mem = bytearray(0x1800)
    size = 64
    for i in range(40):
        put(mem, 16 * i, 'QIHH', R0 + 0x1000 + 8 * i, 8, 7,
            AVAIL | (NEXT if i < 39 else 0) | (WRITE if i >= 20 else 0))
    ops = bytes([0, 1, 3, 5, 0, 2, 3])
    return header(1 | 2 | 4, size, 0, 0x400, 0x404, mem) + ops


def mmio_op(kind, off, val, width=4):
    code = {1: 0, 2: 1, 4: 2, 8: 3}[width]
    return struct.pack('<BBHI', kind, code, off, val)


def mmio_seed(legacy):
    """Bring-up like Linux's virtio_mmio probe, then traffic."""
    mem = bytearray(0x300)
    avail = 0x80 if legacy else 0x100
    put(mem, 0, 'QIHH', R0 + 0x280, 16, NEXT, 1)
    put(mem, 16, 'QIHH', R1, 64, WRITE, 0)
    put(mem, avail, 'HHH', 0, 1, 0)
    w = lambda off, val: mmio_op(0, off, val)
    r = lambda off: mmio_op(1, off, 0)
    ops = [r(0x000), r(0x004), r(0x008), w(0x070, 0), w(0x070, 1),
           w(0x070, 3), w(0x014, 1), r(0x010), w(0x014, 0), r(0x010),
           w(0x024, 1), w(0x020, 1), w(0x024, 0), w(0x020, 0x20000000),
           w(0x070, 0xb), r(0x070), w(0x030, 0), r(0x034), w(0x038, 8)]
    if legacy:
        ops += [w(0x028, 4096), w(0x03c, 4096), w(0x040, R0 >> 12)]
    else:
        ops += [r(0x044), w(0x080, R0), w(0x084, 0), w(0x090, R0 + avail),
                w(0x094, 0), w(0x0a0, R0 + 0x200), w(0x0a4, 0),
                w(0x044, 1)]
    ops += [w(0x070, 0xf), w(0x050, 0), r(0x060), w(0x064, 1),
            mmio_op(0, 0x100, 0x11223344), mmio_op(1, 0x104, 0, 2),
            r(0x0fc), r(0x060), w(0x064, 2),
            mmio_op(2, avail + 2, 2), w(0x050, 0), w(0x050, 1),
            mmio_op(3, 0, 0), r(0x070)]
    return (struct.pack('<BH', 1 if legacy else 0, len(mem)) + bytes(mem) +
            b''.join(ops))


def ccw1(mem, off, cmd, flags, count, addr):
    """A format-1 CCW (big-endian)."""
    mem[off:off + 8] = struct.pack('>BBHI', cmd, flags, count, addr)


def ccw_op(kind, a, b, c):
    return struct.pack('<BBHI', kind, a, b, c)


def ccw_seed(flags, idaw):
    """Linux's virtio_ccw probe and a queue in use, for subchannels 0, 1."""
    CC, SLI, IDA = 0x40, 0x20, 0x04
    mem = bytearray(0x3000)
    mem[0x100:0x10c] = struct.pack('>III', 0, 1 << 23, 0x80000000)  # SCHIB
    mem[0x200:0x20c] = struct.pack('>III', 0x1234, 1 << 23 | 0x8000, 0x400)
    mem[0x210:0x21c] = struct.pack('>III', 0x5678, 1 << 23 | 0x8000, 0x500)
    mem[0x220:0x22c] = struct.pack('>III', 0x9abc, 1 << 23 | 0x8000, 0x5c0)
    # SENSE ID, then SET_VIRTIO_REV 1.
    ccw1(mem, 0x400, 0xe4, CC | SLI, 8, 0x1000)
    ccw1(mem, 0x408, 0x83, 0, 4, 0x1100)
    mem[0x1100:0x1104] = struct.pack('>HH', 1, 0)
    # Features, status, one queue, indicators.
    prog = [(0x12, 5, 0x1200), (0x11, 5, 0x1210), (0x31, 1, 0x1220),
            (0x31, 1, 0x1221), (0x13, 32, 0x1240), (0x43, 8, 0x1280),
            (0x53, 8, 0x1288), (0x31, 1, 0x1222), (0x22, 8, 0x12a0)]
    for i, (cmd, count, addr) in enumerate(prog):
        last = i == len(prog) - 1
        if idaw and cmd == 0x13:
            # SET_VQ's data through a format-1 IDAW list.
            mem[0x1300:0x1304] = struct.pack('>I', 0x1240)
            ccw1(mem, 0x500 + 8 * i, cmd, CC | IDA, count, 0x1300)
        else:
            ccw1(mem, 0x500 + 8 * i, cmd, 0 if last else CC, count, addr)
    mem[0x1210:0x1215] = struct.pack('<IB', 1, 1)       # VERSION_1
    mem[0x1220:0x1223] = bytes([3, 0xb, 0xf])
    mem[0x1240:0x1260] = struct.pack('>QIHHQQ', 0x2000, 0, 0, 8, 0x2400,
                                     0x2800)
    mem[0x1280:0x1290] = struct.pack('>QQ', 0x2c00, 0x2c08)
    # A TIC loop: the CSS must stop it.
    ccw1(mem, 0x5c0, 0x08, 0, 0, 0x5c8)
    ccw1(mem, 0x5c8, 0x03, CC, 1, 0)
    ccw1(mem, 0x5d0, 0x08, 0, 0, 0x5c8)
    # The ring: one chain, readable then writable.
    put(mem, 0x2000, 'QIHH', 0x2a00, 16, NEXT, 1)
    put(mem, 0x2010, 'QIHH', 0x2b00, 16, WRITE, 0)
    put(mem, 0x2400, 'HHH', 0, 1, 0)
    ops = []
    for sch in (0, 1):
        ops += [ccw_op(3, sch, 0x100, 0), ccw_op(2, sch, 0, 0),
                ccw_op(0, sch, 0x200, 0), ccw_op(1, sch, 0, 0),
                ccw_op(0, sch, 0x210, 0), ccw_op(1, sch, 0, 0),
                ccw_op(5, sch, 0, 0), ccw_op(1, sch, 0, 0),
                ccw_op(6, 0, 0x2402, 2), ccw_op(5, 4 | sch, 0, 0),
                ccw_op(0, sch, 0x220, 0), ccw_op(1, sch, 0, 0),
                ccw_op(4, 4 * sch, 0, 0), ccw_op(1, sch, 0, 0)]
    ops += [ccw_op(7, 0, 0, 0x00010005), ccw_op(0, 0, 0x200, 0),
            ccw_op(5, 3, 0, 0x00020000)]
    return struct.pack('<BH', flags, len(mem)) + bytes(mem) + b''.join(ops)


def pci_seed(msix, move):
    """virtio_pci_modern's probe and a queue in use (device at slot 1,
    MSI-X capability at 0x40, PCI_CFG capability at 0x90)."""
    ram = 0x100000
    mem = bytearray(0x400)
    put(mem, 0x000, 'QIHH', ram + 0x200, 16, NEXT, 1)
    put(mem, 0x010, 'QIHH', ram + 0x300, 64, WRITE, 0)
    put(mem, 0x080, 'HHH', 0, 1, 0)
    w = {1: 0, 2: 1, 4: 2, 8: 3}
    op = lambda kind, width, off, val: struct.pack('<BBHI', kind, w[width],
                                                  off, val)
    cfg_w = lambda off, width, val: op(0, width, off, val)
    cfg_r = lambda off, width: op(1, width, off, 0)
    bar_w = lambda off, width, val: op(2, width, off, val)
    bar_r = lambda off, width: op(3, width, off, 0)
    ops = [cfg_r(0x00, 4), cfg_r(0x34, 1), cfg_w(0x04, 2, 6),
           cfg_r(0x40, 4), cfg_r(0x4c, 4), cfg_r(0x7c + 16, 4),
           bar_w(0x14, 1, 0), bar_w(0x14, 1, 1), bar_w(0x14, 1, 3),
           bar_w(0x00, 4, 1), bar_r(0x04, 4), bar_w(0x00, 4, 0),
           bar_r(0x04, 4), bar_w(0x08, 4, 1), bar_w(0x0c, 4, 1),
           bar_w(0x08, 4, 0), bar_w(0x0c, 4, 0x20), bar_w(0x14, 1, 0xb),
           bar_r(0x14, 1), bar_r(0x12, 2), bar_w(0x16, 2, 0),
           bar_r(0x18, 2), bar_w(0x18, 2, 8)]
    vec = 1 if msix else 0xffff
    if msix:
        ops += [cfg_w(0x42, 2, 0x8000),
                op(4, 4, 0x00, 0xfee00000), op(4, 4, 0x08, 0x50),
                op(4, 4, 0x0c, 0), op(4, 4, 0x10, 0xfee00000),
                op(4, 4, 0x18, 0x51), op(4, 4, 0x1c, 0),
                bar_w(0x10, 2, 0), bar_r(0x10, 2)]
    ops += [bar_w(0x1a, 2, vec), bar_r(0x1a, 2),
            bar_w(0x20, 4, ram), bar_w(0x24, 4, 0),
            bar_w(0x28, 4, ram + 0x80), bar_w(0x2c, 4, 0),
            bar_w(0x30, 4, ram + 0x100), bar_w(0x34, 4, 0),
            bar_w(0x1c, 2, 1), bar_r(0x1e, 2), bar_w(0x14, 1, 0xf),
            bar_w(0x3000, 2, 0), bar_r(0x1000, 1), bar_r(0x1000, 1),
            bar_w(0x2000, 4, 0x11223344), bar_r(0x2004, 2),
            bar_r(0x15, 1),
            # PCI_CFG window: BAR 4, offset 0x14 (status), 1 byte.
            cfg_w(0x90 + 4, 1, 4), cfg_w(0x90 + 8, 4, 0x14),
            cfg_w(0x90 + 12, 4, 1), cfg_r(0x90 + 16, 1),
            op(6, 4, 0x82, 2), bar_w(0x3000, 2, 0), bar_r(0x1000, 1)]
    if msix:
        ops += [op(4, 4, 0x0c, 1), bar_w(0x3000, 2, 0),
                op(5, 8, 0x800, 0), op(4, 4, 0x0c, 0)]
    if move:
        ops += [cfg_w(0x04, 2, 0), cfg_w(0x20, 4, 0xffffffff),
                cfg_r(0x20, 4), cfg_w(0x20, 4, 0xc0010004),
                cfg_w(0x04, 2, 6), bar_r(0x14, 1), bar_w(0x3000, 2, 0),
                cfg_w(0x14, 4, 0xffffffff), cfg_r(0x14, 4),
                cfg_w(0x14, 4, 0xc0020000)]
    ops += [bar_w(0x14, 1, 0), bar_r(0x14, 1)]
    return struct.pack('<BH', 0, len(mem)) + bytes(mem) + b''.join(ops)


def main():
    out = sys.argv[1]
    target = sys.argv[2] if len(sys.argv) > 2 else 'walker'
    os.makedirs(out, exist_ok=True)
    if target.startswith('pci'):
        seeds = {'pci-msix': pci_seed(True, False),
                 'pci-intx': pci_seed(False, False),
                 'pci-msix-move': pci_seed(True, True)}
        for name, data in seeds.items():
            with open(os.path.join(out, 'seed-' + name), 'wb') as f:
                f.write(data)
        return
    if target.startswith('ccw'):
        seeds = {'ccw-plain': ccw_seed(0, False),
                 'ccw-notification-data': ccw_seed(1 | 2, False),
                 'ccw-idaw': ccw_seed(0, True)}
        for name, data in seeds.items():
            with open(os.path.join(out, 'seed-' + name), 'wb') as f:
                f.write(data)
        return
    if target.startswith('mmio'):
        seeds = {'mmio-v2': mmio_seed(False), 'mmio-legacy': mmio_seed(True)}
        for name, data in seeds.items():
            with open(os.path.join(out, 'seed-' + name), 'wb') as f:
                f.write(data)
        return
    seeds = {
        'split-plain': split_seed(0),
        'split-event-indirect': split_seed(2 | 4),
        'split-256': split_seed(2 | 4, 256),
        'packed-plain': packed_seed(1),
        'packed-event-indirect': packed_seed(1 | 2 | 4),
        'packed-4': packed_seed(1 | 4, 4),
        'split-long': split_long_seed(False),
        'split-indirect-long': split_long_seed(True),
        'split-inflight': split_inflight_seed(),
        'packed-long': packed_long_seed(),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
