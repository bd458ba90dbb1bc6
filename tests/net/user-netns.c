// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net over the user-mode backend (devices/net-slirp.c, libslirp),
 * host side, in a network namespace this program makes (only its
 * loopback). The test is the guest's network stack, frame by frame,
 * through virtio-pci: libslirp answers an ARP request for the gateway and
 * a DHCP DISCOVER with an OFFER of guest_ip; a UDP datagram to the
 * gateway reaches a socket on the namespace's loopback and its answer
 * comes back; a DNS query to the forwarder (.3) reaches the server that
 * the host's /etc/resolv.conf names (here, in this program's own mount
 * namespace, one on 127.0.0.53:53) and its answer comes back from .3; a
 * TCP connection to a hostfwd port arrives as a SYN for the guest's
 * port; with SLIRP_DEBUG=misc, libslirp's debug line on the name
 * servers reaches lkvm's log from its thread; the guest's pings to
 * 127.0.0.1 are answered, over a raw ICMP socket where ping sockets are
 * refused and over a ping socket where they are allowed; a datagram to
 * an unroutable address (the guest network's broadcast) gets an ICMP
 * network unreachable back; a guest opening thousands of flows holds at
 * most NET_USER_SOCKETS_MAX host sockets, and at that limit its open
 * flows (a UDP source port with its socket, a TCP connection, a
 * hostfwd=udp rule) still pass while a new one is refused. Skips with
 * the reason where the namespace or libslirp are missing.
 *
 * tests/net/user-netns-seccomp.c runs the same cases with lkvm's seccomp
 * filters built (sc_prepare(SC_MODE_ON), sc_build()), so libslirp's
 * thread runs under its own role's filter, as in lkvm run: a call the
 * filter lacks ends the suite with status 159. The lazy start is not
 * tried there (under filters every NIC starts whole).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mount.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define TH_MAXQ 3
#include "tap.h"
#include "log.h"
#include "inet-sum.h"
#include "seccomp-filter.h"
#include "virtio/net.h"
#include "virtio-pci-drv.h"

#define QSIZE 64
#define F(b) VIRTIO_BIT(VIRTIO_NET_F_##b)
#define RXBUF 0x800

static struct th T;
static struct virtio_pci VP;
static struct virtio_net *N;
static struct net_backend *BE;
static const u8 GMAC[6] = { 0x02, 0x15, 0x15, 0x15, 0x15, 0x15 };
static const u8 BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static u8 gw_mac[6];
static unsigned int rx_next;

static u32 ip4(const char *s)
{
	u32 a;

	inet_pton(AF_INET, s, &a);
	return a;
}

/* Send hdr + frame of n bytes (at TH_BUFS + 12) from the guest. */
static void guest_send(size_t n)
{
	memset(th_hva(&T, TH_BUFS), 0, NET_HDR_LEN);
	th_post(&T, 1, TH_BUFS, NET_HDR_LEN + n, false);
	th_used(&T, 1, NULL);
}

static u8 *frame_out(void)
{
	return th_hva(&T, TH_BUFS + NET_HDR_LEN);
}

/*
 * The Ethernet (to dmac) and IPv4 headers of a guest frame from src to
 * dst carrying proto's l4len bytes: where those bytes go.
 */
static u8 *ipv4_out(const u8 *dmac, u32 src, u32 dst, u8 proto,
		    size_t l4len)
{
	u8 *e = frame_out(), *ip = e + 14;
	u16 c;

	memcpy(e, dmac, 6);
	memcpy(e + 6, GMAC, 6);
	e[12] = 0x08;
	e[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (u8)((20 + l4len) >> 8);
	ip[3] = (u8)(20 + l4len);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	c = htons((u16)~inet_fold(inet_sum(0, ip, 20)));
	memcpy(ip + 10, &c, 2);
	return ip + 20;
}

/* The UDP or TCP checksum of l4[0, len) from src to dst, to store. */
static u16 l4_csum(u32 src, u32 dst, u8 proto, const u8 *l4, size_t len)
{
	u8 ps[12];

	memcpy(ps, &src, 4);
	memcpy(ps + 4, &dst, 4);
	ps[8] = 0;
	ps[9] = proto;
	ps[10] = (u8)(len >> 8);
	ps[11] = (u8)len;
	return htons((u16)~inet_fold(inet_sum(inet_sum(0, ps, 12), l4, len)));
}

/* IPv4/UDP from src:sport to dst:dport with data; Ethernet to dmac. */
static size_t udp_out(const u8 *dmac, u32 src, u16 sport, u32 dst,
		      u16 dport, const u8 *data, size_t n)
{
	size_t ul = 8 + n;
	u8 *u = ipv4_out(dmac, src, dst, 17, ul);
	u16 c;

	u[0] = (u8)(sport >> 8);
	u[1] = (u8)sport;
	u[2] = (u8)(dport >> 8);
	u[3] = (u8)dport;
	u[4] = (u8)(ul >> 8);
	u[5] = (u8)ul;
	u[6] = u[7] = 0;
	memcpy(u + 8, data, n);
	c = l4_csum(src, dst, 17, u, ul);
	memcpy(u + 6, c ? &c : &(u16){ 0xffff }, 2);
	return 14 + 20 + ul;
}

/* What a frame for the guest must be: ethertype, and for IPv4 more. */
struct frame_want {
	u16 ethertype;
	u8 proto;
	/* Ports (source unless 0), or with icmp an ICMP type and id. */
	u16 sport, dport;
	bool icmp;
};

static bool frame_is(const u8 *f, const struct frame_want *w)
{
	const u8 *l4 = f + 14 + 20;

	if ((f[12] << 8 | f[13]) != w->ethertype)
		return false;
	if (w->ethertype != 0x0800)
		return true;
	if (f[14 + 9] != w->proto)
		return false;
	if (w->icmp)
		return l4[0] == w->sport && (l4[4] << 8 | l4[5]) == w->dport;
	return (!w->sport || (l4[0] << 8 | l4[1]) == w->sport) &&
	       (l4[2] << 8 | l4[3]) == w->dport;
}

/* The next frame for the guest within 2 s that is want, or NULL. */
static const u8 *guest_recv_want(const struct frame_want *want)
{
	struct pollfd pfd = { .fd = BE->fds[0], .events = POLLIN };
	unsigned int tries;
	u32 len;

	for (tries = 0; tries < 40; tries++) {
		poll(&pfd, 1, 50);
		virtio_net_backend_ready(N, 0, EPOLLIN);
		while (th_used(&T, 0, &len)) {
			u8 *f = th_hva(&T, TH_BUFS + 0x10000 +
				       RXBUF * (rx_next++ % 32)) + NET_HDR_LEN;

			/* Give a buffer back for the one used. */
			th_post(&T, 0, TH_BUFS + 0x10000 +
				RXBUF * ((rx_next + 30) % 32), RXBUF, true);
			if (frame_is(f, want))
				return f;
		}
	}
	return NULL;
}

/*
 * The next frame for the guest within 2 s of that ethertype and, for
 * IPv4, protocol, source port unless 0 and destination port: its
 * Ethernet frame, or NULL.
 */
static const u8 *guest_recv_from(u16 ethertype, u8 proto, u16 sport,
				 u16 dport)
{
	return guest_recv_want(&(struct frame_want){
		.ethertype = ethertype, .proto = proto, .sport = sport,
		.dport = dport });
}

static const u8 *guest_recv(u16 ethertype, u8 proto, u16 dport)
{
	return guest_recv_from(ethertype, proto, 0, dport);
}

static void test_arp(const char *when)
{
	u8 *e = frame_out();
	const u8 *r;
	u32 gw = ip4("192.168.33.1"), me = ip4("192.168.33.15");

	memcpy(e, BCAST, 6);
	memcpy(e + 6, GMAC, 6);
	e[12] = 0x08;
	e[13] = 0x06;
	memcpy(e + 14, (u8[]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 8);
	memcpy(e + 22, GMAC, 6);
	memcpy(e + 28, &me, 4);
	memset(e + 32, 0, 6);
	memcpy(e + 38, &gw, 4);
	guest_send(42);
	r = guest_recv(0x0806, 0, 0);
	ok(r && r[21] == 2 && !memcmp(r + 28, &gw, 4) &&
	   !memcmp(r, GMAC, 6),
	   "ARP: libslirp answers who-has 192.168.33.1%s", when);
	if (r)
		memcpy(gw_mac, r + 22, 6);
}

static void test_dhcp(const char *when)
{
	u8 d[300] = { 0 };
	const u8 *r;
	u32 yi;

	d[0] = 1;		/* BOOTREQUEST */
	d[1] = 1;
	d[2] = 6;
	memcpy(d + 4, "\x12\x34\x56\x78", 4);
	memcpy(d + 28, GMAC, 6);
	memcpy(d + 236, "\x63\x82\x53\x63", 4);	/* magic cookie */
	memcpy(d + 240, "\x35\x01\x01\xff", 4);	/* DISCOVER, end */
	guest_send(udp_out(BCAST, 0, 68, 0xffffffff, 67, d, sizeof(d)));
	r = guest_recv(0x0800, 17, 68);
	if (r)
		memcpy(&yi, r + 42 + 16, 4);
	ok(r && r[42] == 2 && !memcmp(r + 42 + 4, "\x12\x34\x56\x78", 4) &&
	   yi == ip4("192.168.33.15"),
	   "DHCP: DISCOVER gets an OFFER of guest_ip 192.168.33.15%s", when);
}

/* A UDP socket bound to the namespace's addr:port (a loopback address). */
static int udp_listener_at(const char *addr, u16 port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int s;

	a.sin_addr.s_addr = ip4(addr);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)))
		abort();
	return s;
}

