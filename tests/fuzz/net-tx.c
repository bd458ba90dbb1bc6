// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: virtio-net's transmit path, control queue and receive
 * path (virtio/net.c) over a backend of datagram socket pairs, with
 * fuzz-chosen features. The input is a story of records: a frame to send
 * (header and bytes fuzz-controlled, split over 1-3 descriptors), a
 * control command, a frame from the backend with receive buffers of
 * fuzz-chosen sizes, a device reset.
 *
 * Invariants (a report and abort() when broken): every transmit and
 * control chain is returned at once; an ack is VIRTIO_NET_OK or _ERR;
 * every frame that reaches the backend carries a header that asks only
 * for what was negotiated, with its checksum position inside the frame,
 * no longer than the MTU (64 KiB with TSO) and num_buffers 0; a
 * successful VQ_PAIRS_SET leaves that many pairs active; a receive
 * buffer is never reported holding more than it has; well-formed chains
 * never make the device ask for a reset.
 *
 * Input: byte 0 features (bit0 CSUM, bit1 HOST_TSO4, bit2 HOST_TSO6,
 * bit3 HOST_ECN, bit4 MRG_RXBUF, bit5 MQ with 2 pairs, bit6 CTRL_RX,
 * bit7 CTRL_GUEST_OFFLOADS), then records: u8 kind (bits 0-1: 0 transmit,
 * 1 control, 2 receive, 3 reset; bits 2-7: shape), u16 length (le), then
 * that many bytes (a transmit record's first 12 are its header).
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "virtio/net.h"
#include "split-ring.h"

#define RAM_GPA		0x10000ULL
#define RAM_SIZE	0x100000ULL
#define QSIZE		64
#define QAREA(q)	(RAM_GPA + 0x3000ULL * (q))
#define BUFS		(RAM_GPA + 0x20000ULL)
#define F(b)		VIRTIO_BIT(VIRTIO_NET_F_##b)

static u8 *ram;
static struct guest_mem mem;

struct drv {
	struct virtio_net *net;
	struct virtio_device *vdev;
	struct net_backend be;
	int peer[2];
	unsigned int nq;	/* queues */
	u64 features;
	u16 avail[5], used[5];
};

static void *hva(u64 gpa)
{
	return ram + (gpa - RAM_GPA);
}

static void sig_used(struct virtio_device *vdev, struct virtq *vq)
{
}

static void sig_config(struct virtio_device *vdev)
{
}

static const struct virtio_transport_ops transport = {
	.name = "fuzz", .signal_used = sig_used, .signal_config = sig_config,
};

static void fake_close(struct net_backend *be)
{
}

static const struct net_backend_ops fake_ops = {
	.name = "fuzz", .close = fake_close,
};

#define BROKEN(...)							\
	do {								\
		fprintf(stderr, "net-tx: " __VA_ARGS__);		\
		fprintf(stderr, "\n");					\
		abort();						\
	} while (0)

static void desc(unsigned int q, u16 i, u64 addr, u32 len, u16 flags,
		 u16 next)
{
	split_desc_put(hva(QAREA(q) + 16ULL * i), addr, len, flags, next);
}

static void make_avail(struct drv *d, unsigned int q, u16 head)
{
	split_avail_put(hva(QAREA(q) + 0x1000), &d->avail[q], QSIZE, head);
}

/* Used entries since last time: their count; lens[] (up to max). */
static unsigned int reap(struct drv *d, unsigned int q, u32 *lens,
			 unsigned int max)
{
	u8 *us = hva(QAREA(q) + 0x2000);
	u16 idx = le16toh(__atomic_load_n((u16 *)(us + 2), __ATOMIC_ACQUIRE));
	unsigned int n = 0;
	u32 l;

	while (d->used[q] != idx) {
		memcpy(&l, us + 4 + 8 * (d->used[q] % QSIZE) + 4, 4);
		if (n < max)
			lens[n] = le32toh(l);
		n++;
		d->used[q]++;
	}
	return n;
}

static void start(struct drv *d)
{
	struct virtio_device *v = d->vdev;
	u8 st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	u64 f = d->features | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	unsigned int q;

	memset(d->avail, 0, sizeof(d->avail));
	memset(d->used, 0, sizeof(d->used));
	memset(ram, 0, 0x10000);
	virtio_set_status(v, 0);
	virtio_set_status(v, st);
	virtio_set_driver_features(v, 0, (u32)f);
	virtio_set_driver_features(v, 1, (u32)(f >> 32));
	virtio_set_status(v, st |= VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_get_status(v) & VIRTIO_STATUS_FEATURES_OK))
		BROKEN("features %llx refused", (unsigned long long)f);
	for (q = 0; q < d->nq; q++) {
		virtio_queue_set_size(v, q, QSIZE);
		virtio_queue_set_addr(v, q, VIRTIO_AREA_DESC, QAREA(q));
		virtio_queue_set_addr(v, q, VIRTIO_AREA_DRIVER,
				      QAREA(q) + 0x1000);
		virtio_queue_set_addr(v, q, VIRTIO_AREA_DEVICE,
				      QAREA(q) + 0x2000);
		virtio_queue_set_ready(v, q, true);
	}
	virtio_set_status(v, st | VIRTIO_STATUS_DRIVER_OK);
}

