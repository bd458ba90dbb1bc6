// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net over a real tap, host side: the test makes its own network
 * namespace (unshare(CLONE_NEWNET): only its loopback and its tap, no
 * packet leaves it), opens the tap through devices/net-tap.c, and drives
 * the device through virtio-pci as a guest does. A UDP datagram the
 * "guest" sends (complete checksum, and one left to the host with
 * NEEDS_CSUM) reaches a socket in the namespace; one the namespace sends
 * to the guest's address arrives in the receive buffers with a header
 * that agrees with the bytes; with queues=2 and both pairs enabled, flows
 * arrive on both receive queues, each once. host_mac= gives the tap its
 * address. A datagram the tap built with NEEDS_CSUM and kept queued while
 * the driver turned that offload off (GUEST_OFFLOADS_SET 0) reaches the
 * driver with its checksum complete. The namespace's kernel sends frames of its own on the tap as it
 * comes up (IPv6 duplicate address detection, MLD reports), at times of
 * its choosing: the receive checks look only at the UDP frames the test
 * sent and print the others as comments.
 * A 64 KiB TSO frame (one TCP segment of 44 x 1460 bytes, after a
 * handshake made by hand) crosses the namespace, is forwarded into a veth
 * whose TSO is off and so is cut into segments there (a GSO frame
 * delivered locally is never segmented), and arrives as an intact byte
 * stream at a socket in a second namespace on the veth's far side. Skips
 * with the reason where the namespace, the tap or the veth (ip(8)) cannot
 * be had.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TH_MAXQ 5
#include "tap.h"
#include "log.h"
#include "virtio/net.h"
#include "inet-sum.h"
#include "virtio-pci-drv.h"

#define NOVEC VIRTIO_MSI_NO_VECTOR
#define QSIZE 64
#define F(b) VIRTIO_BIT(VIRTIO_NET_F_##b)
#define IFNAME "lkvmtest0"
#define HOST_IP "10.9.0.1"
#define GUEST_IP "10.9.0.2"

static struct th T;
static struct virtio_pci VP;
static struct virtio_net *N;
static struct net_backend *BE;
static u16 next_desc[TH_MAXQ];
static const u8 GMAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const u8 HOST_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static u8 HMAC[6];

static u8 *hva(u64 gpa)
{
	return th_hva(&T, gpa);
}

static void post(unsigned int q, u64 gpa, u32 len, bool write)
{
	th_post(&T, q, gpa, len, write);
	next_desc[q]++;
}