static int udp_listener(u16 port)
{
	return udp_listener_at("127.0.0.1", port);
}

/*
 * A datagram from the guest's sport to gateway_ip:port reaches a socket
 * on the namespace's loopback at lhost:lport, and its answer comes back
 * to the guest from gateway_ip:port.
 */
static void udp_round_trip(const char *gateway_ip, u16 port,
			   const char *lhost, u16 lport, u16 sport,
			   const char *there, const char *back)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct pollfd pfd;
	u8 got[64];
	const u8 *r;
	ssize_t n;
	int s = udp_listener_at(lhost, lport);

	guest_send(udp_out(gw_mac, ip4("192.168.33.15"), sport,
			   ip4(gateway_ip), port,
			   (const u8 *)"hello host", 10));
	pfd = (struct pollfd){ .fd = s, .events = POLLIN };
	n = poll(&pfd, 1, 2000) == 1 ?
	    recvfrom(s, got, sizeof(got), 0, (struct sockaddr *)&from, &fl) :
	    -1;
	ok(n == 10 && !memcmp(got, "hello host", 10), "%s", there);
	if (n == 10)
		sendto(s, "hello guest", 11, 0, (struct sockaddr *)&from, fl);
	r = guest_recv(0x0800, 17, sport);
	ok(r && !memcmp(r + 42, "hello guest", 11) &&
	   !memcmp(r + 26, &(u32){ ip4(gateway_ip) }, 4), "%s", back);
	close(s);
}

