// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vsock's host side: its connections' UNIX sockets, the listener
 * and its CONNECT handshake, the guest's connects, reads and writes, the
 * deadlines (virtio/vsock-int.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "deadline.h"
#include "iov.h"
#include "log.h"
#include "parse-num.h"
#include "vsock-int.h"

/* --- Connections --- */

struct vsock_conn *vsock_conn_find(struct virtio_vsock *v, u32 local,
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
 * A free slot, the one after the last taken first: a slot just freed is
 * the last taken again. An event of a freed connection that the I/O loop
 * still holds is harmless either way. Freed on the I/O thread, its events
 * later in the batch under way are skipped (io_loop_del_nowait() there).
 * Freed by a reset on a vCPU, the batch may still hold one for its slot:
 * conn_io() ignores it while the slot is free, and for a new connection
 * there acts on an error or hang-up only if the socket shows it now
 * (conn_events_now()). The rotation only makes that last case rarer.
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
 * Register for events; with none and !watch, off the loop (EPOLLHUP and
 * EPOLLERR, which epoll reports unasked, would find nothing to do). v
 * locked. Off the loop without waiting for the I/O thread (a reset on a
 * vCPU gets here with v locked, which conn_io() takes): the slot outlives
 * the loop, and conn_io() looks under the lock whether it still holds a
 * connection with an fd, and whether an error or hang-up is its own.
 */
static void conn_set_events(struct vsock_conn *c, u32 events, bool watch)
{
	int err = 0;

	if (c->h.fd < 0 ||
	    (c->registered && events == c->events && (events || watch)))
		return;
	if (!events && !watch) {
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

/* What the host socket should wake us for, as things stand. */
void vsock_conn_update(struct vsock_conn *c)
{
	struct virtio_vsock *v = c->v;
	bool watch = false;
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
		/*
		 * Until EPOLLHUP: after the host's EOF with nothing to
		 * write, its close comes as that alone. Once seen it is
		 * level-triggered: with nothing to do, off the loop.
		 */
		watch = !c->hup;
		/* fall through */
	case C_CLOSING:
		if (c->len)
			ev |= EPOLLOUT;
		break;
	default:
		break;
	}
	conn_set_events(c, ev, watch);
}

static void conn_close_fd(struct vsock_conn *c)
{
	if (c->h.fd < 0)
		return;
	conn_set_events(c, 0, false);
	if (close(c->h.fd))
		pr_warn_ratelimited("%s: close: %s", c->v->vdev.name,
				    strerror(errno));
	c->h.fd = -1;
}

void vsock_conn_free(struct vsock_conn *c)
{
	conn_close_fd(c);
	free(c->buf);
	c->buf = NULL;
	c->state = C_FREE;
	c->pending = 0;
	c->v->st.nr_conns--;
}

/* Reset the connection: RST to the guest, host socket closed. */
void vsock_conn_reset(struct vsock_conn *c)
{
	if (c->state != C_HOST_CONNECT && c->state != C_CLOSING)
		vsock_rst_orphan(c->v, c->local_port, c->peer_port);
	vsock_conn_free(c);
}

/*
 * The host end shut more of itself (VSOCK_SHUTDOWN_*, as the guest reads
 * them: RCV, the host takes no more; SEND, it sends no more): a SHUTDOWN
 * with everything so far is owed. Only an established connection has a
 * guest to tell.
 */
static void conn_host_shut(struct vsock_conn *c, u32 flags)
{
	if (c->state != C_ESTABLISHED || (c->shut_send & flags) == flags)
		return;
	c->shut_send |= flags;
	c->pending |= P_SHUTDOWN;
}

/*
 * EPOLLHUP is both ways shut on our end: the host's reading too, unless
 * we shut our writing ourselves (then it may be the host's SHUT_WR only).
 */
static u32 conn_hup_flags(const struct vsock_conn *c)
{
	return c->hup && !c->wr_shut ? VSOCK_SHUTDOWN_RCV : 0;
}

/* Every connection's events again (the receive queue state changed). */
void vsock_conns_update(struct virtio_vsock *v)
{
	unsigned int i;

	for (i = 0; i < v->max_conns; i++)
		if (v->conns[i].state != C_FREE)
			vsock_conn_update(&v->conns[i]);
}

#define RX_BATCH 64

/* Host bytes to the guest while credit and buffers last (v, rx locked). */
void vsock_conn_host_to_guest(struct vsock_conn *c)
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
		if (!vsock_rx_get(v))
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
			vsock_conn_hdr(c, &h, VSOCK_OP_CREDIT_UPDATE);
			vsock_rx_push(v, &h);
			continue;
		}
		r = readv(c->h.fd, iov, (int)cnt);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r < 0) {
			vsock_conn_reset(c);
			return;
		}
		if (r == 0) {
			c->host_eof = true;
			conn_host_shut(c, VSOCK_SHUTDOWN_SEND |
				       conn_hup_flags(c));
			break;
		}
		vsock_conn_hdr(c, &h, VSOCK_OP_RW);
		h.len = (u32)r;
		vsock_rx_push(v, &h);
		c->tx_cnt += (u32)r;
		v->st.bytes_to_guest += (u64)r;
	}
	vsock_conn_update(c);
}

