#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write seed inputs for an arm64/s390x fuzz target into DIR.

foreign-seeds.py DIR s390-sclp|s390-insn|s390-loader|arm64-image

s390-sclp: what Linux's SCLP driver does -- READ SCP INFO into a page,
setting the event masks (VT220 and message events), writing VT220 text and
a line-mode message, reading console input back -- at page-aligned SCCBs,
then the same through another prefix, the direct calls, a reset.
s390-insn: the instructions a Linux guest's channel subsystem driver and
SMP code issue, as KVM reports them (ipa/ipb): STSCH, MSCH, SSCH with a
SENSE ID program, TSCH, STCRW, CHSC, DIAGNOSE 0x500/0x501/0x308/0x44,
SIGP sense/start/stop/restart/reset/set-architecture; CHSC with stray
bits above the addressing mode in r1, in 24- and 31-bit mode.
s390-loader: a Linux image (S390EP at 0x10008, a parameter area with a
command line size) with a command line and an initrd, one that ends
inside its parameter area; an IPL image with a short PSW.
arm64-image: Image headers as Linux writes them (text_offset 0 and
0x80000, image_size beyond the file for the BSS, 4K/16K/64K pages), with
and without an initrd, and a pre-3.17 header (image_size 0).
Formats: the comments atop each target's .c file."""
import os
import struct
import sys


def put(buf, off, fmt, *vals):
    b = struct.pack(fmt, *vals)
    buf[off:off + len(b)] = b


def place(buf, off, data):
    """data over buf at off, the length unchanged."""
    assert off + len(data) <= len(buf)
    buf[off:off + len(data)] = data


def op(kind, a=0, b=0, c=0):
    return struct.pack('<BBHI', kind, a, b, c)


def ebcdic(text):
    table = {' ': 0x40, '.': 0x4b, ':': 0x7a, '=': 0x7e, '-': 0x60}
    out = bytearray()
    for ch in text:
        if 'a' <= ch <= 'i':
            out.append(0x81 + ord(ch) - ord('a'))
        elif 'j' <= ch <= 'r':
            out.append(0x91 + ord(ch) - ord('j'))
        elif 's' <= ch <= 'z':
            out.append(0xa2 + ord(ch) - ord('s'))
        elif 'A' <= ch <= 'I':
            out.append(0xc1 + ord(ch) - ord('A'))
        elif 'J' <= ch <= 'R':
            out.append(0xd1 + ord(ch) - ord('J'))
        elif 'S' <= ch <= 'Z':
            out.append(0xe2 + ord(ch) - ord('S'))
        elif '0' <= ch <= '9':
            out.append(0xf0 + ord(ch) - ord('0'))
        else:
            out.append(table.get(ch, 0x4b))
    return bytes(out)


# s390-sclp ---------------------------------------------------------------
SERVC, POKE32, POKE16, INPUT, RESET, PREFIX, DIRECT, DIRECT_HDR = range(8)
READ_INFO, READ_INFO_FORCED, WRITE_MASK, WRITE_DATA, READ_DATA = range(5)


def sccb(length):
    b = bytearray(length)
    put(b, 0, '>H', length)
    return b


def mask_sccb(mlen, receive, send):
    b = sccb(12 + 4 * mlen)
    put(b, 10, '>H', mlen)
    b[12:12 + mlen] = receive.to_bytes(4, 'big')[:mlen].ljust(mlen, b'\0')
    b[12 + mlen:12 + 2 * mlen] = send.to_bytes(4, 'big')[:mlen].ljust(
        mlen, b'\0')
    return b


VT220 = 0x80000000 >> 25
MSG = 0x80000000 >> 1


def event(etype, body):
    return struct.pack('>HBBH', 6 + len(body), etype, 0, 0) + body


def message(text):
    mto = struct.pack('>HHHB3x', 10 + len(text), 4, 0x1000, 0) + text
    go = struct.pack('>HH', 48, 1) + bytes(44)
    mdb = struct.pack('>HH4sI', 12 + len(go) + len(mto), 1, b'CPMD', 1)
    return event(2, mdb + go + mto)


def write_events(*events):
    body = b''.join(events)
    b = sccb(8 + len(body))
    b[8:] = body
    return b


def sclp_input(cpus, ram_mib, mem, ops):
    mem = bytes(mem)
    return (bytes([cpus]) + struct.pack('<IH', ram_mib << 8, len(mem)) +
            mem + b''.join(ops))


