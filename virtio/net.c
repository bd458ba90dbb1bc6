// SPDX-License-Identifier: GPL-2.0
/* virtio-net. See include/virtio/net.h. */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iov.h"
#include "log.h"
#include "virtio/net.h"
#include "net-int.h"

/* What the I/O thread watches a backend's descriptor for. */
#define NET_EVENTS	(EPOLLIN | EPOLLOUT | EPOLLET)

/* Iovecs for one frame: a readv or writev takes at most UIO_MAXIOV. */
#define NET_IOV_MAX	UIO_MAXIOV

struct net_rxq {
	/* Chains popped and not used yet: a ring of held[head .. +nr). */
	struct virtq_chain held[VIRTIO_NET_RX_HELD];
	unsigned int head, nr;
};

struct net_txq {
	struct virtq_chain chain;
	bool held;		/* chain waits for the backend to take it */
};

struct net_pair {
	struct virtio_net *net;
	unsigned int index;
	struct io_handler handler;
	bool polled;
	struct net_rxq rx;	/* under the receive queue's lock */
	struct net_txq tx;	/* under the transmit queue's lock */
	struct iovec iov[NET_IOV_MAX];	/* rx: under the rx lock */
	struct iovec txiov[NET_IOV_MAX];	/* tx: under the tx lock */
};

struct net_filter {
	pthread_mutex_t lock;
	bool promisc, allmulti;
	bool uni_overflow, multi_overflow;	/* table too long: accept all */
	unsigned int nr_uni, nr_multi;
	u8 uni[VIRTIO_NET_MAC_TABLE][6];
	u8 multi[VIRTIO_NET_MAC_TABLE][6];
};

struct virtio_net {
	struct virtio_device vdev;
	struct net_backend *be;
	struct io_loop *loop;
	u8 config[VIRTIO_NET_CFG_LEN];
	u8 mac[6];		/* the filter's own address (under filter) */
	u16 mtu;
	unsigned int pairs;
	atomic_uint active;	/* pairs in use */
	/*
	 * Offloads (NET_OFF_*) the driver takes now: none before DRIVER_OK,
	 * then as negotiated, then as GUEST_OFFLOADS_SET says. Changed with
	 * every receive queue locked, so a frame is read and checked under
	 * one value (net_rx_hdr_check()).
	 */
	atomic_uint rx_off;
	struct net_filter filter;
	struct virtq_chain ctrl_chain;	/* under the control queue's lock */
	struct virtio_net_stats stats;
	struct net_pair *pair;	/* pairs of them */
};

static inline unsigned int ctrl_index(const struct virtio_net *net)
{
	return 2 * net->pairs;
}

static u64 net_features(struct virtio_device *vdev)
{
	struct virtio_net *net = vdev->priv;
	unsigned int off = net->be->offloads;
	u64 f = VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
		VIRTIO_BIT(VIRTIO_NET_F_MTU) |
		VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) |
		VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) |
		VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) |
		VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR);

	if (net->pairs > 1)
		f |= VIRTIO_BIT(VIRTIO_NET_F_MQ);
	if (off & NET_OFF_CSUM) {
		f |= VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
		     VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |
		     VIRTIO_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
		if (off & NET_OFF_TSO4)
			f |= VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |
			     VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4);
		if (off & NET_OFF_TSO6)
			f |= VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |
			     VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6);
		if (off & (NET_OFF_TSO4 | NET_OFF_TSO6) && off & NET_OFF_ECN)
			f |= VIRTIO_BIT(VIRTIO_NET_F_HOST_ECN) |
			     VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN);
	}
	return f;
}

/* The spec's dependencies between the bits (5.1.3.1). */
static bool net_features_ok(struct virtio_device *vdev, u64 f)
{
#define H(b) (!!(f & VIRTIO_BIT(VIRTIO_NET_F_##b)))
	if ((H(GUEST_TSO4) || H(GUEST_TSO6)) && !H(GUEST_CSUM))
		return false;
	if (H(GUEST_ECN) && !H(GUEST_TSO4) && !H(GUEST_TSO6))
		return false;
	if ((H(HOST_TSO4) || H(HOST_TSO6)) && !H(CSUM))
		return false;
	if (H(HOST_ECN) && !H(HOST_TSO4) && !H(HOST_TSO6))
		return false;
	if ((H(CTRL_RX) || H(MQ) || H(CTRL_MAC_ADDR) ||
	     H(CTRL_GUEST_OFFLOADS)) && !H(CTRL_VQ))
		return false;
	return true;
#undef H
}

