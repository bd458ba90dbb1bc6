// SPDX-License-Identifier: GPL-2.0
/* virtio-vsock over host UNIX sockets. See include/virtio/vsock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "iov.h"
#include "log.h"
#include "parse-num.h"
#include "seccomp-filter.h"
#include "unaligned.h"
#include "virtio/vsock.h"

enum conn_state {
	C_FREE,
	C_HOST_CONNECT,		/* host socket accepted, no CONNECT line yet */
	C_HOST_REQUEST,		/* REQUEST sent to the guest, no RESPONSE yet */
	C_ESTABLISHED,
	C_CLOSING,		/* guest gone: only draining to the host */
};

/* Control packets a connection owes the guest. */
#define P_REQUEST	(1u << 0)
#define P_RESPONSE	(1u << 1)
#define P_CREDIT_UPDATE	(1u << 2)
#define P_CREDIT_REQUEST (1u << 3)
#define P_SHUTDOWN	(1u << 4)

struct vsock_conn {
	struct virtio_vsock *v;
	struct io_handler h;		/* h.fd: the host socket, or -1 */
	u32 events;			/* registered with the loop */
	bool registered;
	bool hup;			/* the host end is gone */
	bool host_eof;			/* read 0 from the host */
	enum conn_state state;
	u32 local_port;			/* the host side's port */
	u32 peer_port;			/* the guest's */
	u32 pending;			/* P_* */
	u32 shut_send;			/* flags of the pending SHUTDOWN */
	u32 peer_shut;			/* VSOCK_SHUTDOWN_* from the guest */
	/* Credit: the guest's view of its buffer, and our counters. */
	u32 peer_buf_alloc, peer_fwd_cnt;
	u32 tx_cnt;			/* payload bytes sent to the guest */
	u32 fwd_cnt;			/* guest bytes written to the host */
	u32 fwd_told;			/* fwd_cnt in our last header */
	bool stalled;			/* out of guest credit, asked for more */
	/* Guest bytes the host socket did not take yet (a ring). */
	u8 *buf;
	u32 head, len;
	char line[VSOCK_CONNECT_LINE_MAX];	/* the CONNECT line so far */
	u32 line_len;
	u64 deadline;			/* ms, CLOCK_MONOTONIC; 0: none */
};

struct vsock_orphan {
	u32 src_port, dst_port;		/* ours, the guest's */
};

struct virtio_vsock {
	struct virtio_device vdev;
	u8 config[8];			/* guest_cid, le64 */
	pthread_mutex_t lock;		/* everything below */
	struct io_loop *loop;
	struct io_handler listen_h, kick_h, timer_h;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	u64 cid;
	unsigned int max_conns;
	unsigned int timeout_ms;
	u32 buf_alloc;
	u32 next_port;
	unsigned int next_slot;		/* where conn_alloc() looks first */
	struct vsock_conn *conns;
	struct vsock_orphan *orphans;	/* RSTs owed for no connection */
	unsigned int nr_orphans, orphan_head, orphan_cap;
	struct virtq_chain rx_chain, tx_chain;
	bool rx_held;			/* rx_chain popped, not pushed */
	bool rx_starved;		/* no receive buffers: wait for a kick */
	bool rx_pushed;
	bool active;			/* DRIVER_OK, until reset */
	bool listen_off;		/* off the loop until the timer's tick */
	/* A transmit notification off the I/O thread, for kick_io(). */
	atomic_bool tx_deferred;
	struct ratelimit bad_rl;
	struct virtio_vsock_stats st;
};

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
static void __printf(2, 3) vsock_bad(struct virtio_vsock *v,
				     const char *fmt, ...)
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

/* --- Connections --- */

static struct vsock_conn *conn_find(struct virtio_vsock *v, u32 local,
				    u32 peer)
{
	unsigned int i;

	for (i = 0; i < v->max_conns; i++) {
		struct vsock_conn *c = &v->conns[i];

		if (c->state > C_HOST_CONNECT && c->local_port == local &&
		    c->peer_port == peer)
			return c;
	}
	return NULL;
}