static u16 get16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static u16 get16be(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

/*
 * Ethernet (guest to host) and IPv4 headers from GUEST_IP to dst at p,
 * for proto with l4len bytes after the IP header. Returns the sum of the
 * pseudo-header, for the layer 4 checksum.
 */
static u32 l3_headers(u8 *p, const char *dst_ip, u8 proto, size_t l4len)
{
	u8 *ip = p + 14, ps[12];
	u32 src, dst;
	u16 c;

	memcpy(p, HMAC, 6);
	memcpy(p + 6, GMAC, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	inet_pton(AF_INET, GUEST_IP, &src);
	inet_pton(AF_INET, dst_ip, &dst);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (u8)((20 + l4len) >> 8);
	ip[3] = (u8)(20 + l4len);
	ip[6] = 0x40;		/* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	c = htons((u16)~inet_fold(inet_sum(0, ip, 20)));
	memcpy(ip + 10, &c, 2);
	memcpy(ps, &src, 4);
	memcpy(ps + 4, &dst, 4);
	ps[8] = 0;
	ps[9] = proto;
	ps[10] = (u8)(l4len >> 8);
	ps[11] = (u8)l4len;
	return inet_sum(0, ps, 12);
}

/*
 * An Ethernet/IPv4/UDP frame from the guest to HOST_IP:port at p; with
 * partial, the UDP checksum holds only the pseudo-header's sum (the host
 * finishes it). Returns the frame's length.
 */
static size_t udp_frame(u8 *p, u16 port, const u8 *data, size_t n,
			bool partial)
{
	u8 *udp = p + 14 + 20;
	size_t ulen = 8 + n;
	u32 s = l3_headers(p, HOST_IP, 17, ulen);
	u16 c;

	udp[0] = 4000 >> 8;
	udp[1] = 4000 & 0xff;
	udp[2] = (u8)(port >> 8);
	udp[3] = (u8)port;
	udp[4] = (u8)(ulen >> 8);
	udp[5] = (u8)ulen;
	udp[6] = udp[7] = 0;
	memcpy(udp + 8, data, n);
	if (partial) {
		c = htons(inet_fold(s));
	} else {
		c = htons((u16)~inet_fold(inet_sum(s, udp, ulen)));
		if (!c)
			c = 0xffff;
	}
	memcpy(udp + 6, &c, 2);
	return 14 + 20 + ulen;
}

/* Wait up to 1 s for the tap queue q to be readable, then receive. */
static void rx_kick(unsigned int q)
{
	struct pollfd pfd = { .fd = BE->fds[q], .events = POLLIN };

	poll(&pfd, 1, 1000);
	virtio_net_backend_ready(N, q, EPOLLIN);
}

/*
 * The next used buffer of receive queue q: its frame (after the virtio-net
 * header) and the frame's length in *len; NULL when there is none.
 */
static u8 *rx_next(unsigned int q, u32 *len)
{
	struct th_queue *tq = &T.q[q];
	u16 slot = tq->last_used % tq->size;
	u32 id, used;
	u64 a;

	if (!th_used(&T, q, &used))
		return NULL;
	memcpy(&id, hva(tq->used + 4 + 8 * slot), 4);
	memcpy(&a, hva(tq->desc + 16 * (le32toh(id) % tq->size)), 8);
	*len = used > NET_HDR_LEN ? used - NET_HDR_LEN : 0;
	return hva(le64toh(a)) + NET_HDR_LEN;
}

/*
 * The UDP source port of f when it is a frame of the test's: IPv4/UDP from
 * HOST_IP to GUEST_IP:5000, for the guest's MAC. 0 for any other frame,
 * which is printed as a comment (ethertype, addresses, length).
 */
static u16 flow_port(const u8 *f, u32 len)
{
	u32 src, dst;

	inet_pton(AF_INET, HOST_IP, &src);
	inet_pton(AF_INET, GUEST_IP, &dst);
	if (len >= 42 && !memcmp(f, GMAC, 6) && f[12] == 0x08 && !f[13] &&
	    f[14] == 0x45 && f[23] == 17 && !memcmp(f + 26, &src, 4) &&
	    !memcmp(f + 30, &dst, 4) && get16be(f + 36) == 5000)
		return get16be(f + 34);
	printf("# not the test's: %u bytes, ethertype %04x, %02x:%02x:%02x:%02x:%02x:%02x to %02x:%02x:%02x:%02x:%02x:%02x\n",
	       len, len >= 14 ? get16be(f + 12) : 0, f[6], f[7], f[8], f[9],
	       f[10], f[11], f[0], f[1], f[2], f[3], f[4], f[5]);
	return 0;
}

static int setup(unsigned int queues, u64 features, char *why, size_t len)
{
	struct net_tap_options to = {
		.ifname = IFNAME, .fd = -1, .queues = queues,
		.host_ip = HOST_IP, .host_mac = HOST_MAC,
	};
	struct virtio_net_options o = { .pairs = queues };
	struct arpreq arp;
	struct ifreq ifr;
	unsigned int i;
	char err[256];
	int s, r;

	r = net_tap_open(&BE, &to, err, sizeof(err));
	if (r) {
		snprintf(why, len, "tap: %s", err);
		return r;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), IFNAME);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		abort();
	memcpy(HMAC, ifr.ifr_hwaddr.sa_data, 6);
	/* The guest's address, resolved without ARP. */
	memset(&arp, 0, sizeof(arp));
	((struct sockaddr_in *)&arp.arp_pa)->sin_family = AF_INET;
	inet_pton(AF_INET, GUEST_IP,
		  &((struct sockaddr_in *)&arp.arp_pa)->sin_addr);
	arp.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(arp.arp_ha.sa_data, GMAC, 6);
	arp.arp_flags = ATF_COM | ATF_PERM;
	snprintf(arp.arp_dev, sizeof(arp.arp_dev), IFNAME);
	if (ioctl(s, SIOCSARP, &arp))
		abort();
	close(s);
	memcpy(o.mac, GMAC, 6);
	memset(next_desc, 0, sizeof(next_desc));
	th_init(&T);
	if (virtio_net_create(&N, &T.mem, "virtio-net.0", BE, &o, err,
			      sizeof(err)) ||
	    virtio_pci_init(&VP, virtio_net_vdev(N), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_NET) ||
	    !(th_negotiate(&T, features) & VIRTIO_STATUS_FEATURES_OK))
		abort();
	for (i = 0; i < 2 * queues + 1; i++)
		th_queue(&T, i, QSIZE, NOVEC);
	th_driver_ok(&T);
	return 0;
}

static void teardown(void)
{
	virtio_pci_destroy(&VP);
	virtio_net_destroy(N);
	th_fini(&T);
}

static int host_socket(u16 port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	inet_pton(AF_INET, HOST_IP, &a.sin_addr);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)))
		abort();
	return s;
}