/* NET_OFF_* from the GUEST_* feature bits in f. */
static unsigned int guest_offloads(u64 f)
{
	unsigned int off = 0;

	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM))
		off |= NET_OFF_CSUM;
	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4))
		off |= NET_OFF_TSO4;
	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))
		off |= NET_OFF_TSO6;
	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN))
		off |= NET_OFF_ECN;
	return off;
}

/* rx_off = off, between two frames of every receive queue. */
static void net_set_rx_off(struct virtio_net *net, unsigned int off)
{
	unsigned int i;

	for (i = 0; i < net->pairs; i++)
		virtq_lock(&net->vdev.vqs[2 * i]);
	atomic_store(&net->rx_off, off);
	for (i = net->pairs; i--; )
		virtq_unlock(&net->vdev.vqs[2 * i]);
}

static int net_set_pairs(struct virtio_net *net, unsigned int n)
{
	int err = 0;

	if (net->be->ops->set_queues)
		err = net->be->ops->set_queues(net->be, n);
	if (!err)
		atomic_store(&net->active, n);
	return err;
}

/* --- Transmit --- */

static size_t net_max_frame(const struct virtio_net *net, bool gso)
{
	return gso ? VIRTIO_NET_MAX_GSO_FRAME : (size_t)net->mtu + 14 + 4;
}

/*
 * Check a guest's header against what was negotiated and the frame's
 * length. NULL if fine, else why not (for the log line).
 */
static const char *tx_check(const struct virtio_net *net, const u8 *h,
			    size_t len)
{
	const struct virtio_device *vdev = &net->vdev;
	u8 flags = h[VIRTIO_NET_HDR_FLAGS], gso = h[VIRTIO_NET_HDR_GSO_TYPE];
	u16 v, cs, co;

	if (flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return "unknown header flags";
	if (len < 14)
		return "frame shorter than an Ethernet header";
	if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_CSUM))
			return "checksum offload not negotiated";
		memcpy(&v, h + VIRTIO_NET_HDR_CSUM_START, 2);
		cs = le16toh(v);
		memcpy(&v, h + VIRTIO_NET_HDR_CSUM_OFFSET, 2);
		co = le16toh(v);
		if ((size_t)cs + co + 2 > len)
			return "checksum position beyond the frame";
	}
	if (gso & VIRTIO_NET_HDR_GSO_ECN &&
	    !virtio_has_feature(vdev, VIRTIO_NET_F_HOST_ECN))
		return "ECN not negotiated";
	switch (gso & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (gso)
			return "ECN without segmentation";
		if (len > net_max_frame(net, false))
			return "frame longer than the MTU";
		return NULL;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_HOST_TSO4))
			return "TSO4 not negotiated";
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_HOST_TSO6))
			return "TSO6 not negotiated";
		break;
	default:
		return "unknown gso_type";
	}
	if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return "segmentation without a partial checksum";
	memcpy(&v, h + VIRTIO_NET_HDR_GSO_SIZE, 2);
	if (!le16toh(v))
		return "gso_size 0";
	memcpy(&v, h + VIRTIO_NET_HDR_HDR_LEN, 2);
	if (le16toh(v) > len)
		return "hdr_len beyond the frame";
	if (len > net_max_frame(net, true))
		return "frame longer than 64 KiB";
	return NULL;
}

/*
 * Send the held chain. 1: sent or dropped (push it); 0: the backend is
 * full (keep it, wait for EPOLLOUT).
 */
