#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite-timeout: 3600
#
# Linux's virtio_net against lkvm, checked from the guest's user space
# (busybox), in one boot carrying two NICs, inside a network and mount
# namespace this script makes (no packet leaves it):
#   user  -n mode=user,hostfwd=tcp:2222-:80 (libslirp): udhcpc gets
#         192.168.33.15, router .1 and DNS .3 from libslirp; nslookup
#         resolves a name through libslirp's DNS forwarder, which asks the
#         host's /etc/resolv.conf server: a small resolver this script runs
#         on the namespace's loopback (resolv.conf bind-mounted in the
#         script's own mount namespace); wget fetches 256 KiB from an HTTP
#         server on the namespace's loopback through the gateway address;
#         the host connects through the hostfwd rule to the guest's httpd.
#   tap   -n mode=tap,tapif=lkvmnet0,host_ip=10.77.0.1: the guest brings
#         the interface up with 10.77.0.2/24, ping gets replies, wget
#         fetches 4 MiB whose SHA-256 matches, and 256 KiB the guest sends
#         with nc arrives intact (the host's SHA-256 of the stream).
# Each NIC is told apart in the guest by its guest_mac. (No wget -T:
# Debian 12's static busybox 1.35 wget crashes with it, on the host too.) Also checked on the
# host: the resolver got the guest's query, the server got the token
# through hostfwd and the stream's checksum, lkvm logged no warning.
# LKVM_LINUX_ALL=1 (make check-linux) adds a second boot: the same over
# virtio-mmio with -c 2 and the tap with queues=2, the guest sending from
# each vCPU (taskset), and lkvm's per-pair counters (--loglevel info, at
# exit) showing frames both ways on both pairs.
set -u
# A boot reaches user space in 2-4 minutes here, more under load; the
# transfers run through the guest's emulated kernel code. Each boot has
# 1500 s; the suite's 3600 s cover make check-linux's two.
LINUX_TIMEOUT=${LINUX_TIMEOUT:-1500}
if [ -z "${LKVM_NET_NETNS:-}" ]; then
	if unshare -n -m true 2>/dev/null; then
		LKVM_NET_NETNS=1 exec unshare -n -m "$0" "$@"
	fi
	# shellcheck source=tests/linux/lib.sh
	. "$(dirname "$0")/../linux/lib.sh"
	linux_skip "cannot make a network and mount namespace (unshare -n -m)"
	linux_result 0 "virtio-net over libslirp and a tap in a namespace"
	linux_done
	exit
fi
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/../linux/lib.sh"

linux_require -c -m --network --virtio-transport --loglevel
if [ -z "$_linux_skip" ] && ! lkvm_run_help | grep -q 'user-mode NIC'; then
	linux_skip "lkvm has no user-mode network"
fi
if [ -z "$_linux_skip" ] && [ ! -c /dev/net/tun ]; then
	linux_skip "no /dev/net/tun"
fi
if [ -z "$_linux_skip" ] && ! command -v python3 >/dev/null; then
	linux_skip "python3 is not installed (the test's servers)"
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

USER_MAC=02:00:00:33:00:15
TAP_MAC=02:00:00:77:00:02
NAME=web.lkvm.test
DNS_OK=1
if [ -z "$_linux_skip" ]; then
	head -c 4194304 /dev/urandom >"$WORK/blob"
	head -c 262144 /dev/urandom >"$WORK/small"
	head -c 262144 /dev/urandom >"$WORK/stream"
	BLOB_SUM=$(sha256sum <"$WORK/blob" | cut -d' ' -f1)
	SMALL_SUM=$(sha256sum <"$WORK/small" | cut -d' ' -f1)
	STREAM_SUM=$(sha256sum <"$WORK/stream" | cut -d' ' -f1)
	TOKEN=lkvm-net-$RANDOM$RANDOM
	# libslirp forwards DNS to the first nameserver of /etc/resolv.conf:
	# here, in this script's mount namespace only, the resolver below.
	echo "nameserver 127.0.0.1" >"$WORK/resolv.conf"
	if ! mount --bind "$WORK/resolv.conf" /etc/resolv.conf 2>/dev/null; then
		DNS_OK=0
		echo "# cannot bind-mount /etc/resolv.conf: the DNS check skips"
	fi
	cat >"$WORK/server.py" <<'PY'