static ssize_t host_recv(int s, u8 *buf, size_t len)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };

	poll(&pfd, 1, 1000);
	return recv(s, buf, len, MSG_DONTWAIT);
}

static void host_send(int s, u16 port, const u8 *data, size_t n)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	inet_pton(AF_INET, GUEST_IP, &a.sin_addr);
	if (sendto(s, data, n, 0, (struct sockaddr *)&a, sizeof(a)) !=
	    (ssize_t)n)
		abort();
}

static void test_one_queue(void)
{
	u8 data[1400], got[2048], *h = hva(TH_BUFS), *f = NULL;
	u16 sum;
	u32 used, len = 0;
	size_t n, i, k;
	ssize_t r;
	int s;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)(i * 13 + 1);
	s = host_socket(7000);

	/* Guest to host, checksum complete. */
	memset(h, 0, NET_HDR_LEN);
	n = udp_frame(h + NET_HDR_LEN, 7000, data, 1000, false);
	post(1, TH_BUFS, NET_HDR_LEN + n, false);
	r = host_recv(s, got, sizeof(got));
	ok(r == 1000 && !memcmp(got, data, 1000) && th_used(&T, 1, &used),
	   "guest to host: a 1000-byte UDP datagram reaches the namespace's socket (%zd)",
	   r);

	/* Guest to host, checksum left to the host (CSUM negotiated). */
	memset(h, 0, NET_HDR_LEN);
	n = udp_frame(h + NET_HDR_LEN, 7000, data, 1400, true);
	h[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h[VIRTIO_NET_HDR_CSUM_START] = 34;
	h[VIRTIO_NET_HDR_CSUM_OFFSET] = 6;
	post(1, TH_BUFS, NET_HDR_LEN + n, false);
	r = host_recv(s, got, sizeof(got));
	ok(r == 1400 && !memcmp(got, data, 1400) && th_used(&T, 1, &used),
	   "guest to host with NEEDS_CSUM: the datagram is accepted whole (%zd)",
	   r);

	/* Host to guest: the namespace's own frames may come first. */
	for (i = 0; i < 8; i++)
		post(0, TH_BUFS + 0x10000 + i * 0x1000, 0x1000, true);
	host_send(s, 5000, data, 1200);
	for (k = 0; k < 4 && !f; k++) {
		rx_kick(0);
		while (!f && (f = rx_next(0, &len)) && flow_port(f, len) != 7000)
			f = NULL;
	}
	h = f ? f - NET_HDR_LEN : hva(TH_BUFS + 0x10000);
	ok(f && len == 14 + 20 + 8 + 1200 &&
	   !memcmp(h + NET_HDR_LEN, GMAC, 6) &&
	   !memcmp(h + NET_HDR_LEN + 6, HMAC, 6) &&
	   !memcmp(h + NET_HDR_LEN + 42, data, 1200) &&
	   get16(h + VIRTIO_NET_HDR_NUM_BUFFERS) == 1,
	   "host to guest: the frame for the guest's MAC, payload intact, num_buffers 1");
	if (h[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		ok(get16(h + VIRTIO_NET_HDR_CSUM_START) == 34 &&
		   get16(h + VIRTIO_NET_HDR_CSUM_OFFSET) == 6,
		   "host to guest: the checksum left to the guest (GUEST_CSUM), at the UDP checksum");
	} else {
		sum = inet_fold(inet_sum(0, h + NET_HDR_LEN + 14, 20));
		ok(sum == 0xffff, "host to guest: a complete IP checksum");
	}
	close(s);
}

/*
 * A control command (class, command, data: len bytes at c) on control
 * queue q, from the next descriptors; the ack, 0xee when none came.
 */
static u8 ctrl(unsigned int q, const u8 *c, u32 len)
{
	struct th_queue *tq = &T.q[q];
	u64 cmd = TH_BUFS + 0x70000;
	u16 d0 = next_desc[q] % tq->size, d1 = (d0 + 1) % tq->size, v16;
	u8 *h = hva(cmd), *d;
	u32 used, v32;
	u64 v64;

	memcpy(h, c, len);
	h[64] = 0xee;
	d = hva(tq->desc + 16 * d0);
	v64 = htole64(cmd);
	v32 = htole32(len);
	v16 = htole16(VIRTQ_DESC_F_NEXT);
	memcpy(d, &v64, 8);
	memcpy(d + 8, &v32, 4);
	memcpy(d + 12, &v16, 2);
	v16 = htole16(d1);
	memcpy(d + 14, &v16, 2);
	d = hva(tq->desc + 16 * d1);
	v64 = htole64(cmd + 64);
	v32 = htole32(1);
	v16 = htole16(VIRTQ_DESC_F_WRITE);
	memcpy(d, &v64, 8);
	memcpy(d + 8, &v32, 4);
	memcpy(d + 12, &v16, 2);
	next_desc[q] += 2;
	v16 = htole16(d0);
	memcpy(hva(tq->avail + 4 + 2 * (tq->avail_idx % tq->size)), &v16, 2);
	tq->avail_idx++;
	v16 = htole16(tq->avail_idx);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(hva(tq->avail + 2), &v16, 2);
	mwr(&T, tq->notify, 2, q);
	return th_used(&T, q, &used) ? h[64] : 0xee;
}

/* The frame of flow port from receive queue 0, up to 4 tries; or NULL. */
static u8 *rx_flow(u16 port, u32 *len)
{
	unsigned int k;
	u8 *f;

	for (k = 0; k < 4; k++) {
		rx_kick(0);
		while ((f = rx_next(0, len)))
			if (flow_port(f, *len) == port)
				return f;
	}
	return NULL;
}

/* Does the UDP datagram in frame f (IPv4, no options) sum right? */
static bool udp_sum_ok(const u8 *f)
{
	const u8 *udp = f + 14 + 20;
	u32 ulen = get16be(udp + 4);
	u8 ps[12];

	memcpy(ps, f + 26, 8);
	ps[8] = 0;
	ps[9] = 17;
	ps[10] = (u8)(ulen >> 8);
	ps[11] = (u8)ulen;
	return inet_fold(inet_sum(inet_sum(0, ps, 12), udp, ulen)) == 0xffff;
}

/*
 * The tap builds a host datagram for a driver that takes partial
 * checksums with NEEDS_CSUM; one that waits in the tap's queue while the
 * driver turns that offload off (GUEST_OFFLOADS_SET 0, the tap told:
 * TUNSETOFFLOAD changes only the frames built after) reaches the driver
 * with its checksum complete and no NEEDS_CSUM.
 */
static void test_offloads_off(void)
{
	u8 data[600], cmd[10] = { VIRTIO_NET_CTRL_GUEST_OFFLOADS,
				  VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET };
	struct pollfd pfd = { .fd = BE->fds[0], .events = POLLIN };
	u8 *f, *h;
	u32 len;
	size_t i;
	int s = host_socket(7002);

	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)(i * 5 + 3);
	for (i = 0; i < 8; i++)
		post(0, TH_BUFS + 0x10000 + i * 0x1000, 0x1000, true);
	host_send(s, 5000, data, sizeof(data));
	f = rx_flow(7002, &len);
	h = f ? f - NET_HDR_LEN : NULL;
	ok(h && h[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM,
	   "GUEST_CSUM taken: the tap hands the host's datagram over with NEEDS_CSUM");
	/* Without a loop the tap is read only at a kick: this one waits. */
	host_send(s, 5000, data, sizeof(data));
	poll(&pfd, 1, 1000);
	ok(ctrl(2, cmd, sizeof(cmd)) == VIRTIO_NET_OK,
	   "GUEST_OFFLOADS_SET 0 with a datagram waiting in the tap: OK");
	for (i = 0; i < 8; i++)
		post(0, TH_BUFS + 0x20000 + i * 0x1000, 0x1000, true);
	f = rx_flow(7002, &len);
	h = f ? f - NET_HDR_LEN : NULL;
	ok(h && !(h[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	   h[VIRTIO_NET_HDR_GSO_TYPE] == VIRTIO_NET_HDR_GSO_NONE &&
	   len == 14 + 20 + 8 + sizeof(data) && udp_sum_ok(f) &&
	   !memcmp(f + 42, data, sizeof(data)),
	   "offloads off: the datagram built before arrives with its checksum complete, no NEEDS_CSUM");
	close(s);
}

static void test_two_queues(void)
{
	u8 data[100] = { 1 }, *h, *f;
	unsigned int i, got[2] = { 0 }, k, q, seen = 0;
	u16 pairs = htole16(2), port;
	u64 cmd = TH_BUFS + 0x70000;
	u32 used, len;
	int s = host_socket(7001);

	h = hva(cmd);
	h[0] = VIRTIO_NET_CTRL_MQ;
	h[1] = VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET;
	memcpy(h + 2, &pairs, 2);
	h[16] = 0xee;
	{
		struct th_queue *tq = &T.q[4];
		u8 *d = hva(tq->desc);
		u64 a;
		u32 l;
		u16 fl, nx, idx;

		/* Two descriptors: the command, the ack. */
		a = htole64(cmd);
		l = htole32(4);
		fl = htole16(VIRTQ_DESC_F_NEXT);
		nx = htole16(1);
		memcpy(d, &a, 8);
		memcpy(d + 8, &l, 4);
		memcpy(d + 12, &fl, 2);
		memcpy(d + 14, &nx, 2);
		a = htole64(cmd + 16);
		l = htole32(1);
		fl = htole16(VIRTQ_DESC_F_WRITE);
		memcpy(d + 16, &a, 8);
		memcpy(d + 24, &l, 4);
		memcpy(d + 28, &fl, 2);
		idx = 0;
		memcpy(hva(tq->avail + 4), &idx, 2);
		tq->avail_idx = 1;
		idx = htole16(1);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		memcpy(hva(tq->avail + 2), &idx, 2);
		mwr(&T, tq->notify, 2, 4);
	}
	ok(th_used(&T, 4, &used) && h[16] == VIRTIO_NET_OK &&
	   virtio_net_active_pairs(N) == 2,
	   "queues=2: VQ_PAIRS_SET 2 accepted, the tap's second queue attached");
	for (i = 0; i < 32; i++) {
		post(0, TH_BUFS + i * 0x800, 0x800, true);
		post(2, TH_BUFS + 0x20000 + i * 0x800, 0x800, true);
	}
	/* 16 flows: another source port each. */
	for (i = 0; i < 16; i++) {
		int fs = host_socket((u16)(7100 + i));

		host_send(fs, 5000, data, sizeof(data));
		close(fs);
	}
	/* Count the frames of the 16 flows only, and which flows they are. */
	for (k = 0; k < 10 && got[0] + got[1] < 16; k++) {
		rx_kick(0);
		rx_kick(1);
		for (q = 0; q < 2; q++) {
			while ((f = rx_next(2 * q, &len))) {
				port = flow_port(f, len);
				if (port < 7100 || port >= 7116)
					continue;
				got[q]++;
				seen |= 1u << (port - 7100);
			}
		}
	}
	ok(got[0] + got[1] == 16 && seen == 0xffff && got[0] && got[1],
	   "16 flows from the namespace arrive on both receive queues, each once (%u + %u)",
	   got[0], got[1]);
	close(s);
}

/* Run an ip(8) command line in this thread's namespace; 0 if it worked. */
static int run_ip(const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip %s >/dev/null 2>&1", args);
	return system(cmd) ? -1 : 0;
}

/* TX packets of ifname, from /proc/net/dev of this namespace. */
static unsigned long long tx_packets(const char *ifname)
{
	unsigned long long v[10] = { 0 };
	char line[512], *p;
	size_t n = strlen(ifname);
	FILE *f = fopen("/proc/net/dev", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		for (p = line; *p == ' '; p++)
			;
		if (strncmp(p, ifname, n) || p[n] != ':')
			continue;
		/* rx: bytes packets errs drop fifo frame compressed multicast */
		if (sscanf(p + n + 1,
			   "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7], &v[8], &v[9]) != 10)
			v[9] = 0;
	}
	fclose(f);
	return v[9];
}

#define FAR_IP "10.10.0.2"
#define FAR_PORT 9000
#define TSO_MSS 1460
#define TSO_SEGS 44
#define TSO_LEN (TSO_MSS * TSO_SEGS)

static u8 tso_byte(size_t i)
{
	return (u8)(i * 7 + (i >> 9));
}

/*
 * An Ethernet/IPv4/TCP frame from the guest's 40000 to FAR_IP at p:
 * flags, seq, ack, MSS option on a SYN, n payload bytes; with partial the
 * checksum holds only the pseudo-header's sum. Returns its length.
 */
static size_t tcp_frame(u8 *p, u8 flags, u32 seq, u32 ack, size_t n,
			bool partial)
{
	size_t thl = flags & 0x02 ? 24 : 20, i;
	u8 *th = p + 14 + 20;
	u32 s = l3_headers(p, FAR_IP, 6, thl + n), v;
	u16 c;

	memset(th, 0, thl);
	th[0] = 40000 >> 8;
	th[1] = 40000 & 0xff;
	th[2] = FAR_PORT >> 8;
	th[3] = FAR_PORT & 0xff;
	v = htonl(seq);
	memcpy(th + 4, &v, 4);
	v = htonl(ack);
	memcpy(th + 8, &v, 4);
	th[12] = (u8)(thl / 4) << 4;
	th[13] = flags;
	th[14] = 0xff;		/* window 65535 */
	th[15] = 0xff;
	if (thl == 24) {	/* MSS */
		th[20] = 2;
		th[21] = 4;
		th[22] = TSO_MSS >> 8;
		th[23] = TSO_MSS & 0xff;
	}
	for (i = 0; i < n; i++)
		th[thl + i] = tso_byte(i);
	if (partial)
		c = htons(inet_fold(s));
	else
		c = htons((u16)~inet_fold(inet_sum(s, th, thl + n)));
	memcpy(th + 16, &c, 2);
	return 14 + 20 + thl + n;
}

/* The next received frame that is TCP from FAR_IP with SYN+ACK: its seq. */
static bool tso_synack(unsigned int *rxn, u32 *seq)
{
	unsigned int k;
	u32 used, v;

	for (k = 0; k < 20; k++) {
		rx_kick(0);
		while (*rxn < 32 && th_used(&T, 0, &used)) {
			u8 *f = hva(TH_BUFS + 0x20000 + *rxn * 0x800) +
				NET_HDR_LEN;

			(*rxn)++;
			if (used < NET_HDR_LEN + 54 || f[12] != 0x08 ||
			    f[13] != 0 || f[23] != 6 || (f[47] & 0x12) != 0x12)
				continue;
			memcpy(&v, f + 38, 4);
			*seq = ntohl(v);
			return true;
		}
	}
	return false;
}

/* Make netns B (a child holding it) with veth v1, its peer v0 here. */
static int far_side(pid_t *child, int *ns_here, int *ns_far, char *why,
		    size_t len)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STSO, .data = 0 };
	int pfd[2], s, fd;
	char c, buf[128], path[64];
	struct ifreq ifr;

	*ns_here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*ns_here < 0 || pipe(pfd))
		abort();
	*child = fork();
	if (*child < 0)
		abort();
	if (!*child) {
		c = unshare(CLONE_NEWNET) ? 'n' : 'y';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1 || c != 'y') {
		close(pfd[0]);
		snprintf(why, len, "cannot make a second namespace");
		return -1;
	}
	close(pfd[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)*child);
	*ns_far = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(buf, sizeof(buf),
		 "link add v0 type veth peer name v1 netns %d", (int)*child);
	if (*ns_far < 0 || run_ip(buf) || run_ip("addr add 10.10.0.1/24 dev v0") ||
	    run_ip("link set v0 up")) {
		snprintf(why, len, "cannot make a veth pair (ip link add ... type veth)");
		return -1;
	}
	/* TSO off on v0: the stack segments before the driver. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "v0");
	ifr.ifr_data = (void *)&ev;
	if (s < 0 || ioctl(s, SIOCETHTOOL, &ifr)) {
		snprintf(why, len, "cannot turn TSO off on the veth: %s",
			 strerror(errno));
		return -1;
	}
	close(s);
	fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		snprintf(why, len, "cannot turn forwarding on");
		return -1;
	}
	close(fd);
	if (setns(*ns_far, CLONE_NEWNET) || run_ip("link set lo up") ||
	    run_ip("addr add " FAR_IP "/24 dev v1") || run_ip("link set v1 up") ||
	    run_ip("route add default via 10.10.0.1")) {
		snprintf(why, len, "cannot set the far namespace up");
		return -1;
	}
	return 0;
}

static void test_tso_veth(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(FAR_PORT) };
	int ns_here = -1, ns_far = -1, ls = -1, cs = -1, rcvbuf = 1 << 20;
	unsigned int rxn = 0, i;
	unsigned long long before, segs;
	static u8 got[TSO_LEN];
	struct pollfd pfd;
	size_t n, have = 0;
	u32 peer = 0, used;
	char why[200];
	pid_t child = -1;
	ssize_t r;
	u8 *h;

	if (far_side(&child, &ns_here, &ns_far, why, sizeof(why))) {
		skip(why, "a 64 KiB TSO frame through a veth without TSO");
		goto out;
	}
	/* In the far namespace: the socket that gets the stream. */
	inet_pton(AF_INET, FAR_IP, &a.sin_addr);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				 sizeof(rcvbuf)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1) ||
	    setns(ns_here, CLONE_NEWNET))
		abort();
	before = tx_packets("v0");
	for (i = 0; i < 32; i++)
		post(0, TH_BUFS + 0x20000 + i * 0x800, 0x800, true);

	/* The handshake, by hand. */
	h = hva(TH_BUFS);
	memset(h, 0, NET_HDR_LEN);
	n = tcp_frame(h + NET_HDR_LEN, 0x02, 1000, 0, 0, false);
	post(1, TH_BUFS, NET_HDR_LEN + n, false);
	ok(tso_synack(&rxn, &peer),
	   "TSO: the far namespace's SYN-ACK comes back through the tap");
	memset(h, 0, NET_HDR_LEN);
	n = tcp_frame(h + NET_HDR_LEN, 0x10, 1001, peer + 1, 0, false);
	post(1, TH_BUFS, NET_HDR_LEN + n, false);

	/* One frame of 44 segments' worth, left to the host to cut up. */
	h = hva(TH_BUFS + 0x10000 - NET_HDR_LEN);
	memset(h, 0, NET_HDR_LEN);
	n = tcp_frame(h + NET_HDR_LEN, 0x18, 1001, peer + 1, TSO_LEN, true);
	h[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h[VIRTIO_NET_HDR_GSO_TYPE] = VIRTIO_NET_HDR_GSO_TCPV4;
	h[VIRTIO_NET_HDR_HDR_LEN] = 54;
	h[VIRTIO_NET_HDR_GSO_SIZE] = TSO_MSS & 0xff;
	h[VIRTIO_NET_HDR_GSO_SIZE + 1] = TSO_MSS >> 8;
	h[VIRTIO_NET_HDR_CSUM_START] = 34;
	h[VIRTIO_NET_HDR_CSUM_OFFSET] = 16;
	post(1, TH_BUFS + 0x10000 - NET_HDR_LEN, NET_HDR_LEN + n, false);
	ok(th_used(&T, 1, &used) && th_used(&T, 1, &used) &&
	   th_used(&T, 1, &used) && !virtio_net_stats(N)->tx_dropped,
	   "TSO: a %zu-byte frame (%u x %u bytes of TCP) taken whole",
	   n, TSO_SEGS, TSO_MSS);

	pfd = (struct pollfd){ .fd = ls, .events = POLLIN };
	if (poll(&pfd, 1, 5000) == 1)
		cs = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	while (cs >= 0 && have < TSO_LEN) {
		pfd = (struct pollfd){ .fd = cs, .events = POLLIN };
		if (poll(&pfd, 1, 5000) != 1)
			break;
		r = recv(cs, got + have, TSO_LEN - have, MSG_DONTWAIT);
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	for (i = 0; have == TSO_LEN && i < TSO_LEN; i++)
		if (got[i] != tso_byte(i))
			break;
	ok(have == TSO_LEN && i == TSO_LEN,
	   "TSO: the far side's socket reads the %u bytes intact (%zu read)",
	   TSO_LEN, have);
	segs = tx_packets("v0") - before;
	ok(segs >= TSO_SEGS,
	   "TSO: the veth without TSO carried them as %llu packets (>= %u segments)",
	   segs, TSO_SEGS);
out:
	if (cs >= 0)
		close(cs);
	if (ls >= 0)
		close(ls);
	if (ns_here >= 0 && setns(ns_here, CLONE_NEWNET))
		abort();
	if (ns_here >= 0)
		close(ns_here);
	if (ns_far >= 0)
		close(ns_far);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
}

int main(void)
{
	char why[300];

	log_set_level(LOG_ERROR);
	if (unshare(CLONE_NEWNET)) {
		snprintf(why, sizeof(why), "cannot make a network namespace: %s",
			 strerror(errno));
		skip(why, "virtio-net over a tap in a namespace");
		return tap_done();
	}
	if (setup(1, F(CSUM) | F(GUEST_CSUM) | F(MRG_RXBUF) | F(CTRL_VQ) |
		  F(CTRL_RX), why, sizeof(why))) {
		skip(why, "virtio-net over a tap in a namespace");
		return tap_done();
	}
	ok(!memcmp(HMAC, HOST_MAC, 6), "host_mac=: the tap has the address");
	test_one_queue();
	teardown();
	if (setup(1, F(CSUM) | F(GUEST_CSUM) | F(MRG_RXBUF) | F(CTRL_VQ) |
		  F(CTRL_GUEST_OFFLOADS), why, sizeof(why))) {
		skip(why, "offloads turned off with a frame in the tap");
	} else {
		test_offloads_off();
		teardown();
	}
	if (setup(1, F(CSUM) | F(HOST_TSO4) | F(GUEST_CSUM) | F(MRG_RXBUF),
		  why, sizeof(why))) {
		skip(why, "a 64 KiB TSO frame through a veth without TSO");
	} else {
		test_tso_veth();
		teardown();
	}
	if (setup(2, F(MRG_RXBUF) | F(CTRL_VQ) | F(MQ), why, sizeof(why))) {
		skip(why, "virtio-net over a two-queue tap");
		return tap_done();
	}
	test_two_queues();
	teardown();
	return tap_done();
}