static int tx_one(struct virtio_net *net, struct net_pair *p)
{
	struct virtq_chain *ch = &p->tx.chain;
	u8 hdr[NET_HDR_LEN];
	const char *why;
	size_t len;
	ssize_t n;
	int cnt;

	if (ch->out_len < NET_HDR_LEN) {
		why = "chain shorter than the header";
		goto drop;
	}
	len = ch->out_len - NET_HDR_LEN;
	/* The header is read once; the guest cannot change it after. */
	virtq_chain_read(ch, 0, hdr, NET_HDR_LEN);
	why = tx_check(net, hdr, len);
	if (why)
		goto drop;
	memset(hdr + VIRTIO_NET_HDR_NUM_BUFFERS, 0, 2);
	p->txiov[0].iov_base = hdr;
	p->txiov[0].iov_len = NET_HDR_LEN;
	cnt = iov_slice(ch->iov, ch->nr_out, NET_HDR_LEN, SIZE_MAX,
			p->txiov + 1, NET_IOV_MAX - 1);
	if (cnt < 0) {
		why = "too many buffers in the chain";
		goto drop;
	}
	do {
		n = writev(net->be->fds[p->index], p->txiov, cnt + 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0) {
		/* A tap that is down, a full socket buffer: the frame is lost. */
		pr_debug("%s: backend write: %s", net->vdev.name,
			 strerror(errno));
		net->stats.tx_dropped++;
		return 1;
	}
	net->stats.tx_frames++;
	net->stats.tx_bytes += len;
	net->stats.pair_tx[p->index]++;
	return 1;
drop:
	net->stats.tx_dropped++;
	pr_warn_ratelimited("%s: transmit queue %u: frame dropped: %s",
			    net->vdev.name, p->index, why);
	return 1;
}

/* Transmit queue of pair p, its lock held. */
static void net_tx(struct virtio_net *net, struct net_pair *p,
		   struct virtq *vq)
{
	unsigned int done = 0;

	for (;;) {
		if (!p->tx.held) {
			if (virtq_pop(vq, &p->tx.chain) != 1)
				break;
			p->tx.held = true;
		}
		if (!tx_one(net, p))
			break;
		virtq_push(vq, &p->tx.chain, 0);
		p->tx.held = false;
		/* Batches of used buffers, one interrupt each. */
		if (++done % 64 == 0)
			virtio_queue_signal(vq);
	}
	if (done % 64)
		virtio_queue_signal(vq);
}

/* --- Receive --- */

static bool mac_in(const u8 (*table)[6], unsigned int n, const u8 *mac)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!memcmp(table[i], mac, 6))
			return true;
	return false;
}

/* Is a frame for destination dst wanted by the driver's filter? */
static bool rx_wanted(struct virtio_net *net, const u8 *dst)
{
	struct net_filter *f = &net->filter;
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	bool ok;

	pthread_mutex_lock(&f->lock);
	if (f->promisc || !memcmp(dst, bcast, 6))
		ok = true;
	else if (dst[0] & 1)
		ok = f->allmulti || f->multi_overflow ||
		     mac_in(f->multi, f->nr_multi, dst);
	else
		ok = !memcmp(dst, net->mac, 6) || f->uni_overflow ||
		     mac_in(f->uni, f->nr_uni, dst);
	pthread_mutex_unlock(&f->lock);
	return ok;
}

static inline struct virtq_chain *rx_held(struct net_rxq *q, unsigned int i)
{
	return &q->held[(q->head + i) % VIRTIO_NET_RX_HELD];
}

/*
 * Hold chains from vq until they can take the largest frame the driver
 * may get (one chain without mergeable buffers).
 */
static void rx_fill(struct virtio_net *net, struct net_rxq *q,
		      struct virtq *vq, bool mrg, size_t want)
{
	size_t cap = 0;
	unsigned int i;

	for (i = 0; i < q->nr; i++)
		cap += rx_held(q, i)->in_len;
	while (cap < want && q->nr < (mrg ? VIRTIO_NET_RX_HELD : 1U)) {
		struct virtq_chain *ch = rx_held(q, q->nr);

		if (virtq_pop(vq, ch) != 1)
			break;
		if (ch->in_len < NET_HDR_LEN) {
			/* Too small for the header: nothing to put there. */
			pr_warn_ratelimited("%s: receive buffer of %llu bytes dropped",
					    net->vdev.name,
					    (unsigned long long)ch->in_len);
			virtq_push(vq, ch, 0);
			continue;
		}
		cap += ch->in_len;
		q->nr++;
	}
}

/*
 * The first nr held chains' writable buffers as one array, as many whole
 * chains as it takes (UIO_MAXIOV iovecs); its length, and in *cap the
 * bytes those chains hold.
 */
static int rx_iov(struct net_pair *p, unsigned int nr, size_t *cap)
{
	struct net_rxq *q = &p->rx;
	unsigned int i, cnt = 0;

	*cap = 0;
	for (i = 0; i < nr; i++) {
		const struct virtq_chain *ch = rx_held(q, i);

		if (ch->nr_in > NET_IOV_MAX - cnt)
			break;
		memcpy(p->iov + cnt, ch->iov + ch->nr_out,
		       ch->nr_in * sizeof(*p->iov));
		cnt += ch->nr_in;
		*cap += ch->in_len;
	}
	return cnt;
}