# The host's side: HTTP on :8080 (/blob, /small, /fwd), a TCP sink on
# :9000 that answers a stream's SHA-256 at its end, a DNS responder on
# 127.0.0.1:53 that knows one name. Files in the work directory.
import hashlib, http.server, os, socket, socketserver, struct, sys
import threading, urllib.request
work, name, addr = sys.argv[1], sys.argv[2], sys.argv[3]

class H(http.server.BaseHTTPRequestHandler):
    def reply(self, body):
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path in ('/blob', '/small'):
            self.reply(open(os.path.join(work, self.path[1:]), 'rb').read())
        elif self.path == '/fwd':
            # Through the hostfwd rule to the guest's httpd.
            try:
                got = urllib.request.urlopen('http://127.0.0.1:2222/',
                                             timeout=120).read()
            except Exception as e:
                got = ('error: %s' % e).encode()
            open(os.path.join(work, 'fwd'), 'wb').write(got)
            self.reply(got)
        else:
            self.send_error(404)
    def log_message(self, *a):
        pass

class Sink(socketserver.StreamRequestHandler):
    def handle(self):
        h, n = hashlib.sha256(), 0
        while True:
            b = self.request.recv(65536)
            if not b:
                break
            h.update(b)
            n += len(b)
        with open(os.path.join(work, 'stream.got'), 'a') as f:
            f.write('%d %s\n' % (n, h.hexdigest()))
        self.request.sendall(h.hexdigest().encode() + b'\n')

def dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 53))
    while True:
        q, peer = s.recvfrom(512)
        if len(q) < 17:
            continue
        i, labels = 12, []
        while i < len(q) and q[i] and i + 1 + q[i] <= len(q):
            labels.append(q[i + 1:i + 1 + q[i]].decode('ascii', 'replace'))
            i += 1 + q[i]
        qend = i + 5
        if qend > len(q):
            continue
        qtype = struct.unpack('>H', q[i + 1:i + 3])[0]
        qname = '.'.join(labels).lower()
        with open(os.path.join(work, 'dns.log'), 'a') as f:
            f.write('%s %d\n' % (qname, qtype))
        hit = qname == name
        ans = b''
        if hit and qtype == 1:
            ans = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 60, 4) + \
                socket.inet_aton(addr)
        flags = 0x8180 if hit else 0x8183
        hdr = q[:2] + struct.pack('>HHHHH', flags, 1, 1 if ans else 0, 0, 0)
        s.sendto(hdr + q[12:qend] + ans, peer)

class TS(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

try:
    threading.Thread(target=dns, daemon=True).start()
except OSError:
    pass
threading.Thread(target=TS(('0.0.0.0', 9000), Sink).serve_forever,
                 daemon=True).start()
http.server.ThreadingHTTPServer(('0.0.0.0', 8080), H).serve_forever()
PY
	python3 "$WORK/server.py" "$WORK" "$NAME" 192.168.33.1 &
	SERVER_PID=$!
	for _ in $(seq 100); do
		python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8080), 1)' \
			2>/dev/null && break
		sleep 0.1
	done
fi