static void conn_io(struct io_handler *hd, u32 events);

/*
 * A free slot, the one after the last taken first: the I/O loop may still
 * hold an event of a connection just freed (taken in the same batch as
 * the handler that freed it) for its slot, which conn_io() ignores while
 * the slot stays free, but would apply to a new connection there.
 */
static struct vsock_conn *conn_alloc(struct virtio_vsock *v)
{
	unsigned int k;

	for (k = 0; k < v->max_conns; k++) {
		unsigned int i = (v->next_slot + k) % v->max_conns;
		struct vsock_conn *c = &v->conns[i];

		if (c->state == C_FREE) {
			v->next_slot = (i + 1) % v->max_conns;
			memset(c, 0, sizeof(*c));
			c->v = v;
			c->h.fd = -1;
			c->h.opaque = c;
			c->h.fn = conn_io;
			v->st.nr_conns++;
			if (v->st.nr_conns > v->st.max_conns_seen)
				v->st.max_conns_seen = v->st.nr_conns;
			return c;
		}
	}
	return NULL;
}

/*
 * v locked. Off the loop without waiting for the I/O thread (a reset on
 * a vCPU gets here with v locked, which conn_io() takes): the slot
 * outlives the loop, and conn_io() looks under the lock whether it still
 * holds a connection with an fd.
 */
static void conn_set_events(struct vsock_conn *c, u32 events)
{
	int err = 0;

	if (c->h.fd < 0 || (c->registered && events == c->events))
		return;
	if (!events) {
		if (c->registered)
			err = io_loop_del_nowait(c->v->loop, &c->h);
		c->registered = false;
	} else if (!c->registered) {
		err = io_loop_add(c->v->loop, &c->h, events);
		c->registered = !err;
	} else {
		err = io_loop_mod(c->v->loop, &c->h, events);
	}
	if (err)
		pr_warn_ratelimited("%s: epoll: %s", c->v->vdev.name,
				    strerror(-err));
	c->events = events;
}

/* Bytes the guest lets us send now; never more than its buffer. */
static u32 conn_credit(const struct vsock_conn *c)
{
	u32 in_flight = c->tx_cnt - c->peer_fwd_cnt;

	if (in_flight > c->peer_buf_alloc)
		return 0;
	return c->peer_buf_alloc - in_flight;
}

/* What the host socket should wake us for, as things stand. */
static void conn_update(struct vsock_conn *c)
{
	struct virtio_vsock *v = c->v;
	u32 ev = 0;

	switch (c->state) {
	case C_HOST_CONNECT:
		ev = EPOLLIN;
		break;
	case C_ESTABLISHED:
		if (!c->host_eof && !(c->peer_shut & VSOCK_SHUTDOWN_RCV) &&
		    !(c->pending & P_RESPONSE) && !v->rx_starved &&
		    conn_credit(c))
			ev |= EPOLLIN;
		/* fall through */
	case C_CLOSING:
		if (c->len)
			ev |= EPOLLOUT;
		break;
	default:
		break;
	}
	/* No events: off the loop, which EPOLLHUP would reach regardless. */
	conn_set_events(c, ev);
}

static void conn_close_fd(struct vsock_conn *c)
{
	if (c->h.fd < 0)
		return;
	conn_set_events(c, 0);
	if (close(c->h.fd))
		pr_warn_ratelimited("%s: close: %s", c->v->vdev.name,
				    strerror(errno));
	c->h.fd = -1;
}

/* Owe the guest an RST for (src, dst) after the connection is gone. */
static void rst_orphan(struct virtio_vsock *v, u32 src, u32 dst)
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

static void conn_free(struct vsock_conn *c)
{
	conn_close_fd(c);
	free(c->buf);
	c->buf = NULL;
	c->state = C_FREE;
	c->pending = 0;
	c->v->st.nr_conns--;
}

/* Reset the connection: RST to the guest, host socket closed. */
static void conn_reset(struct vsock_conn *c)
{
	if (c->state != C_HOST_CONNECT && c->state != C_CLOSING)
		rst_orphan(c->v, c->local_port, c->peer_port);
	conn_free(c);
}