static ssize_t rx_read(struct virtio_net *net, struct net_pair *p, int cnt)
{
	int fd = net->be->fds[p->index];
	ssize_t n;

	do {
		if (net->be->sock) {
			struct msghdr m = { .msg_iov = p->iov,
					    .msg_iovlen = cnt };

			n = recvmsg(fd, &m, MSG_TRUNC | MSG_DONTWAIT);
		} else {
			n = readv(fd, p->iov, cnt);
		}
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* Give the first chains of a frame of len bytes to the driver. */
static void rx_deliver(struct virtio_net *net, struct net_rxq *q,
		       struct virtq *vq, size_t len)
{
	struct virtq_chain *first = rx_held(q, 0);
	u16 nbuf = 0, v;
	size_t left = len;

	while (left) {
		struct virtq_chain *ch = rx_held(q, nbuf);
		size_t n = MIN(left, (size_t)ch->in_len);

		left -= n;
		nbuf++;
	}
	v = htole16(nbuf);
	iov_from_buf(first->iov + first->nr_out, first->nr_in,
		     VIRTIO_NET_HDR_NUM_BUFFERS, &v, 2);
	left = len;
	while (left) {
		struct virtq_chain *ch = rx_held(q, 0);
		size_t n = MIN(left, (size_t)ch->in_len);

		virtq_push(vq, ch, (u32)n);
		left -= n;
		q->head = (q->head + 1) % VIRTIO_NET_RX_HELD;
		q->nr--;
	}
}

/*
 * Frames are left in the backend after a batch: have the I/O thread come
 * back for them once its other handlers had their turn (epoll looks at
 * the descriptor anew). Without a loop (tests) the next call takes them.
 */
static void net_rx_later(struct virtio_net *net, struct net_pair *p)
{
	int err;

	if (!p->polled)
		return;
	err = io_loop_mod(net->loop, &p->handler, NET_EVENTS);
	if (err)
		pr_warn_ratelimited("%s: cannot wake the I/O thread: %s",
				    net->vdev.name, strerror(-err));
}

/*
 * Receive queue of pair p, its lock held: drain the backend, at most
 * VIRTIO_NET_RX_BUDGET frames (a peer that never stops sending must not
 * keep the I/O thread, or a vCPU, here).
 */
static void net_rx(struct virtio_net *net, struct net_pair *p,
		   struct virtq *vq)
{
	bool mrg = virtio_has_feature(&net->vdev, VIRTIO_NET_F_MRG_RXBUF);
	size_t want = NET_HDR_LEN + net_max_frame(net, true);
	struct net_rxq *q = &p->rx;
	unsigned int done = 0, reads = 0;
	const char *why;
	bool csum_done;
	u8 dst[6];

	if (!vq->ready || p->index >= atomic_load(&net->active))
		return;
	for (;;) {
		size_t cap;
		ssize_t n;
		int cnt;

		if (reads++ == VIRTIO_NET_RX_BUDGET) {
			net_rx_later(net, p);
			break;
		}
		rx_fill(net, q, vq, mrg, want);
		if (!q->nr)
			break;	/* the frame waits for the driver's buffers */
		/* A frame longer than cap is dropped (buffers too small). */
		cnt = rx_iov(p, mrg ? q->nr : 1, &cap);
		n = rx_read(net, p, cnt);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n < 0) {
			pr_warn_ratelimited("%s: backend read: %s",
					    net->vdev.name, strerror((int)-n));
			break;
		}
		if ((size_t)n > cap || (size_t)n < NET_HDR_LEN + 14) {
			/* Truncated (the guest's buffers are too small). */
			net->stats.rx_dropped++;
			pr_warn_ratelimited("%s: received frame of %zd bytes dropped: %zu bytes of buffers",
					    net->vdev.name, n, cap);
			continue;
		}
		iov_to_buf(p->iov, cnt, NET_HDR_LEN, dst, 6);
		if (!rx_wanted(net, dst)) {
			net->stats.rx_filtered++;
			continue;
		}
		why = net_rx_hdr_check(p->iov, cnt, (size_t)n,
				       atomic_load(&net->rx_off), &csum_done);
		if (why) {
			net->stats.rx_offload_dropped++;
			pr_warn_ratelimited("%s: receive queue %u: frame dropped: %s",
					    net->vdev.name, p->index, why);
			continue;
		}
		if (csum_done)
			net->stats.rx_csum_done++;
		rx_deliver(net, q, vq, (size_t)n);
		net->stats.rx_frames++;
		net->stats.rx_bytes += (size_t)n - NET_HDR_LEN;
		net->stats.pair_rx[p->index]++;
		if (++done % 64 == 0)
			virtio_queue_signal(vq);
	}
	if (done % 64)
		virtio_queue_signal(vq);
}

/* --- Control queue --- */

static void net_rx_look(struct virtio_net *net, unsigned int from,
			unsigned int to);

/* A MAC table in the command's data: le32 n, n addresses. Bytes used. */
static size_t ctrl_mac_table(const u8 *d, size_t len, u8 (*table)[6],
			     unsigned int *nr, bool *overflow)
{
	u32 n;

	if (len < 4)
		return 0;
	memcpy(&n, d, 4);
	n = le32toh(n);
	if (n > (len - 4) / 6)
		return 0;
	*overflow = n > VIRTIO_NET_MAC_TABLE;	/* accept the whole class */
	*nr = *overflow ? 0 : n;
	memcpy(table, d + 4, (size_t)*nr * 6);
	return 4 + (size_t)n * 6;
}

static u8 ctrl_mac(struct virtio_net *net, u8 cmd, const u8 *d, size_t len)
{
	struct net_filter *f = &net->filter, nf;
	size_t a, b;

	if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
		if (len != 6 ||
		    !virtio_has_feature(&net->vdev, VIRTIO_NET_F_CTRL_MAC_ADDR))
			return VIRTIO_NET_ERR;
		pthread_mutex_lock(&f->lock);
		memcpy(net->mac, d, 6);
		pthread_mutex_unlock(&f->lock);
		return VIRTIO_NET_OK;
	}
	if (cmd != VIRTIO_NET_CTRL_MAC_TABLE_SET)
		return VIRTIO_NET_ERR;
	a = ctrl_mac_table(d, len, nf.uni, &nf.nr_uni, &nf.uni_overflow);
	if (!a)
		return VIRTIO_NET_ERR;
	b = ctrl_mac_table(d + a, len - a, nf.multi, &nf.nr_multi,
			   &nf.multi_overflow);
	if (!b || a + b != len)
		return VIRTIO_NET_ERR;
	pthread_mutex_lock(&f->lock);
	f->nr_uni = nf.nr_uni;
	f->uni_overflow = nf.uni_overflow;
	memcpy(f->uni, nf.uni, (size_t)nf.nr_uni * 6);
	f->nr_multi = nf.nr_multi;
	f->multi_overflow = nf.multi_overflow;
	memcpy(f->multi, nf.multi, (size_t)nf.nr_multi * 6);
	pthread_mutex_unlock(&f->lock);
	return VIRTIO_NET_OK;
}