/* --- Guest bytes to the host --- */

/* Host-bound buffer empty: finish what the guest's SHUTDOWN asked. */
void vsock_conn_drained(struct vsock_conn *c)
{
	if (c->state == C_CLOSING) {
		vsock_conn_free(c);
		return;
	}
	if (!(c->peer_shut & VSOCK_SHUTDOWN_SEND) || c->h.fd < 0 ||
	    c->wr_shut)
		return;
	if (!shutdown(c->h.fd, SHUT_WR) || errno == ENOTCONN)
		c->wr_shut = true;
	else
		pr_warn_ratelimited("%s: shutdown: %s", c->v->vdev.name,
				    strerror(errno));
}

/*
 * EPIPE: the host shut its reading side (or closed). A UNIX socket shows
 * a SHUT_RD to our end only as EPIPE on a write: no poll event comes for
 * it alone (EPOLLHUP comes once both ways are shut). The guest is told
 * SHUTDOWN(rcv); its bytes held for the host, and any still on their way,
 * are dropped, counted as forwarded (its credit back).
 */
static void conn_host_nord(struct vsock_conn *c)
{
	c->host_nord = true;
	c->fwd_cnt += c->len;
	c->len = 0;
	c->head = 0;
	if (c->state == C_CLOSING)
		vsock_conn_free(c);
	else
		conn_host_shut(c, VSOCK_SHUTDOWN_RCV);
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
		if (r < 0 && errno == EPIPE) {
			conn_host_nord(c);
			if (c->state == C_FREE)
				return;
			break;
		}
		if (r < 0) {
			vsock_conn_reset(c);
			return;
		}
		c->head = (c->head + (u32)r) % cap;
		c->len -= (u32)r;
		vsock_conn_forwarded(c, (u32)r);
	}
	if (!c->len)
		vsock_conn_drained(c);
	if (c->state != C_FREE)
		vsock_conn_update(c);
}

