// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vsock over host UNIX sockets: the virtqueues, their packets,
 * credit and the device's life. See include/virtio/vsock.h; the host
 * sockets are virtio/vsock-host.c's (virtio/vsock-int.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "unaligned.h"
#include "vsock-int.h"

void vsock_hdr_decode(struct vsock_hdr *h, const u8 raw[VSOCK_HDR_LEN])
{
	h->src_cid = get_le64(raw);
	h->dst_cid = get_le64(raw + 8);
	h->src_port = get_le32(raw + 16);
	h->dst_port = get_le32(raw + 20);
	h->len = get_le32(raw + 24);
	h->type = get_le16(raw + 28);
	h->op = get_le16(raw + 30);
	h->flags = get_le32(raw + 32);
	h->buf_alloc = get_le32(raw + 36);
	h->fwd_cnt = get_le32(raw + 40);
}

void vsock_hdr_encode(const struct vsock_hdr *h, u8 raw[VSOCK_HDR_LEN])
{
	put_le64(raw, h->src_cid);
	put_le64(raw + 8, h->dst_cid);
	put_le32(raw + 16, h->src_port);
	put_le32(raw + 20, h->dst_port);
	put_le32(raw + 24, h->len);
	put_le16(raw + 28, h->type);
	put_le16(raw + 30, h->op);
	put_le32(raw + 32, h->flags);
	put_le32(raw + 36, h->buf_alloc);
	put_le32(raw + 40, h->fwd_cnt);
}

/* One line for everything a guest does wrong, rate-limited per device. */
void __printf(2, 3) vsock_bad(struct virtio_vsock *v, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	v->st.malformed++;
	if (!ratelimit_ok(&v->bad_rl))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_warn("%s: %s", v->vdev.name, msg);
}

/* Owe the guest an RST for (src, dst) after the connection is gone. */
void vsock_rst_orphan(struct virtio_vsock *v, u32 src, u32 dst)
{
	unsigned int tail;

	if (v->nr_orphans == v->orphan_cap) {
		pr_warn_ratelimited("%s: too many resets owed, one dropped",
				    v->vdev.name);
		return;
	}
	tail = (v->orphan_head + v->nr_orphans) % v->orphan_cap;
	v->orphans[tail].src_port = src;
	v->orphans[tail].dst_port = dst;
	v->nr_orphans++;
}

/* --- The receive queue (device to guest) --- */

/* A receive chain in v->rx_chain (rx vq locked); false if none. */
bool vsock_rx_get(struct virtio_vsock *v)
{
	struct virtq *vq = &v->vdev.vqs[VSOCK_RXQ];
	unsigned int tries;

	if (v->rx_held)
		return true;
	if (!v->active || v->rx_starved)
		goto starved;
	for (tries = 0; tries < VSOCK_QUEUE_SIZE; tries++) {
		int r = virtq_pop(vq, &v->rx_chain);

		if (r != 1)
			goto starved;
		if (v->rx_chain.in_len >= VSOCK_HDR_LEN) {
			v->rx_held = true;
			return true;
		}
		vsock_bad(v, "receive buffer of %llu bytes, under a header",
			  (unsigned long long)v->rx_chain.in_len);
		virtq_push(vq, &v->rx_chain, 0);
		v->rx_pushed = true;
	}
starved:
	/* Until the driver adds buffers or is ready again (a kick). */
	v->rx_starved = true;
	return false;
}

void vsock_rx_push(struct virtio_vsock *v, struct vsock_hdr *h)
{
	u8 raw[VSOCK_HDR_LEN];

	vsock_hdr_encode(h, raw);
	virtq_chain_write(&v->rx_chain, 0, raw, sizeof(raw));
	virtq_push(&v->vdev.vqs[VSOCK_RXQ], &v->rx_chain,
		   VSOCK_HDR_LEN + h->len);
	v->rx_held = false;
	v->rx_pushed = true;
	if (h->op == VSOCK_OP_RST)
		v->st.rst_sent++;
}

