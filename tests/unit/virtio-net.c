// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/net.c behind the virtio-pci transport, driven as a guest does,
 * over a fake backend whose queues are datagram socket pairs (the test
 * holds the far ends): the features offered follow the backend's
 * offloads, frames go out with their header checked and passed on, come
 * in across mergeable buffers with num_buffers set, the control queue
 * sets the receive filter and queue pairs, the link status reaches the
 * config space, and hostile frames and commands are dropped or refused
 * while the device carries on.
 */
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define TH_MAXQ 5
#include "tap.h"
#include "log.h"
#include "virtio/net.h"
#include "inet-sum.h"
#include "virtio-pci-drv.h"
#include "net-fake-pci.h"

#define NOVEC VIRTIO_MSI_NO_VECTOR
#define QSIZE 64
#define F(b) VIRTIO_BIT(VIRTIO_NET_F_##b)

struct fake {
	struct net_backend be;
	int peer[2];
	unsigned int offload, offload_calls, queues;
};

static struct th T;
static struct virtio_pci VP;
static struct virtio_net *N;
static struct fake FB;
static u16 next_desc[TH_MAXQ];

static const u8 MAC[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static int fake_offload(struct net_backend *be, unsigned int off)
{
	FB.offload = off;
	FB.offload_calls++;
	return 0;
}

static int fake_queues(struct net_backend *be, unsigned int n)
{
	FB.queues = n;
	return 0;
}

static void fake_close(struct net_backend *be)
{
	unsigned int i;

	for (i = 0; i < be->nr_queues; i++) {
		close(be->fds[i]);
		close(FB.peer[i]);
	}
}

static const struct net_backend_ops fake_ops = {
	.name = "fake",
	.set_offload = fake_offload,
	.set_queues = fake_queues,
	.close = fake_close,
};

/* The device over a fake backend of nq queues, negotiated features f. */
static void setup(unsigned int nq, unsigned int offloads, u64 f)
{
	struct virtio_net_options o = { .pairs = nq };
	unsigned int i;
	char err[256];
	int sv[2];

	memset(&FB, 0, sizeof(FB));
	memset(next_desc, 0, sizeof(next_desc));
	FB.be.ops = &fake_ops;
	FB.be.nr_queues = nq;
	FB.be.offloads = offloads;
	FB.be.sock = true;
	for (i = 0; i < nq; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
			abort();
		FB.be.fds[i] = sv[0];
		FB.peer[i] = sv[1];
	}
	memcpy(o.mac, MAC, 6);
	th_init(&T);
	if (virtio_net_create(&N, &T.mem, "virtio-net.0", &FB.be, &o, err,
			      sizeof(err)) ||
	    virtio_pci_init(&VP, virtio_net_vdev(N), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_NET))
		abort();
	if (!(th_negotiate(&T, f) & VIRTIO_STATUS_FEATURES_OK))
		abort();
	for (i = 0; i < 2 * nq + 1; i++)
		th_queue(&T, i, QSIZE, NOVEC);
	/* What DRIVER_OK tells the backend (the reset before told it none). */
	FB.offload = ~0u;
	FB.offload_calls = 0;
	th_driver_ok(&T);
}

static void teardown(void)
{
	virtio_pci_destroy(&VP);
	virtio_net_destroy(N);
	th_fini(&T);
}

struct seg {
	u64 gpa;
	u32 len;
	bool write;
};

/* A chain of n descriptors on queue q; kick the device if asked. */
static void post(unsigned int q, const struct seg *s, unsigned int n,
		 bool kick)
{
	struct th_queue *tq = &T.q[q];
	u16 head = next_desc[q] % tq->size, slot, v16;
	unsigned int i;
	u32 v32;
	u64 v64;

	for (i = 0; i < n; i++) {
		u16 d = (head + i) % tq->size;
		u8 *p = th_hva(&T, tq->desc + 16 * d);

		v64 = htole64(s[i].gpa);
		memcpy(p, &v64, 8);
		v32 = htole32(s[i].len);
		memcpy(p + 8, &v32, 4);
		v16 = htole16((s[i].write ? VIRTQ_DESC_F_WRITE : 0) |
			      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		memcpy(p + 12, &v16, 2);
		v16 = htole16((head + i + 1) % tq->size);
		memcpy(p + 14, &v16, 2);
	}
	next_desc[q] += n;
	slot = tq->avail_idx % tq->size;
	v16 = htole16(head);
	memcpy(th_hva(&T, tq->avail + 4 + 2 * slot), &v16, 2);
	tq->avail_idx++;
	v16 = htole16(tq->avail_idx);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(th_hva(&T, tq->avail + 2), &v16, 2);
	if (kick)
		mwr(&T, tq->notify, 2, q);
}

static void post1(unsigned int q, u64 gpa, u32 len, bool write)
{
	struct seg s = { gpa, len, write };

	post(q, &s, 1, true);
}

static u8 *hva(u64 gpa)
{
	return th_hva(&T, gpa);
}

static bool needs_reset(void)
{
	return mrd(&T, TC(&T, STATUS), 1) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/* A frame to dst from MAC's neighbour, len bytes, a byte pattern. */
static void frame(u8 *p, const u8 *dst, size_t len, u8 seed)
{
	size_t i;

	memcpy(p, dst, 6);
	memcpy(p + 6, MAC, 6);
	p[5 + 6] ^= 1;
	p[12] = 0x08;
	p[13] = 0x00;
	for (i = 14; i < len; i++)
		p[i] = (u8)(seed + i * 7);
}

static void put16(u8 *p, u16 v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

static u16 get16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

/* Control command: class, cmd, data; returns the ack (0xee: no reply). */
static u8 ctrl(unsigned int q, u8 cls, u8 cmd, const void *d, u32 len)
{
	u64 cmdbuf = TH_BUFS + 0x70000, ack = TH_BUFS + 0x7f000;
	struct seg s[3] = {
		{ cmdbuf, 2, false }, { cmdbuf + 16, len, false },
		{ ack, 1, true },
	};
	u32 used;

	hva(cmdbuf)[0] = cls;
	hva(cmdbuf)[1] = cmd;
	memcpy(hva(cmdbuf + 16), d, len);
	hva(ack)[0] = 0xee;
	if (len)
		post(q, s, 3, true);
	else
		post(q, (struct seg[]){ s[0], s[2] }, 2, true);
	if (!th_used(&T, q, &used))
		return 0xee;
	return hva(ack)[0];
}

static void test_features(void)
{
	u64 f;
	u8 mac[6];
	unsigned int i;

	setup(1, NET_OFF_CSUM | NET_OFF_TSO4 | NET_OFF_TSO6 | NET_OFF_ECN,
	      F(MRG_RXBUF));
	f = th_device_features(&T);
	ok((f & (F(MAC) | F(STATUS) | F(MTU) | F(MRG_RXBUF) | F(CTRL_VQ) |
		 F(CTRL_RX) | F(CTRL_MAC_ADDR) | F(CSUM) | F(GUEST_CSUM) |
		 F(HOST_TSO4) | F(HOST_TSO6) | F(GUEST_TSO4) |
		 F(GUEST_TSO6) | F(HOST_ECN) | F(GUEST_ECN) |
		 F(CTRL_GUEST_OFFLOADS))) ==
	   (F(MAC) | F(STATUS) | F(MTU) | F(MRG_RXBUF) | F(CTRL_VQ) |
	    F(CTRL_RX) | F(CTRL_MAC_ADDR) | F(CSUM) | F(GUEST_CSUM) |
	    F(HOST_TSO4) | F(HOST_TSO6) | F(GUEST_TSO4) | F(GUEST_TSO6) |
	    F(HOST_ECN) | F(GUEST_ECN) | F(CTRL_GUEST_OFFLOADS)) &&
	   !(f & (F(MQ) | F(GUEST_UFO) | F(HOST_UFO))),
	   "a backend with offloads: checksum, TSO, ECN both ways; no MQ with one pair, no UFO");
	for (i = 0; i < 6; i++)
		mac[i] = (u8)mrd(&T, T.device + VIRTIO_NET_CFG_MAC + i, 1);
	ok(!memcmp(mac, MAC, 6) &&
	   mrd(&T, T.device + VIRTIO_NET_CFG_STATUS, 2) ==
	   VIRTIO_NET_S_LINK_UP &&
	   mrd(&T, T.device + VIRTIO_NET_CFG_MAX_PAIRS, 2) == 1 &&
	   mrd(&T, T.device + VIRTIO_NET_CFG_MTU, 2) == 1500,
	   "config: the MAC, link up, 1 pair, MTU 1500");
	ok(FB.offload_calls == 1 && FB.offload == 0,
	   "DRIVER_OK without guest offloads: the backend is told none");
	virtio_net_set_link(N, false);
	ok(mrd(&T, T.device + VIRTIO_NET_CFG_STATUS, 2) == 0 &&
	   (mrd(&T, T.isr, 1) & 2),
	   "link down: status 0 and a config interrupt");
	virtio_net_set_link(N, true);
	ok(mrd(&T, T.device + VIRTIO_NET_CFG_STATUS, 2) ==
	   VIRTIO_NET_S_LINK_UP, "link up again");
	teardown();

	setup(1, 0, 0);
	f = th_device_features(&T);
	ok(!(f & (F(CSUM) | F(GUEST_CSUM) | F(HOST_TSO4) | F(GUEST_TSO4) |
		  F(CTRL_GUEST_OFFLOADS))) && (f & F(MRG_RXBUF)),
	   "a backend without offloads: none offered");
	teardown();

	setup(1, NET_OFF_CSUM | NET_OFF_TSO4, 0);
	ok(!(th_negotiate(&T, F(GUEST_TSO4)) & VIRTIO_STATUS_FEATURES_OK),
	   "GUEST_TSO4 without GUEST_CSUM: FEATURES_OK refused");
	teardown();
}

static void test_tx(void)
{
	u64 buf = TH_BUFS;
	u8 got[70000], *h;
	u32 used = 0;
	ssize_t n;

	setup(1, NET_OFF_CSUM | NET_OFF_TSO4 | NET_OFF_TSO6,
	      F(CSUM) | F(HOST_TSO4) | F(MRG_RXBUF) | F(CTRL_VQ) | F(CTRL_RX));
	h = hva(buf);
	memset(h, 0, NET_HDR_LEN);
	frame(h + NET_HDR_LEN, MAC, 1514, 1);
	post1(1, buf, NET_HDR_LEN + 1514, false);
	n = recv(FB.peer[0], got, sizeof(got), MSG_DONTWAIT);
	ok(n == NET_HDR_LEN + 1514 && !memcmp(got, h, n) &&
	   th_used(&T, 1, &used) && used == 0,
	   "a 1514-byte frame goes out whole with its header; used, 0 written");

	/* Header and frame split over three descriptors. */
	put16(h + 200, 0);
	memset(h + 200, 0, NET_HDR_LEN);
	frame(hva(buf + 4096), MAC, 600, 2);
	post(1, (struct seg[]){ { buf + 200, NET_HDR_LEN, false },
				{ buf + 4096, 100, false },
				{ buf + 4196, 500, false } }, 3, true);
	n = recv(FB.peer[0], got, sizeof(got), MSG_DONTWAIT);
	ok(n == NET_HDR_LEN + 600 && !memcmp(got + NET_HDR_LEN,
					     hva(buf + 4096), 600),
	   "a chain of header + 2 buffers becomes one frame");
	th_used(&T, 1, &used);

	/* TSO: a 64 KiB TCP frame with a partial checksum. */
	memset(h, 0, NET_HDR_LEN);
	h[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h[VIRTIO_NET_HDR_GSO_TYPE] = VIRTIO_NET_HDR_GSO_TCPV4;
	put16(h + VIRTIO_NET_HDR_HDR_LEN, 54);
	put16(h + VIRTIO_NET_HDR_GSO_SIZE, 1448);
	put16(h + VIRTIO_NET_HDR_CSUM_START, 34);
	put16(h + VIRTIO_NET_HDR_CSUM_OFFSET, 16);
	put16(h + VIRTIO_NET_HDR_NUM_BUFFERS, 0x5555);
	frame(h + NET_HDR_LEN, MAC, 65000, 3);
	post1(1, buf, NET_HDR_LEN + 65000, false);
	n = recv(FB.peer[0], got, sizeof(got), MSG_DONTWAIT);
	ok(n == NET_HDR_LEN + 65000 && got[0] == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	   got[1] == VIRTIO_NET_HDR_GSO_TCPV4 && get16(got + 4) == 1448 &&
	   get16(got + 6) == 34 && get16(got + 8) == 16 &&
	   get16(got + 10) == 0 &&
	   !memcmp(got + NET_HDR_LEN, h + NET_HDR_LEN, 65000),
	   "a 65000-byte TSO4 frame: header passed on (num_buffers cleared), payload intact");
	th_used(&T, 1, &used);

	/* Hostile frames: each dropped, the next one still goes. */
	{
		static const struct {
			u8 flags, gso;
			u16 csum_start;
			u32 len;
			const char *what;
		} bad[] = {
			{ 0, VIRTIO_NET_HDR_GSO_TCPV6, 0, 2000,
			  "TSO6 not negotiated" },
			{ 1, VIRTIO_NET_HDR_GSO_UDP, 34, 2000, "UFO" },
			{ 0, 0, 0, 1600, "longer than the MTU" },
			{ 1, 0, 1000, 500, "checksum beyond the frame" },
			{ 4, 0, 0, 100, "unknown flags" },
			{ 0, 0, 0, 10, "shorter than Ethernet" },
			{ 0, VIRTIO_NET_HDR_GSO_TCPV4, 0, 2000,
			  "TSO without NEEDS_CSUM" },
		};
		unsigned int i, k = 0;
		u64 drop0 = virtio_net_stats(N)->tx_dropped;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			memset(h, 0, NET_HDR_LEN);
			h[0] = bad[i].flags;
			h[1] = bad[i].gso;
			put16(h + VIRTIO_NET_HDR_CSUM_START, bad[i].csum_start);
			put16(h + VIRTIO_NET_HDR_GSO_SIZE, 1000);
			post1(1, buf, NET_HDR_LEN + bad[i].len, false);
			k += recv(FB.peer[0], got, sizeof(got),
				  MSG_DONTWAIT) < 0 && th_used(&T, 1, &used);
		}
		post1(1, buf, 4, false);	/* shorter than the header */
		k += recv(FB.peer[0], got, sizeof(got), MSG_DONTWAIT) < 0 &&
		     th_used(&T, 1, &used);
		ok(k == ARRAY_SIZE(bad) + 1 &&
		   virtio_net_stats(N)->tx_dropped - drop0 == k,
		   "%u bad frames (TSO6/UFO not negotiated, > MTU, bad csum, flags, short, no header) dropped, buffers returned",
		   k);
		memset(h, 0, NET_HDR_LEN);
		frame(h + NET_HDR_LEN, MAC, 60, 4);
		post1(1, buf, NET_HDR_LEN + 60, false);
		ok(recv(FB.peer[0], got, sizeof(got), MSG_DONTWAIT) ==
		   NET_HDR_LEN + 60 && !needs_reset(),
		   "the device carries on after them");
		th_used(&T, 1, &used);
	}
	teardown();
}

static void test_rx(void)
{
	u8 pkt[4096], *h;
	u32 len[3] = { 0 };
	unsigned int i;
	u64 b = TH_BUFS;

	/* Mergeable: a 2000-byte frame over three 1000-byte buffers. */
	setup(1, NET_OFF_CSUM | NET_OFF_TSO4,
	      F(MRG_RXBUF) | F(GUEST_CSUM) | F(GUEST_TSO4) | F(CTRL_VQ) |
	      F(CTRL_RX));
	ok(FB.offload == (NET_OFF_CSUM | NET_OFF_TSO4),
	   "DRIVER_OK: the backend may send checksum and TSO4 offloads");
	for (i = 0; i < 3; i++)
		post1(0, b + i * 1000, 1000, true);
	memset(pkt, 0, NET_HDR_LEN);
	pkt[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	put16(pkt + VIRTIO_NET_HDR_CSUM_START, 34);
	put16(pkt + VIRTIO_NET_HDR_CSUM_OFFSET, 6);
	frame(pkt + NET_HDR_LEN, MAC, 2000, 9);
	ok(send(FB.peer[0], pkt, NET_HDR_LEN + 2000, 0) == NET_HDR_LEN + 2000,
	   "the backend has a frame");
	virtio_net_backend_ready(N, 0, EPOLLIN);
	h = hva(b);
	ok(th_used(&T, 0, &len[0]) && th_used(&T, 0, &len[1]) &&
	   th_used(&T, 0, &len[2]) && len[0] == 1000 && len[1] == 1000 &&
	   len[2] == 12 && get16(h + VIRTIO_NET_HDR_NUM_BUFFERS) == 3 &&
	   h[0] == VIRTIO_NET_HDR_F_NEEDS_CSUM && get16(h + 6) == 34 &&
	   !memcmp(h + NET_HDR_LEN, pkt + NET_HDR_LEN, 2000),
	   "mergeable: 2012 bytes over 3 buffers, num_buffers 3, header and bytes intact");

	/* No buffers: the frame waits until the driver adds some. */
	send(FB.peer[0], pkt, NET_HDR_LEN + 100, 0);
	virtio_net_backend_ready(N, 0, EPOLLIN);
	ok(!th_used(&T, 0, NULL), "no receive buffers: nothing used");
	post1(0, b, 2048, true);
	ok(th_used(&T, 0, &len[0]) && len[0] == NET_HDR_LEN + 100 &&
	   get16(h + VIRTIO_NET_HDR_NUM_BUFFERS) == 1,
	   "a buffer posted: the waiting frame arrives");

	/* The receive filter, through the control queue. */
	{
		static const u8 other[6] = { 0x02, 0, 0, 0, 0, 9 };
		static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff };
		static const u8 mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
		u8 off = 0, on = 1, tbl[4 + 6 + 4];
		u32 nb;

		ok(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC,
			&off, 1) == VIRTIO_NET_OK, "promiscuous off: OK");
		for (i = 0; i < 4; i++)
			post1(0, b + i * 2048, 2048, true);
		frame(pkt + NET_HDR_LEN, other, 100, 1);
		send(FB.peer[0], pkt, NET_HDR_LEN + 100, 0);
		frame(pkt + NET_HDR_LEN, mcast, 100, 1);
		send(FB.peer[0], pkt, NET_HDR_LEN + 100, 0);
		frame(pkt + NET_HDR_LEN, MAC, 101, 1);
		send(FB.peer[0], pkt, NET_HDR_LEN + 101, 0);
		frame(pkt + NET_HDR_LEN, bcast, 102, 1);
		send(FB.peer[0], pkt, NET_HDR_LEN + 102, 0);
		virtio_net_backend_ready(N, 0, EPOLLIN);
		ok(th_used(&T, 0, &len[0]) && th_used(&T, 0, &len[1]) &&
		   !th_used(&T, 0, NULL) && len[0] == NET_HDR_LEN + 101 &&
		   len[1] == NET_HDR_LEN + 102 &&
		   virtio_net_stats(N)->rx_filtered == 2,
		   "filter: another host's and a multicast frame dropped, own and broadcast pass");
		nb = htole32(1);
		memcpy(tbl, &nb, 4);
		memcpy(tbl + 4, other, 6);
		nb = 0;
		memcpy(tbl + 10, &nb, 4);
		ok(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET,
			tbl, sizeof(tbl)) == VIRTIO_NET_OK &&
		   ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI,
			&on, 1) == VIRTIO_NET_OK,
		   "MAC table with one unicast address, all-multicast: OK");
		frame(pkt + NET_HDR_LEN, other, 103, 1);
		send(FB.peer[0], pkt, NET_HDR_LEN + 103, 0);
		frame(pkt + NET_HDR_LEN, mcast, 104, 1);
		send(FB.peer[0], pkt, NET_HDR_LEN + 104, 0);
		virtio_net_backend_ready(N, 0, EPOLLIN);
		ok(th_used(&T, 0, &len[0]) && th_used(&T, 0, &len[1]) &&
		   len[0] == NET_HDR_LEN + 103 && len[1] == NET_HDR_LEN + 104,
		   "the table's address and multicast now pass");
		nb = htole32(1000);
		memcpy(tbl, &nb, 4);
		ok(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET,
			tbl, sizeof(tbl)) == VIRTIO_NET_ERR,
		   "a table claiming 1000 entries in 14 bytes: ERR");
	}
	teardown();

	/* Without mergeable buffers: one buffer per frame, too big dropped. */
	setup(1, 0, F(CTRL_VQ));
	post1(0, b, 1600, true);
	frame(pkt + NET_HDR_LEN, MAC, 2000, 5);
	memset(pkt, 0, NET_HDR_LEN);
	send(FB.peer[0], pkt, NET_HDR_LEN + 2000, 0);
	frame(pkt + NET_HDR_LEN, MAC, 1000, 6);
	send(FB.peer[0], pkt, NET_HDR_LEN + 1000, 0);
	virtio_net_backend_ready(N, 0, EPOLLIN);
	ok(th_used(&T, 0, &len[0]) && len[0] == NET_HDR_LEN + 1000 &&
	   !th_used(&T, 0, NULL) && virtio_net_stats(N)->rx_dropped == 1 &&
	   get16(hva(b) + VIRTIO_NET_HDR_NUM_BUFFERS) == 1 &&
	   !memcmp(hva(b) + NET_HDR_LEN, pkt + NET_HDR_LEN, 1000),
	   "no MRG_RXBUF: a 2000-byte frame for a 1600-byte buffer dropped, the next fits, num_buffers 1");
	/* A receive buffer too small for the header. */
	post1(0, b, 8, true);
	ok(th_used(&T, 0, &len[0]) && len[0] == 0 && !needs_reset(),
	   "an 8-byte receive buffer is returned empty");
	teardown();
}