static u8 ctrl_cmd(struct virtio_net *net, u8 cls, u8 cmd, const u8 *d,
		   size_t len)
{
	struct virtio_device *vdev = &net->vdev;
	struct net_filter *f = &net->filter;
	unsigned int old, new;
	u16 pairs, was;
	u64 off;

	switch (cls) {
	case VIRTIO_NET_CTRL_RX:
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_RX) ||
		    len != 1 || cmd > VIRTIO_NET_CTRL_RX_ALLMULTI)
			return VIRTIO_NET_ERR;
		pthread_mutex_lock(&f->lock);
		if (cmd == VIRTIO_NET_CTRL_RX_PROMISC)
			f->promisc = d[0];
		else
			f->allmulti = d[0];
		pthread_mutex_unlock(&f->lock);
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_MAC:
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_RX) &&
		    cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET)
			return VIRTIO_NET_ERR;
		return ctrl_mac(net, cmd, d, len);
	case VIRTIO_NET_CTRL_MQ:
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_MQ) ||
		    cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET || len != 2)
			return VIRTIO_NET_ERR;
		memcpy(&pairs, d, 2);
		pairs = le16toh(pairs);
		was = (u16)atomic_load(&net->active);
		if (!pairs || pairs > net->pairs || net_set_pairs(net, pairs))
			return VIRTIO_NET_ERR;
		/*
		 * The pairs now in use may have frames waiting (their events
		 * came while the pair was off, or before the count changed)
		 * and receive buffers (their kicks were ignored then).
		 */
		net_rx_look(net, was, pairs);
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
		if (!virtio_has_feature(vdev,
					VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) ||
		    cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET || len != 8)
			return VIRTIO_NET_ERR;
		memcpy(&off, d, 8);
		off = le64toh(off);
		/* Only offloads negotiated, and their dependencies. */
		if (off & ~vdev->features ||
		    !net_features_ok(vdev, off |
				     VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ)))
			return VIRTIO_NET_ERR;
		/*
		 * Frames read meanwhile are checked against what both the
		 * old and the new settings allow.
		 */
		new = guest_offloads(off);
		old = atomic_load(&net->rx_off);
		net_set_rx_off(net, old & new);
		if (net->be->ops->set_offload &&
		    net->be->ops->set_offload(net->be, new)) {
			net_set_rx_off(net, old);
			return VIRTIO_NET_ERR;
		}
		net_set_rx_off(net, new);
		return VIRTIO_NET_OK;
	}
	return VIRTIO_NET_ERR;
}

