#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# virtio-rng and virtio-console through real VMs: the test guest finds the
# device on PCI (or from virtio_mmio.device=), negotiates VERSION_1, moves
# buffers through a split queue and takes the interrupt the way it asked
# (MSI-X through the local APIC, INTx through the IOAPIC, or none).
# Console output must reach lkvm's stdout from hvc0 and stdin must reach the
# guest; rng bytes must arrive and differ. A hostile guest pokes every
# register with bad values and lkvm must survive with rate-limited warnings.
. "$(dirname "$0")/../integration/lib.sh"

GUEST="$GUESTS/guest.elf"
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -x "$LKVM" ] && why="lkvm not built"
[ -z "$why" ] && [ ! -r "$GUEST" ] && why="test guest not built"

RNG_CASES="pci:msix pci:intx pci:poll mmio:intx mmio:poll mmio-legacy:intx"
CON_CASES="pci:msix pci:intx pci:poll mmio:intx mmio-legacy:intx"

if [ -n "$why" ]; then
	for c in $RNG_CASES; do skip "virtio-rng over $c" "$why"; done
	for c in $CON_CASES; do skip "virtio-console over $c" "$why"; done
	for t in "virtio-pci ioeventfd" "virtio-mmio ioeventfd" \
		"virtio-console size" "virtio-console without input" \
		"virtio-console Ctrl-a x" "hostile guest (pci)" \
		"hostile guest (mmio)" "no virtio devices: bus 0" \
		"--no-pvpanic: bus 0" "0xcf9 reset" "QEMU reference (runs after the lkvm checks)"; do
		skip "$t" "$why"
	done
	done_testing
	exit
fi

guest() { # guest TRANSPORT TEST [lkvm args...]
	local tr=$1 t=$2
	shift 2
	run_lkvm 60 run -k "$GUEST" -c 1 -m 64M --virtio-transport "$tr" \
		-p "test=$t" "$@"
}

for c in $RNG_CASES; do
	tr=${c%%:*} irq=${c#*:}
	guest "$tr" "virtio-rng:$irq" --rng </dev/null
	if [ "$rc" -eq 0 ] && grep -q "^virtio-rng: $tr $irq: 256 bytes in 4 buffers" "$TMP/out" &&
	   grep -q '^virtio-rng: ok' "$TMP/out"; then
		pass "virtio-rng over $c: $(sed -n "s/^virtio-rng: $tr $irq: //p" "$TMP/out")$(
			grep -q 'msix mask' "$TMP/out" && echo ', MSI-X masking and PBA')"
	else
		fail "virtio-rng over $c (status $rc)"
		show_output
	fi
done