/* --- The receive queue (device to guest) --- */

/* A receive chain in v->rx_chain (rx vq locked); false if none. */
static bool rx_get(struct virtio_vsock *v)
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

static void rx_push(struct virtio_vsock *v, struct vsock_hdr *h)
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

static void conn_hdr(struct vsock_conn *c, struct vsock_hdr *h, u16 op)
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

	while (v->nr_orphans && rx_get(v)) {
		struct vsock_orphan *o = &v->orphans[v->orphan_head];

		memset(&h, 0, sizeof(h));
		h.src_cid = VSOCK_HOST_CID;
		h.dst_cid = v->cid;
		h.src_port = o->src_port;
		h.dst_port = o->dst_port;
		h.type = VSOCK_TYPE_STREAM;
		h.op = VSOCK_OP_RST;
		rx_push(v, &h);
		v->orphan_head = (v->orphan_head + 1) % v->orphan_cap;
		v->nr_orphans--;
	}
	for (i = 0; i < v->max_conns; i++) {
		struct vsock_conn *c = &v->conns[i];

		if (c->state == C_FREE || !c->pending)
			continue;
		while (c->pending && rx_get(v)) {
			if (c->pending & P_REQUEST) {
				c->pending &= ~P_REQUEST;
				conn_hdr(c, &h, VSOCK_OP_REQUEST);
			} else if (c->pending & P_RESPONSE) {
				c->pending &= ~P_RESPONSE;
				conn_hdr(c, &h, VSOCK_OP_RESPONSE);
			} else if (c->pending & P_CREDIT_UPDATE) {
				c->pending &= ~P_CREDIT_UPDATE;
				conn_hdr(c, &h, VSOCK_OP_CREDIT_UPDATE);
			} else if (c->pending & P_CREDIT_REQUEST) {
				c->pending &= ~P_CREDIT_REQUEST;
				conn_hdr(c, &h, VSOCK_OP_CREDIT_REQUEST);
			} else {
				c->pending &= ~P_SHUTDOWN;
				conn_hdr(c, &h, VSOCK_OP_SHUTDOWN);
				h.flags = c->shut_send;
			}
			rx_push(v, &h);
		}
		conn_update(c);
	}
}

static void rx_begin(struct virtio_vsock *v)
{
	virtq_lock(&v->vdev.vqs[VSOCK_RXQ]);
	v->rx_pushed = false;
}

static void rx_end(struct virtio_vsock *v)
{
	struct virtq *vq = &v->vdev.vqs[VSOCK_RXQ];

	rx_flush_ctrl(v);
	if (v->rx_pushed)
		virtio_queue_signal(vq);
	virtq_unlock(vq);
}

/* Every connection's events again (the receive queue state changed). */
static void conns_update(struct virtio_vsock *v)
{
	unsigned int i;

	for (i = 0; i < v->max_conns; i++)
		if (v->conns[i].state != C_FREE)
			conn_update(&v->conns[i]);
}

/* More pieces than this in one receive buffer: refused as malformed. */
#define VSOCK_MAX_IOV 64

#define RX_BATCH 64