/*
 * Longest command data: two MAC tables of up to 4 times what is kept (the
 * rest makes the table overflow: that class is accepted whole).
 */
#define CTRL_DATA_MAX	(2 * (4 + 6 * 4 * VIRTIO_NET_MAC_TABLE))

static void net_ctrl(struct virtio_net *net, struct virtq *vq)
{
	struct virtq_chain *ch = &net->ctrl_chain;
	u8 buf[2 + CTRL_DATA_MAX], ack;
	unsigned int done = 0;
	size_t len;

	while (virtq_pop(vq, ch) == 1) {
		ack = VIRTIO_NET_ERR;
		len = ch->out_len;
		if (len < 2 || len > sizeof(buf) || ch->in_len < 1 ||
		    ch->nr_in < 1) {
			pr_warn_ratelimited("%s: malformed control command (%llu bytes out, %llu in)",
					    net->vdev.name,
					    (unsigned long long)ch->out_len,
					    (unsigned long long)ch->in_len);
		} else {
			virtq_chain_read(ch, 0, buf, len);
			ack = ctrl_cmd(net, buf[0], buf[1], buf + 2, len - 2);
			if (ack != VIRTIO_NET_OK)
				pr_warn_ratelimited("%s: control command %u.%u refused",
						    net->vdev.name, buf[0],
						    buf[1]);
		}
		if (ack == VIRTIO_NET_OK)
			net->stats.ctrl_ok++;
		else
			net->stats.ctrl_err++;
		/* The ack is the last writable byte. */
		virtq_chain_write(ch, ch->in_len - 1, &ack,
				  ch->in_len ? 1 : 0);
		virtq_push(vq, ch, ch->in_len ? 1 : 0);
		done++;
	}
	if (done)
		virtio_queue_signal(vq);
}

/*
 * The driver gave receive buffers. A socket backend is read with
 * recvmsg(), which only the I/O thread's seccomp filter allows: when the
 * notification lands on a vCPU (no ioeventfd took it), epoll is asked to
 * look at the backend again instead, and the I/O thread, told of a frame
 * waiting there, fills the buffers (a frame that comes later wakes it
 * anyway). A tap's readv() is allowed everywhere.
 */
static void net_rx_notify(struct virtio_net *net, struct net_pair *p,
			  struct virtq *vq)
{
	int err;

	if (!net->be->sock || !p->polled || io_loop_on_thread(net->loop)) {
		net_rx(net, p, vq);
		return;
	}
	err = io_loop_mod(net->loop, &p->handler, NET_EVENTS);
	if (err)
		pr_warn_ratelimited("%s: cannot wake the I/O thread: %s",
				    net->vdev.name, strerror(-err));
}

/*
 * Look at the receive queues of pairs [from, to) for frames that wait in
 * the backend with no event to come (edge-triggered) and buffers whose
 * kick went unheeded.
 */
static void net_rx_look(struct virtio_net *net, unsigned int from,
			unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		struct virtq *vq = &net->vdev.vqs[2 * i];

		virtq_lock(vq);
		if (vq->ready)
			net_rx_notify(net, &net->pair[i], vq);
		virtq_unlock(vq);
	}
}

static void net_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_net *net = vdev->priv;
	unsigned int i = vq->index;

	if (i == ctrl_index(net))
		net_ctrl(net, vq);
	else if (i & 1)
		net_tx(net, &net->pair[i / 2], vq);
	else
		net_rx_notify(net, &net->pair[i / 2], vq);
}

void virtio_net_backend_ready(struct virtio_net *net, unsigned int q,
			      u32 events)
{
	struct net_pair *p;
	struct virtq *vq;

	if (q >= net->pairs ||
	    !(virtio_get_status(&net->vdev) & VIRTIO_STATUS_DRIVER_OK))
		return;
	p = &net->pair[q];
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		vq = &net->vdev.vqs[2 * q];
		virtq_lock(vq);
		net_rx(net, p, vq);
		virtq_unlock(vq);
	}
	if (events & EPOLLOUT) {
		vq = &net->vdev.vqs[2 * q + 1];
		virtq_lock(vq);
		if (p->tx.held && vq->ready)
			net_tx(net, p, vq);
		virtq_unlock(vq);
	}
}

static void net_io(struct io_handler *h, u32 events)
{
	struct net_pair *p = h->opaque;

	virtio_net_backend_ready(p->net, p->index, events);
}

