#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 1500
#
# Linux's virtio_vsock against lkvm's vsock device, one boot on PCI
# (--vsock 3,path=SOCK). The guest's test program (vsock-test, from
# tests/linux/userland/glibc/vsock-test.c: busybox has no vsock) first
# listens on port 5000, which a host program reaches through SOCK with
# "CONNECT 5000" (Firecracker's protocol, answered "OK <port>"); then it
# connects to CID 2 port 6000, which reaches the host program listening on
# SOCK_6000. Each connection carries 384 KiB of random bytes each way
# (beyond the 256 KiB credit windows, so credit updates flow both ways);
# the guest compares the SHA-256 of what it got with the host's, the host
# compares what it got with the guest's files. Also: lkvm exits 0 after
# the guest powers off and logs nothing about the device.
# make check-linux only (LKVM_LINUX_ALL=1): make check's 25 minutes are
# full; the unit, cli and fuzz suites cover the device there.
set -u
LINUX_TIMEOUT=${LINUX_TIMEOUT:-900}
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/../linux/lib.sh"

if [ "${LKVM_LINUX_ALL:-0}" != 1 ]; then
	linux_skip "LKVM_LINUX_ALL=1 (make check-linux) only: make check's time is full"
fi
linux_require -c -m --vsock --virtio-transport
WORK=$(mktemp -d)
HOST_PID=
cleanup() {
	[ -n "$HOST_PID" ] && kill "$HOST_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
SOCK=$WORK/v.sock
if [ -z "$_linux_skip" ] &&
   ! gcc -static -O2 -Wall -Wextra -Werror -s -o "$WORK/vsock-test" \
	"$_linux_top/tests/linux/userland/glibc/vsock-test.c"; then
	linux_skip "cannot build vsock-test (static glibc)"
fi

for f in h2g-l h2g-c g2h-l g2h-c; do
	head -c 393216 /dev/urandom >"$WORK/$f"
done
sum() { sha256sum <"$1" | cut -d' ' -f1; }

# The host side: CONNECT 5000 through SOCK (retried until the guest
# listens), and a listener on SOCK_6000; each sends its file, shuts its
# side down and keeps what comes back.
cat >"$WORK/host.py" <<'PY'
import os, socket, sys, threading, time
sock, work = sys.argv[1], sys.argv[2]

def pump(s, name):
    data = open(os.path.join(work, 'h2g-' + name), 'rb').read()
    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    t.join()
    open(os.path.join(work, 'got-' + name), 'wb').write(got)

def to_guest_listener():
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            s.sendall(b'CONNECT 5000\n')
            line = b''
            while not line.endswith(b'\n'):
                b = s.recv(1)
                if not b:
                    break
                line += b
            if line.startswith(b'OK '):
                open(os.path.join(work, 'ok-line'), 'wb').write(line)
                pump(s, 'l')
                return
            s.close()
        except OSError:
            pass
        time.sleep(1)

def from_guest_client():
    l = socket.socket(socket.AF_UNIX)
    l.bind(sock + '_6000')
    l.listen(1)
    c, _ = l.accept()
    pump(c, 'c')

threads = [threading.Thread(target=f)
           for f in (to_guest_listener, from_guest_client)]
for t in threads:
    t.start()
for t in threads:
    t.join()
PY

linux_check_script vsock "$WORK/vsock-test" "$WORK/g2h-l" "$WORK/g2h-c" <<EOF
. /lib/lkvm/tap.sh
vt=/lib/lkvm/bin/vsock-test
[ -x \$vt ] || vt=/data/vsock-test
check "a guest listener on port 5000 is reached through SOCK (CONNECT 5000)" \\
	sh -c "\$vt listen 5000 </data/g2h-l >/tmp/h2g-l"
s=\$(sha256sum /tmp/h2g-l)
tap_is "... the host's 384 KiB arrive intact (SHA-256)" "\${s%% *}" "$(sum "$WORK/h2g-l")"
check "a guest client on CID 2 port 6000 reaches the host listener on SOCK_6000" \\
	sh -c "\$vt connect 2 6000 </data/g2h-c >/tmp/h2g-c"
s=\$(sha256sum /tmp/h2g-c)
tap_is "... the host's 384 KiB arrive intact (SHA-256)" "\${s%% *}" "$(sum "$WORK/h2g-c")"
tap_done
EOF

if [ -z "$_linux_skip" ]; then
	python3 "$WORK/host.py" "$SOCK" "$WORK" &
	HOST_PID=$!
fi
linux_boot vsock -c 1 -m 256 --virtio-transport pci --vsock 3,path="$SOCK"
expect_exit_status vsock 0 "vsock: lkvm exits 0 after the guest powers off"
expect_guest_tap vsock
if [ -n "$_linux_skip" ]; then
	linux_result 0 "the host's CONNECT 5000 got OK <port>"
	linux_result 0 "the host got the guest listener's 384 KiB intact"
	linux_result 0 "the host got the guest client's 384 KiB intact"
else
	kill "$HOST_PID" 2>/dev/null
	wait "$HOST_PID" 2>/dev/null
	HOST_PID=
	grep -q '^OK [0-9]' "$WORK/ok-line" 2>/dev/null
	linux_result $? "the host's CONNECT 5000 got OK <port>"
	[ -f "$WORK/got-l" ] && [ "$(sum "$WORK/got-l")" = "$(sum "$WORK/g2h-l")" ]
	linux_result $? "the host got the guest listener's 384 KiB intact (SHA-256)"
	[ -f "$WORK/got-c" ] && [ "$(sum "$WORK/got-c")" = "$(sum "$WORK/g2h-c")" ]
	linux_result $? "the host got the guest client's 384 KiB intact (SHA-256)"
	echo "# vsock: boot to power-off in $(($(_linux_field vsock end) - $(_linux_field vsock start))) s"
fi
expect_no_log vsock 'lkvm: .*virtio-vsock' "vsock: no lkvm line about the device"
linux_done