/* Host bytes to the guest while credit and buffers last (v, rx locked). */
static void conn_host_to_guest(struct vsock_conn *c)
{
	struct virtio_vsock *v = c->v;
	unsigned int n;

	for (n = 0; n < RX_BATCH && c->state == C_ESTABLISHED; n++) {
		struct iovec iov[VSOCK_MAX_IOV];
		u32 credit = conn_credit(c);
		struct vsock_hdr h;
		int cnt;
		ssize_t r;

		if (c->host_eof || (c->peer_shut & VSOCK_SHUTDOWN_RCV) ||
		    (c->pending & P_RESPONSE))
			break;
		if (!credit) {
			if (!c->stalled) {
				c->stalled = true;
				c->pending |= P_CREDIT_REQUEST;
				v->st.credit_stalls++;
			}
			break;
		}
		if (!rx_get(v))
			break;
		cnt = iov_slice(v->rx_chain.iov + v->rx_chain.nr_out,
				v->rx_chain.nr_in, VSOCK_HDR_LEN,
				MIN(credit, (u32)VSOCK_MAX_PAYLOAD), iov,
				ARRAY_SIZE(iov));
		if (cnt < 0) {
			vsock_bad(v, "receive buffer in over %d pieces",
				  VSOCK_MAX_IOV);
			virtq_push(&v->vdev.vqs[VSOCK_RXQ], &v->rx_chain, 0);
			v->rx_held = false;
			v->rx_pushed = true;
			continue;
		}
		if (!cnt) {
			/*
			 * Room for a header only: no data fits, and holding
			 * it would leave the host socket readable, the loop
			 * calling again at once. A credit update uses it.
			 */
			conn_hdr(c, &h, VSOCK_OP_CREDIT_UPDATE);
			rx_push(v, &h);
			continue;
		}
		r = readv(c->h.fd, iov, (int)cnt);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r < 0) {
			conn_reset(c);
			return;
		}
		if (r == 0) {
			c->host_eof = true;
			c->shut_send = VSOCK_SHUTDOWN_SEND |
				       (c->hup ? VSOCK_SHUTDOWN_RCV : 0);
			c->pending |= P_SHUTDOWN;
			break;
		}
		conn_hdr(c, &h, VSOCK_OP_RW);
		h.len = (u32)r;
		rx_push(v, &h);
		c->tx_cnt += (u32)r;
		v->st.bytes_to_guest += (u64)r;
	}
	conn_update(c);
}

/* --- Guest bytes to the host --- */

static void conn_maybe_credit(struct vsock_conn *c)
{
	if (c->fwd_cnt - c->fwd_told >= c->v->buf_alloc / 2)
		c->pending |= P_CREDIT_UPDATE;
}

/* The host socket took n bytes of guest data. */
static void conn_forwarded(struct vsock_conn *c, u32 n)
{
	c->fwd_cnt += n;
	c->v->st.bytes_to_host += n;
	conn_maybe_credit(c);
}

/* Host-bound buffer empty: finish what the guest's SHUTDOWN asked. */
static void conn_drained(struct vsock_conn *c)
{
	if (c->state == C_CLOSING) {
		conn_free(c);
		return;
	}
	if ((c->peer_shut & VSOCK_SHUTDOWN_SEND) && c->h.fd >= 0 &&
	    shutdown(c->h.fd, SHUT_WR) && errno != ENOTCONN)
		pr_warn_ratelimited("%s: shutdown: %s", c->v->vdev.name,
				    strerror(errno));
}

static void conn_flush_to_host(struct vsock_conn *c)
{
	u32 cap = c->v->buf_alloc;

	while (c->len) {
		struct iovec iov[2];
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 1 };
		u32 first = MIN(c->len, cap - c->head);
		ssize_t r;

		iov[0].iov_base = c->buf + c->head;
		iov[0].iov_len = first;
		if (first < c->len) {
			iov[1].iov_base = c->buf;
			iov[1].iov_len = c->len - first;
			m.msg_iovlen = 2;
		}
		r = sendmsg(c->h.fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r < 0) {
			conn_reset(c);
			return;
		}
		c->head = (c->head + (u32)r) % cap;
		c->len -= (u32)r;
		conn_forwarded(c, (u32)r);
	}
	if (!c->len)
		conn_drained(c);
	if (c->state != C_FREE)
		conn_update(c);
}

