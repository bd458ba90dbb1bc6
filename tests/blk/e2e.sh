#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# virtio-blk end to end on /dev/kvm with the test guest's own driver
# (test=virtio-blk): raw and qcow2 images over PCI and MMIO; the data is on
# the image after a FLUSH even when lkvm is SIGKILLed right after it;
# read-only disks refuse writes; a second lkvm on the same image is
# refused; bad images give one clear error at start-up, a hostile qcow2
# that would steer a guest write into its L1 table among them (it opens
# read-only only); a queue
# (or, on PCI, device) reset with writes in flight leaves lkvm running and
# the new ring gets only its own request back. The same with io=vcpu
# (requests run on the vCPU whose doorbell exits, no ioeventfd).
. "$(dirname "$0")/../integration/lib.sh"

GUEST="$GUESTS/guest.elf"
why=$(kvm_unusable)
[ -z "$why" ] && [ ! -x "$LKVM" ] && why="lkvm not built"
[ -z "$why" ] && [ ! -r "$GUEST" ] && why="test guest not built"
command -v qemu-img >/dev/null || qimg="qemu-img not installed (qemu-utils)"

# as_raw IMAGE FMT: path of a raw view of the image
as_raw() {
	if [ "$2" = raw ]; then
		echo "$1"
	else
		qemu-img convert -f qcow2 -O raw "$1" "$TMP/view.raw" && echo "$TMP/view.raw"
	fi
}

make_image() { # make_image PATH FMT
	rm -f "$1"
	if [ "$2" = raw ]; then
		truncate -s 16M "$1"
	else
		qemu-img create -q -f qcow2 "$1" 16M
	fi
}

names=()
for t in pci mmio; do
	for f in raw qcow2; do
		names+=("$f over $t: write, flush, read back" \
			"$f over $t: data on the image" \
			"$f over $t: SIGKILL right after a flush keeps the data")
	done
done
names+=("read-only disk refuses writes" "second lkvm on the image is refused"
	"corrupt qcow2 header refused at start-up"
	"missing backing file refused at start-up" "engine reported at info level"
	"hostile qcow2: refused read-write at start-up, the L1 table named"
	"hostile qcow2: opens read-only (ro), as the refusal says")
for t in mmio mmio-legacy pci; do names+=("reset with writes in flight over $t"); done
for t in pci mmio; do
	names+=("io=vcpu over $t: write, flush, read back" "io=vcpu over $t: data on the image"
		"io=vcpu: reset with writes in flight over $t")
done
names+=("io=vcpu reported at info level" "io=auto over pci: write, flush, read back"
	"io=auto over pci: data on the image" "io=auto: reset with writes in flight over pci"
	"io=auto reported at info level")
if [ -n "$why" ]; then
	for n in "${names[@]}"; do skip "$n" "$why"; done
	done_testing
	exit
fi

seed=3
for t in pci mmio; do
	for f in raw qcow2; do
		if [ "$f" = qcow2 ] && [ -n "${qimg:-}" ]; then
			for _ in 1 2 3; do skip "$f over $t" "$qimg"; done
			continue
		fi
		img="$TMP/disk.$f"
		make_image "$img" "$f"
		seed=$((seed + 1))
		run_lkvm 120 run -k "$GUEST" -c 1 --virtio-transport "$t" \
			-p "test=virtio-blk blk-seed=$seed blk-sector=24" \
			-d "$img,serial=e2e-$f"
		if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: read back 32768 bytes: match' "$TMP/out" &&
			grep -q "^virtio-blk: $t: capacity 32768 sectors, ro 0, flush 1, serial 'e2e-$f'" "$TMP/out"; then
			pass "$f over $t: write, flush, read back (capacity, serial seen)"
		else
			fail "$f over $t: write, flush, read back (status $rc)"
			show_output
		fi
		raw=$(as_raw "$img" "$f")
		if [ -n "$raw" ] && pattern_ok "$raw" "$seed" 24 32768 &&
			{ [ "$f" = raw ] || qemu-img check -q "$img"; }; then
			if [ "$f" = raw ]; then extra=""; else extra=", qemu-img check clean"; fi
			pass "$f over $t: data on the image$extra"
		else
			fail "$f over $t: data on the image"
		fi

		# hold: the guest flushes, then spins; kill -9 at once. The
		# last run's output goes first: a background job truncates its
		# output file in the child, which the wait below may outrun.
		seed=$((seed + 1))
		rm -f "$TMP/hold.out" "$TMP/hold.err"
		"$LKVM" run -k "$GUEST" -c 1 --virtio-transport "$t" \
			-p "test=virtio-blk:hold blk-seed=$seed blk-sector=100" \
			-d "$img" >"$TMP/hold.out" 2>"$TMP/hold.err" &
		pid=$!
		for _ in $(seq 600); do
			grep -q '^virtio-blk: flushed' "$TMP/hold.out" && break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		raw=$(as_raw "$img" "$f")
		crc=0
		[ "$f" = qcow2 ] && { qemu-img check -q "$img" >/dev/null 2>&1; crc=$?; }
		if grep -q '^virtio-blk: flushed' "$TMP/hold.out" && [ -n "$raw" ] &&
			pattern_ok "$raw" "$seed" 100 32768 && { [ "$crc" -eq 0 ] || [ "$crc" -eq 3 ]; }; then
			pass "$f over $t: SIGKILL right after a flush keeps the data (check status $crc)"
		else
			fail "$f over $t: SIGKILL right after a flush (check status $crc)"
			sed 's/^/# /' "$TMP/hold.out" "$TMP/hold.err"
		fi
	done