static void test_udp(void)
{
	udp_round_trip("192.168.33.1", 7100, "127.0.0.1", 7100, 5555,
		       "UDP to the gateway reaches a socket on the namespace's loopback",
		       "... and its answer comes back from the gateway address");
}

/*
 * In a mount namespace of its own, this program's /etc/resolv.conf names
 * fe80::1%lo, then 127.0.0.53, the first IPv4 server, which libslirp
 * must pick, then another, among lines it passes over (before its
 * thread starts, which reads it). 0 if so.
 */
static int resolv_here(char *why, size_t len)
{
	char path[] = "/tmp/lkvm-resolv.XXXXXX", ns[1024], pad[701];
	int fd, r = -1, n;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		snprintf(why, len, "no mount namespace: %s", strerror(errno));
		return -1;
	}
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	/*
	 * A scoped name server first, as NetworkManager writes them:
	 * libslirp's parsing calls if_nametoindex() for it, under
	 * lkvm-net's filter in user-netns-seccomp (lib/net-ifindex.c);
	 * one scoped on a name longer than an interface's; search and
	 * options lines; a line longer than libslirp's 512-byte buffer
	 * (fgets() gives it in pieces); then the IPv4 server it uses, the
	 * first, and another.
	 */
	memset(pad, 'y', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	n = snprintf(ns, sizeof(ns),
		     "# lkvm's test\nsearch example.org lan\n"
		     "options edns0 trust-ad ndots:1\n"
		     "nameserver fe80::1%%lo\n"
		     "nameserver fe80::2%%an-interface-name-too-long-to-be-one\n"
		     ";%s\nnameserver 127.0.0.53\nnameserver 10.255.255.1\n",
		     pad);
	if (n < 0 || (size_t)n >= sizeof(ns))
		abort();
	if (write(fd, ns, (size_t)n) == n &&
	    !mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL))
		r = 0;
	else
		snprintf(why, len, "cannot bind-mount /etc/resolv.conf: %s",
			 strerror(errno));
	close(fd);
	unlink(path);
	return r;
}