/* A guest RW payload of len bytes at offset VSOCK_HDR_LEN of the chain. */
static void conn_guest_to_host(struct vsock_conn *c,
			       const struct virtq_chain *ch, u32 len)
{
	struct virtio_vsock *v = c->v;
	u32 cap = v->buf_alloc, done = 0;

	if (c->len + len > cap) {
		vsock_bad(v, "port %u: %u bytes beyond the credit given",
			  c->peer_port, c->len + len - cap);
		conn_reset(c);
		return;
	}
	if (!c->len) {
		struct iovec iov[VSOCK_MAX_IOV];
		struct msghdr m = { .msg_iov = iov };
		/* Beyond VSOCK_MAX_IOV pieces it all goes through the buffer. */
		int k = iov_slice(ch->iov, ch->nr_out, VSOCK_HDR_LEN, len, iov,
				  ARRAY_SIZE(iov));
		ssize_t r = 0;

		m.msg_iovlen = k > 0 ? (size_t)k : 0;
		if (k > 0)
			r = sendmsg(c->h.fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			conn_reset(c);
			return;
		}
		if (r > 0) {
			done = (u32)r;
			conn_forwarded(c, done);
		}
	}
	if (done < len) {
		if (!c->buf) {
			c->buf = malloc(cap);
			if (!c->buf) {
				pr_warn_ratelimited("%s: out of memory",
						    v->vdev.name);
				conn_reset(c);
				return;
			}
			c->head = 0;
		}
		while (done < len) {
			u32 tail = (c->head + c->len) % cap;
			u32 n = MIN(len - done, cap - tail);

			virtq_chain_read(ch, VSOCK_HDR_LEN + done,
					 c->buf + tail, n);
			c->len += n;
			done += n;
		}
	}
	conn_update(c);
}

/* --- Host connections --- */