/* A frame the device handed the backend: does it keep the rules? */
static void check_sent(struct drv *d, const u8 *b, size_t n)
{
	u64 f = d->features;
	u8 flags = b[0], gso = b[1];
	u16 cs, co, nb;
	size_t len = n - NET_HDR_LEN;

	if (n < NET_HDR_LEN + 14)
		BROKEN("a %zu-byte frame sent", n);
	memcpy(&cs, b + 6, 2);
	memcpy(&co, b + 8, 2);
	memcpy(&nb, b + 10, 2);
	if (flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM || nb)
		BROKEN("header flags %#x, num_buffers %u sent", flags, nb);
	if (flags && (!(f & F(CSUM)) ||
		      (size_t)le16toh(cs) + le16toh(co) + 2 > len))
		BROKEN("a partial checksum at %u+%u of %zu sent",
		       le16toh(cs), le16toh(co), len);
	if ((gso & VIRTIO_NET_HDR_GSO_ECN) && !(f & F(HOST_ECN)))
		BROKEN("ECN sent without HOST_ECN");
	switch (gso & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (len > 1518)
			BROKEN("a %zu-byte frame without TSO sent", len);
		return;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!(f & F(HOST_TSO4)))
			BROKEN("TSO4 sent without HOST_TSO4");
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!(f & F(HOST_TSO6)))
			BROKEN("TSO6 sent without HOST_TSO6");
		break;
	default:
		BROKEN("gso_type %#x sent", gso);
	}
	if (len > VIRTIO_NET_MAX_GSO_FRAME || !flags)
		BROKEN("a TSO frame of %zu bytes, flags %#x sent", len, flags);
}

static void do_tx(struct drv *d, u8 shape, const u8 *p, size_t n)
{
	static u8 got[70000];
	u64 buf = BUFS;
	u32 cut1, cut2, lens[4];
	unsigned int nd = 1 + shape % 3;
	ssize_t r;

	memcpy(hva(buf), p, n);
	cut1 = nd > 1 ? (u32)MIN(n, (size_t)(shape >> 2) * 3) : (u32)n;
	cut2 = nd > 2 ? (u32)MIN(n, (size_t)cut1 + (shape >> 4) * 40) :
		(u32)n;
	desc(1, 0, buf, cut1, nd > 1 ? VIRTQ_DESC_F_NEXT : 0, 1);
	if (nd > 1)
		desc(1, 1, buf + cut1, cut2 - cut1,
		     nd > 2 ? VIRTQ_DESC_F_NEXT : 0, 2);
	if (nd > 2)
		desc(1, 2, buf + cut2, (u32)n - cut2, 0, 0);
	make_avail(d, 1, 0);
	virtio_queue_notify(d->vdev, 1);
	if (reap(d, 1, lens, 4) != 1)
		BROKEN("a transmit chain not returned");
	while ((r = recv(d->peer[0], got, sizeof(got), MSG_DONTWAIT)) >= 0)
		check_sent(d, got, (size_t)r);
}

static void do_ctrl(struct drv *d, u8 shape, const u8 *p, size_t n)
{
	unsigned int q = d->nq - 1;
	u64 buf = BUFS, ack = BUFS + 0x1000;
	u8 *a = hva(ack);
	u16 pairs;
	u32 lens[4];

	n = MIN(n, (size_t)0x1000);
	memcpy(hva(buf), p, n);
	*a = 0xee;
	desc(q, 0, buf, (u32)n, VIRTQ_DESC_F_NEXT, 1);
	desc(q, 1, ack, 1 + (shape & 3), VIRTQ_DESC_F_WRITE, 0);
	make_avail(d, q, 0);
	virtio_queue_notify(d->vdev, q);
	if (reap(d, q, lens, 4) != 1)
		BROKEN("a control chain not returned");
	/* The ack is the last writable byte. */
	a += shape & 3;
	if (*a != VIRTIO_NET_OK && *a != VIRTIO_NET_ERR)
		BROKEN("ack %#x", *a);
	if (*a == VIRTIO_NET_OK && n == 4 && p[0] == VIRTIO_NET_CTRL_MQ) {
		memcpy(&pairs, p + 2, 2);
		if (virtio_net_active_pairs(d->net) != le16toh(pairs))
			BROKEN("VQ_PAIRS_SET %u OK, %u active", le16toh(pairs),
			       virtio_net_active_pairs(d->net));
	}
}