def sclp_seeds():
    mem = bytearray(0x5c00)
    place(mem, 0x2000, sccb(0x1000))
    place(mem, 0x3000, mask_sccb(4, VT220 | MSG, VT220 | MSG))
    place(mem, 0x3100, sccb(8))      # a bare header: too short for events
    ev = write_events(event(0x1a, b'login: root\r\n'),
                      message(ebcdic('Linux version 6.1 s390x ABC XYZ') + b'\xff'),
                      event(0x1a, b'$ '))
    place(mem, 0x4000, ev)
    place(mem, 0x5000, sccb(0x100))
    place(mem, 0x5a00, sccb(0x100))
    put(mem, 0x5b80, '>H', 0x100)     # runs past the end of RAM
    put(mem, 0x3ff8, '>H', 0x108)     # crosses its page
    place(mem, 0x3800, mask_sccb(8, VT220, VT220))
    linux = [op(SERVC, READ_INFO, 0x2000), op(SERVC, WRITE_MASK, 0x3000),
             op(SERVC, WRITE_DATA, 0x4000), op(INPUT, 12, 0, 0x61),
             op(SERVC, READ_DATA, 0x5000), op(SERVC, READ_DATA, 0x5000),
             op(INPUT, 63, 0, 0x30), op(INPUT, 63, 0, 0x40),
             op(POKE16, 0, 0x5a00, 20), op(SERVC, READ_DATA, 0x5a00),
             op(SERVC, READ_DATA, 0x5a00), op(SERVC, WRITE_DATA, 0x3100),
             op(SERVC, READ_INFO, 0x5b80)]
    yield 'linux', sclp_input(1, 512, mem, linux)
    prefix = [op(PREFIX, 1), op(SERVC, READ_INFO, 0x0000),
              op(SERVC, READ_INFO_FORCED, 0x2000),
              op(PREFIX, 3), op(SERVC, WRITE_MASK, 0x3000),
              op(SERVC, WRITE_DATA, 0x4000), op(SERVC, READ_INFO, 0x3ff8),
              op(SERVC, READ_INFO, 0x2004), op(SERVC, 0x80, 0, 0x80000000),
              op(SERVC, 5, 0x2000, 0x00440001), op(SERVC, 6, 0x2000)]
    yield 'prefix', sclp_input(7, 70000, mem, prefix)
    direct = [op(DIRECT, READ_INFO, 4096, 0x2000),
              op(DIRECT, READ_INFO, 300, 0x2000),
              op(DIRECT, WRITE_MASK, 28, 0x3000),
              op(DIRECT, WRITE_MASK, 44, 0x3800),
              op(DIRECT_HDR, WRITE_DATA, 0, 0x4000),
              op(INPUT, 40, 0, 0x20),
              op(DIRECT, READ_DATA, 20, 0x5000),
              op(DIRECT, READ_DATA, 4097, 0),
              op(DIRECT, READ_DATA, 7, 0),
              op(RESET), op(DIRECT, READ_DATA, 64, 0x5000)]
    yield 'direct', sclp_input(63, 4096, mem, direct)
    masks = [op(POKE16, 0, 0x300a, 0), op(SERVC, WRITE_MASK, 0x3000),
             op(POKE16, 0, 0x300a, 9), op(SERVC, WRITE_MASK, 0x3000),
             op(POKE16, 0, 0x300a, 6), op(SERVC, WRITE_MASK, 0x3000),
             op(POKE16, 0, 0x300a, 1), op(SERVC, WRITE_MASK, 0x3000),
             op(POKE16, 0, 0x3000, 4), op(SERVC, WRITE_MASK, 0x3000)]
    yield 'masks', sclp_input(0, 1, mem, masks)


# s390-insn ---------------------------------------------------------------
def sieic(ipa, ipb):
    return struct.pack('>HI', ipa, ipb)


def insn_input(flags, gprs, mem, steps):
    """gprs: {n: value}; steps: (kind, ipa, ipb, regs dict) entries."""
    out = bytearray([flags])
    out += struct.pack('<H', len(mem)) + bytes(mem)
    for kind, ipa, ipb, regs in steps:
        out += struct.pack('<BBHI', kind, len(regs), ipa, ipb)
        for n, v in regs.items():
            out += struct.pack('<BQ', n, v)
    return bytes(out)