# net_script NAME [QUEUES]: the guest's check script for boot NAME; with
# QUEUES=2 it also sends from each of two vCPUs over the tap.
net_script() {
	{
		echo "USER_MAC=$USER_MAC TAP_MAC=$TAP_MAC NAME=$NAME"
		echo "BLOB_SUM=${BLOB_SUM:-} SMALL_SUM=${SMALL_SUM:-}"
		echo "TOKEN=${TOKEN:-} QUEUES=${2:-1} DNS_OK=$DNS_OK"
		cat <<'EOF'
. /lib/lkvm/tap.sh
ifname_of() {	# MAC: the interface with that address
	for d in /sys/class/net/eth*; do
		read -r a <"$d/address"
		[ "$a" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	echo none
}
U=$(ifname_of $USER_MAC)
T=$(ifname_of $TAP_MAC)
drv=$(readlink /sys/class/net/$U/device/driver)
tap_is "the user-mode NIC ($U, $USER_MAC) is bound to virtio_net" "${drv##*/}" virtio_net
drv=$(readlink /sys/class/net/$T/device/driver)
tap_is "the tap NIC ($T, $TAP_MAC) is bound to virtio_net" "${drv##*/}" virtio_net

# User mode: DHCP, DNS, HTTP through the gateway, hostfwd.
cat >/tmp/dhcp.sh <<'S'
#!/bin/sh
case "$1" in
deconfig) ifconfig "$interface" 0.0.0.0 up ;;
bound|renew)
	ifconfig "$interface" "$ip" netmask "$subnet" up
	route add default gw "$router" dev "$interface"
	echo "nameserver $dns" >/etc/resolv.conf
	echo "$ip $router $dns" >/tmp/lease ;;
esac
S
chmod 0755 /tmp/dhcp.sh
check "udhcpc gets a lease for $U from libslirp" \
	udhcpc -i "$U" -s /tmp/dhcp.sh -q -n -t 5 -T 5
lease=
read -r lease </tmp/lease
tap_is "... 192.168.33.15, router 192.168.33.1, DNS 192.168.33.3" "$lease" \
	"192.168.33.15 192.168.33.1 192.168.33.3"
if [ "$DNS_OK" = 1 ]; then
	out=$(nslookup $NAME 2>&1)
	case "$out" in
	*"Address: 192.168.33.1"*) tap_ok "nslookup $NAME through libslirp's DNS forwarder: 192.168.33.1" ;;
	*) tap_not_ok "nslookup $NAME through libslirp's DNS forwarder: 192.168.33.1"
	   echo "$out" >/tmp/out; tap_show /tmp/out ;;
	esac
else
	tap_skip "nslookup through libslirp's DNS forwarder" "no resolv.conf of our own on the host"
fi
check "wget 256 KiB from the namespace's loopback through the gateway" \
	wget -q -O /tmp/small http://192.168.33.1:8080/small
sum=$(sha256sum /tmp/small)
tap_is "... and its SHA-256 matches" "${sum%% *}" "$SMALL_SUM"
rm -f /tmp/small
mkdir -p /www
echo "$TOKEN" >/www/index.html
httpd -p 80 -h /www
got=$(wget -q -O - http://192.168.33.1:8080/fwd)
tap_is "hostfwd=tcp:2222-:80: the host reaches the guest's httpd" "$got" "$TOKEN"

# Tap: address, ping, 4 MiB in, 256 KiB out (guest TX: 1 MiB took 205 s
# here under load; on an idle machine the whole boot took 272 s).
check "$T: 10.77.0.2/24, up" ifconfig "$T" 10.77.0.2 netmask 255.255.255.0 up
out=$(ping -c 3 -W 20 10.77.0.1 2>&1)
case "$out" in
*"3 packets received"*) tap_ok "ping 10.77.0.1 over the tap: 3 replies" ;;
*) tap_not_ok "ping 10.77.0.1 over the tap: 3 replies"
   echo "$out" >/tmp/out; tap_show /tmp/out ;;
esac
check "wget 4 MiB from the tap's host side" \
	wget -q -O /tmp/blob http://10.77.0.1:8080/blob
sum=$(sha256sum /tmp/blob)
tap_is "... and its SHA-256 matches" "${sum%% *}" "$BLOB_SUM"
rm -f /tmp/blob
mine=$(sha256sum /data/stream)
theirs=$(nc 10.77.0.1 9000 </data/stream)
tap_is "256 KiB sent with nc arrives intact (the host's SHA-256)" "$theirs" "${mine%% *}"
if [ "$QUEUES" = 2 ]; then
	n=0
	for q in /sys/class/net/$T/queues/rx-*; do n=$((n + 1)); done
	tap_is "queues=2 with 2 vCPUs: virtio_net uses 2 receive queues" "$n" 2
	check "ping from vCPU 0" taskset 1 ping -c 2 -W 20 10.77.0.1
	check "ping from vCPU 1" taskset 2 ping -c 2 -W 20 10.77.0.1
	check "nc from vCPU 1" taskset 2 sh -c 'nc 10.77.0.1 9000 </data/stream >/tmp/nc1'
