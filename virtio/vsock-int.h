/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-vsock inside, shared by its two halves (include/virtio/vsock.h
 * is the device seen from outside):
 *
 *  - virtio/vsock.c: the virtqueues and their packets (the receive queue
 *    and the control packets owed, the transmit queue's headers checked
 *    and acted on), credit, the device's life;
 *  - virtio/vsock-host.c: the host sockets (the table of connections and
 *    their events in the I/O loop, the listener and its CONNECT
 *    handshake, the guest's connects, socket reads and writes, the
 *    deadlines).
 *
 * Everything here is under v->lock; the vsock_rx_*() and whatever sends
 * to the guest run between vsock_rx_begin() and vsock_rx_end() (the
 * receive queue locked). Only those two files include this.
 */
#ifndef LKVM_VIRTIO_VSOCK_INT_H
#define LKVM_VIRTIO_VSOCK_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"
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
	bool hup;			/* EPOLLHUP: both ways shut on our end */
	bool host_eof;			/* read 0 from the host */
	bool host_nord;			/* EPIPE: the host takes no more */
	bool wr_shut;			/* we shut our end's writing */
	enum conn_state state;
	u32 local_port;			/* the host side's port */
	u32 peer_port;			/* the guest's */
	u32 pending;			/* P_* */
	u32 shut_send;			/* VSOCK_SHUTDOWN_* told the guest */
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
	int (*unlink)(void *ctx, const char *path);	/* o->unlink */
	void *unlink_ctx;
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

/* More pieces than this in one receive buffer: refused as malformed. */
#define VSOCK_MAX_IOV 64

/* Bytes the guest lets us send now; never more than its buffer. */
static inline u32 conn_credit(const struct vsock_conn *c)
{
	u32 in_flight = c->tx_cnt - c->peer_fwd_cnt;

	if (in_flight > c->peer_buf_alloc)
		return 0;
	return c->peer_buf_alloc - in_flight;
}

/* How many host connections may be in their handshake at once. */
static inline unsigned int handshake_room(const struct virtio_vsock *v)
{
	return MAX(v->max_conns / 2, 1u);
}

/* virtio/vsock.c */
void __printf(2, 3) vsock_bad(struct virtio_vsock *v, const char *fmt, ...);
void vsock_rst_orphan(struct virtio_vsock *v, u32 src, u32 dst);
bool vsock_rx_get(struct virtio_vsock *v);
void vsock_rx_push(struct virtio_vsock *v, struct vsock_hdr *h);
void vsock_conn_hdr(struct vsock_conn *c, struct vsock_hdr *h, u16 op);
void vsock_rx_begin(struct virtio_vsock *v);
void vsock_rx_end(struct virtio_vsock *v);
void vsock_conn_forwarded(struct vsock_conn *c, u32 n);

/* virtio/vsock-host.c */
struct vsock_conn *vsock_conn_find(struct virtio_vsock *v, u32 local,
				   u32 peer);
void vsock_conn_update(struct vsock_conn *c);
void vsock_conn_free(struct vsock_conn *c);
void vsock_conn_reset(struct vsock_conn *c);
void vsock_conns_update(struct virtio_vsock *v);
void vsock_conn_host_to_guest(struct vsock_conn *c);
void vsock_conn_drained(struct vsock_conn *c);
void vsock_conn_guest_to_host(struct vsock_conn *c,
			      const struct virtq_chain *ch, u32 len);
void vsock_guest_connect(struct virtio_vsock *v, const struct vsock_hdr *h);
unsigned int vsock_half_open(const struct virtio_vsock *v);
void vsock_listen_io(struct io_handler *hd, u32 events);
void vsock_timer_io(struct io_handler *hd, u32 events);
void vsock_close_all(struct virtio_vsock *v);
int vsock_listen(struct virtio_vsock *v, char *msg, size_t len);

#endif