/* Has libslirp's line on the name servers reached lkvm's log? */
static atomic_bool slirp_dns_line;

/* Takes (swallows) every log line, noting libslirp's. */
static enum log_line_route take_line(void *opaque, const char *line,
				     size_t len, char *prefix,
				     size_t *prefix_len)
{
	static const char want[] = "user network: libslirp: IP address of your DNS";

	if (memmem(line, len, want, sizeof(want) - 1))
		atomic_store(&slirp_dns_line, true);
	return LOG_LINE_TAKEN;
}

static const struct log_console log_taker = { .line = take_line };

/*
 * With SLIRP_DEBUG=misc (main() sets it, and G_MESSAGES_DEBUG=all),
 * libslirp logs the name servers it reads at the first query, on its
 * thread: lkvm's log takes the line (devices/net-slirp.c,
 * user_glib_log()). glib's own writer, under lkvm-net's filter, loaded
 * iconv's modules there and was killed (status 159).
 */
static void test_dns(void)
{
	log_set_level(LOG_DEBUG);
	log_set_console(&log_taker);
	udp_round_trip("192.168.33.3", 53, "127.0.0.53", 53, 5353,
		       "DNS to the forwarder 192.168.33.3 reaches resolv.conf's server on 127.0.0.53:53",
		       "... and its answer comes back from 192.168.33.3:53");
	log_set_level(LOG_ERROR);
	log_unset_console(&log_taker);
	ok(atomic_load(&slirp_dns_line),
	   "SLIRP_DEBUG=misc: libslirp's line on the name servers reaches lkvm's log from its thread");
}

static void test_hostfwd(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(2222) };
	const u8 *r;
	int s;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s < 0)
		abort();
	connect(s, (struct sockaddr *)&a, sizeof(a));
	r = guest_recv(0x0800, 6, 22);
	ok(r && (r[14 + 20 + 13] & 0x02) &&
	   !memcmp(r + 30, &(u32){ ip4("192.168.33.15") }, 4),
	   "hostfwd=tcp:2222-:22: a connection to 127.0.0.1:2222 reaches the guest as a SYN to port 22");
	close(s);
}

/*
 * A guest's ICMP echo request (id, sequence 1, 16 bytes) to dst: the
 * echo reply it gets from dst within 2 s, payload and all, or false.
 */
static bool pinged(u32 dst, u16 id)
{
	static const u8 data[16] = "lkvm ping check";
	u8 *icmp = ipv4_out(gw_mac, ip4("192.168.33.15"), dst, 1,
			    8 + sizeof(data));
	const u8 *r;
	u16 c;

	memcpy(icmp, (u8[]){ 8, 0, 0, 0, id >> 8, id & 0xff, 0, 1 }, 8);
	memcpy(icmp + 8, data, sizeof(data));
	c = htons((u16)~inet_fold(inet_sum(0, icmp, 8 + sizeof(data))));
	memcpy(icmp + 2, &c, 2);
	guest_send(14 + 20 + 8 + sizeof(data));
	r = guest_recv_want(&(struct frame_want){
		.ethertype = 0x0800, .proto = 1, .icmp = true,
		.sport = 0, .dport = id });
	return r && !memcmp(r + 26, &dst, 4) && r[14 + 20 + 7] == 1 &&
	       !memcmp(r + 14 + 20 + 8, data, sizeof(data));
}