fi
tap_done
EOF
	} >"$WORK/$1.check"
	linux_check_script "$1" "$WORK/stream" <"$WORK/$1.check"
}

net_checks() {	# NAME STREAMS
	local n
	expect_exit_status "$1" 0 "$1: lkvm exits 0 after the guest powers off"
	expect_guest_tap "$1"
	if [ -n "$_linux_skip" ]; then
		linux_result 0 "$1: the server got the token through hostfwd"
		linux_result 0 "$1: the resolver on the namespace's loopback got the guest's query"
		linux_result 0 "$1: the host got the guest's stream intact ($2 x 256 KiB)"
	else
		grep -qx "$TOKEN" "$WORK/fwd" 2>/dev/null
		linux_result $? "$1: the server got the token through hostfwd"
		if [ "$DNS_OK" = 1 ]; then
			grep -q "^$NAME 1\$" "$WORK/dns.log" 2>/dev/null
			linux_result $? "$1: the resolver on the namespace's loopback got the guest's query"
		else
			linux_skip_one "$1: the resolver got the guest's query" \
				"cannot bind-mount /etc/resolv.conf"
		fi
		n=$(grep -cx "262144 $STREAM_SUM" "$WORK/stream.got" 2>/dev/null)
		[ "${n:-0}" = "$2" ]
		linux_result $? "$1: the host got the guest's stream intact ($2 x 256 KiB, got ${n:-0})"
		echo "# $1: boot to power-off in $(($(_linux_field "$1" end) - $(_linux_field "$1" start))) s"
	fi
	# Every warning of virtio/net.c says what was dropped, refused or
	# failed; --loglevel info adds the per-pair counters, not a warning.
	expect_no_log "$1" 'lkvm: .*virtio-net.*(drop|refuse|malformed|backend|cannot|fail)' \
		"$1: no lkvm warning about a NIC"
	rm -f "$WORK/fwd" "$WORK/dns.log" "$WORK/stream.got"
}

NICS=(-n "mode=user,guest_mac=$USER_MAC,hostfwd=tcp:2222-:80")
TAPNIC="mode=tap,tapif=lkvmnet0,host_ip=10.77.0.1,guest_mac=$TAP_MAC"

# LKVM_NET_BOOTS="pci mmio" picks boots by hand (default: pci, and mmio
# with LKVM_LINUX_ALL=1).
BOOTS=pci
[ "${LKVM_LINUX_ALL:-0}" = 1 ] && BOOTS="pci mmio"
BOOTS=" ${LKVM_NET_BOOTS:-$BOOTS} "

if [ -z "${BOOTS##* pci *}" ]; then
	net_script net-pci
	linux_boot net-pci -c 1 -m 256 --virtio-transport pci "${NICS[@]}" \
		-n "$TAPNIC"
	net_checks net-pci 1
fi

if [ -z "${BOOTS##* mmio *}" ]; then
	net_script net-mmio 2
	linux_boot net-mmio -c 2 -m 256 --virtio-transport mmio \
		--loglevel info "${NICS[@]}" -n "$TAPNIC,queues=2"
	net_checks net-mmio 2
	# lkvm's counters at exit, per queue pair of the tap NIC.
	if [ -n "$_linux_skip" ]; then
		linux_result 0 "net-mmio: frames both ways on both pairs of the tap NIC"
	else
		line=$(grep -E 'virtio-net.*pair 1: rx [0-9]+ tx [0-9]+' \
		       "$(_linux_log net-mmio)" | head -1)
		echo "# net-mmio: ${line:-no per-pair counters in the log}"
		echo "$line" | grep -qE 'pair 0: rx [1-9][0-9]* tx [1-9][0-9]*.*pair 1: rx [1-9][0-9]* tx [1-9][0-9]*'
		linux_result $? "net-mmio: frames both ways on both pairs of the tap NIC"
	fi
else
	for t in "virtio-mmio: both NICs" "queues=2 with -c 2: both pairs carry frames"; do
		linux_skip_one "$t" "a second boot: LKVM_LINUX_ALL=1 (make check-linux) or LKVM_NET_BOOTS=mmio"
	done
fi
linux_done
