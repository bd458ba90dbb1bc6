#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --vsock at the edge: a reserved or malformed CID, an unknown sub-option,
# a second --vsock, a socket path that exists and is not a socket, one
# too long or already served by a live lkvm: one `lkvm: ` line naming it
# and a non-zero status before the guest runs. Then the device on each
# transport: a PCI function 1af4:1053 the test guest finds, a
# virtio-mmio window on the command line, the socket made while the VM
# runs and removed at its exit, a stale socket replaced.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
G=$GUESTS/guest.elf

S=$TMP/v.sock
touch "$TMP/file"
long=$TMP/$(printf 'x%.0s' $(seq 1 100))
lkvm_refused "CID 2 (the host's)" 2 "CID 2 is reserved" --vsock 2
lkvm_refused "CID 0" 2 "CID 0 is reserved" --vsock 0,path="$S"
lkvm_refused "CID 2^32 - 1" 2 "CID 4294967295 is reserved" --vsock 4294967295
lkvm_refused "CID that is not a number" 2 "bad vsock CID 'three'" --vsock three
lkvm_refused "CID with trailing junk" 2 "bad vsock CID '3x'" --vsock 3x,path="$S"
lkvm_refused "negative CID" 2 "bad vsock CID '-3'" --vsock=-3
lkvm_refused "CID 1 (the hypervisor's)" 2 "CID 1 is reserved" --vsock 1
lkvm_refused "CID 2^32, past a 32-bit CID" 2 "CID 4294967296 is reserved" \
	--vsock 4294967296,path="$S"
lkvm_refused "CID 2^64 - 1" 2 "CID 18446744073709551615 is reserved" \
	--vsock 18446744073709551615
lkvm_refused "CID 2^64, beyond 64 bits" 2 "bad vsock CID '18446744073709551616'" \
	--vsock 18446744073709551616
lkvm_refused "CID with a '+'" 2 "bad vsock CID '+3'" --vsock +3
lkvm_refused "CID after a blank" 2 "bad vsock CID ' 3'" --vsock " 3"
lkvm_refused "no CID before the comma" 2 "bad vsock CID ''" --vsock ,path="$S"
lkvm_refused "unknown sub-option" 2 "unknown vsock option 'port=5'" --vsock 3,port=5
lkvm_refused "--vsock twice" 2 "given twice" --vsock 3,path="$S" --vsock 4
lkvm_refused "empty path" 2 "path is empty" --vsock 3,path=
lkvm_refused "path that is a regular file" 2 "exists and is not a socket" \
	--vsock 3,path="$TMP/file"
lkvm_refused "path that is a directory" 2 "exists and is not a socket" \
	--vsock 3,path="$TMP"
lkvm_refused "path too long for a UNIX socket" 2 "is too long" \
	--vsock 3,path="$long"
lkvm_refused "path in a missing directory" 1 "vsock socket .*nodir/v.sock.: No such file" \
	--vsock 3,path="$TMP/nodir/v.sock"

why=$(kvm_unusable)
[ -z "$why" ] && [ ! -r "$G" ] && why="test guest not built"
if [ -n "$why" ]; then
	for t in "PCI function" "virtio-mmio window" "socket while running" \
		"socket in use" "socket removed at SIGTERM" "default path" \
		"default path removed" "stale socket"; do
		skip "$t" "$why"
	done
	done_testing
	exit
fi

run_lkvm 30 run -k "$G" -c 1 -m 64M --network none --vsock 3,path="$S" \
	-p test=pci </dev/null
if [ "$rc" -eq 0 ] && grep -q 'pci: 00:..\.0 1af4:1053' "$TMP/out" &&
   [ ! -e "$S" ]; then
	pass "PCI: the guest finds virtio-vsock (1af4:1053); the socket is gone at exit"
else
	fail "PCI function 1af4:1053 (status $rc)"
	show_output
fi

run_lkvm 30 run -k "$G" -c 1 -m 64M --network none --virtio-transport mmio \
	-p test=cmdline </dev/null
n0=$(grep -o 'virtio_mmio.device=' "$TMP/out" | wc -l)
run_lkvm 30 run -k "$G" -c 1 -m 64M --network none --virtio-transport mmio \
	--vsock 3,path="$S" -p test=cmdline </dev/null
n1=$(grep -o 'virtio_mmio.device=' "$TMP/out" | wc -l)
if [ "$rc" -eq 0 ] && [ "$n1" -eq $((n0 + 1)) ]; then
	pass "virtio-mmio: --vsock adds a window to the guest's command line"
else
	fail "virtio-mmio window (status $rc, $n0 -> $n1)"
	show_output
fi

# ticker SOCK ARGS...: a running VM (pid in $pid) once SOCK is there.
# A SOCK left by an earlier run would end the wait before this lkvm's
# exec, and stop's SIGTERM could then reach the shell's child (wait_exec).
ticker() {
	local sock=$1
	shift
	rm -f "$sock"
	"$LKVM" run -k "$G" -c 1 -m 64M --network none "$@" -p test=ticker \
		</dev/null >"$TMP/out1" 2>"$TMP/err1" &
	pid=$!
	for _ in $(seq 1 100); do
		[ -S "$sock" ] && break
		sleep 0.1
	done
}
stop() { wait_exec "$pid"; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }

# A running VM: its socket answers; a second lkvm on it is refused.
ticker "$S" --vsock 3,path="$S"
check "socket while running: lkvm listens on SOCK" test -S "$S"
lkvm_refused "socket in use by a running lkvm" 1 "is in use" --vsock 4,path="$S"
stop
check_that "lkvm stopped by SIGTERM removes its socket" '[ ! -e "$S" ]'

# Without path=: $LKVM_HOME/NAME.vsock, beside the control socket.
mkdir -m 0700 "$TMP/home"
export LKVM_HOME=$TMP/home
ticker "$TMP/home/vs1.vsock" --name vs1 --vsock 3
check "no path=: lkvm listens on \$LKVM_HOME/NAME.vsock" test -S "$TMP/home/vs1.vsock"
stop
check_that "... and removes it at exit" '[ ! -e "$TMP/home/vs1.vsock" ]'

# A stale socket (its lkvm gone) is replaced.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$S"
run_lkvm 30 run -k "$G" -c 1 -m 64M --network none --vsock 3,path="$S" \
	-p test=exit:0 </dev/null
check_that "a stale socket is replaced (status $rc)" \
	'[ "$rc" -eq 0 ] && [ ! -e "$S" ]'
done_testing