/* The namespace's net.ipv4.ping_group_range: who may make ping sockets. */
static int ping_groups(const char *range)
{
	int fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, range, strlen(range));
		close(fd);
	}
	return n == (ssize_t)strlen(range) ? 0 : -1;
}

/*
 * The guest pings the namespace's 127.0.0.1 (libslirp sends a ping to
 * its own address, untranslated): first where the host refuses ping
 * sockets (ping_group_range "1 0", a new namespace's own), so libslirp
 * makes a raw ICMP socket (CAP_NET_RAW: this test runs as root), then
 * where it allows them (libslirp's ping socket, SOCK_DGRAM
 * IPPROTO_ICMP). Under lkvm-net's filter in user-netns-seccomp: both
 * sockets, their sendto() and recv().
 */
static void test_ping(void)
{
	int raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (raw < 0) {
		skip("no CAP_NET_RAW here",
		     "ping from the guest over a raw ICMP socket");
	} else {
		close(raw);
		if (ping_groups("1 0"))
			abort();
		ok(pinged(ip4("127.0.0.1"), 0x4c01),
		   "ping from the guest to 127.0.0.1 over libslirp's raw ICMP socket (ping sockets refused)");
	}
	if (ping_groups("0 2147483647"))
		abort();
	ok(pinged(ip4("127.0.0.1"), 0x4c02),
	   "ping from the guest to 127.0.0.1 over libslirp's ping socket");
}

/*
 * A guest datagram to its network's broadcast, 192.168.33.255, which
 * libslirp sends to that address as is (only the gateway's and
 * 255.255.255.255 become 127.0.0.1): the namespace has no route there,
 * and the guest gets a network-unreachable ICMP error back, through
 * libslirp's failed sendto() and its strerror() (under the filter in
 * user-netns-seccomp).
 */
static void test_broadcast(void)
{
	const u8 *r;

	guest_send(udp_out(BCAST, ip4("192.168.33.15"), 5400,
			   ip4("192.168.33.255"), 9999,
			   (const u8 *)"anyone", 6));
	r = guest_recv_want(&(struct frame_want){
		.ethertype = 0x0800, .proto = 1, .icmp = true, .sport = 3 });
	ok(r && r[14 + 20 + 1] == 0 && r[14 + 20 + 8 + 9] == 17,
	   "UDP from the guest to 192.168.33.255, unroutable: an ICMP network unreachable comes back");
}

/*
 * IPv4/TCP from the guest's sport to dst:dport with flags, sequence and
 * acknowledgement numbers and n bytes of data; Ethernet to dmac.
 */
static size_t tcp_out(const u8 *dmac, u32 src, u16 sport, u32 dst, u16 dport,
		      u32 seq, u32 ack, u8 flags, const u8 *data, size_t n)
{
	u8 *t = ipv4_out(dmac, src, dst, 6, 20 + n);
	u32 be;
	u16 c;

	memset(t, 0, 20);
	t[0] = (u8)(sport >> 8);
	t[1] = (u8)sport;
	t[2] = (u8)(dport >> 8);
	t[3] = (u8)dport;
	be = htonl(seq);
	memcpy(t + 4, &be, 4);
	be = htonl(ack);
	memcpy(t + 8, &be, 4);
	t[12] = 5 << 4;		/* 20-byte header */
	t[13] = flags;
	t[14] = 0xff;		/* window */
	memcpy(t + 20, data, n);
	c = l4_csum(src, dst, 6, t, 20 + n);
	memcpy(t + 16, &c, 2);
	return 14 + 40 + n;
}

/* IPv4/TCP SYN (sequence number 1) from the guest's sport to dst:dport. */
static size_t syn_out(const u8 *dmac, u32 src, u16 sport, u32 dst, u16 dport)
{
	return tcp_out(dmac, src, sport, dst, dport, 1, 0, 0x02, NULL, 0);
}

/* Does a guest SYN from sport reach a listener on the host's loopback? */
static bool syn_connects(int lis, u16 sport)
{
	struct pollfd pfd = { .fd = lis, .events = POLLIN };
	int c;

	guest_send(syn_out(gw_mac, ip4("192.168.33.15"), sport,
			   ip4("192.168.33.1"), 7300));
	if (poll(&pfd, 1, 1000) != 1)
		return false;
	/*
	 * Closed at once: libslirp keeps a socket it no longer polls for
	 * the half-closed connection, which is counted all the same.
	 */
	c = accept(lis, NULL, NULL);
	if (c >= 0)
		close(c);
	return c >= 0;
}