/*
 * A frame that reached the backend before DRIVER_OK (its event came too
 * early, and an edge-triggered backend gives no second one) and receive
 * buffers the driver posted before DRIVER_OK (their kick is dropped):
 * DRIVER_OK brings them together, without waiting for another frame.
 */
static void test_rx_before_driver_ok(void)
{
	struct virtio_net_options o = { .pairs = 1 };
	u8 pkt[NET_HDR_LEN + 100];
	char err[256];
	int sv[2];
	u32 len;

	memset(&FB, 0, sizeof(FB));
	memset(next_desc, 0, sizeof(next_desc));
	FB.be.ops = &fake_ops;
	FB.be.nr_queues = 1;
	FB.be.sock = true;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
		abort();
	FB.be.fds[0] = sv[0];
	FB.peer[0] = sv[1];
	memcpy(o.mac, MAC, 6);
	th_init(&T);
	if (virtio_net_create(&N, &T.mem, "virtio-net.0", &FB.be, &o, err,
			      sizeof(err)) ||
	    virtio_pci_init(&VP, virtio_net_vdev(N), &T.host, &T.intx) ||
	    !th_find(&T, VIRTIO_ID_NET) ||
	    !(th_negotiate(&T, F(MRG_RXBUF)) & VIRTIO_STATUS_FEATURES_OK))
		abort();
	th_queue(&T, 0, QSIZE, NOVEC);
	th_queue(&T, 1, QSIZE, NOVEC);
	memset(pkt, 0, NET_HDR_LEN);
	frame(pkt + NET_HDR_LEN, MAC, 100, 4);
	send(FB.peer[0], pkt, sizeof(pkt), 0);
	virtio_net_backend_ready(N, 0, EPOLLIN);
	post1(0, TH_BUFS, 2048, true);
	ok(!th_used(&T, 0, NULL), "before DRIVER_OK: nothing received");
	th_driver_ok(&T);
	ok(th_used(&T, 0, &len) && len == sizeof(pkt) &&
	   !memcmp(hva(TH_BUFS) + NET_HDR_LEN, pkt + NET_HDR_LEN, 100),
	   "DRIVER_OK: the frame that waited arrives in the buffer posted before");
	teardown();
}

