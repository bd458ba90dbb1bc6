#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write seed inputs for a platform fuzz target into DIR.

platform-seeds.py DIR x86-loader|pc-ports|pvpanic-regs|x86-assist

x86-loader: well-formed kernels of every kind the loaders take (bzImage
relocatable or not, with and without pref_address; ELF64 vmlinux entered by
virtual address; ELF64 and ELF32 with the PVH note in a PT_NOTE; ELF64 with
the note only in a section; a flat binary), each with a command line, an
initrd, a RAM size and a memory-map hole that let it load, so that fuzzing
starts from accepted images. Format: the comment atop x86-loader.c.
pc-ports: what Linux does on these ports (RTC reads, setting the clock
with B.SET in BCD and binary, 12- and 24-hour; CMOS bytes; the i8042
probe, loop-backs, AUX, the command byte, a full output queue, both reset
paths; debug-exit writes of each width; ACPI PM and port 0x92). Format: atop pc-ports.c.
pvpanic-regs: reads and writes of the register, each event, unknown bits,
other widths and offsets, a reset between panics. Format: atop
pvpanic-regs.c.
x86-assist: the instructions the assist completes, cut short and not."""
import gzip
import lzma
import os
import struct
import sys


def put(buf, off, fmt, *vals):
    b = struct.pack('<' + fmt, *vals)
    buf[off:off + len(b)] = b


def loader_input(kernel, flags=0, ram=6, hole=0, cmdline=b'console=ttyS0',
                 initrd=0):
    return (bytes([flags, ram, hole, len(cmdline)]) +
            struct.pack('<I', initrd) + cmdline + bytes(kernel))


def bzimage(sects=1, version=0x020f, reloc=1, align=0x200000, pref=0,
            init_size=0x20000, cmdline_size=2048, pm_len=0x1000, xlf=1,
            initrd_max=0x7fffffff):
    setup = (sects or 4) * 512 + 512
    k = bytearray(setup + pm_len)
    k[0x1f1] = sects
    put(k, 0x1fe, 'H', 0xaa55)
    k[0x200:0x202] = bytes([0xeb, 0x6a])
    k[0x202:0x206] = b'HdrS'
    put(k, 0x206, 'H', version)
    k[0x211] = 0x01
    put(k, 0x22c, 'I', initrd_max)
    put(k, 0x230, 'I', align)
    k[0x234] = reloc
    put(k, 0x236, 'H', xlf)
    put(k, 0x238, 'I', cmdline_size)
    put(k, 0x258, 'Q', pref)
    put(k, 0x260, 'I', init_size)
    for i in range(pm_len):
        k[setup + i] = (i * 13 + 1) & 0xff
    return k


def note(entry, size=4):
    desc = struct.pack('<I' if size == 4 else '<Q', entry)
    return struct.pack('<III', 4, len(desc), 18) + b'Xen\0' + desc


def elf64(segs, entry, notes=b'', note_section=False):
    """segs: (paddr, vaddr, filesz, memsz); data follows the headers."""
    nph = len(segs) + (1 if notes and not note_section else 0)
    data_off = 0x1000
    k = bytearray(data_off)
    k[0:16] = b'\x7fELF' + bytes([2, 1, 1]) + bytes(9)
    put(k, 16, 'HHIQQQIHHHHHH', 2, 62, 1, entry, 64, 0, 0, 64, 56, nph,
        64, 0, 0)
    off = data_off
    blobs = []
    for i, (paddr, vaddr, filesz, memsz) in enumerate(segs):
        put(k, 64 + 56 * i, 'IIQQQQQQ', 1, 7, off, vaddr, paddr, filesz,
            memsz, 0x1000)
        blobs.append(bytes((j * 7 + i) & 0xff for j in range(filesz)))
        off += filesz
    note_off = off
    if notes and not note_section:
        put(k, 64 + 56 * len(segs), 'IIQQQQQQ', 4, 4, note_off, 0, 0,
            len(notes), len(notes), 4)
    k += b''.join(blobs) + notes
    if note_section:
        shoff = len(k)
        put(k, 40, 'Q', shoff)
        put(k, 58, 'HHH', 64, 2, 0)
        k += bytes(64)
        sh = bytearray(64)
        put(sh, 0, 'IIQQQQIIQQ', 1, 7, 2, 0, note_off, len(notes), 0, 0,
            4, 0)
        k += sh
    return k


def elf32_pvh(paddr, filesz, memsz, entry):
    k = bytearray(0x400)
    k[0:16] = b'\x7fELF' + bytes([1, 1, 1]) + bytes(9)
    put(k, 16, 'HHIIIIIHHHHHH', 2, 3, 1, entry, 52, 0, 0, 52, 32, 2, 40,
        0, 0)
    n = note(entry)
    put(k, 52, 'IIIIIIII', 1, 0x400, paddr, paddr, filesz, memsz, 7,
        0x1000)
    put(k, 84, 'IIIIIIII', 4, 0x400 + filesz, 0, 0, len(n), len(n), 4, 4)
    return k + bytes((j * 3) & 0xff for j in range(filesz)) + n


def loader_seeds():
    v = 0xffffffff81000000
    s = {}
    s['bz-reloc'] = loader_input(bzimage(), ram=3, initrd=0x10000)
    s['bz-reloc-1m'] = loader_input(bzimage(align=0x100000), ram=0,
                                    initrd=0x8000)
    s['bz-pref'] = loader_input(bzimage(align=0x100000, pref=0x300000),
                                ram=4, initrd=0x40000)
    s['bz-fixed'] = loader_input(bzimage(reloc=0, sects=0), flags=1, ram=2)
    s['bz-fixed-pref'] = loader_input(bzimage(reloc=0, pref=0x400000),
                                      ram=6, initrd=0x100000,
                                      cmdline=b'root=/dev/vda rw ' * 4)
    s['bz-hole'] = loader_input(bzimage(align=0x100000), flags=4, ram=6,
                                hole=20, initrd=0x80000)
    s['bz-small-cmdline'] = loader_input(bzimage(cmdline_size=8), ram=3,
                                         initrd=0x1000)
    s['bz-initrd-max'] = loader_input(bzimage(initrd_max=0x2fffff), ram=5,
                                      initrd=0x20000)
    segs = [(0x100000, v, 0x800, 0x2000), (0x110000, v + 0x10000, 0x400,
                                           0x400)]
    s['elf64'] = loader_input(elf64(segs, v + 0x10), ram=1, initrd=0x4000)
    s['elf64-phys'] = loader_input(elf64(segs, 0x100010), flags=1, ram=2)
    s['elf64-pvh'] = loader_input(elf64(segs, v + 0x10, note(0x100020)),
                                  ram=2, initrd=0x30000)
    s['elf64-pvh-linux'] = loader_input(elf64(segs, v, note(0x100020, 8)),
                                        flags=1, ram=2)
    s['elf64-pvh-forced'] = loader_input(elf64(segs, v, note(0x110000)),
                                         flags=2, ram=3, initrd=0x2000)
    s['elf64-pvh-section'] = loader_input(
        elf64(segs, v, note(0x100100), note_section=True), flags=4, ram=6,
        hole=40, initrd=0x100000)
    s['elf32-pvh'] = loader_input(elf32_pvh(0x100000, 0x300, 0x1000,
                                            0x100000), ram=1, initrd=0x800)
    s['flat'] = loader_input(bytes(range(256)) * 4, ram=0, cmdline=b'')
    # bzImages whose payload lkvm decompresses (flags bit 3): the ELF as
    # Linux's build compresses it, the length appended (gzip's is its own).
    elf = bytes(elf64(segs, v + 0x10))
    size = struct.pack('<I', len(elf))
    payloads = {
        'gz': gzip.compress(elf, mtime=0),
        'xz': lzma.compress(elf, format=lzma.FORMAT_XZ,
                            check=lzma.CHECK_CRC32) + size,
        'lzma': lzma.compress(elf, format=lzma.FORMAT_ALONE) + size,
    }
    for name, payload in payloads.items():
        k = bzimage(pm_len=0x200 + len(payload) + 0x40)
        put(k, 0x248, 'II', 0x200, len(payload))
        setup = 2 * 512
        k[setup + 0x200:setup + 0x200 + len(payload)] = payload
        s['bz-payload-' + name] = loader_input(k, flags=8, ram=3,
                                               initrd=0x4000)
    return s


def port_ops(*ops):
    return b''.join(bytes(o) for o in ops)


P = {0x70: 0, 0x71: 1, 0x60: 2, 0x64: 3, 0xf4: 4, 0xf5: 5, 0xf6: 6,
     0xf7: 7, 0x72: 8, 0x61: 9, 0x600: 10, 0x601: 11, 0x602: 12,
     0x603: 13, 0x604: 14, 0x605: 15, 0x606: 16, 0x607: 17, 0x608: 18,
     0x60b: 19, 0x60c: 20, 0x92: 21}
W = lambda port, v: (0, P[port], v)
R = lambda port: (1, P[port], 0)
WR = lambda port, v: (2, P[port], v)
WIDE = lambda port, width, write, v: (3 | (4 if width == 4 else 0) |
                                      (8 if write else 0), P[port], v)


def rtc_reads():
    ops = []
    for idx in (0, 2, 4, 6, 7, 8, 9, 0x32, 0x0a, 0x0b, 0x0c, 0x0d):
        ops += [W(0x70, idx), R(0x71)]
    return ops


def rtc_set(b, values):
    ops = [W(0x70, 0x0b), W(0x71, b | 0x80)]
    for idx, val in values:
        ops += [W(0x70, idx), W(0x71, val), R(0x71)]
    ops += [W(0x70, 0x0b), W(0x71, b)] + rtc_reads()
    return ops


def ports_seeds():
    s = {}
    s['rtc-read'] = port_ops(*rtc_reads(), R(0x70), W(0x70, 0x8a),
                             R(0x71))
    s['rtc-set-bcd'] = port_ops(*rtc_set(0x02, [
        (0, 0x59), (2, 0x30), (4, 0x23), (7, 0x31), (8, 0x12), (9, 0x99),
        (0x32, 0x20), (6, 0x03), (4, 0x24), (0, 0x5a)]))
    s['rtc-set-bin-12h'] = port_ops(*rtc_set(0x04, [
        (0, 59), (2, 7), (4, 0x8c), (4, 12), (7, 29), (8, 2), (9, 24),
        (0x32, 21), (4, 0x80)]))
    s['rtc-set-bcd-12h'] = port_ops(*rtc_set(0x00, [
        (4, 0x92), (4, 0x12), (4, 0x01), (4, 0x13)]))
    s['cmos'] = port_ops(W(0x70, 0x8a), W(0x71, 0xa6), R(0x71),
                         WR(0x71, 0x26), W(0x70, 0x0c), WR(0x71, 0xff),
                         W(0x70, 0x0d), WR(0x71, 0), W(0x70, 0x10),
                         WR(0x71, 0x42), W(0x70, 0x7f), WR(0x71, 0x99),
                         W(0x70, 0xff), R(0x71), W(0x70, 0x01),
                         WR(0x71, 0x33), WIDE(0x70, 2, True, 0x10),
                         WIDE(0x70, 2, False, 0), WIDE(0x71, 2, False, 0))
    s['i8042-probe'] = port_ops(
        R(0x64), W(0x64, 0xad), W(0x64, 0xa7), R(0x60), W(0x64, 0x20),
        R(0x64), R(0x60), W(0x64, 0x60), W(0x60, 0x47), W(0x64, 0xaa),
        R(0x64), R(0x60), W(0x64, 0xab), R(0x60), W(0x64, 0xa8),
        W(0x64, 0xa9), R(0x60), W(0x64, 0xd3), W(0x60, 0x5a), R(0x64),
        R(0x60), W(0x64, 0xd4), W(0x60, 0xf2), R(0x64), R(0x60),
        W(0x64, 0xd2), W(0x60, 0x1c), R(0x64), R(0x60), W(0x60, 0xff),
        R(0x64), R(0x60), W(0x64, 0xae), W(0x64, 0xd0), R(0x60),
        W(0x64, 0xd1), W(0x60, 0x03), W(0x64, 0x25), R(0x60),
        W(0x64, 0x70), W(0x60, 0x11), W(0x64, 0xc0), R(0x64))
    s['i8042-full'] = port_ops(*([W(0x60, i) for i in range(20)] +
                                 [R(0x64), R(0x60)] * 18 +
                                 [W(0x64, 0x60), W(0x60, 0x03),
                                  W(0x64, 0xd3), W(0x60, 1), R(0x64),
                                  W(0x64, 0xd2), W(0x60, 2), R(0x60),
                                  R(0x60), R(0x60)]))
    s['i8042-reset'] = port_ops(W(0x64, 0xff), W(0x64, 0xf1),
                                W(0x64, 0xfe), W(0x64, 0xd1),
                                W(0x60, 0x02), W(0x64, 0xd1),
                                W(0x60, 0x01), W(0x64, 0xd0), R(0x60),
                                W(0x64, 0xf0))
    s['debug-exit'] = port_ops(W(0xf4, 0), W(0xf4, 3), W(0xf5, 7),
                               R(0xf4), WIDE(0xf4, 2, True, 0x34),
                               WIDE(0xf4, 4, True, 0xff),
                               WIDE(0xf6, 2, True, 1),
                               WIDE(0xf6, 4, True, 1),
                               WIDE(0xf4, 4, False, 0), R(0x72), R(0x61),
                               WIDE(0x60, 2, False, 0))
    # Linux's ACPI: enables, SCI_EN, the PM timer, S5 both ways; 0x92.
    s['acpi-pm'] = port_ops(
        WIDE(0x602, 2, True, 0x21), WIDE(0x602, 2, False, 0),
        R(0x603), WIDE(0x604, 2, False, 0), W(0x604, 0x02), R(0x604),
        WIDE(0x608, 4, False, 0), WIDE(0x608, 4, False, 0), R(0x608),
        WIDE(0x608, 2, False, 0), W(0x600, 0xff), R(0x600),
        W(0x605, 0x0c), W(0x605, 0x34), W(0x605, 0x14), R(0x605),
        W(0x606, 0x34), W(0x606, 0x10), W(0x606, 0x14), R(0x607),
        WIDE(0x607, 2, False, 0), WIDE(0x60b, 2, True, 0x34),
        WIDE(0x60c, 4, False, 0), WIDE(0x603, 2, True, 0x20),
        R(0x92), W(0x92, 0x00), R(0x92), W(0x92, 0x03), R(0x92),
        WIDE(0x92, 2, False, 0))
    return s


def pv(ln, write=False, off=0, v=0, reset=False, high=False):
    return bytes([(ln - 1) | (8 if write else 0) | (0x10 if reset else 0) |
                  (0x20 if high else 0), off, v & 0xff, v >> 8 & 0xff])


def pvpanic_seeds():
    return {
        'reads': pv(1) + pv(2) + pv(1, off=1) + pv(4) + pv(8) +
        pv(2, off=0xff) + pv(1, high=True),
        'events': pv(1, True, v=2) + pv(1, True, v=6) +
        pv(2, True, v=0x102) + pv(2, True, v=0x100) + pv(1, True, v=1) +
        pv(1, True, v=3) + pv(1, True, v=1) + pv(1, reset=True) +
        pv(2, True, v=0x8001) + pv(1, True, off=1, v=1) +
        pv(4, True, v=1) + pv(1, True, v=2),
    }


def assist_seeds():
    return {'int3': b'\xcc', 'int-1f': b'\xcd\x1f', 'int-80': b'\xcd\x80',
            'fninit': b'\xdb\xe3', 'fwait': b'\x9b\x0f',
            'fnstsw': b'\xdf\xe0', 'xsave': b'\x0f\xae\x27',
            'int-20': b'\xcd\x20', 'int-cut': b'\xcd'}


def main():
    out, target = sys.argv[1], sys.argv[2]
    seeds = {'x86-loader': loader_seeds, 'pc-ports': ports_seeds,
             'pvpanic-regs': pvpanic_seeds,
             'x86-assist': assist_seeds}[target]()
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