/* A guest RW payload of len bytes at offset VSOCK_HDR_LEN of the chain. */
void vsock_conn_guest_to_host(struct vsock_conn *c,
			      const struct virtq_chain *ch, u32 len)
{
	struct virtio_vsock *v = c->v;
	u32 cap = v->buf_alloc, done = 0;

	if (c->host_nord) {
		/* Sent before the guest had our SHUTDOWN(rcv): dropped. */
		c->fwd_cnt += len;
		return;
	}
	if (c->len + len > cap) {
		vsock_bad(v, "port %u: %u bytes beyond the credit given",
			  c->peer_port, c->len + len - cap);
		vsock_conn_reset(c);
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
		if (r < 0 && errno == EPIPE) {
			c->fwd_cnt += len;
			conn_host_nord(c);
			vsock_conn_update(c);
			return;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			vsock_conn_reset(c);
			return;
		}
		if (r > 0) {
			done = (u32)r;
			vsock_conn_forwarded(c, done);
		}
	}
	if (done < len) {
		if (!c->buf) {
			c->buf = malloc(cap);
			if (!c->buf) {
				pr_warn_ratelimited("%s: out of memory",
						    v->vdev.name);
				vsock_conn_reset(c);
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
	vsock_conn_update(c);
}

/* --- Host connections --- */

static int path_port(const struct virtio_vsock *v, u32 port, char *buf,
		     size_t len)
{
	int n = snprintf(buf, len, "%s_%u", v->path, port);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The guest's REQUEST to the host's port local from its port peer. */
void vsock_guest_connect(struct virtio_vsock *v, const struct vsock_hdr *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vsock_conn *c = conn_alloc(v);
	int fd;

	if (!c) {
		v->st.refused_full++;
		pr_warn_ratelimited("%s: %u connections: refusing one to port %u",
				    v->vdev.name, v->max_conns, h->dst_port);
		vsock_rst_orphan(v, h->dst_port, h->src_port);
		return;
	}
	c->local_port = h->dst_port;
	c->peer_port = h->src_port;
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	c->state = C_ESTABLISHED;
	if (path_port(v, h->dst_port, sa.sun_path, sizeof(sa.sun_path))) {
		vsock_conn_reset(c);
		return;
	}
	/* On the I/O thread (vsock_queue_notify()), under its filter. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_warn_ratelimited("%s: socket: %s", v->vdev.name,
				    strerror(errno));
		vsock_conn_reset(c);
		return;
	}
	c->h.fd = fd;
	/* A UNIX connect completes at once or fails (EAGAIN: backlog full). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		pr_debug("%s: guest port %u to %s: %s", v->vdev.name,
			 h->src_port, sa.sun_path, strerror(errno));
		vsock_conn_reset(c);
		return;
	}
	c->pending |= P_RESPONSE;
	v->st.conns++;
	vsock_conn_update(c);
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

/* Host connections without the guest's answer yet (v locked). */
unsigned int vsock_half_open(const struct virtio_vsock *v)
{
	unsigned int i, n = 0;

	for (i = 0; i < v->max_conns; i++)
		n += v->conns[i].state == C_HOST_CONNECT ||
		     v->conns[i].state == C_HOST_REQUEST;
	return n;
}

void vsock_listen_io(struct io_handler *hd, u32 events)
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
	unfinished = vsock_half_open(v);
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
		vsock_conn_update(c);
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
		if (!vsock_conn_find(v, p, peer))
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
	vsock_conn_update(c);
	return;
bad:
	pr_debug("%s: host connection without a CONNECT line", v->vdev.name);
	vsock_conn_free(c);
}

/*
 * An error, or a hang-up not seen yet, acted on only if the socket shows
 * it now: a reset on a vCPU closes connections without waiting for the
 * I/O thread (io_loop_del_nowait()), whose batch under way may hold an
 * event of one of them for a slot that an earlier handler of the batch
 * gave to a new connection. Reading and writing find out by themselves.
 */
static u32 conn_events_now(const struct vsock_conn *c, u32 events)
{
	struct pollfd p = { .fd = c->h.fd };
	u32 check = events & (EPOLLERR | (c->hup ? 0 : EPOLLHUP));

	if (!check || poll(&p, 1, 0) < 0)
		return events;
	if ((check & EPOLLERR) && !(p.revents & POLLERR))
		events &= ~(u32)EPOLLERR;
	if ((check & EPOLLHUP) && !(p.revents & POLLHUP))
		events &= ~(u32)EPOLLHUP;
	return events;
}

static void conn_io(struct io_handler *hd, u32 events)
{
	struct vsock_conn *c = hd->opaque;
	struct virtio_vsock *v = c->v;

	pthread_mutex_lock(&v->lock);
	if (c->state == C_FREE || c->h.fd < 0)
		goto out;
	events = conn_events_now(c, events);
	/* Whatever happens here may owe the guest a packet: sent at vsock_rx_end. */
	vsock_rx_begin(v);
	if (events & EPOLLERR) {
		vsock_conn_reset(c);
	} else if (c->state == C_HOST_CONNECT) {
		conn_read_line(c);
	} else {
		if (events & EPOLLHUP) {
			c->hup = true;
			/*
			 * Read to its end before, or never to be read (the
			 * guest shut receiving): this is its close.
			 */
			if (c->host_eof || (c->peer_shut & VSOCK_SHUTDOWN_RCV))
				conn_host_shut(c, VSOCK_SHUTDOWN_SEND |
					       conn_hup_flags(c));
		}
		if (c->len && (events & (EPOLLOUT | EPOLLHUP)))
			conn_flush_to_host(c);
		if (c->state == C_ESTABLISHED &&
		    (events & (EPOLLIN | EPOLLHUP)))
			vsock_conn_host_to_guest(c);
		if (c->state != C_FREE)
			vsock_conn_update(c);
	}
	vsock_rx_end(v);
out:
	pthread_mutex_unlock(&v->lock);
}

/* Half-open and closing connections past their deadline. */
void vsock_timer_io(struct io_handler *hd, u32 events)
{
	struct virtio_vsock *v = hd->opaque;
	u64 now = mono_now_ms(), cnt;
	unsigned int i;

	if (read(hd->fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		pr_warn_ratelimited("%s: timer: %s", v->vdev.name,
				    strerror(errno));
	pthread_mutex_lock(&v->lock);
	listen_resume(v);
	vsock_rx_begin(v);
	for (i = 0; i < v->max_conns; i++) {
		struct vsock_conn *c = &v->conns[i];

		if (c->state == C_FREE || !c->deadline || now < c->deadline)
			continue;
		v->st.timeouts++;
		/* A REQUEST the guest never saw needs no RST. */
		if (c->pending & P_REQUEST)
			vsock_conn_free(c);
		else
			vsock_conn_reset(c);
	}
	vsock_rx_end(v);
	pthread_mutex_unlock(&v->lock);
}

void vsock_close_all(struct virtio_vsock *v)
{
	unsigned int i;

	for (i = 0; i < v->max_conns; i++)
		if (v->conns[i].state != C_FREE)
			vsock_conn_free(&v->conns[i]);
	v->nr_orphans = 0;
	v->rx_held = false;
	v->rx_starved = false;
}

int vsock_listen(struct virtio_vsock *v, char *msg, size_t len)
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