/*
 * A TCP connection from the guest's sport to a listener on the host's
 * loopback, handshake done: the host's end, or -1. *seq and *ack: the
 * guest's next sequence and acknowledgement numbers.
 */
static int tcp_connect_in(int lis, u16 sport, u32 *seq, u32 *ack)
{
	u32 gw = ip4("192.168.33.1"), me = ip4("192.168.33.15"), s;
	struct pollfd pfd = { .fd = lis, .events = POLLIN };
	const u8 *r;

	guest_send(syn_out(gw_mac, me, sport, gw, 7300));
	r = guest_recv(0x0800, 6, sport);
	if (!r || (r[14 + 20 + 13] & 0x12) != 0x12)
		return -1;
	memcpy(&s, r + 14 + 20 + 4, 4);
	*seq = 2;
	*ack = ntohl(s) + 1;
	guest_send(tcp_out(gw_mac, me, sport, gw, 7300, *seq, *ack, 0x10,
			   NULL, 0));
	if (poll(&pfd, 1, 1000) != 1)
		return -1;
	return accept(lis, NULL, NULL);
}

/* Does a datagram from the guest's sport reach 127.0.0.1:port? */
static bool udp_reaches(u16 sport, u16 port)
{
	struct pollfd pfd;
	bool got;
	int s = udp_listener(port);

	guest_send(udp_out(gw_mac, ip4("192.168.33.15"), sport,
			   ip4("192.168.33.1"), port, (const u8 *)"new", 3));
	pfd = (struct pollfd){ .fd = s, .events = POLLIN };
	got = poll(&pfd, 1, 1000) == 1;
	close(s);
	return got;
}

/*
 * A datagram from the host to the hostfwd rule udp:2223-:5300 reaches the
 * guest's port 5300, and the guest's answer from there comes back.
 */
static bool udp_hostfwd_answered(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(2223) };
	struct pollfd pfd;
	char got[8];
	const u8 *r;
	u16 sport;
	u32 src;
	bool back = false;
	int s;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || sendto(s, "ping", 4, 0, (struct sockaddr *)&a,
			    sizeof(a)) != 4)
		abort();
	r = guest_recv(0x0800, 17, 5300);
	if (r) {
		memcpy(&src, r + 26, 4);
		sport = (u16)(r[34] << 8 | r[35]);
		guest_send(udp_out(gw_mac, ip4("192.168.33.15"), 5300, src,
				   sport, (const u8 *)"pong", 4));
		pfd = (struct pollfd){ .fd = s, .events = POLLIN };
		back = poll(&pfd, 1, 1000) == 1 &&
		       recv(s, got, sizeof(got), 0) == 4 &&
		       !memcmp(got, "pong", 4);
	}
	close(s);
	return back;
}