done

img="$TMP/disk.raw"
run_lkvm 120 run -k "$GUEST" -c 1 -p "test=virtio-blk:ro" -d "$img,ro"
if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: write refused with status 1' "$TMP/out" &&
	grep -q 'ro 1' "$TMP/out"; then
	pass "read-only disk refuses writes (IOERR), RO offered"
else
	fail "read-only disk refuses writes (status $rc)"
	show_output
fi

rm -f "$TMP/hold.out" "$TMP/hold.err"
"$LKVM" run -k "$GUEST" -c 1 -p "test=virtio-blk:hold" -d "$img" \
	>"$TMP/hold.out" 2>"$TMP/hold.err" &
pid=$!
for _ in $(seq 600); do
	grep -q '^virtio-blk: flushed' "$TMP/hold.out" && break
	sleep 0.1
done
run_lkvm 30 run -k "$GUEST" -c 1 -p "test=virtio-blk" -d "$img"
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ "$rc" -ne 0 ] && grep -q "^lkvm: disk image '.*' is locked by another process" "$TMP/err" &&
	[ "$(lkvm_lines)" -eq 1 ]; then
	pass "second lkvm on the image is refused: $(head -1 "$TMP/err")"
else
	fail "second lkvm on the image is refused (status $rc)"
	show_output
fi

if [ -n "${qimg:-}" ]; then
	skip "corrupt qcow2 header refused at start-up" "$qimg"
	skip "missing backing file refused at start-up" "$qimg"
else
	qemu-img create -q -f qcow2 "$TMP/bad.qcow2" 16M
	printf '\x00\x00\x00\x28' | dd of="$TMP/bad.qcow2" bs=1 seek=20 conv=notrunc status=none
	run_lkvm 30 run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/bad.qcow2"
	if [ "$rc" -ne 0 ] && grep -q "^lkvm: qcow2 image '.*bad.qcow2': corrupt header: cluster bits 40" "$TMP/err"; then
		pass "corrupt qcow2 header refused at start-up: $(head -1 "$TMP/err")"
	else
		fail "corrupt qcow2 header refused (status $rc)"
		show_output
	fi
	qemu-img create -q -f qcow2 -u -b nothere.qcow2 -F qcow2 "$TMP/orphan.qcow2" 16M
	run_lkvm 30 run -k "$GUEST" -c 1 -p "test=exit:0" -d "$TMP/orphan.qcow2"
	if [ "$rc" -ne 0 ] && grep -q "^lkvm: backing file of '.*orphan.qcow2': cannot open disk image '.*nothere.qcow2': No such file" "$TMP/err"; then
		pass "missing backing file refused at start-up: $(head -1 "$TMP/err")"
	else
		fail "missing backing file refused (status $rc)"
		show_output
	fi
fi

run_lkvm 30 run -k "$GUEST" -c 2 -p "test=exit:0" --loglevel info -d "$img"
if [ "$rc" -eq 0 ] && grep -Eq '^lkvm: virtio-blk.0: .* 2 queues, (io_uring|threads) engine' "$TMP/err"; then
	pass "engine reported at info level: $(grep -o '[a-z_]* engine' "$TMP/err" | head -1), 2 queues for 2 vCPUs"
else
	fail "engine reported at info level (status $rc)"
	show_output
fi

# 4 KiB clusters, guest cluster 1 (sectors 8-15) stored "in place" on the
# L1 table (tests/fuzz/qcow2-seeds.py builds it, as its l2-at-l1 seed).
python3 - "$ROOT/tests/fuzz" "$TMP/hostile.qcow2" <<'EOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location('s', sys.argv[1] + '/qcow2-seeds.py')
s = importlib.util.module_from_spec(spec)
spec.loader.exec_module(s)
img = s.Image(12, 4 << 20)
img.l2(1, 3 * 4096 | s.COPIED)
open(sys.argv[2], 'wb').write(img.b)
EOF
# A read-write open checks every cluster in use against the tables
# (devices/qcow2-check.c), so the image never reaches the guest writable;
# the write-time guard behind it is tests/unit/disk-qcow2.c's (the file
# damaged after the open).
cp "$TMP/hostile.qcow2" "$TMP/hostile.orig"
run_lkvm 60 run -k "$GUEST" -c 1 -p "test=virtio-blk:ro blk-sector=8" \
	-d "$TMP/hostile.qcow2"