/*
 * A backend that always has frames (a host peer flooding the tap) must
 * not keep the thread that reads it: one call reads at most
 * VIRTIO_NET_RX_BUDGET frames, the rest wait for the next (the I/O loop
 * is asked to come back), so the I/O thread serves its other handlers
 * and a vCPU returns to its guest.
 */
static void test_rx_budget(void)
{
	u8 pkt[NET_HDR_LEN + 60];
	unsigned int i, sent = 0;
	int sz = 1 << 22;
	u64 before;

	setup(1, 0, F(CTRL_VQ));
	if (setsockopt(FB.peer[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)))
		abort();
	memset(pkt, 0, NET_HDR_LEN);
	frame(pkt + NET_HDR_LEN, MAC, 60, 8);
	for (i = 0; i < 3 * VIRTIO_NET_RX_BUDGET; i++)
		sent += send(FB.peer[0], pkt, sizeof(pkt), 0) > 0;
	/*
	 * A buffer too small for them, its kick a call: each frame is read
	 * and dropped.
	 */
	before = virtio_net_stats(N)->rx_dropped;
	post1(0, TH_BUFS, 40, true);
	ok(sent == 3 * VIRTIO_NET_RX_BUDGET &&
	   virtio_net_stats(N)->rx_dropped - before == VIRTIO_NET_RX_BUDGET,
	   "%u frames waiting: one call reads %u of them (%llu)", sent,
	   VIRTIO_NET_RX_BUDGET,
	   (unsigned long long)(virtio_net_stats(N)->rx_dropped - before));
	virtio_net_backend_ready(N, 0, EPOLLIN);
	virtio_net_backend_ready(N, 0, EPOLLIN);
	ok(virtio_net_stats(N)->rx_dropped - before == sent,
	   "the next calls take the rest");
	teardown();
}