/* Entries of a /proc directory ("." and ".." included). */
static unsigned int nr_entries(const char *path)
{
	DIR *d = opendir(path);
	unsigned int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/*
 * A guest that opens flow after flow (a datagram from each of 3000 source
 * ports: libslirp opens a host socket for each) takes no more than
 * NET_USER_SOCKETS_MAX of lkvm's descriptors: the rest are the control
 * socket's, a disk's, a vsock connection's. It used to take 3000.
 */
static void test_flood(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(7300) };
	unsigned int before, after, i;
	socklen_t al;
	int lis, s, est;
	bool first, second;
	char got[16];
	u32 seq = 0, ack = 0;
	ssize_t n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lis = socket(AF_INET, SOCK_STREAM, 0);
	if (lis < 0 || bind(lis, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lis, 8))
		abort();
	first = syn_connects(lis, 41000);
	est = tcp_connect_in(lis, 41002, &seq, &ack);
	ok(est >= 0, "a TCP connection from the guest to a host listener");
	before = nr_entries("/proc/self/fd");

	for (i = 0; i < 3000; i++) {
		struct pollfd pfd = { .fd = BE->fds[0], .events = POLLOUT };
		unsigned int tries;
		size_t n = udp_out(gw_mac, ip4("192.168.33.15"),
				   (u16)(20000 + i), ip4("192.168.33.1"), 9,
				   (const u8 *)"x", 1);

		memset(th_hva(&T, TH_BUFS), 0, NET_HDR_LEN);
		th_post(&T, 1, TH_BUFS, NET_HDR_LEN + n, false);
		/* libslirp's socket full: the frame waits for room. */
		for (tries = 0; !th_used(&T, 1, NULL) && tries < 100; tries++) {
			poll(&pfd, 1, 20);
			virtio_net_backend_ready(N, 0, EPOLLOUT);
		}
	}
	usleep(200000);
	after = nr_entries("/proc/self/fd");
	ok(after <= before + NET_USER_SOCKETS_MAX,
	   "3000 UDP flows from the guest take at most %u sockets (%u descriptors before, %u after)",
	   NET_USER_SOCKETS_MAX, before, after);
	/*
	 * Frames that open nothing still go through (once the guest has
	 * taken the port-unreachable errors for its 3000 datagrams, which
	 * fill the backend's socket).
	 */
	guest_recv(0xffff, 0, 0);
	test_arp(", with the guest at its socket limit");
	test_dhcp(", with the guest at its socket limit");
	second = syn_connects(lis, 41001);
	ok(first && !second,
	   "a TCP SYN reaches a host listener, but not at the limit");
	/* test_udp's flow (source port 5555) has its socket still. */
	udp_round_trip("192.168.33.1", 7100, "127.0.0.1", 7100, 5555,
		       "at the limit, a datagram of a UDP flow that has its socket still reaches the host",
		       "... and its answer comes back");
	ok(!udp_reaches(5556, 7101),
	   "at the limit, a datagram that would open a socket is refused");
	ok(udp_hostfwd_answered(),
	   "at the limit, the guest answers a datagram through a hostfwd=udp rule");
	guest_send(tcp_out(gw_mac, ip4("192.168.33.15"), 41002,
			   ip4("192.168.33.1"), 7300, seq, ack, 0x18,
			   (const u8 *)"at the limit", 12));
	n = est >= 0 && poll(&(struct pollfd){ .fd = est, .events = POLLIN },
			     1, 2000) == 1 ? recv(est, got, sizeof(got), 0) :
					     -1;
	ok(n == 12 && !memcmp(got, "at the limit", 12),
	   "at the limit, a segment of an open TCP connection reaches the host");
	/*
	 * hostfwd: the host's connection waits, unaccepted. Every socket
	 * of the flood stays open until after the check: one closed before
	 * it (the host's end of the connection above) could let libslirp
	 * free a socket and take the connection.
	 *
	 * A SYN libslirp made for this connection would come from its port
	 * on the host. Not any SYN to port 22: test_hostfwd's connection,
	 * which the guest never answered, is still libslirp's (it does not
	 * poll it, so misses the host's close) and its SYN is sent again
	 * about 6 s after the first, which can be now.
	 */
	a.sin_port = htons(2222);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s < 0)
		abort();
	before = nr_entries("/proc/self/fd");
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) &&
	    errno != EINPROGRESS)
		abort();
	al = sizeof(a);
	if (getsockname(s, (struct sockaddr *)&a, &al))
		abort();
	second = guest_recv_from(0x0800, 6, ntohs(a.sin_port), 22) != NULL;
	after = nr_entries("/proc/self/fd");
	ok(!second,
	   "at the limit, a connection to a hostfwd port is not taken: no SYN for the guest (%u descriptors before, %u after)",
	   before, after);
	close(s);
	if (est >= 0)
		close(est);
	close(lis);
}

#ifndef USER_NETNS_SECCOMP
/* The default NIC's backend: no libslirp thread until the driver comes. */
static void test_lazy(const struct net_user_options *uo)
{
	struct net_user_options lo = {
		.host = uo->host, .guest = uo->guest, .lazy = true,
	};
	unsigned int before = nr_entries("/proc/self/task"), opened, up;
	struct net_backend *lb = NULL;
	char err[256] = "";
	int r, r2 = -1;

	r = net_user_open(&lb, &lo, err, sizeof(err));
	opened = nr_entries("/proc/self/task");
	if (!r)
		r2 = lb->ops->set_offload(lb, 0);
	up = nr_entries("/proc/self/task");
	ok(!r && opened == before && !r2 && up == before + 1,
	   "lazy: libslirp's thread starts when the driver sets the device up (%u %u %u %s)",
	   before, opened, up, err);
	if (!r)
		net_backend_close(lb);
}
#endif

