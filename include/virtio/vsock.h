/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-vsock (virtio 1.x spec 5.10) in user space, its host side on
 * UNIX sockets in Firecracker's form:
 *
 *  - lkvm listens on PATH. A host program connects there, writes
 *    "CONNECT <port>\n" and, once the guest's listener on <port> accepts,
 *    reads "OK <host-port>\n"; the socket is then a byte stream to it.
 *  - A guest connecting to CID 2 (the host) port P reaches the host
 *    program listening on "PATH_P".
 *
 * Stream sockets only (no SEQPACKET), with the spec's credit-based flow
 * control: the device offers each connection buf_alloc bytes of host-bound
 * buffer and tells the guest how far it has forwarded (fwd_cnt); it sends
 * to the guest only as far as the guest's buf_alloc/fwd_cnt allow.
 * The host program's shutdown(2) and close reach the guest as SHUTDOWN:
 * SHUT_WR (read 0) as SEND, SHUT_RD as RCV when the guest next writes
 * (EPIPE: a UNIX socket shows it no other way), a close as RCV|SEND
 * (EPOLLHUP, watched for after the EOF too); a close that left the
 * guest's bytes unread (EPOLLERR) as RST.
 * Anything unexpected is answered with RST; malformed packets are dropped
 * or reset with one rate-limited log line. The table of connections is
 * bounded (max_conns: a further one is refused with RST), host connections
 * still in their handshake take at most half of it, and a connection
 * that does not complete its handshake within timeout_ms is dropped.
 *
 * Threads: host sockets are non-blocking and served by the I/O loop; the
 * transmit queue is processed on the I/O thread too (a notification that
 * lands on a vCPU is handed over: only the I/O thread's seccomp filter
 * allows sockets); everything shares one device lock.
 */
#ifndef LKVM_VIRTIO_VSOCK_H
#define LKVM_VIRTIO_VSOCK_H

#include <stddef.h>

#include "io-loop.h"
#include "types.h"
#include "virtio/core.h"

#define VSOCK_HOST_CID		2
#define VSOCK_MIN_GUEST_CID	3
/* CIDs are 64-bit in the config space, 32-bit in Linux's sockaddr_vm. */
#define VSOCK_MAX_GUEST_CID	0xfffffffeULL

#define VSOCK_QUEUE_SIZE	256
#define VSOCK_RXQ		0
#define VSOCK_TXQ		1
#define VSOCK_EVQ		2

#define VSOCK_HDR_LEN		44
/* Longest payload a guest may put in one packet (Linux's own limit). */
#define VSOCK_MAX_PAYLOAD	(64 * 1024)

#define VSOCK_OP_INVALID	0
#define VSOCK_OP_REQUEST	1
#define VSOCK_OP_RESPONSE	2
#define VSOCK_OP_RST		3
#define VSOCK_OP_SHUTDOWN	4
#define VSOCK_OP_RW		5
#define VSOCK_OP_CREDIT_UPDATE	6
#define VSOCK_OP_CREDIT_REQUEST	7

#define VSOCK_TYPE_STREAM	1
#define VSOCK_SHUTDOWN_RCV	1
#define VSOCK_SHUTDOWN_SEND	2

#define VSOCK_DEFAULT_MAX_CONNS		256
#define VSOCK_DEFAULT_TIMEOUT_MS	2000
#define VSOCK_DEFAULT_BUF_ALLOC		(256 * 1024)
/* The longest "CONNECT <port>\n" line read from a host program. */
#define VSOCK_CONNECT_LINE_MAX		32

/* A packet header, in host byte order (le on the wire). */
struct vsock_hdr {
	u64 src_cid, dst_cid;
	u32 src_port, dst_port;
	u32 len;
	u16 type, op;
	u32 flags;
	u32 buf_alloc, fwd_cnt;
};

void vsock_hdr_decode(struct vsock_hdr *h, const u8 raw[VSOCK_HDR_LEN]);
void vsock_hdr_encode(const struct vsock_hdr *h, u8 raw[VSOCK_HDR_LEN]);

struct virtio_vsock_options {
	u64 guest_cid;
	/* The listening socket lkvm makes; "PATH_P" for host listeners. */
	const char *path;
	struct io_loop *loop;
	unsigned int max_conns;		/* 0: VSOCK_DEFAULT_MAX_CONNS */
	unsigned int timeout_ms;	/* 0: VSOCK_DEFAULT_TIMEOUT_MS */
	u32 buf_alloc;			/* 0: VSOCK_DEFAULT_BUF_ALLOC */
	/* Removes path at destroy, 0 or -errno; NULL: unlink(). */
	int (*unlink)(void *ctx, const char *path);
	void *unlink_ctx;
};

struct virtio_vsock_stats {
	unsigned int nr_conns;		/* now */
	unsigned int max_conns_seen;	/* highest nr_conns */
	u64 conns;			/* ever established */
	u64 refused_full;		/* table (or its half for handshakes) full */
	u64 rst_sent;
	u64 malformed;			/* dropped or reset as malformed */
	u64 timeouts;			/* half-open connections dropped */
	u64 bytes_to_guest, bytes_to_host;
	u64 credit_stalls;		/* host data held for guest credit */
};

struct virtio_vsock;

/*
 * Make the device and its listening socket at o->path (a stale socket
 * there is replaced; anything else is refused). -errno with msg set.
 */
int virtio_vsock_create(struct virtio_vsock **out, const struct guest_mem *mem,
			const char *name, const struct virtio_vsock_options *o,
			char *msg, size_t len);
struct virtio_device *virtio_vsock_vdev(struct virtio_vsock *v);
/* A copy of the counters, taken under the device lock. */
void virtio_vsock_get_stats(struct virtio_vsock *v,
			    struct virtio_vsock_stats *st);
/*
 * Check the device's own invariants (tests, fuzzing): connections within
 * the bound and counted, host handshakes within half of it, no key twice,
 * host-bound data within buf_alloc, credit never beyond the guest's
 * buffer. -EINVAL with why set.
 */
int virtio_vsock_check(struct virtio_vsock *v, char *why, size_t len);
/* Close every connection and the listener, remove PATH (loop stopped). */
void virtio_vsock_destroy(struct virtio_vsock *v);

/*
 * Check a --vsock socket path before the guest starts: not too long for
 * a UNIX socket (with "_4294967295" appended), and, if it exists, a
 * socket. -EINVAL with msg set.
 */
int vsock_check_path(const char *path, char *msg, size_t len);

#endif
