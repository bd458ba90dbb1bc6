#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# More virtio devices than the old 8 fixed slots, on /dev/kvm with the test
# guest: 20 disks on PCI bus 0 are enumerated (test=pci) and the last one
# works (test=virtio-blk with vio-skip=19: the pattern lands on the 20th
# image and on no other); with -c 8 (20 disks of 8 queues: 160 pollable,
# past the 64 pollers the I/O loop once had room for; tests/unit/ring-poll
# checks that it polls them all) the 20th works and lkvm reports no queue
# it could not poll; 12 disks on virtio-mmio likewise. One device more
# than a transport holds (PCI slots, x86's 12 interrupt lines for
# virtio-mmio) ends start-up with status 1 and the one line naming the
# limit, not a crash.
. "$(dirname "$0")/../integration/lib.sh"

GUEST="$GUESTS/guest.elf"
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -x "$LKVM" ] && why="lkvm not built"
[ -z "$why" ] && [ ! -r "$GUEST" ] && why="test guest not built"

names=("PCI: 20 disks enumerated on bus 0"
	"PCI: the 20th disk takes a write and reads it back"
	"PCI: the data is on the 20th image only"
	"PCI: -c 8, 160 pollable queues: the 20th disk works, none reported unpolled"
	"virtio-mmio: 12 disks, the 12th works"
	"PCI: a disk more than bus 0 holds is refused with the limit"
	"virtio-mmio: a disk more than the interrupt lines is refused")
if [ -n "$why" ]; then
	for t in "${names[@]}"; do skip "$t" "$why"; done
	done_testing
	exit
fi

disks=()
for i in $(seq 0 39); do
	truncate -s 1M "$TMP/d$i.raw"
	disks+=(-d "$TMP/d$i.raw")
done

run_lkvm 60 run -k "$GUEST" -c 1 -m 64M -p "test=pci" "${disks[@]:0:40}" </dev/null
n=$(grep -c '^pci: 00:[0-9a-f.]* 1af4:1042 ' "$TMP/out")
if [ "$rc" -eq 0 ] && [ "$n" -eq 20 ]; then
	pass "PCI: 20 disks enumerated on bus 0 (1af4:1042 at $(grep '1af4:1042' "$TMP/out" | sed -n '1s/^pci: \([0-9a-f:.]*\).*/\1/p')..$(grep '1af4:1042' "$TMP/out" | sed -n '$s/^pci: \([0-9a-f:.]*\).*/\1/p'))"
else
	fail "PCI: 20 disks enumerated on bus 0 (status $rc, $n found)"
	show_output
fi

run_lkvm 60 run -k "$GUEST" -c 1 -m 64M -p "test=virtio-blk vio-skip=19 blk-seed=7" \
	"${disks[@]:0:40}" </dev/null
if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: read back 32768 bytes: match' "$TMP/out"; then
	pass "PCI: the 20th disk takes a write and reads it back"
else
	fail "PCI: the 20th disk takes a write and reads it back (status $rc)"
	show_output
fi
others=0
for i in $(seq 0 18); do
	cmp -s "$TMP/d$i.raw" <(head -c 1M /dev/zero) || others=$((others + 1))
done
if pattern_ok "$TMP/d19.raw" 7 8 32768 && [ "$others" -eq 0 ]; then
	pass "PCI: the data is on the 20th image only"
else
	fail "PCI: the data is on the 20th image only ($others others changed)"
fi

run_lkvm 60 run -k "$GUEST" -c 8 -m 64M -p "test=virtio-blk vio-skip=19 blk-seed=11" \
	"${disks[@]:0:40}" </dev/null
if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: read back 32768 bytes: match' "$TMP/out" &&
   pattern_ok "$TMP/d19.raw" 11 8 32768 && ! grep -q 'not polled' "$TMP/err"; then
	pass "PCI: -c 8, 160 pollable queues: the 20th disk works, none reported unpolled"
else
	fail "PCI: -c 8, 160 pollable queues: the 20th disk works, none reported unpolled (status $rc)"
	show_output
fi

# --network none: the default NIC would take a thirteenth line.
run_lkvm 60 run -k "$GUEST" -c 1 -m 64M --virtio-transport mmio --network none \
	-p "test=virtio-blk vio-skip=11 blk-seed=9" "${disks[@]:40:24}" </dev/null
if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: mmio: ' "$TMP/out" &&
   grep -q '^virtio-blk: ok' "$TMP/out" && pattern_ok "$TMP/d31.raw" 9 8 32768; then
	pass "virtio-mmio: 12 disks, the 12th works"
else
	fail "virtio-mmio: 12 disks, the 12th works (status $rc)"
	show_output
fi

all=()
for i in $(seq 0 39); do all+=(-d "$TMP/d$i.raw"); done
run_lkvm 60 run -k "$GUEST" -c 1 -m 64M -p "test=pci" "${all[@]}" </dev/null
if [ "$rc" -eq 1 ] &&
   grep -qx 'lkvm: no free PCI slot for virtio-blk.31 (32 slots on bus 0)' "$TMP/err"; then
	pass "PCI: a disk more than bus 0 holds is refused with the limit: $(grep 'no free PCI' "$TMP/err")"
else
	fail "PCI: a disk more than bus 0 holds is refused with the limit (status $rc)"
	show_output
fi

run_lkvm 60 run -k "$GUEST" -c 1 -m 64M --virtio-transport mmio -p "test=pci" \
	"${all[@]:0:26}" </dev/null
if [ "$rc" -eq 1 ] &&
   grep -q '^lkvm: no free interrupt line for virtio-blk.12 ' "$TMP/err"; then
	pass "virtio-mmio: a disk more than the interrupt lines is refused: $(grep 'no free' "$TMP/err")"
else
	fail "virtio-mmio: a disk more than the interrupt lines is refused (status $rc)"
	show_output
fi
done_testing