for c in $CON_CASES; do
	tr=${c%%:*} irq=${c#*:}
	line="virtio input $(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
	guest "$tr" "virtio-console:$irq vc-echo" --console virtio \
		< <(printf '%s\n' "$line")
	if [ "$rc" -eq 0 ] &&
	   grep -qxF "hvc0: hello over virtio-$tr ($irq)" "$TMP/out" &&
	   grep -qxF "virtio-console: got $((${#line} + 1)) bytes: $line" "$TMP/out" &&
	   grep -qxF "hvc0: echo $line" "$TMP/out"; then
		pass "virtio-console over $c: hvc0 output on stdout, stdin line reaches the guest and comes back"
	else
		fail "virtio-console over $c (status $rc)"
		show_output
	fi
done

# Doorbells go through ioeventfds: no vCPU exit at the notify address.
guest pci virtio-rng:poll --rng --debug-mmio </dev/null
first=$(sed -n 's/^lkvm: vCPU [0-9]*: mmio write \(0x[0-9a-f]*\).*/\1/p' "$TMP/err" | head -1)
bell=$(printf '0x%x' $(( (${first:-0} & ~0x3fff) + 0x3000 )))
if [ "$rc" -eq 0 ] && [ -n "$first" ] &&
   ! grep -q "mmio write $bell\b" "$TMP/err"; then
	pass "virtio-pci: 4 queue notifications at $bell, none of them a vCPU exit (ioeventfd)"
else
	fail "virtio-pci: notifications through ioeventfd (status $rc, doorbell $bell)"
	grep "mmio write $bell" "$TMP/err" | head -3 | sed 's/^/# /'
fi
guest mmio virtio-rng:poll --rng --debug-mmio </dev/null
if [ "$rc" -eq 0 ] && grep -q 'mmio write 0xd0000070' "$TMP/err" &&
   ! grep -q 'mmio write 0xd0000050' "$TMP/err"; then
	pass "virtio-mmio: QueueNotify writes never exit (ioeventfd)"
else
	fail "virtio-mmio: notifications through ioeventfd (status $rc)"
fi

# F_SIZE: offered with the terminal's size when stdout is a terminal.
if command -v script >/dev/null; then
	script -qec "stty cols 97 rows 31; $LKVM run -k $GUEST -c 1 -m 64M --console virtio -p test=virtio-console:poll </dev/null" \
		/dev/null >"$TMP/out" 2>&1
	if grep -q 'virtio-console: size 97x31' "$TMP/out"; then
		pass "virtio-console size: F_SIZE carries the terminal's 97x31"
	else
		fail "virtio-console size"
		show_output
	fi
else
	skip "virtio-console size" "script(1) not installed"
fi

guest pci "virtio-console:msix" --console virtio </dev/null
if [ "$rc" -eq 0 ] && grep -qxF "hvc0: hello over virtio-pci (msix)" "$TMP/out"; then
	pass "virtio-console without input (stdin /dev/null): output only, no hang"
else
	fail "virtio-console without input (status $rc)"
	show_output
fi

# Ctrl-a x on the virtio console's input ends lkvm like on the serial one.
if command -v script >/dev/null; then
	(sleep 3; printf '\001x') | script -qec "$LKVM run -k $GUEST -c 1 -m 64M --console virtio -p 'test=virtio-console:msix vc-echo'" /dev/null >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q 'hvc0: hello over virtio-pci' "$TMP/out" &&
	   ! grep -q 'virtio-console: got' "$TMP/out"; then
		pass "virtio-console Ctrl-a x ends lkvm with status 0"
	else
		fail "virtio-console Ctrl-a x (status $rc)"
		show_output
	fi
else
	skip "virtio-console Ctrl-a x" "script(1) not installed"
fi

for tr in pci mmio; do
	guest "$tr" virtio-hostile --rng </dev/null
	warns=$(grep -c '^lkvm: ' "$TMP/err")
	if [ "$rc" -eq 0 ] && grep -q '^virtio-hostile: ok' "$TMP/out" &&
	   [ "$warns" -ge 3 ] && [ "$warns" -le 80 ]; then
		pass "hostile guest ($tr): bad registers, vectors, BARs and descriptors ignored with $warns log lines; the device works after a reset"
	else
		fail "hostile guest ($tr) (status $rc, $warns log lines)"
		show_output
	fi
done

run_lkvm 30 run -k "$GUEST" -c 1 -m 64M --network none -p test=pci </dev/null
if [ "$rc" -eq 0 ] && grep -qx 'pci: 00:00.0 1b36:0008 class 060000' "$TMP/out" &&
   grep -qx 'pci: 00:01.0 1b36:0011 class 088000' "$TMP/out" &&
   grep -qx 'pci: 2 functions' "$TMP/out"; then
	pass "no virtio devices: bus 0 holds the host bridge and the pvpanic function"
else
	fail "no virtio devices: bus 0 (status $rc)"
	show_output
fi

run_lkvm 30 run -k "$GUEST" -c 1 -m 64M --network none --no-pvpanic -p test=pci </dev/null
if [ "$rc" -eq 0 ] && grep -qx 'pci: 00:00.0 1b36:0008 class 060000' "$TMP/out" &&
   grep -qx 'pci: 1 functions' "$TMP/out"; then
	pass "--no-pvpanic, no virtio devices: bus 0 holds only the host bridge"
else
	fail "--no-pvpanic: bus 0 (status $rc)"
	show_output
fi

run_lkvm 30 run -k "$GUEST" -c 1 -m 64M -p test=pci-reset </dev/null
if [ "$rc" -eq 0 ] && grep -q '^pci-reset: writing 0x06 to port 0xcf9' "$TMP/out" &&
   ! grep -q 'still running' "$TMP/out"; then
	pass "0xcf9 reset: a write with bit 2 ends the VM with status 0"
else
	fail "0xcf9 reset (status $rc)"
	show_output
fi

# Reference: the test guest's driver against QEMU's own virtio devices (TCG,
# no KVM needed), so that the checks above are not lkvm agreeing with
# itself. QEMU's isa-debug-exit turns status 0 into exit code 1.
qemu() { # qemu MACHINE KERNEL APPEND [args...]
	local m=$1 k=$2 a=$3
	shift 3
	timeout --kill-after=5 60 qemu-system-x86_64 -M "$m" -m 128 \
		-nodefaults -no-user-config -nographic -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$k" \
		-append "$a" "$@" </dev/null 2>&1 | tr -d '\r' >"$TMP/out"
	rc=${PIPESTATUS[0]}
}
if ! command -v qemu-system-x86_64 >/dev/null; then
	for t in "rng pci msix" "rng pci intx" "console pci msix" "rng mmio"; do
		skip "QEMU reference: $t" "qemu-system-x86_64 not installed"
	done
elif [ ! -r "$GUESTS/guest.bzImage" ] || [ ! -r "$GUESTS/guest-pvh.elf" ]; then
	for t in "rng pci msix" "rng pci intx" "console pci msix" "rng mmio"; do
		skip "QEMU reference: $t" "test guest not built"
	done
else
	for irq in msix intx; do
		qemu pc "$GUESTS/guest.bzImage" "test=virtio-rng:$irq" \
			-device virtio-rng-pci,disable-legacy=on
		if [ "$rc" -eq 1 ] && grep -q '^virtio-rng: ok' "$TMP/out"; then
			pass "QEMU reference: the guest's virtio-rng-pci driver ($irq) works on QEMU too"
		else
			fail "QEMU reference: rng pci $irq (exit $rc)"
			sed 's/^/#   /' "$TMP/out" | tail -5
		fi
	done
	rm -f "$TMP/hvc0"
	qemu pc "$GUESTS/guest.bzImage" "test=virtio-console:msix" \
		-device virtio-serial-pci,disable-legacy=on,vectors=3 \
		-chardev "file,id=c0,path=$TMP/hvc0" -device virtconsole,chardev=c0
	if [ "$rc" -eq 1 ] && grep -qxF 'hvc0: hello over virtio-pci (msix)' "$TMP/hvc0"; then
		pass "QEMU reference: the guest's virtio-console driver works on QEMU's virtconsole"
	else
		fail "QEMU reference: console pci msix (exit $rc)"
		sed 's/^/#   /' "$TMP/out" | tail -5
	fi
	qemu microvm,acpi=off "$GUESTS/guest-pvh.elf" "test=virtio-rng:intx" \
		-global virtio-mmio.force-legacy=false -device virtio-rng-device
	if [ "$rc" -eq 1 ] && grep -q '^virtio-rng: mmio intx: ' "$TMP/out"; then
		pass "QEMU reference: the guest's virtio-mmio driver works on QEMU microvm"
	else
		fail "QEMU reference: rng mmio (exit $rc)"
		sed 's/^/#   /' "$TMP/out" | tail -5
	fi
fi

done_testing
