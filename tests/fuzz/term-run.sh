#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP suite: a short libFuzzer run of the terminal-state tracker
# (tests/fuzz/term-state.c) against the reference terminal written there,
# for each kind of terminal (8-bit or UTF-8, strict strings or not, the
# Linux console's numbers or xterm's, sub-parameters as alacritty, xterm,
# VTE or the Linux console take them), from seeds made here: full-screen
# programs, open strings, renditions, modes, input modes, hyperlinks,
# scroll regions, left/right margins, huge parameters, character sets,
# colours, C1 controls.
# ok when the repair always left the reference terminal sane and nothing
# crashed.
set -u
# shellcheck source=tests/fuzz/lib.sh
. "$(dirname "$0")/lib.sh"
fuzz_init "term-state fuzz"
mkdir -p "$work/corpus"
python3 - "$work/corpus" <<'PY' || exit 1
import os, sys
out = sys.argv[1]
E = b'\x1b'
seeds = {
    'top': E + b'[?1049h' + E + b'[?25l' + E + b'[H' + E + b'[2J' + E +
           b'[1;7mtop - 10:00' + E + b'[m\r\n' + E + b'[?1049l',
    'osc': E + b']0;title\x07' + E + b']11;#000000' + E + b'\\' + E +
           b']10;?;#fff\x07' + E + b']4;1;red' + E + b']104',
    'dcs': E + b'Pq#0;2;0;0;0#0~~' + E + b'\\' + E + b'_apc' + E + b'X',
    'sgr': E + b'[38;5;0;48;2;0;0;0m' + E + b'[8m' + E + b'[0;1;4:3m' +
           E + b'[39;49;28m' + E + b'[22;23;24;25;27;29m',
    'modes': E + b'[?7l' + E + b'[?47h' + E + b'[?1047l' + E + b'[?1048h' +
             E + b'7' + E + b'[5;5H' + E + b'8' + E + b'[s' + E + b'[u' +
             E + b'[!p',
    'charset': b'\x0e' + E + b'(0lqk' + E + b')0' + E + b'n' + E + b'%@' +
               E + b'(B\x0f' + E + b'%G' + E + b'c',
    'c1': b'\x9b?1049h\x9d0;t\x9c\x90q\x9c\xc2\x9b?25l\xc2\x9d0;x\xc2\x9c'
          b'\x1b[?25\xec\x1b]0;\x1b\xdc',
    'utf8': 'zażółć gęślą jaźń “quotes” ●\n'.encode() + b'\xe2\x82' +
            E + b'[1m\xf0\x9f\x98',
    'params': E + b'[?' + b';'.join(b'1' for _ in range(20)) + b';25l' +
              E + b'[' + b';'.join(b'1' for _ in range(20)) + b'm',
    'input': E + b'[?1000;1002;1006h' + E + b'[?2004h' + E + b'[?1004h' +
             E + b'[?1h' + E + b'=' + E + b'[?9;1001;1003;1005;1015;1016h' +
             E + b'[?66h' + E + b'>' + E + b'[?1006l' + E + b'[?1l',
    'link': E + b']8;;http://x/' + E + b'\\link' + E + b']8;;\x07' + E +
            b']8;id=1;http://y/\x07' + E + b']8;;',
    'region': E + b'[2;10r' + E + b'[?6h' + E + b'7' + E + b'[?6l' + E +
              b'[r' + E + b'8' + E + b'[1;r' + E + b'[5r' + E + b'[?6l',
    'margins': E + b'[?69h' + E + b'[5;40s' + E + b'[?6h' + E + b'[s' +
               E + b'[2;9s' + E + b'[?69l' + E + b'[3;4s' + E + b'[u' +
               E + b'[?69h' + E + b'[1;0s' + E + b'[?69r' + E +
               b'[?4294967365h' + E + b'[1:2;3s',
    'subs': E + b'[?1000;2004h' + E + b'[?1000:1l' + E + b'[?2004;5:1l' +
            E + b'[?25l' + E + b'[?1:2;25h' + E + b'[2;5r' + E +
            b'[1;0;1:2r' + E + b'[?1003:1h' + E + b'[?1;1;1;1;1;1;1;1;1;1;'
            b'1;1;1;1;1;1;1l' + E + b'[0;4:3m',
    'huge': E + b'[?4294967321l' + E + b'[?4294968296h' + E +
            b'[4294967334;5;0m' + E + b'[4294967296r' + E +
            b'[?25l' + E + b'[?0000000025h' + E + b'[?99999999999999h',
}
for name, data in seeds.items():
    for mode in range(64):
        open(os.path.join(out, '%s-%d' % (name, mode)), 'wb').write(
            bytes([mode, 7]) + data)
PY
FUZZ_REPORT='term-state invariant'
fuzz_target term-state "$work/corpus" fuzz-term-build -max_len=4096
tap_done