def insn_seeds():
    mem = bytearray(0x4000)
    # ORB at 0x800: intparm, format-1 CCWs, LPM 0x80, the program at 0x1000.
    put(mem, 0x800, '>III', 0xcafe, 1 << 23 | 0x8000, 0x1000)
    # SENSE ID (0xe4) into 0x2000, 8 bytes (suppress length), then the end.
    put(mem, 0x1000, '>BBHI', 0xe4, 0x20, 8, 0x2000)
    # SCHIB at 0x900: enabled, LPM 0x80.
    put(mem, 0x900, '>III', 0, 1 << 23, 0x80000000)
    # CHSC request block at 0x3000: length 16, code 0x0004.
    put(mem, 0x3000, '>HH', 16, 4)
    sid = 0x00010000
    ipb = lambda b2, d2: (b2 << 28) | (d2 << 16)
    steps = [
        (0, 0xb234, ipb(0, 0xc00), {1: sid}),         # STSCH
        (0, 0xb232, ipb(0, 0x900), {1: sid}),         # MSCH
        (0, 0xb233, ipb(0, 0x800), {1: sid}),         # SSCH
        (0, 0xb235, ipb(0, 0xa00), {1: sid}),         # TSCH
        (1, 0, ipb(0, 0xa00), {1: sid}),              # TSCH exit
        (0, 0xb234, ipb(2, 0x100), {1: sid + 1, 2: 0x800}),
        (0, 0xb239, ipb(0, 0xb00), {}),               # STCRW
        (0, 0xb25f, 0x00100000, {1: 0x3000}),         # CHSC r1 = 1
        (0, 0xb236, ipb(0, 0xc00), {}),               # TPI
        (0, 0xb230, 0, {1: sid}), (0, 0xb231, 0, {1: sid}),
        (0, 0xb238, 0, {1: sid}), (0, 0xb276, 0, {1: sid}),
        (0, 0xb237, 0, {}), (0, 0xb23c, 0, {}), (0, 0xb23a, 0, {}),
        (0, 0x8323, ipb(0, 0x500), {1: 3, 2: sid, 3: 0, 4: 1}),
        (0, 0x8303, ipb(0, 0x501), {3: 0x3000}),
        (0, 0x8303, ipb(0, 0x44), {}),
        (0, 0x8303, ipb(0, 0x9c), {}),
        (0, 0x8303, ipb(0, 0x308), {3: 3}),
        (0, 0xae12, ipb(0, 0x12), {3: 0, 1: 1}),
        (0, 0xae12, ipb(0, 0x01), {3: 1}),
        (0, 0xae12, ipb(0, 0x04), {3: 1}),
        (0, 0xae12, ipb(0, 0x05), {3: 1}),
        (0, 0xae12, ipb(0, 0x06), {3: 1}),
        (0, 0xae12, ipb(0, 0x0b), {3: 1}),
        (0, 0xae12, ipb(0, 0x0c), {3: 1}),
        (0, 0xae12, ipb(0, 0x33), {3: 0}),
        (0, 0xae12, ipb(0, 0x01), {3: 9}),
        (0, 0xb220, 0x00120000, {1: 0x00020001, 2: 0x2000}),
        (2, 0x0000, 0x00000000, {}),
    ]
    yield 'linux', insn_input(0x06, {}, mem, steps)
    yield 'amode24', insn_input(0x00, {}, mem, steps[:8])
    yield 'amode31', insn_input(0x05, {}, mem, steps[:8])
    # CHSC's block address in r1 wraps to the addressing mode.
    chsc = lambda r1: [(0, 0xb25f, 0x00100000, {1: r1})]
    yield 'chsc-wrap24', insn_input(0x00, {}, mem, chsc(0x12003000))
    yield 'chsc-wrap31', insn_input(0x05, {}, mem, chsc(0xffffffff80003000))


# s390-loader -------------------------------------------------------------
def s390_image(length, max_cmdline=4096):
    k = bytearray(length)
    put(k, 0, '>II', 0x00080000, 0x80010000)
    for i in range(0x10000, min(length, 0x10400), 4):
        put(k, i, '>I', 0x07000000 + i)
    k[0x10008:0x1000e] = b'S390EP'
    put(k, 0x10430, '>Q', max_cmdline)
    return k


def s390_loader_input(kernel, ram=64, cmdline=b'console=ttysclp0',
                      initrd=0, flags=0):
    return (bytes([flags, ram, len(cmdline)]) + struct.pack('<I', initrd) +
            cmdline + bytes(kernel))


def s390_loader_seeds():
    yield 'linux', s390_loader_input(s390_image(0x12000), initrd=4096)
    yield 'legacy', s390_loader_input(s390_image(0x11000, 0), ram=16,
                                      cmdline=b'root=/dev/vda ' * 10)
    yield 'big', s390_loader_input(s390_image(0x30000, 0x10000), ram=200,
                                   initrd=300000)
    yield 'short', s390_loader_input(s390_image(0x10440), ram=4,
                                     cmdline=b'')
    ipl = bytearray(0x3000)
    put(ipl, 0, '>II', 0x00080000, 0x80002000)
    yield 'ipl', s390_loader_input(ipl, ram=1, cmdline=b'')


# arm64-image -------------------------------------------------------------
def arm64_image(length, text_offset=0, image_size=None, flags=0xa):
    k = bytearray(length)
    put(k, 0, '<II', 0x91005a4d, 0x14000000)
    put(k, 8, '<QQQ', text_offset,
        length + 0x10000 if image_size is None else image_size, flags)
    k[56:60] = b'ARM\x64'
    for i in range(64, length, 64):
        k[i] = i >> 6 & 0xff
    return k


def arm64_input(kernel, ram=8, initrd=0, flags=0):
    return bytes([flags, ram]) + struct.pack('<I', initrd) + bytes(kernel)


def arm64_seeds():
    yield 'linux', arm64_input(arm64_image(0x3000), ram=8, initrd=0x1000)
    yield 'text', arm64_input(arm64_image(0x2000, 0x80000, flags=0x2),
                              ram=12)
    yield 'pages64k', arm64_input(arm64_image(0x1800, 0, 0x300000, 0x6),
                                  ram=16, initrd=0x20000, flags=1)
    yield 'old', arm64_input(arm64_image(0x1000, 0x12345000, 0), ram=6,
                             initrd=100)


SEEDS = {'s390-sclp': sclp_seeds, 's390-insn': insn_seeds,
         's390-loader': s390_loader_seeds, 'arm64-image': arm64_seeds}


def main():
    out, target = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS[target]():
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