static int net_activate(struct virtio_device *vdev)
{
	struct virtio_net *net = vdev->priv;
	unsigned int off = guest_offloads(vdev->features);
	int err = 0;

	net_set_rx_off(net, off);
	if (net->be->ops->set_offload)
		err = net->be->ops->set_offload(net->be, off);
	if (!err)
		err = net_set_pairs(net, 1);
	if (err) {
		pr_warn("%s: backend refused the driver's settings: %s",
			vdev->name, strerror(-err));
		return err;
	}
	/*
	 * A frame may wait in the backend since before DRIVER_OK (its event
	 * was ignored then, and edge-triggered, there is no second one), and
	 * receive buffers too (a kick before DRIVER_OK is dropped): look at
	 * both now, from the I/O thread for a socket backend.
	 */
	net_rx_look(net, 0, net->pairs);
	return 0;
}

static void net_queue_reset(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_net *net = vdev->priv;
	unsigned int i = vq->index;
	struct net_pair *p;

	if (i >= 2 * net->pairs)
		return;
	p = &net->pair[i / 2];
	virtq_lock(vq);
	if (i & 1) {
		p->tx.held = false;
	} else {
		p->rx.head = 0;
		p->rx.nr = 0;
	}
	virtq_unlock(vq);
}

static void net_reset(struct virtio_device *vdev)
{
	struct virtio_net *net = vdev->priv;
	struct net_filter *f = &net->filter;
	int err;

	pthread_mutex_lock(&f->lock);
	f->promisc = true;	/* as a driver without CTRL_RX expects */
	f->allmulti = false;
	f->uni_overflow = f->multi_overflow = false;
	f->nr_uni = f->nr_multi = 0;
	memcpy(net->mac, net->config + VIRTIO_NET_CFG_MAC, 6);
	pthread_mutex_unlock(&f->lock);
	/* No driver, no offloads (until DRIVER_OK), one pair. */
	atomic_store(&net->rx_off, 0);
	/*
	 * The backend too, so that it stops building frames for what the
	 * last driver took; net_rx() still checks each one it gets.
	 */
	if (net->be->ops->set_offload) {
		err = net->be->ops->set_offload(net->be, 0);
		if (err)
			pr_warn_ratelimited("%s: reset: the backend keeps its offloads: %s",
					    vdev->name, strerror(-err));
	}
	err = net_set_pairs(net, 1);
	if (err) {
		pr_warn_ratelimited("%s: reset: the backend keeps its queue pairs: %s",
				    vdev->name, strerror(-err));
		atomic_store(&net->active, 1);
	}
}

/* Transmit queues carry the driver's work; receive ones wait for frames. */
static bool net_queue_pollable(struct virtio_device *vdev, unsigned int idx)
{
	struct virtio_net *net = vdev->priv;

	return idx != ctrl_index(net) && (idx & 1);
}

static const struct virtio_device_ops net_ops = {
	.name = "net",
	.device_id = VIRTIO_ID_NET,
	.get_features = net_features,
	.features_ok = net_features_ok,
	.queue_notify = net_notify,
	.queue_pollable = net_queue_pollable,
	.activate = net_activate,
	.queue_reset = net_queue_reset,
	.reset = net_reset,
};

static void net_free(struct virtio_net *net)
{
	unsigned int i, j;

	for (i = 0; net->pair && i < net->pairs; i++) {
		struct net_pair *p = &net->pair[i];

		if (p->polled)
			io_loop_del(net->loop, &p->handler);
		for (j = 0; j < VIRTIO_NET_RX_HELD; j++)
			virtq_chain_destroy(&p->rx.held[j]);
		virtq_chain_destroy(&p->tx.chain);
	}
	virtq_chain_destroy(&net->ctrl_chain);
	pthread_mutex_destroy(&net->filter.lock);
	free(net->pair);
	free(net);
}