/*
 * The same with the I/O loop running: after each batch the loop is asked
 * to come back (the backend is edge-triggered: no new frame, no new
 * event), so every frame is read without another one arriving.
 */
static void test_rx_budget_loop(void)
{
	static struct net_fake fb;
	struct io_loop loop;
	struct virtio_net *net;
	u8 pkt[NET_HDR_LEN + 60];
	unsigned int i, sent = 0, spins;
	int sz = 1 << 22;

	if (io_loop_init(&loop) || io_loop_start(&loop))
		abort();
	net = net_fake_pci(&T, &VP, &fb, true, &loop);
	if (!(th_negotiate(&T, F(CTRL_VQ)) & VIRTIO_STATUS_FEATURES_OK) ||
	    setsockopt(fb.peer, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)))
		abort();
	for (i = 0; i < 3; i++)
		th_queue(&T, i, QSIZE, NOVEC);
	th_driver_ok(&T);
	memset(pkt, 0, NET_HDR_LEN);
	frame(pkt + NET_HDR_LEN, MAC, 60, 9);
	for (i = 0; i < 3 * VIRTIO_NET_RX_BUDGET; i++)
		sent += send(fb.peer, pkt, sizeof(pkt), 0) > 0;
	/* The I/O thread saw them with no buffer: it waits for one. */
	usleep(20000);
	memset(next_desc, 0, sizeof(next_desc));
	post1(0, TH_BUFS, 40, true);
	for (spins = 0; spins < 2000 &&
	     virtio_net_stats(net)->rx_dropped < sent; spins++)
		usleep(1000);
	ok(virtio_net_stats(net)->rx_dropped == sent,
	   "with the I/O loop: all %u frames read, batch after batch (%llu)",
	   sent, (unsigned long long)virtio_net_stats(net)->rx_dropped);
	io_loop_stop(&loop);
	virtio_pci_destroy(&VP);
	virtio_net_destroy(net);
	th_fini(&T);
	io_loop_destroy(&loop);
}