static int path_port(const struct virtio_vsock *v, u32 port, char *buf,
		     size_t len)
{
	int n = snprintf(buf, len, "%s_%u", v->path, port);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The guest's REQUEST to the host's port local from its port peer. */
static void guest_connect(struct virtio_vsock *v, const struct vsock_hdr *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vsock_conn *c = conn_alloc(v);
	int fd;

	if (!c) {
		v->st.refused_full++;
		pr_warn_ratelimited("%s: %u connections: refusing one to port %u",
				    v->vdev.name, v->max_conns, h->dst_port);
		rst_orphan(v, h->dst_port, h->src_port);
		return;
	}
	c->local_port = h->dst_port;
	c->peer_port = h->src_port;
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	c->state = C_ESTABLISHED;
	if (path_port(v, h->dst_port, sa.sun_path, sizeof(sa.sun_path))) {
		conn_reset(c);
		return;
	}
	/* On the I/O thread (vsock_queue_notify()), under its filter. */
	fd = sc_socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_warn_ratelimited("%s: socket: %s", v->vdev.name,
				    strerror(errno));
		conn_reset(c);
		return;
	}
	c->h.fd = fd;
	/* A UNIX connect completes at once or fails (EAGAIN: backlog full). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		pr_debug("%s: guest port %u to %s: %s", v->vdev.name,
			 h->src_port, sa.sun_path, strerror(errno));
		conn_reset(c);
		return;
	}
	c->pending |= P_RESPONSE;
	v->st.conns++;
	conn_update(c);
}

/*
 * accept() failed for want of a resource (EMFILE, ENFILE, ENOBUFS...): the
 * connection waits in the backlog, the listener stays readable, and the
 * level-triggered loop would call again at once. Off the loop until the
 * timer's next tick (v locked).
 */
static void listen_pause(struct virtio_vsock *v)
{
	int err;

	if (v->listen_off)	/* a second event of the same batch */
		return;
	err = io_loop_del(v->loop, &v->listen_h);
	if (err)
		pr_warn_ratelimited("%s: epoll: %s", v->vdev.name,
				    strerror(-err));
	v->listen_off = !err;
}

static void listen_resume(struct virtio_vsock *v)
{
	int err;

	if (!v->listen_off)
		return;
	err = io_loop_add(v->loop, &v->listen_h, EPOLLIN);
	if (err)
		pr_warn_ratelimited("%s: epoll: %s", v->vdev.name,
				    strerror(-err));
	v->listen_off = err != 0;
}

/* How many host connections may be in their handshake at once. */
static unsigned int handshake_room(const struct virtio_vsock *v)
{
	return MAX(v->max_conns / 2, 1u);
}

/* Host connections without the guest's answer yet (v locked). */
static unsigned int half_open(const struct virtio_vsock *v)
{
	unsigned int i, n = 0;

	for (i = 0; i < v->max_conns; i++)
		n += v->conns[i].state == C_HOST_CONNECT ||
		     v->conns[i].state == C_HOST_REQUEST;
	return n;
}

static void listen_io(struct io_handler *hd, u32 events)
{
	struct virtio_vsock *v = hd->opaque;
	struct vsock_conn *c;
	unsigned int unfinished;
	int fd;

	fd = accept4(hd->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		if (err == EAGAIN || err == EINTR || err == ECONNABORTED)
			return;
		pr_warn_ratelimited("%s: accept: %s", v->vdev.name,
				    strerror(err));
		pthread_mutex_lock(&v->lock);
		listen_pause(v);
		pthread_mutex_unlock(&v->lock);
		return;
	}
	pthread_mutex_lock(&v->lock);
	/*
	 * Half the table at most for handshakes under way: a local flood
	 * of connections that never send CONNECT, or that the guest never
	 * answers, leaves room for the guest's own.
	 */
	unfinished = half_open(v);
	c = unfinished < handshake_room(v) ? conn_alloc(v) : NULL;
	if (!c) {
		v->st.refused_full++;
		pr_warn_ratelimited("%s: %u connections, %u of them unfinished: refusing a host one",
				    v->vdev.name, v->st.nr_conns, unfinished);
		close(fd);
	} else {
		c->h.fd = fd;
		c->h.fn = conn_io;
		c->state = C_HOST_CONNECT;
		c->deadline = mono_now_ms() + v->timeout_ms;
		conn_update(c);
	}
	pthread_mutex_unlock(&v->lock);
}

/* A local port for a host-initiated connection, unused with peer. */
static u32 alloc_port(struct virtio_vsock *v, u32 peer)
{
	for (;;) {
		u32 p = v->next_port++;

		if (v->next_port < (1u << 30) || v->next_port >= (1u << 31))
			v->next_port = 1u << 30;
		if (!conn_find(v, p, peer))
			return p;
	}
}

/*
 * Read "CONNECT <port>\n", not a byte beyond it. What came so far is
 * taken off the socket into c->line: left there, it would keep the
 * socket readable and the level-triggered loop calling at once.
 */
static void conn_read_line(struct vsock_conn *c)
{
	struct virtio_vsock *v = c->v;
	char *at = c->line + c->line_len, *nl;
	size_t room = sizeof(c->line) - 1 - c->line_len, take;
	unsigned long port;
	ssize_t n;

	n = recv(c->h.fd, at, room, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		goto bad;
	nl = memchr(at, '\n', (size_t)n);
	take = nl ? (size_t)(nl - at) + 1 : (size_t)n;
	if (recv(c->h.fd, at, take, MSG_DONTWAIT) != (ssize_t)take)
		goto bad;
	c->line_len += (u32)take;
	if (!nl) {
		if (c->line_len == sizeof(c->line) - 1)
			goto bad;
		return;		/* more to come */
	}
	*nl = 0;
	if (strncmp(c->line, "CONNECT ", 8) ||
	    parse_num_ulong(c->line + 8, 0xffffffffUL, 0, &port))
		goto bad;
	c->peer_port = (u32)port;
	c->local_port = alloc_port(v, c->peer_port);
	c->state = C_HOST_REQUEST;
	c->pending |= P_REQUEST;
	conn_update(c);
	return;
bad:
	pr_debug("%s: host connection without a CONNECT line", v->vdev.name);
	conn_free(c);
}

static void conn_io(struct io_handler *hd, u32 events)
{
	struct vsock_conn *c = hd->opaque;
	struct virtio_vsock *v = c->v;

	pthread_mutex_lock(&v->lock);
	if (c->state == C_FREE || c->h.fd < 0)
		goto out;
	/* Whatever happens here may owe the guest a packet: sent at rx_end. */
	rx_begin(v);
	if (events & EPOLLERR) {
		conn_reset(c);
	} else if (c->state == C_HOST_CONNECT) {
		conn_read_line(c);
	} else {
		if (events & EPOLLHUP)
			c->hup = true;
		if (c->len && (events & (EPOLLOUT | EPOLLHUP)))
			conn_flush_to_host(c);
		if (c->state == C_ESTABLISHED &&
		    (events & (EPOLLIN | EPOLLHUP)))
			conn_host_to_guest(c);
		if (c->state != C_FREE)
			conn_update(c);
	}
	rx_end(v);
out:
	pthread_mutex_unlock(&v->lock);
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
	c = conn_find(v, h.dst_port, h.src_port);
	if (h.type != VSOCK_TYPE_STREAM || h.len > VSOCK_MAX_PAYLOAD ||
	    h.len != ch->out_len - VSOCK_HDR_LEN ||
	    (h.len && h.op != VSOCK_OP_RW) ||
	    h.op == VSOCK_OP_INVALID || h.op > VSOCK_OP_CREDIT_REQUEST) {
		vsock_bad(v, "bad packet: type %u op %u len %u in %llu bytes",
			  h.type, h.op, h.len,
			  (unsigned long long)ch->out_len);
		if (c)
			conn_reset(c);
		else if (h.op != VSOCK_OP_RST)
			rst_orphan(v, h.dst_port, h.src_port);
		return;
	}
	if (!c) {
		if (h.op == VSOCK_OP_REQUEST)
			guest_connect(v, &h);
		else if (h.op != VSOCK_OP_RST)
			rst_orphan(v, h.dst_port, h.src_port);
		return;
	}
	if (c->state == C_CLOSING) {
		/*
		 * Closed for the guest (it had our RST), still draining to
		 * the host: a new REQUEST on its ports is refused, not
		 * left unanswered until the guest's connect times out.
		 */
		if (h.op == VSOCK_OP_RST)
			conn_free(c);
		else if (h.op == VSOCK_OP_REQUEST)
			rst_orphan(v, h.dst_port, h.src_port);
		return;
	}
	c->peer_buf_alloc = h.buf_alloc;
	c->peer_fwd_cnt = h.fwd_cnt;
	if (conn_credit(c))
		c->stalled = false;
	switch (h.op) {
	case VSOCK_OP_RST:
		conn_free(c);
		return;
	case VSOCK_OP_RESPONSE:
		/* Only to a REQUEST the guest has seen. */
		if (c->state == C_HOST_REQUEST && !(c->pending & P_REQUEST)) {
			char ok[24];
			int n = snprintf(ok, sizeof(ok), "OK %u\n",
					 c->local_port);

			if (send(c->h.fd, ok, (size_t)n,
				 MSG_DONTWAIT | MSG_NOSIGNAL) != n) {
				conn_reset(c);
				return;
			}
			c->state = C_ESTABLISHED;
			c->deadline = 0;
			v->st.conns++;
			break;
		}
		conn_reset(c);
		return;
	case VSOCK_OP_RW:
		if (c->state != C_ESTABLISHED ||
		    (c->peer_shut & VSOCK_SHUTDOWN_SEND)) {
			conn_reset(c);
			return;
		}
		conn_guest_to_host(c, ch, h.len);
		return;
	case VSOCK_OP_SHUTDOWN:
		if (c->state != C_ESTABLISHED) {
			conn_reset(c);
			return;
		}
		c->peer_shut |= h.flags & (VSOCK_SHUTDOWN_RCV |
					   VSOCK_SHUTDOWN_SEND);
		if (c->peer_shut == (VSOCK_SHUTDOWN_RCV | VSOCK_SHUTDOWN_SEND)) {
			/* Closed on its side: RST, then drain to the host. */
			rst_orphan(v, c->local_port, c->peer_port);
			c->pending = 0;
			c->state = C_CLOSING;
			c->deadline = mono_now_ms() + v->timeout_ms;
		}
		if (!c->len)
			conn_drained(c);
		break;
	case VSOCK_OP_CREDIT_UPDATE:
		break;
	case VSOCK_OP_CREDIT_REQUEST:
		c->pending |= P_CREDIT_UPDATE;
		break;
	default:	/* REQUEST on a live connection */
		conn_reset(c);
		return;
	}
	if (c->state != C_FREE)
		conn_update(c);
}

static void vsock_tx_notify(struct virtio_vsock *v, struct virtq *vq)
{
	bool pushed = false;

	pthread_mutex_lock(&v->lock);
	rx_begin(v);
	while (virtq_pop(vq, &v->tx_chain) == 1) {
		tx_packet(v, &v->tx_chain);
		virtq_push(vq, &v->tx_chain, 0);
		pushed = true;
	}
	rx_end(v);
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
	rx_begin(v);
	rx_flush_ctrl(v);
	for (i = 0; i < v->max_conns && !v->rx_starved; i++) {
		struct vsock_conn *c = &v->conns[i];

		if (c->state == C_ESTABLISHED && c->h.fd >= 0 &&
		    conn_credit(c))
			conn_host_to_guest(c);
	}
	rx_end(v);
	conns_update(v);
	pthread_mutex_unlock(&v->lock);
}

/* Half-open and closing connections past their deadline. */
static void timer_io(struct io_handler *hd, u32 events)
{
	struct virtio_vsock *v = hd->opaque;
	u64 now = mono_now_ms(), cnt;
	unsigned int i;

	if (read(hd->fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		pr_warn_ratelimited("%s: timer: %s", v->vdev.name,
				    strerror(errno));
	pthread_mutex_lock(&v->lock);
	listen_resume(v);
	rx_begin(v);
	for (i = 0; i < v->max_conns; i++) {
		struct vsock_conn *c = &v->conns[i];

		if (c->state == C_FREE || !c->deadline || now < c->deadline)
			continue;
		v->st.timeouts++;
		/* A REQUEST the guest never saw needs no RST. */
		if (c->pending & P_REQUEST)
			conn_free(c);
		else
			conn_reset(c);
	}
	rx_end(v);
	pthread_mutex_unlock(&v->lock);
}

/* --- Device lifecycle --- */

static void close_all(struct virtio_vsock *v)
{
	unsigned int i;

	for (i = 0; i < v->max_conns; i++)
		if (v->conns[i].state != C_FREE)
			conn_free(&v->conns[i]);
	v->nr_orphans = 0;
	v->rx_held = false;
	v->rx_starved = false;
}

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
	close_all(v);
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

static int vsock_listen(struct virtio_vsock *v, char *msg, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	err = vsock_check_path(v->path, msg, len);
	if (err)
		return err;
	memcpy(sa.sun_path, v->path, strlen(v->path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* A socket there: live (someone answers) or stale (replaced). */
	if (!access(v->path, F_OK)) {
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    errno == EAGAIN) {
			close(fd);
			snprintf(msg, len, "vsock socket '%s' is in use",
				 v->path);
			return -EADDRINUSE;
		}
		close(fd);
		if (unlink(v->path))
			goto fail;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
		if (fd < 0)
			goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		snprintf(msg, len, "vsock socket '%s': %s", v->path,
			 strerror(-err));
		return err;
	}
	v->listen_h.fd = fd;
	return 0;
fail:
	err = -errno;
	snprintf(msg, len, "vsock socket '%s': %s", v->path, strerror(-err));
	return err;
}

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
	v->listen_h.fn = listen_io;
	v->kick_h.fn = kick_io;
	v->timer_h.fn = timer_io;
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
		close_all(v);
	for (i = 0; i < ARRAY_SIZE(hs); i++) {
		if (hs[i]->fd < 0)
			continue;
		if (hs[i]->fn)
			io_loop_del(v->loop, hs[i]);
		close(hs[i]->fd);
	}
	if (v->listen_h.fd >= 0 && unlink(v->path))
		pr_warn("%s: cannot remove '%s': %s", v->vdev.name, v->path,
			strerror(errno));
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
	if (!err && half_open(v) > handshake_room(v))
		err = snprintf(why, len, "%u host handshakes, room for %u",
			       half_open(v), handshake_room(v));
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