if [ "$rc" -eq 1 ] && [ "$(lkvm_lines)" -eq 1 ] &&
	grep -q "^lkvm: qcow2 image .*: guest offset 0x1000 points at the L1 table at 0x3000; it opens read-only (ro)" "$TMP/err" &&
	cmp -s "$TMP/hostile.qcow2" "$TMP/hostile.orig"; then
	pass "hostile qcow2: refused read-write at start-up, the L1 table named, the file untouched"
else
	fail "hostile qcow2: refused read-write at start-up (status $rc)"
	show_output
fi
run_lkvm 60 run -k "$GUEST" -c 1 -p "test=virtio-blk:ro blk-sector=8" \
	-d "$TMP/hostile.qcow2,ro"
if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: write refused with status 1' "$TMP/out" &&
	cmp -s "$TMP/hostile.qcow2" "$TMP/hostile.orig"; then
	pass "hostile qcow2: opens read-only (ro), as the refusal says; the guest's write refused"
else
	fail "hostile qcow2: opens read-only (status $rc)"
	show_output
fi

# Queue reset (MMIO QueueReady 0, legacy QueuePFN 0; PCI: device reset)
# right after notifying two 256 KiB writes, on a fresh image of zeros.
qreset_check() { # TRANSPORT NAME [DISK OPTIONS]
	rm -f "$TMP/qreset.raw"
	truncate -s 16M "$TMP/qreset.raw"
	run_lkvm 120 run -k "$GUEST" -c 1 --virtio-transport "$1" \
		-p "test=virtio-blk:qreset blk-len=262144" -d "$TMP/qreset.raw${3:-}"
	if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: new ring: used idx 1, head 0, status 0' "$TMP/out" &&
		grep -q '^virtio-blk: ok' "$TMP/out"; then
		pass "$2: lkvm runs on, new ring gets its own request only ($(grep -c 'on disk' "$TMP/out") of 2 writes done)"
	else
		fail "$2 (status $rc)"
		show_output
	fi
}
for t in mmio mmio-legacy pci; do
	qreset_check "$t" "reset with writes in flight over $t"
done

# io_check IO TRANSPORT: the test guest writes, flushes and reads back a
# disk with io=IO; the data is on the image.
io_check() {
	img="$TMP/vcpu.raw"
	make_image "$img" raw
	seed=$((seed + 1))
	run_lkvm 120 run -k "$GUEST" -c 1 --virtio-transport "$2" --loglevel info \
		-p "test=virtio-blk blk-seed=$seed blk-sector=40" -d "$img,io=$1"
	if [ "$rc" -eq 0 ] && grep -q '^virtio-blk: read back 32768 bytes: match' "$TMP/out"; then
		pass "io=$1 over $2: write, flush, read back"
	else
		fail "io=$1 over $2: write, flush, read back (status $rc)"
		show_output
	fi
	if pattern_ok "$img" "$seed" 40 32768; then
		pass "io=$1 over $2: data on the image"
	else
		fail "io=$1 over $2: data on the image"
	fi
}

# io=vcpu: the guest's doorbell exits to lkvm, whose vCPU thread runs a
# lone request itself; two at once go to the I/O thread, as without it.
for t in pci mmio; do
	io_check vcpu "$t"
	qreset_check "$t" "io=vcpu: reset with writes in flight over $t" ,io=vcpu
done
run_lkvm 30 run -k "$GUEST" -c 1 -p "test=exit:0" --loglevel info -d "$img,io=vcpu"
if [ "$rc" -eq 0 ] && grep -Eq '^lkvm: virtio-blk.0: .* engine, lone requests on the vCPU' "$TMP/err"; then
	pass "io=vcpu reported at info level"
else
	fail "io=vcpu reported at info level (status $rc)"
	show_output
fi

# io=auto: io=vcpu while lone requests are quick (here, a file in the
# page cache: all of them).
io_check auto pci
if grep -Eq '^lkvm: virtio-blk.0: .* engine, lone quick requests on the vCPU' "$TMP/err"; then
	pass "io=auto reported at info level"
else
	fail "io=auto reported at info level"
	show_output
fi
qreset_check pci "io=auto: reset with writes in flight over pci" ,io=auto
done_testing