/*
 * At p: a virtio-net header and an Ethernet/IPv4/UDP frame to MAC with n
 * bytes of data, its checksum left partial (NEEDS_CSUM; the field holds
 * the pseudo-header's sum), as a tap with TUN_F_CSUM builds it for a
 * datagram of the host's. Returns the length, header included.
 */
static size_t udp_partial(u8 *p, size_t n)
{
	u8 *f = p + NET_HDR_LEN, *ip = f + 14, *udp = ip + 20;
	size_t ulen = 8 + n;
	u32 s;

	memset(p, 0, NET_HDR_LEN);
	p[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	put16(p + VIRTIO_NET_HDR_CSUM_START, 34);
	put16(p + VIRTIO_NET_HDR_CSUM_OFFSET, 6);
	frame(f, MAC, 14 + 20 + ulen, 3);
	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[2] = (u8)((20 + ulen) >> 8);
	ip[3] = (u8)(20 + ulen);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (u8[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	s = (u32)~inet_fold(inet_sum(0, ip, 20)) & 0xffff;
	ip[10] = (u8)(s >> 8);
	ip[11] = (u8)s;
	udp[1] = 53;
	udp[3] = 99;
	udp[4] = (u8)(ulen >> 8);
	udp[5] = (u8)ulen;
	/* Pseudo-header: addresses, protocol, length. */
	s = inet_fold(inet_sum(17 + (u32)ulen, ip + 12, 8));
	udp[6] = (u8)(s >> 8);
	udp[7] = (u8)s;
	return NET_HDR_LEN + 14 + 20 + ulen;
}

/* Is the UDP checksum of the frame at f (after the header) complete? */
static bool udp_csum_ok(const u8 *f)
{
	const u8 *ip = f + 14, *udp = ip + 20;
	size_t ulen = (size_t)udp[4] << 8 | udp[5];

	return inet_fold(inet_sum(inet_sum(17 + (u32)ulen, ip + 12, 8), udp, ulen)) ==
	       0xffff && (udp[6] | udp[7]);
}

/* At p: a header for a TSO frame of gso type gso, and 2000 bytes. */
static size_t tso_frame(u8 *p, u8 gso)
{
	memset(p, 0, NET_HDR_LEN);
	p[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	p[VIRTIO_NET_HDR_GSO_TYPE] = gso;
	put16(p + VIRTIO_NET_HDR_HDR_LEN, 54);
	put16(p + VIRTIO_NET_HDR_GSO_SIZE, 1448);
	put16(p + VIRTIO_NET_HDR_CSUM_START, 34);
	put16(p + VIRTIO_NET_HDR_CSUM_OFFSET, 16);
	frame(p + NET_HDR_LEN, MAC, 2000, 7);
	return NET_HDR_LEN + 2000;
}

/* Post four 4 KiB receive buffers on queue 0 at TH_BUFS. */
static void rx_bufs(void)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		post1(0, TH_BUFS + i * 0x1000, 0x1000, true);
}

/*
 * Frames a backend built under offloads the driver no longer takes (a
 * tap keeps them queued across TUNSETOFFLOAD): after GUEST_OFFLOADS_SET
 * turns them off, or a device reset and a driver that never took them,
 * a segmented frame is dropped and a partial checksum completed, so the
 * driver never sees a gso_type or NEEDS_CSUM it did not accept.
 */
static void test_rx_offloads(void)
{
	u8 pkt[NET_HDR_LEN + 2000], *h;
	const struct virtio_net_stats *st;
	size_t n;
	u64 offl;
	u32 len;
	unsigned int i;

	setup(1, NET_OFF_CSUM | NET_OFF_TSO4 | NET_OFF_TSO6 | NET_OFF_ECN,
	      F(MRG_RXBUF) | F(CTRL_VQ) | F(GUEST_CSUM) | F(GUEST_TSO4) |
	      F(CTRL_GUEST_OFFLOADS));
	st = virtio_net_stats(N);
	h = hva(TH_BUFS);
	rx_bufs();
	n = tso_frame(pkt, VIRTIO_NET_HDR_GSO_TCPV4);
	send(FB.peer[0], pkt, n, 0);
	n = tso_frame(pkt, VIRTIO_NET_HDR_GSO_TCPV6);
	send(FB.peer[0], pkt, n, 0);
	n = tso_frame(pkt, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
	send(FB.peer[0], pkt, n, 0);
	n = udp_partial(pkt, 300);
	send(FB.peer[0], pkt, n, 0);
	virtio_net_backend_ready(N, 0, EPOLLIN);
	ok(th_used(&T, 0, &len) && len == NET_HDR_LEN + 2000 &&
	   h[VIRTIO_NET_HDR_GSO_TYPE] == VIRTIO_NET_HDR_GSO_TCPV4 &&
	   th_used(&T, 0, &len) && len == n &&
	   hva(TH_BUFS + 0x1000)[0] == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	   !th_used(&T, 0, NULL) && st->rx_offload_dropped == 2 &&
	   st->rx_csum_done == 0,
	   "TSO4 and checksum taken: a TSO4 frame and a partial checksum pass as built; TSO6, ECN dropped");

	/* The driver turns receive offloads off (as Linux does for XDP). */
	offl = 0;
	ok(ctrl(2, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
		VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &offl, 8) ==
	   VIRTIO_NET_OK && FB.offload == 0,
	   "GUEST_OFFLOADS_SET 0: the backend told");
	rx_bufs();
	/* What the backend built before it was told. */
	n = tso_frame(pkt, VIRTIO_NET_HDR_GSO_TCPV4);
	send(FB.peer[0], pkt, n, 0);
	n = udp_partial(pkt, 301);
	send(FB.peer[0], pkt, n, 0);
	virtio_net_backend_ready(N, 0, EPOLLIN);
	h = hva(TH_BUFS + 0x2000);
	ok(th_used(&T, 0, &len) && len == n && !th_used(&T, 0, NULL) &&
	   st->rx_offload_dropped == 3,
	   "offloads off: the TSO4 frame built before is dropped, counted");
	ok(h[VIRTIO_NET_HDR_FLAGS] == 0 &&
	   h[VIRTIO_NET_HDR_GSO_TYPE] == VIRTIO_NET_HDR_GSO_NONE &&
	   get16(h + VIRTIO_NET_HDR_NUM_BUFFERS) == 1 &&
	   udp_csum_ok(h + NET_HDR_LEN) && st->rx_csum_done == 1 &&
	   !memcmp(h + NET_HDR_LEN + 42, pkt + NET_HDR_LEN + 42, 301),
	   "offloads off: the partial checksum is completed, NEEDS_CSUM cleared, payload intact");

	/* A reset, and a driver that takes no offloads. */
	FB.offload = NET_OFF_CSUM;
	mwr(&T, TC(&T, STATUS), 1, 0);
	ok(FB.offload == 0, "device reset: the backend is told no offloads");
	memset(next_desc, 0, sizeof(next_desc));
	memset(hva(TH_QAREA(0)), 0, 3 * 0x4000);
	if (!(th_negotiate(&T, F(MRG_RXBUF)) & VIRTIO_STATUS_FEATURES_OK))
		abort();
	for (i = 0; i < 3; i++)
		th_queue(&T, i, QSIZE, NOVEC);
	th_driver_ok(&T);
	rx_bufs();
	n = tso_frame(pkt, VIRTIO_NET_HDR_GSO_TCPV4);
	send(FB.peer[0], pkt, n, 0);
	n = udp_partial(pkt, 302);
	pkt[VIRTIO_NET_HDR_FLAGS] |= VIRTIO_NET_HDR_F_DATA_VALID;
	send(FB.peer[0], pkt, n, 0);
	virtio_net_backend_ready(N, 0, EPOLLIN);
	h = hva(TH_BUFS);
	ok(th_used(&T, 0, &len) && len == n && !th_used(&T, 0, NULL) &&
	   h[VIRTIO_NET_HDR_FLAGS] == VIRTIO_NET_HDR_F_DATA_VALID &&
	   h[VIRTIO_NET_HDR_GSO_TYPE] == VIRTIO_NET_HDR_GSO_NONE &&
	   udp_csum_ok(h + NET_HDR_LEN) && st->rx_offload_dropped == 4 &&
	   st->rx_csum_done == 2,
	   "reset, a driver without offloads: TSO4 dropped, the checksum completed (DATA_VALID kept)");
	teardown();
}

/*
 * A frame that reached a pair's backend while the pair was not in use
 * (its event was ignored, and an edge-triggered backend gives no second
 * one) and receive buffers posted then (their kick ignored):
 * VQ_PAIRS_SET that turns the pair on brings them together, without
 * waiting for another frame.
 */
static void test_pairs_set_waiting(void)
{
	u8 pkt[NET_HDR_LEN + 100];
	u16 pairs;
	u32 len;

	setup(2, 0, F(MRG_RXBUF) | F(CTRL_VQ) | F(MQ));
	post1(2, TH_BUFS, 2048, true);
	memset(pkt, 0, NET_HDR_LEN);
	frame(pkt + NET_HDR_LEN, MAC, 100, 5);
	send(FB.peer[1], pkt, sizeof(pkt), 0);
	virtio_net_backend_ready(N, 1, EPOLLIN);
	ok(!th_used(&T, 2, NULL), "pair 1 not in use: its frame waits");
	pairs = htole16(2);
	ok(ctrl(4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		&pairs, 2) == VIRTIO_NET_OK, "VQ_PAIRS_SET 2: OK");
	ok(th_used(&T, 2, &len) && len == sizeof(pkt) &&
	   !memcmp(hva(TH_BUFS) + NET_HDR_LEN, pkt + NET_HDR_LEN, 100),
	   "VQ_PAIRS_SET 2: the frame that waited arrives on receiveq 1");
	teardown();
}

static void test_ctrl(void)
{
	u8 junk[64] = { 0 };
	u16 pairs;
	u64 offl;
	unsigned int i, errs = 0;

	setup(2, NET_OFF_CSUM | NET_OFF_TSO4,
	      F(MRG_RXBUF) | F(CTRL_VQ) | F(CTRL_RX) | F(MQ) | F(CSUM) |
	      F(GUEST_CSUM) | F(GUEST_TSO4) | F(CTRL_GUEST_OFFLOADS));
	ok((th_device_features(&T) & F(MQ)) &&
	   mrd(&T, T.device + VIRTIO_NET_CFG_MAX_PAIRS, 2) == 2 &&
	   virtio_net_active_pairs(N) == 1 && FB.queues == 1,
	   "2 pairs: MQ offered, max_virtqueue_pairs 2, 1 in use at first");
	pairs = htole16(2);
	ok(ctrl(4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		&pairs, 2) == VIRTIO_NET_OK &&
	   virtio_net_active_pairs(N) == 2 && FB.queues == 2,
	   "VQ_PAIRS_SET 2: both pairs, the backend told");
	pairs = htole16(3);
	ok(ctrl(4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
		&pairs, 2) == VIRTIO_NET_ERR &&
	   virtio_net_active_pairs(N) == 2,
	   "VQ_PAIRS_SET 3 of 2: ERR, unchanged");
	{
		u8 pkt[200];
		u32 len;

		memset(pkt, 0, NET_HDR_LEN);
		frame(pkt + NET_HDR_LEN, MAC, 100, 1);
		post1(2, TH_BUFS, 2048, true);
		send(FB.peer[1], pkt, NET_HDR_LEN + 100, 0);
		virtio_net_backend_ready(N, 1, EPOLLIN);
		ok(th_used(&T, 2, &len) && len == NET_HDR_LEN + 100 &&
		   !th_used(&T, 0, NULL),
		   "a frame on the backend's second queue arrives on receiveq 1");
	}
	offl = htole64(F(GUEST_CSUM));
	ok(ctrl(4, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
		VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &offl, 8) ==
	   VIRTIO_NET_OK && FB.offload == NET_OFF_CSUM,
	   "GUEST_OFFLOADS_SET checksum only: the backend told");
	offl = htole64(F(GUEST_TSO6) | F(GUEST_CSUM));
	ok(ctrl(4, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
		VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &offl, 8) ==
	   VIRTIO_NET_ERR && FB.offload == NET_OFF_CSUM,
	   "GUEST_OFFLOADS_SET with TSO6, not negotiated: ERR");
	ok(ctrl(4, 99, 0, junk, 4) == VIRTIO_NET_ERR &&
	   ctrl(4, VIRTIO_NET_CTRL_RX, 7, junk, 1) == VIRTIO_NET_ERR &&
	   ctrl(4, VIRTIO_NET_CTRL_RX, 0, junk, 0) == VIRTIO_NET_ERR &&
	   ctrl(4, VIRTIO_NET_CTRL_MQ, 0, junk, 1) == VIRTIO_NET_ERR,
	   "unknown class, unknown command, missing or short data: ERR");
	/* A chain without a writable ack byte. */
	post1(4, TH_BUFS, 2, false);
	ok(th_used(&T, 4, NULL) && !needs_reset(),
	   "a command without an ack buffer is returned");
	for (i = 0; i < 200; i++)
		errs += ctrl(4, (u8)i, (u8)(i * 3), junk, i % 40) ==
			VIRTIO_NET_ERR;
	ok(errs >= 190 && !needs_reset() &&
	   ctrl(4, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, junk, 1) ==
	   VIRTIO_NET_OK,
	   "200 junk commands: refused (%u), the queue still works", errs);
	/* A reset puts the pairs back to one. */
	mwr(&T, TC(&T, STATUS), 1, 0);
	ok(virtio_net_active_pairs(N) == 1 && FB.queues == 1,
	   "device reset: one pair again, in the backend too");
	teardown();
}

static void test_default_mac(void)
{
	u8 a[6], b[6], c[6];

	virtio_net_default_mac("guest-1", 0, a);
	virtio_net_default_mac("guest-1", 0, b);
	virtio_net_default_mac("guest-1", 1, c);
	ok(!memcmp(a, b, 6) && memcmp(a, c, 6) && a[0] == 0x02,
	   "default MAC: stable per name and index, locally administered unicast");
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_features();
	test_tx();
	test_rx();
	test_rx_before_driver_ok();
	test_rx_budget();
	test_rx_budget_loop();
	test_rx_offloads();
	test_ctrl();
	test_pairs_set_waiting();
	test_default_mac();
	return tap_done();
}