void vsock_conn_hdr(struct vsock_conn *c, struct vsock_hdr *h, u16 op)
{
	struct virtio_vsock *v = c->v;

	memset(h, 0, sizeof(*h));
	h->src_cid = VSOCK_HOST_CID;
	h->dst_cid = v->cid;
	h->src_port = c->local_port;
	h->dst_port = c->peer_port;
	h->type = VSOCK_TYPE_STREAM;
	h->op = op;
	h->buf_alloc = v->buf_alloc;
	h->fwd_cnt = c->fwd_cnt;
	c->fwd_told = c->fwd_cnt;
}

/* Send what connections and orphans owe the guest (v and rx locked). */
static void rx_flush_ctrl(struct virtio_vsock *v)
{
	struct vsock_hdr h;
	unsigned int i;

	while (v->nr_orphans && vsock_rx_get(v)) {
		struct vsock_orphan *o = &v->orphans[v->orphan_head];

		memset(&h, 0, sizeof(h));
		h.src_cid = VSOCK_HOST_CID;
		h.dst_cid = v->cid;
		h.src_port = o->src_port;
		h.dst_port = o->dst_port;
		h.type = VSOCK_TYPE_STREAM;
		h.op = VSOCK_OP_RST;
		vsock_rx_push(v, &h);
		v->orphan_head = (v->orphan_head + 1) % v->orphan_cap;
		v->nr_orphans--;
	}
	for (i = 0; i < v->max_conns; i++) {
		struct vsock_conn *c = &v->conns[i];

		if (c->state == C_FREE || !c->pending)
			continue;
		while (c->pending && vsock_rx_get(v)) {
			if (c->pending & P_REQUEST) {
				c->pending &= ~P_REQUEST;
				vsock_conn_hdr(c, &h, VSOCK_OP_REQUEST);
			} else if (c->pending & P_RESPONSE) {
				c->pending &= ~P_RESPONSE;
				vsock_conn_hdr(c, &h, VSOCK_OP_RESPONSE);
			} else if (c->pending & P_CREDIT_UPDATE) {
				c->pending &= ~P_CREDIT_UPDATE;
				vsock_conn_hdr(c, &h, VSOCK_OP_CREDIT_UPDATE);
			} else if (c->pending & P_CREDIT_REQUEST) {
				c->pending &= ~P_CREDIT_REQUEST;
				vsock_conn_hdr(c, &h, VSOCK_OP_CREDIT_REQUEST);
			} else {
				c->pending &= ~P_SHUTDOWN;
				vsock_conn_hdr(c, &h, VSOCK_OP_SHUTDOWN);
				h.flags = c->shut_send;
			}
			vsock_rx_push(v, &h);
		}
		vsock_conn_update(c);
	}
}

void vsock_rx_begin(struct virtio_vsock *v)
{
	virtq_lock(&v->vdev.vqs[VSOCK_RXQ]);
	v->rx_pushed = false;
}

void vsock_rx_end(struct virtio_vsock *v)
{
	struct virtq *vq = &v->vdev.vqs[VSOCK_RXQ];

	rx_flush_ctrl(v);
	if (v->rx_pushed)
		virtio_queue_signal(vq);
	virtq_unlock(vq);
}

static void conn_maybe_credit(struct vsock_conn *c)
{
	if (c->fwd_cnt - c->fwd_told >= c->v->buf_alloc / 2)
		c->pending |= P_CREDIT_UPDATE;
}

/* The host socket took n bytes of guest data. */
void vsock_conn_forwarded(struct vsock_conn *c, u32 n)
{
	c->fwd_cnt += n;
	c->v->st.bytes_to_host += n;
	conn_maybe_credit(c);
}

/* --- The transmit queue (guest to device) --- */