int main(void)
{
	struct net_hostfwd fwd[2] = {
		{ .host_port = 2222, .guest_port = 22 },
		{ .udp = true, .host_port = 2223, .guest_port = 5300 },
	};
	struct net_user_options uo = { .fwd = fwd, .nr_fwd = 2 };
	struct virtio_net_options o = { .pairs = 1, .queue_size = QSIZE };
	struct ifreq ifr;
	char err[256], dns_why[128];
	unsigned int i;
	int s, dns_skip;

	log_set_level(LOG_ERROR);
#ifdef USER_NETNS_SECCOMP
	if (sc_prepare(SC_MODE_ON)) {
		skip("seccomp filters cannot be installed here",
		     "user-mode network under lkvm-net's filter");
		return tap_done();
	}
	/* No VM here: no descriptor to pin the VM's ioctls to. */
	if (sc_build(&(struct sc_kvm_fds){ .vm_fd = -1, .flic_fd = -1 }))
		abort();
#endif
	if (!net_user_available()) {
		skip("lkvm built without libslirp", "user-mode network");
		return tap_done();
	}
	if (unshare(CLONE_NEWNET)) {
		snprintf(err, sizeof(err), "no network namespace: %s",
			 strerror(errno));
		skip(err, "user-mode network in a namespace");
		return tap_done();
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	if (s < 0 || ioctl(s, SIOCSIFFLAGS, &ifr))
		abort();
	close(s);
	dns_skip = resolv_here(dns_why, sizeof(dns_why));
	/* libslirp's debug lines on (read at its first slirp_new()). */
	if (setenv("SLIRP_DEBUG", "misc", 1) ||
	    setenv("G_MESSAGES_DEBUG", "all", 1))
		abort();
	fwd[0].host_addr.s_addr = htonl(INADDR_LOOPBACK);
	fwd[1].host_addr.s_addr = htonl(INADDR_LOOPBACK);
	uo.host.s_addr = ip4("192.168.33.1");
	uo.guest.s_addr = ip4("192.168.33.15");
	if (net_user_open(&BE, &uo, err, sizeof(err))) {
		skip(err, "user-mode network");
		return tap_done();
	}
	memcpy(o.mac, GMAC, 6);
	th_init(&T);
	if (virtio_net_create(&N, &T.mem, "virtio-net.0", BE, &o, err,
			      sizeof(err)) ||
	    virtio_pci_init(&VP, virtio_net_vdev(N), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_NET) ||
	    !(th_negotiate(&T, F(MRG_RXBUF)) & VIRTIO_STATUS_FEATURES_OK))
		abort();
	th_queue(&T, 0, QSIZE, VIRTIO_MSI_NO_VECTOR);
	th_queue(&T, 1, QSIZE, VIRTIO_MSI_NO_VECTOR);
	th_queue(&T, 2, QSIZE, VIRTIO_MSI_NO_VECTOR);
	th_driver_ok(&T);
	ok(!(th_device_features(&T) & (F(CSUM) | F(GUEST_CSUM))),
	   "user mode: no offloads offered");
	for (i = 0; i < 31; i++)
		th_post(&T, 0, TH_BUFS + 0x10000 + RXBUF * i, RXBUF, true);
	test_arp("");
	test_dhcp("");
	test_udp();
	if (dns_skip) {
		skip(dns_why, "DNS through libslirp's forwarder");
		skip(dns_why, "... and its answer");
		skip(dns_why, "libslirp's debug line in lkvm's log");
	} else {
		test_dns();
	}
	test_hostfwd();
	test_ping();
	test_broadcast();
	test_flood();
#ifdef USER_NETNS_SECCOMP
	skip("under filters every NIC starts whole", "lazy start");
#else
	test_lazy(&uo);
#endif
	virtio_pci_destroy(&VP);
	virtio_net_destroy(N);
	th_fini(&T);
	return tap_done();
}
