#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: a short libFuzzer run of the UART's ports with the console's
# output buffer behind them (tests/fuzz/serial-ports.c), from seeds made
# here that reach deep states: Linux's probe and set-up, a transmit flood
# into a reader that does not read (the transmitter busy) and then drains,
# received bytes under RTS flow control and loopback. ok when no invariant
# broke, nothing crashed or hung.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "serial-ports fuzz"
mkdir -p "$work/corpus"
python3 - "$work/corpus" <<'PY' || exit 1
import os, struct, sys
out = sys.argv[1]
W, R, IN, READER, WIDE, BURST = range(6)
RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR = range(8)
op = lambda k, a=0, b=0, c=0: bytes([k, a, b, c])
# Linux's autoconfig and set-up: scratch, loopback, FIFO, divisor.
probe = (op(W, IER, 0) + op(R, IER) + op(W, IER, 0x0f) + op(R, IER) +
         op(W, SCR, 0xa5) + op(R, SCR) + op(W, MCR, 0x1a) + op(R, MSR) +
         op(W, MCR, 0) + op(W, IIR, 0xc7) + op(R, IIR) + op(W, LCR, 0x83) +
         op(W, RBR, 1) + op(W, IER, 0) + op(R, RBR) + op(R, IER) +
         op(W, LCR, 0x03) + op(R, LCR) + op(W, MCR, 0x0b) +
         op(W, IER, 0x07) + op(R, IIR) + op(R, LSR))
stall = probe + b''.join(op(BURST, 0, i & 0xff, 31) + (op(R, LSR) if i % 64 == 0 else b'')
                         for i in range(2300))
stall += b''.join(op(READER, 255) + op(R, LSR) + op(R, IIR) + op(BURST, 0, 7, 31)
                  for i in range(40))
rx = probe + b''.join(op(IN, 0, i * 5 & 0xff, 20) + op(R, LSR) + op(R, RBR) * 3 +
                      (op(W, MCR, 0x09) if i % 7 == 3 else op(W, MCR, 0x0b)) +
                      op(R, IIR) for i in range(200))
loop = probe + op(W, MCR, 0x1b) + b''.join(op(W, RBR, 0, i) for i in range(20)) + \
    op(R, LSR) + op(R, RBR) * 20 + op(W, MCR, 0x0b) + op(IN, 0, 1, 16) + op(R, RBR) * 4
wide = probe + op(WIDE, SCR - 1, 1, 0x42) + op(WIDE, LCR, 0) + op(WIDE, 7, 1, 9) + \
    op(READER, 255)
for name, data in [('probe', probe), ('stall', stall), ('rx', rx),
                   ('loop', loop), ('wide', wide)]:
    open(os.path.join(out, name), 'wb').write(data)
PY
fuzz_target serial-ports "$work/corpus" fuzz-serial-build \
	-max_len=16384 -rss_limit_mb=1024
tap_done