static void tx_packet(struct virtio_vsock *v, const struct virtq_chain *ch)
{
	u8 raw[VSOCK_HDR_LEN];
	struct vsock_hdr h;
	struct vsock_conn *c;

	if (ch->out_len < VSOCK_HDR_LEN ||
	    virtq_chain_read(ch, 0, raw, sizeof(raw)) != sizeof(raw)) {
		vsock_bad(v, "packet of %llu bytes, under a header",
			  (unsigned long long)ch->out_len);
		return;
	}
	vsock_hdr_decode(&h, raw);
	if (h.src_cid != v->cid || h.dst_cid != VSOCK_HOST_CID) {
		vsock_bad(v, "packet from CID %llu to CID %llu dropped",
			  (unsigned long long)h.src_cid,
			  (unsigned long long)h.dst_cid);
		return;
	}
	c = vsock_conn_find(v, h.dst_port, h.src_port);
	if (h.type != VSOCK_TYPE_STREAM || h.len > VSOCK_MAX_PAYLOAD ||
	    h.len != ch->out_len - VSOCK_HDR_LEN ||
	    (h.len && h.op != VSOCK_OP_RW) ||
	    h.op == VSOCK_OP_INVALID || h.op > VSOCK_OP_CREDIT_REQUEST) {
		vsock_bad(v, "bad packet: type %u op %u len %u in %llu bytes",
			  h.type, h.op, h.len,
			  (unsigned long long)ch->out_len);
		if (c)
			vsock_conn_reset(c);
		else if (h.op != VSOCK_OP_RST)
			vsock_rst_orphan(v, h.dst_port, h.src_port);
		return;
	}
	if (!c) {
		if (h.op == VSOCK_OP_REQUEST)
			vsock_guest_connect(v, &h);
		else if (h.op != VSOCK_OP_RST)
			vsock_rst_orphan(v, h.dst_port, h.src_port);
		return;
	}
	if (c->state == C_CLOSING) {
		/*
		 * Closed for the guest (it had our RST), still draining to
		 * the host: a new REQUEST on its ports is refused, not
		 * left unanswered until the guest's connect times out.
		 */
		if (h.op == VSOCK_OP_RST)
			vsock_conn_free(c);
		else if (h.op == VSOCK_OP_REQUEST)
			vsock_rst_orphan(v, h.dst_port, h.src_port);
		return;
	}
	c->peer_buf_alloc = h.buf_alloc;
	c->peer_fwd_cnt = h.fwd_cnt;
	if (conn_credit(c))
		c->stalled = false;
	switch (h.op) {
	case VSOCK_OP_RST:
		vsock_conn_free(c);
		return;
	case VSOCK_OP_RESPONSE:
		/* Only to a REQUEST the guest has seen. */
		if (c->state == C_HOST_REQUEST && !(c->pending & P_REQUEST)) {
			char ok[24];
			int n = snprintf(ok, sizeof(ok), "OK %u\n",
					 c->local_port);

			if (send(c->h.fd, ok, (size_t)n,
				 MSG_DONTWAIT | MSG_NOSIGNAL) != n) {
				vsock_conn_reset(c);
				return;
			}
			c->state = C_ESTABLISHED;
			c->deadline = 0;
			v->st.conns++;
			break;
		}
		vsock_conn_reset(c);
		return;
	case VSOCK_OP_RW:
		if (c->state != C_ESTABLISHED ||
		    (c->peer_shut & VSOCK_SHUTDOWN_SEND)) {
			vsock_conn_reset(c);
			return;
		}
		vsock_conn_guest_to_host(c, ch, h.len);
		return;
	case VSOCK_OP_SHUTDOWN:
		if (c->state != C_ESTABLISHED) {
			vsock_conn_reset(c);
			return;
		}
		c->peer_shut |= h.flags & (VSOCK_SHUTDOWN_RCV |
					   VSOCK_SHUTDOWN_SEND);
		if (c->peer_shut == (VSOCK_SHUTDOWN_RCV | VSOCK_SHUTDOWN_SEND)) {
			/* Closed on its side: RST, then drain to the host. */
			vsock_rst_orphan(v, c->local_port, c->peer_port);
			c->pending = 0;
			c->state = C_CLOSING;
			c->deadline = mono_now_ms() + v->timeout_ms;
		}
		if (!c->len)
			vsock_conn_drained(c);
		break;
	case VSOCK_OP_CREDIT_UPDATE:
		break;
	case VSOCK_OP_CREDIT_REQUEST:
		c->pending |= P_CREDIT_UPDATE;
		break;
	default:	/* REQUEST on a live connection */
		vsock_conn_reset(c);
		return;
	}
	if (c->state != C_FREE)
		vsock_conn_update(c);
}

