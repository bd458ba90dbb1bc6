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
 * arrive on both receive queues. Skips with the reason where the
 * namespace or the tap cannot be had.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define TH_MAXQ 5
#include "tap.h"
#include "log.h"
#include "virtio/net.h"
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

static u16 csum_fold(u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)s;
}

static u32 csum_add(u32 s, const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (u32)p[n - 1] << 8;
	return s;
}

/*
 * An Ethernet/IPv4/UDP frame from the guest to HOST_IP:port at p; with
 * partial, the UDP checksum holds only the pseudo-header's sum (the host
 * finishes it). Returns the frame's length.
 */
static size_t udp_frame(u8 *p, u16 port, const u8 *data, size_t n,
			bool partial)
{
	u8 *ip = p + 14, *udp = ip + 20, ps[12];
	size_t ulen = 8 + n;
	u32 src, dst, s;
	u16 c;

	memcpy(p, HMAC, 6);
	memcpy(p + 6, GMAC, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	inet_pton(AF_INET, GUEST_IP, &src);
	inet_pton(AF_INET, HOST_IP, &dst);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (u8)((20 + ulen) >> 8);
	ip[3] = (u8)(20 + ulen);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	c = htons((u16)~csum_fold(csum_add(0, ip, 20)));
	memcpy(ip + 10, &c, 2);
	udp[0] = 4000 >> 8;
	udp[1] = 4000 & 0xff;
	udp[2] = (u8)(port >> 8);
	udp[3] = (u8)port;
	udp[4] = (u8)(ulen >> 8);
	udp[5] = (u8)ulen;
	udp[6] = udp[7] = 0;
	memcpy(udp + 8, data, n);
	memcpy(ps, &src, 4);
	memcpy(ps + 4, &dst, 4);
	ps[8] = 0;
	ps[9] = 17;
	ps[10] = (u8)(ulen >> 8);
	ps[11] = (u8)ulen;
	s = csum_add(0, ps, 12);
	if (partial) {
		c = htons(csum_fold(s));
	} else {
		c = htons((u16)~csum_fold(csum_add(s, udp, ulen)));
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

static int setup(unsigned int queues, u64 features, char *why, size_t len)
{
	struct net_tap_options to = {
		.ifname = IFNAME, .fd = -1, .queues = queues,
		.host_ip = HOST_IP,
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
	u8 data[1400], got[2048], *h = hva(TH_BUFS);
	u16 sum;
	u32 used;
	size_t n, i;
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

	/* Host to guest. */
	for (i = 0; i < 4; i++)
		post(0, TH_BUFS + 0x10000 + i * 0x1000, 0x1000, true);
	host_send(s, 5000, data, 1200);
	rx_kick(0);
	h = hva(TH_BUFS + 0x10000);
	ok(th_used(&T, 0, &used) && used == NET_HDR_LEN + 14 + 20 + 8 + 1200 &&
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
		sum = csum_fold(csum_add(0, h + NET_HDR_LEN + 14, 20));
		ok(sum == 0xffff, "host to guest: a complete IP checksum");
	}
	close(s);
}

static void test_two_queues(void)
{
	u8 data[100] = { 1 }, *h;
	unsigned int i, got[2] = { 0 }, k;
	u16 pairs = htole16(2);
	u64 cmd = TH_BUFS + 0x70000;
	u32 used;
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
	for (k = 0; k < 10 && got[0] + got[1] < 16; k++) {
		rx_kick(0);
		rx_kick(1);
		while (th_used(&T, 0, &used))
			got[0]++;
		while (th_used(&T, 2, &used))
			got[1]++;
	}
	ok(got[0] + got[1] == 16 && got[0] && got[1],
	   "16 flows from the namespace arrive on both receive queues (%u + %u)",
	   got[0], got[1]);
	close(s);
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
	test_one_queue();
	teardown();
	if (setup(2, F(MRG_RXBUF) | F(CTRL_VQ) | F(MQ), why, sizeof(why))) {
		skip(why, "virtio-net over a two-queue tap");
		return tap_done();
	}
	test_two_queues();
	teardown();
	return tap_done();
}
