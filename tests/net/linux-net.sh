#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 900
#
# Linux's virtio_net against lkvm over the user-mode backend (libslirp),
# one boot on PCI, inside a network namespace this script makes (only its
# loopback: no packet leaves it). On the namespace's loopback a small HTTP
# server (python3) serves a 4 MiB file, takes an upload and, asked by the
# guest, connects to the hostfwd port. The guest (busybox) sets
# 192.168.33.15/24 by hand (the lean kernel has no AF_PACKET for udhcpc),
# pings the gateway, fetches the file through the gateway address and
# checks its SHA-256, uploads 1 MiB (of hex digits: busybox's wget
# posts a file up to its first NUL) and compares the server's SHA-256 with
# its own, and serves a token with its httpd that the server fetches
# through hostfwd=tcp:2222-:80 and hands back. Also checked on the host:
# the server saw the token, lkvm logged no warning about the NIC.
# LINUX_NET_ALL=1 adds the same boot over virtio-mmio.
set -u
# Boot (2-4 minutes here) and the 4 MiB through the guest's emulated
# kernel: more than lib.sh's default 300 s.
LINUX_TIMEOUT=${LINUX_TIMEOUT:-800}
if [ -z "${LKVM_NET_NETNS:-}" ]; then
	if unshare -n true 2>/dev/null; then
		LKVM_NET_NETNS=1 exec unshare -n "$0" "$@"
	fi
	# shellcheck source=tests/linux/lib.sh
	. "$(dirname "$0")/../linux/lib.sh"
	linux_skip "cannot make a network namespace (unshare -n)"
	linux_result 0 "virtio-net over libslirp in a namespace"
	linux_done
	exit
fi
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/../linux/lib.sh"

linux_require -c -m --network --virtio-transport
if [ -z "$_linux_skip" ] && ! "$LKVM" run --help 2>&1 | grep -q 'user-mode NIC'; then
	linux_skip "lkvm has no user-mode network"
fi
if [ -z "$_linux_skip" ] && ! ip link set lo up 2>/dev/null; then
	linux_skip "cannot bring the namespace's loopback up"
fi

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "$_linux_skip" ]; then
	head -c 4194304 /dev/urandom >"$WORK/blob"
	# Text: busybox wget sends --post-file's content up to its first NUL.
	head -c 524288 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$WORK/up"
	BLOB_SUM=$(sha256sum <"$WORK/blob" | cut -d' ' -f1)
	TOKEN=lkvm-net-$RANDOM$RANDOM
	cat >"$WORK/server.py" <<'PY'
import hashlib, http.server, os, sys, urllib.request
work = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, body):
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path == '/blob':
            self.reply(open(os.path.join(work, 'blob'), 'rb').read())
        elif self.path == '/fwd':
            # Through the hostfwd rule to the guest's httpd.
            try:
                got = urllib.request.urlopen('http://127.0.0.1:2222/',
                                             timeout=60).read()
            except Exception as e:
                got = ('error: %s' % e).encode()
            open(os.path.join(work, 'fwd'), 'wb').write(got)
            self.reply(got)
        else:
            self.send_error(404)
    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        data = self.rfile.read(n)
        self.reply(hashlib.sha256(data).hexdigest().encode())
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(('127.0.0.1', 8080), H).serve_forever()
PY
	python3 "$WORK/server.py" "$WORK" &
	SERVER_PID=$!
	for _ in $(seq 50); do
		python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8080), 1)' \
			2>/dev/null && break
		sleep 0.1
	done
fi

# The guest's script: $BLOB_SUM and $TOKEN are filled in here, \$ in the
# guest.
net_script() {
	linux_check_script "$1" "$WORK/up" <<EOF
. /lib/lkvm/tap.sh
drv=\$(readlink /sys/class/net/eth0/device/driver)
tap_is "eth0 is bound to virtio_net" "\${drv##*/}" virtio_net
check "eth0: 192.168.33.15/24, up" ifconfig eth0 192.168.33.15 netmask 255.255.255.0 up
check "default route through the gateway" route add default gw 192.168.33.1
check "ping the gateway (libslirp answers)" ping -c 1 -W 20 192.168.33.1
check "wget 4 MiB from the namespace's loopback through the gateway" \\
	wget -q -O /tmp/blob http://192.168.33.1:8080/blob
sum=\$(sha256sum /tmp/blob)
tap_is "... and its SHA-256 matches" "\${sum%% *}" "$BLOB_SUM"
rm -f /tmp/blob
mine=\$(sha256sum /data/up)
theirs=\$(wget -q -O - --post-file=/data/up http://192.168.33.1:8080/up)
tap_is "a 1 MiB TCP stream to the host arrives intact (SHA-256)" "\$theirs" "\${mine%% *}"
mkdir -p /www
echo "$TOKEN" >/www/index.html
httpd -p 80 -h /www
got=\$(wget -q -O - http://192.168.33.1:8080/fwd)
tap_is "hostfwd=tcp:2222-:80: the host reaches the guest's httpd" "\$got" "$TOKEN"
tap_done
EOF
}

net_checks() {	# NAME
	expect_exit_status "$1" 0 "$1: lkvm exits 0 after the guest powers off"
	expect_guest_tap "$1"
	if [ -n "$_linux_skip" ]; then
		linux_result 0 "$1: the server got the token through hostfwd"
	else
		grep -qx "$TOKEN" "$WORK/fwd" 2>/dev/null
		linux_result $? "$1: the server got the token through hostfwd"
	fi
	expect_no_log "$1" 'lkvm: .*virtio-net' "$1: no lkvm line about the NIC"
	if [ -z "$_linux_skip" ]; then
		echo "# $1: boot to power-off in $(($(_linux_field "$1" end) - $(_linux_field "$1" start))) s"
	fi
}

net_script net-pci
linux_boot net-pci -c 1 -m 256 --virtio-transport pci \
	-n mode=user,hostfwd=tcp:2222-:80
net_checks net-pci
if [ "${LINUX_NET_ALL:-0}" = 1 ]; then
	rm -f "$WORK/fwd"
	net_script net-mmio
	linux_boot net-mmio -c 1 -m 256 --virtio-transport mmio \
		-n mode=user,hostfwd=tcp:2222-:80
	net_checks net-mmio
fi
linux_done