static void vsock_tx_notify(struct virtio_vsock *v, struct virtq *vq)
{
	bool pushed = false;

	pthread_mutex_lock(&v->lock);
	vsock_rx_begin(v);
	while (virtq_pop(vq, &v->tx_chain) == 1) {
		tx_packet(v, &v->tx_chain);
		virtq_push(vq, &v->tx_chain, 0);
		pushed = true;
	}
	vsock_rx_end(v);
	pthread_mutex_unlock(&v->lock);
	if (pushed)
		virtio_queue_signal(vq);
}

static void kick(struct virtio_vsock *v)
{
	u64 one = 1;

	if (write(v->kick_h.fd, &one, sizeof(one)) != sizeof(one) &&
	    errno != EAGAIN)
		pr_warn_ratelimited("%s: wake-up: %s", v->vdev.name,
				    strerror(errno));
}

/*
 * Packets become socket calls, which only the I/O thread's seccomp filter
 * allows: a notification that lands on a vCPU (no ioeventfd for it, or a
 * write the ioeventfd does not match) is handed to the I/O thread.
 */
static void vsock_queue_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_vsock *v = vdev->priv;

	if (vq->index == VSOCK_TXQ && io_loop_on_thread(v->loop)) {
		vsock_tx_notify(v, vq);
	} else if (vq->index == VSOCK_TXQ) {
		atomic_store(&v->tx_deferred, true);
		kick(v);
	} else if (vq->index == VSOCK_RXQ) {
		kick(v);	/* new buffers: served on the I/O thread */
	}
	/* The event queue's buffers wait for a transport reset event. */
}

/*
 * Receive buffers arrived (or the driver became ready), or a transmit
 * notification came to another thread: go on.
 */
