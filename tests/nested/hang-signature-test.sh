#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/nested/hang-signature.sh on stall dumps written here: the nested
# stack's hang (a vCPU at one RIP in the last two dumps, interrupts off,
# a short jump backwards there) and dumps that only look like it.
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/lib/tap.sh"

# dump FILE RIP RFLAGS CODE: append one dump of vCPU 0, and vCPU 1 idle.
dump() {
	cat >>"$1" <<DUMP
# no output for 120 s (23:04:51): lkvm debug --dump
# thread lkvm-vcpu0: state R, utime 13515, stime 569 ticks
vCPU 0 registers:
  rip $2  rsp ffff88800f805e98  rflags $3
  rax 0000000000000101  rbx ffff88800057d1d0  rcx 0000000000000000  rdx ffff88800057d274
  code at 0x12e78ee: $4 66 c7 02 01 00 c3 48 c7 c1 00 02 02 00 65
  [rdi] at 0x57d274: 01 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00
vCPU 1 registers:
  rip ffffffff812e7623  rsp ffff8880001b7f08  rflags 0000000000000246
  code at 0x12e7623: c3 eb ea be 03 00 00 00 65 48 8b 3c 25 00 ac 01
DUMP
}
sig() {	# FILE: the script's output and status
	out=$("$top/tests/nested/hang-signature.sh" "$1" 2>&1)
	rc=$?
}
spin=ffffffff812e78ee

dump "$tmp/hang" $spin 0000000000000002 "eb f6"
dump "$tmp/hang" $spin 0000000000000002 "eb f6"
sig "$tmp/hang"
[ $rc -eq 0 ] && [ "$out" = "vCPU 0 spins at $spin with interrupts off" ]
ok $? "two dumps, one vCPU spinning with IF clear: the hang" "$rc $out"

dump "$tmp/once" $spin 0000000000000002 "eb f6"
sig "$tmp/once"
[ $rc -eq 1 ] && [ -z "$out" ]
ok $? "one dump is not enough" "$rc $out"

# Interrupts on (0x246, 0x202), another RIP, a forward jump, a NOP.
i=0
for v in "$spin 0000000000000246 eb f6" "$spin 0000000000000202 eb f6" \
	 "ffffffff812e78f0 0000000000000002 eb f6" \
	 "$spin 0000000000000002 eb 06" "$spin 0000000000000002 90 90"; do
	i=$((i + 1))
	read -r rip fl c1 c2 <<<"$v"
	dump "$tmp/like$i" $spin 0000000000000002 "eb f6"
	dump "$tmp/like$i" "$rip" "$fl" "$c1 $c2"
	sig "$tmp/like$i"
	[ $rc -eq 1 ]
	ok $? "not the hang when the last dump has rip $rip, rflags $fl, code $c1 $c2" "$rc $out"
done

# Only the last two dumps count: an early spin that ended is not it.
dump "$tmp/ended" $spin 0000000000000002 "eb f6"
dump "$tmp/ended" $spin 0000000000000002 "eb f6"
dump "$tmp/ended" ffffffff81000000 0000000000000246 "f4 90"
sig "$tmp/ended"
[ $rc -eq 1 ]
ok $? "a spin that ended before the last dump is not the hang" "$rc $out"

# The watch's dumps without registers (lkvm gone) are skipped over.
cp "$tmp/hang" "$tmp/gone"
echo "# no output for 360 s (23:09:00): lkvm debug --dump" >>"$tmp/gone"
echo "lkvm: no VM named x" >>"$tmp/gone"
sig "$tmp/gone"
[ $rc -eq 0 ]
ok $? "dumps without registers do not hide the two before them" "$rc $out"

sig "$tmp/missing"
[ $rc -eq 2 ]
ok $? "a missing file: status 2" "$rc $out"

tap_done