int virtio_net_create(struct virtio_net **out, const struct guest_mem *mem,
		      const char *name, struct net_backend *be,
		      const struct virtio_net_options *o, char *err,
		      size_t errlen)
{
	unsigned int pairs = o->pairs ? o->pairs : 1, i, j;
	u16 qs = o->queue_size ? o->queue_size : VIRTIO_NET_QUEUE_SIZE;
	struct virtio_net *net;
	u16 v;
	int r;

	if (pairs > be->nr_queues || pairs > VIRTIO_NET_MAX_PAIRS) {
		snprintf(err, errlen,
			 "%s: %u queue pairs asked for, the %s backend gives %u",
			 name, pairs, be->ops->name, be->nr_queues);
		return -EINVAL;
	}
	net = calloc(1, sizeof(*net));
	if (!net)
		goto nomem;
	net->pair = calloc(pairs, sizeof(*net->pair));
	if (!net->pair) {
		free(net);
		goto nomem;
	}
	net->be = be;
	net->loop = o->loop;
	net->pairs = pairs;
	net->mtu = o->mtu ? o->mtu : VIRTIO_NET_DEFAULT_MTU;
	pthread_mutex_init(&net->filter.lock, NULL);
	virtq_chain_init(&net->ctrl_chain);
	for (i = 0; i < pairs; i++) {
		struct net_pair *p = &net->pair[i];

		p->net = net;
		p->index = i;
		for (j = 0; j < VIRTIO_NET_RX_HELD; j++)
			virtq_chain_init(&p->rx.held[j]);
		virtq_chain_init(&p->tx.chain);
	}
	memcpy(net->config + VIRTIO_NET_CFG_MAC, o->mac, 6);
	v = htole16(VIRTIO_NET_S_LINK_UP);
	memcpy(net->config + VIRTIO_NET_CFG_STATUS, &v, 2);
	v = htole16((u16)pairs);
	memcpy(net->config + VIRTIO_NET_CFG_MAX_PAIRS, &v, 2);
	v = htole16(net->mtu);
	memcpy(net->config + VIRTIO_NET_CFG_MTU, &v, 2);
	r = virtio_device_init(&net->vdev, &net_ops, net, mem, name,
			       2 * pairs + 1, qs);
	if (r) {
		snprintf(err, errlen, "%s: cannot set up the device: %s",
			 name, strerror(-r));
		net_free(net);
		return r;
	}
	net->vdev.config = net->config;
	net->vdev.config_len = sizeof(net->config);
	net_reset(&net->vdev);
	for (i = 0; o->loop && i < pairs; i++) {
		struct net_pair *p = &net->pair[i];

		p->handler = (struct io_handler){
			.fd = be->fds[i], .fn = net_io, .opaque = p,
		};
		r = io_loop_add(o->loop, &p->handler, NET_EVENTS);
		if (r) {
			snprintf(err, errlen, "%s: cannot poll the backend: %s",
				 name, strerror(-r));
			virtio_device_destroy(&net->vdev);
			net_free(net);
			return r;
		}
		p->polled = true;
	}
	*out = net;
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory", name);
	return -ENOMEM;
}

struct virtio_device *virtio_net_vdev(struct virtio_net *net)
{
	return &net->vdev;
}

const struct virtio_net_stats *virtio_net_stats(struct virtio_net *net)
{
	return &net->stats;
}

unsigned int virtio_net_active_pairs(struct virtio_net *net)
{
	return atomic_load(&net->active);
}

void virtio_net_set_link(struct virtio_net *net, bool up)
{
	u16 v = htole16(up ? VIRTIO_NET_S_LINK_UP : 0);

	pthread_mutex_lock(&net->vdev.lock);
	memcpy(net->config + VIRTIO_NET_CFG_STATUS, &v, 2);
	pthread_mutex_unlock(&net->vdev.lock);
	virtio_config_changed(&net->vdev);
}

/* At info level: the frames each queue pair carried, in one line. */
static void net_log_pairs(struct virtio_net *net)
{
	char line[64 * VIRTIO_NET_MAX_PAIRS];
	unsigned int i;
	size_t n = 0;

	if (log_get_level() < LOG_INFO)
		return;
	for (i = 0; i < net->pairs && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      "%spair %u: rx %llu tx %llu",
				      i ? ", " : "", i,
				      (unsigned long long)net->stats.pair_rx[i],
				      (unsigned long long)net->stats.pair_tx[i]);
	pr_info("%s: frames per queue pair: %s", net->vdev.name, line);
}

void virtio_net_destroy(struct virtio_net *net)
{
	struct net_backend *be = net->be;

	net_log_pairs(net);
	virtio_device_destroy(&net->vdev);
	net_free(net);
	net_backend_close(be);
}

void virtio_net_default_mac(const char *vm_name, unsigned int index,
			    u8 mac[6])
{
	u64 h = 0xcbf29ce484222325ULL;	/* FNV-1a, 64 bits */
	const char *s;

	for (s = vm_name ? vm_name : ""; *s; s++)
		h = (h ^ (u8)*s) * 0x100000001b3ULL;
	h = (h ^ index) * 0x100000001b3ULL;
	/* Locally administered, unicast. */
	mac[0] = 0x02;
	mac[1] = (u8)(h >> 32);
	mac[2] = (u8)(h >> 24);
	mac[3] = (u8)(h >> 16);
	mac[4] = (u8)(h >> 8);
	mac[5] = (u8)h;
}