static void kick_io(struct io_handler *hd, u32 events)
{
	struct virtio_vsock *v = hd->opaque;
	unsigned int i;
	u64 cnt;

	if (read(hd->fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		pr_warn_ratelimited("%s: wake-up: %s", v->vdev.name,
				    strerror(errno));
	if (atomic_exchange(&v->tx_deferred, false))
		virtio_queue_notify(&v->vdev, VSOCK_TXQ);
	pthread_mutex_lock(&v->lock);
	v->rx_starved = false;
	vsock_rx_begin(v);
	rx_flush_ctrl(v);
	for (i = 0; i < v->max_conns && !v->rx_starved; i++) {
		struct vsock_conn *c = &v->conns[i];

		if (c->state == C_ESTABLISHED && c->h.fd >= 0 &&
		    conn_credit(c))
			vsock_conn_host_to_guest(c);
	}
	vsock_rx_end(v);
	vsock_conns_update(v);
	pthread_mutex_unlock(&v->lock);
}

/* --- Device lifecycle --- */

static int vsock_activate(struct virtio_device *vdev)
{
	struct virtio_vsock *v = vdev->priv;

	pthread_mutex_lock(&v->lock);
	v->active = true;
	pthread_mutex_unlock(&v->lock);
	kick(v);
	return 0;
}

static void vsock_queue_reset(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_vsock *v = vdev->priv;

	if (vq->index != VSOCK_RXQ)
		return;
	pthread_mutex_lock(&v->lock);
	v->rx_held = false;
	pthread_mutex_unlock(&v->lock);
}

/* The driver reset: every connection is gone (the guest forgets them). */
static void vsock_reset(struct virtio_device *vdev)
{
	struct virtio_vsock *v = vdev->priv;

	pthread_mutex_lock(&v->lock);
	v->active = false;
	vsock_close_all(v);
	pthread_mutex_unlock(&v->lock);
}

/* The transmit queue carries the driver's packets; the others wait. */
static bool vsock_queue_pollable(struct virtio_device *vdev, unsigned int idx)
{
	return idx == VSOCK_TXQ;
}

static const struct virtio_device_ops vsock_ops = {
	.name = "vsock",
	.device_id = VIRTIO_ID_VSOCK,
	.queue_notify = vsock_queue_notify,
	.queue_pollable = vsock_queue_pollable,
	.activate = vsock_activate,
	.queue_reset = vsock_queue_reset,
	.reset = vsock_reset,
};

static int vsock_fds(struct virtio_vsock *v, char *msg, size_t len)
{
	unsigned int tick = MAX(v->timeout_ms / 4, 10u);
	struct itimerspec its = {
		.it_interval = { tick / 1000, (long)(tick % 1000) * 1000000 },
		.it_value = { tick / 1000, (long)(tick % 1000) * 1000000 },
	};
	int err;

	v->kick_h.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	v->timer_h.fd = timerfd_create(CLOCK_MONOTONIC,
				       TFD_NONBLOCK | TFD_CLOEXEC);
	if (v->kick_h.fd < 0 || v->timer_h.fd < 0 ||
	    timerfd_settime(v->timer_h.fd, 0, &its, NULL)) {
		err = -errno;
		snprintf(msg, len, "%s: %s", v->vdev.name, strerror(-err));
		return err;
	}
	err = vsock_listen(v, msg, len);
	if (err)
		return err;
	v->listen_h.fn = vsock_listen_io;
	v->kick_h.fn = kick_io;
	v->timer_h.fn = vsock_timer_io;
	v->listen_h.opaque = v->kick_h.opaque = v->timer_h.opaque = v;
	err = io_loop_add(v->loop, &v->listen_h, EPOLLIN);
	if (!err)
		err = io_loop_add(v->loop, &v->kick_h, EPOLLIN);
	if (!err)
		err = io_loop_add(v->loop, &v->timer_h, EPOLLIN);
	if (err)
		snprintf(msg, len, "%s: epoll: %s", v->vdev.name,
			 strerror(-err));
	return err;
}

static void vsock_free(struct virtio_vsock *v)
{
	struct io_handler *hs[] = { &v->listen_h, &v->kick_h, &v->timer_h };
	unsigned int i;

	if (v->conns)
		vsock_close_all(v);
	for (i = 0; i < ARRAY_SIZE(hs); i++) {
		if (hs[i]->fd < 0)
			continue;
		if (hs[i]->fn)
			io_loop_del(v->loop, hs[i]);
		close(hs[i]->fd);
	}
	if (v->listen_h.fd >= 0) {
		int err = v->unlink ? v->unlink(v->unlink_ctx, v->path) :
				      unlink(v->path) ? -errno : 0;

		if (err)
			pr_warn("%s: cannot remove '%s': %s", v->vdev.name,
				v->path, strerror(-err));
	}
	virtio_device_destroy(&v->vdev);
	virtq_chain_destroy(&v->rx_chain);
	virtq_chain_destroy(&v->tx_chain);
	pthread_mutex_destroy(&v->lock);
	free(v->conns);
	free(v->orphans);
	free(v);
}

int virtio_vsock_create(struct virtio_vsock **out, const struct guest_mem *mem,
			const char *name, const struct virtio_vsock_options *o,
			char *msg, size_t len)
{
	struct virtio_vsock *v = calloc(1, sizeof(*v));
	int err;

	if (!v) {
		snprintf(msg, len, "%s: out of memory", name);
		return -ENOMEM;
	}
	v->listen_h.fd = v->kick_h.fd = v->timer_h.fd = -1;
	pthread_mutex_init(&v->lock, NULL);
	virtq_chain_init(&v->rx_chain);
	virtq_chain_init(&v->tx_chain);
	v->loop = o->loop;
	v->cid = o->guest_cid;
	v->max_conns = o->max_conns ?: VSOCK_DEFAULT_MAX_CONNS;
	v->timeout_ms = o->timeout_ms ?: VSOCK_DEFAULT_TIMEOUT_MS;
	v->buf_alloc = o->buf_alloc ?: VSOCK_DEFAULT_BUF_ALLOC;
	v->next_port = 1u << 30;
	v->orphan_cap = v->max_conns + 64;
	put_le64(v->config, v->cid);
	err = virtio_device_init(&v->vdev, &vsock_ops, v, mem, name, 3,
				 VSOCK_QUEUE_SIZE);
	if (err) {
		snprintf(msg, len, "%s: %s", name, strerror(-err));
		free(v);
		return err;
	}
	v->vdev.config = v->config;
	v->vdev.config_len = sizeof(v->config);
	if (v->cid < VSOCK_MIN_GUEST_CID || v->cid > VSOCK_MAX_GUEST_CID ||
	    !o->path || strlen(o->path) >= sizeof(v->path)) {
		snprintf(msg, len, "%s: bad CID or socket path", name);
		err = -EINVAL;
		goto fail;
	}
	strcpy(v->path, o->path);
	v->unlink = o->unlink;
	v->unlink_ctx = o->unlink_ctx;
	v->conns = calloc(v->max_conns, sizeof(*v->conns));
	v->orphans = calloc(v->orphan_cap, sizeof(*v->orphans));
	if (!v->conns || !v->orphans) {
		snprintf(msg, len, "%s: out of memory", name);
		err = -ENOMEM;
		goto fail;
	}
	err = vsock_fds(v, msg, len);
	if (err)
		goto fail;
	*out = v;
	return 0;
fail:
	vsock_free(v);
	return err;
}

struct virtio_device *virtio_vsock_vdev(struct virtio_vsock *v)
{
	return &v->vdev;
}

void virtio_vsock_get_stats(struct virtio_vsock *v,
			    struct virtio_vsock_stats *st)
{
	pthread_mutex_lock(&v->lock);
	*st = v->st;
	pthread_mutex_unlock(&v->lock);
}

int virtio_vsock_check(struct virtio_vsock *v, char *why, size_t len)
{
	unsigned int i, j, live = 0;
	int err = 0;

	pthread_mutex_lock(&v->lock);
	for (i = 0; i < v->max_conns && !err; i++) {
		const struct vsock_conn *c = &v->conns[i];

		if (c->state == C_FREE)
			continue;
		live++;
		if (c->len > v->buf_alloc || (c->len && !c->buf))
			err = snprintf(why, len, "port %u: %u bytes held, buffer %u",
				       c->peer_port, c->len, v->buf_alloc);
		else if (conn_credit(c) > c->peer_buf_alloc)
			err = snprintf(why, len, "port %u: credit %u beyond buf_alloc %u",
				       c->peer_port, conn_credit(c),
				       c->peer_buf_alloc);
		else if (c->state != C_HOST_CONNECT && c->h.fd < 0 &&
			 c->state != C_CLOSING)
			err = snprintf(why, len, "port %u: no host socket",
				       c->peer_port);
		for (j = i + 1; j < v->max_conns && !err; j++) {
			const struct vsock_conn *d = &v->conns[j];

			if (d->state > C_HOST_CONNECT &&
			    c->state > C_HOST_CONNECT &&
			    d->local_port == c->local_port &&
			    d->peer_port == c->peer_port)
				err = snprintf(why, len, "two connections %u:%u",
					       c->local_port, c->peer_port);
		}
	}
	if (!err && (live != v->st.nr_conns || live > v->max_conns))
		err = snprintf(why, len, "%u connections, counted %u, bound %u",
			       live, v->st.nr_conns, v->max_conns);
	if (!err && vsock_half_open(v) > handshake_room(v))
		err = snprintf(why, len, "%u host handshakes, room for %u",
			       vsock_half_open(v), handshake_room(v));
	if (!err && v->nr_orphans > v->orphan_cap)
		err = snprintf(why, len, "%u resets owed, room for %u",
			       v->nr_orphans, v->orphan_cap);
	pthread_mutex_unlock(&v->lock);
	return err ? -EINVAL : 0;
}

void virtio_vsock_destroy(struct virtio_vsock *v)
{
	if (v)
		vsock_free(v);
}