static void do_rx(struct drv *d, u8 shape, const u8 *p, size_t n)
{
	u32 size[4], lens[8];
	unsigned int i, nb = 1 + (shape & 3), got;

	/* Never more buffers out than the ring holds. */
	if ((u16)(d->avail[0] - d->used[0]) + nb > QSIZE ||
	    send(d->peer[0], p, n, MSG_DONTWAIT) < 0)
		return;
	for (i = 0; i < nb; i++) {
		size[i] = 8 + ((shape >> 2) * 131 + i * 977) % 3000;
		desc(0, (u16)(d->avail[0] % QSIZE), BUFS + 0x10000 + i * 0x1000,
		     size[i], VIRTQ_DESC_F_WRITE, 0);
		make_avail(d, 0, (u16)((d->avail[0]) % QSIZE));
	}
	virtio_queue_notify(d->vdev, 0);
	virtio_net_backend_ready(d->net, 0, EPOLLIN);
	got = reap(d, 0, lens, 8);
	for (i = 0; i < got && i < 8; i++)
		if (lens[i] > 3008)
			BROKEN("a receive buffer reported with %u bytes",
			       lens[i]);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u64 bits[8] = {
		F(CSUM), F(HOST_TSO4), F(HOST_TSO6), F(HOST_ECN),
		F(MRG_RXBUF), F(MQ), F(CTRL_RX), F(CTRL_GUEST_OFFLOADS),
	};
	struct virtio_net_options o = { .mac = { 2, 0, 0, 0, 0, 1 } };
	struct drv d = { 0 };
	unsigned int i, pairs;
	size_t pos = 1;
	char err[256];
	int sv[2];

	if (!ram) {
		log_set_level(LOG_ERROR);
		ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ram == MAP_FAILED ||
		    guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram, false))
			abort();
	}
	if (!size)
		return 0;
	for (i = 0; i < 8; i++)
		if (data[0] & (1 << i))
			d.features |= bits[i];
	/* The spec's dependencies, so FEATURES_OK holds. */
	if (d.features & (F(HOST_TSO4) | F(HOST_TSO6)))
		d.features |= F(CSUM);
	if ((d.features & F(HOST_ECN)) &&
	    !(d.features & (F(HOST_TSO4) | F(HOST_TSO6))))
		d.features &= ~F(HOST_ECN);
	d.features |= F(CTRL_VQ);
	pairs = d.features & F(MQ) ? 2 : 1;
	d.nq = 2 * pairs + 1;
	d.be.ops = &fake_ops;
	d.be.nr_queues = pairs;
	d.be.sock = true;
	d.be.offloads = NET_OFF_CSUM | NET_OFF_TSO4 | NET_OFF_TSO6 |
			NET_OFF_ECN;
	for (i = 0; i < pairs; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
			abort();
		d.be.fds[i] = sv[0];
		d.peer[i] = sv[1];
	}
	o.pairs = pairs;
	o.queue_size = QSIZE;
	if (virtio_net_create(&d.net, &mem, "virtio-net.0", &d.be, &o, err,
			      sizeof(err)))
		abort();
	d.vdev = virtio_net_vdev(d.net);
	virtio_device_set_transport(d.vdev, &transport, NULL);
	start(&d);
	while (pos + 3 <= size) {
		u8 kind = data[pos];
		size_t n = data[pos + 1] | (size_t)data[pos + 2] << 8;

		pos += 3;
		n = MIN(n, size - pos);
		switch (kind & 3) {
		case 0:
			do_tx(&d, kind >> 2, data + pos, n);
			break;
		case 1:
			do_ctrl(&d, kind >> 2, data + pos, n);
			break;
		case 2:
			do_rx(&d, kind >> 2, data + pos, n);
			break;
		default:
			start(&d);
			break;
		}
		pos += n;
		if (virtio_get_status(d.vdev) &
		    VIRTIO_STATUS_DEVICE_NEEDS_RESET)
			BROKEN("the device asked for a reset");
	}
	virtio_net_destroy(d.net);
	for (i = 0; i < pairs; i++) {
		close(d.be.fds[i]);
		close(d.peer[i]);
	}
	return 0;
}
