/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a virtio-net device's frames go: a backend (tap, libslirp) gives
 * one file descriptor per queue pair. Each read gives one frame and each
 * write takes one, both led by the 12-byte virtio 1.x net header
 * (struct virtio_net_hdr_v1, little-endian): the device reads and writes
 * straight between those descriptors and the guest's buffers (readv,
 * writev; recvmsg with MSG_TRUNC on a socket). The descriptors are
 * non-blocking; a read longer than the buffers given reports the frame's
 * full length (tap does; MSG_TRUNC on a socket), so the device sees the
 * truncation and drops the frame.
 *
 * Offloads: what the backend accepts in a header from the guest
 * (checksum left to do, TSO) and may send the guest once set_offload()
 * allowed it. A backend that offers none takes and gives headers with
 * zero flags and gso_type only.
 */
#ifndef LKVM_NET_BACKEND_H
#define LKVM_NET_BACKEND_H

#include <netinet/in.h>
#include <stdbool.h>

#include "types.h"

#define NET_BACKEND_MAX_QUEUES	16
#define NET_HDR_LEN		12	/* struct virtio_net_hdr_v1 */

/* Offloads, both ways. */
#define NET_OFF_CSUM		(1U << 0)	/* partial checksums */
#define NET_OFF_TSO4		(1U << 1)
#define NET_OFF_TSO6		(1U << 2)
#define NET_OFF_ECN		(1U << 3)	/* TSO with ECN (CWR) */

struct net_backend;

struct net_backend_ops {
	const char *name;		/* "tap", "user" */
	/*
	 * Which offloads (NET_OFF_*) frames to the guest may carry: what the
	 * driver accepted. Optional; -errno.
	 */
	int (*set_offload)(struct net_backend *be, unsigned int offloads);
	/* Only the first n queues carry frames now (multiqueue). Optional. */
	int (*set_queues)(struct net_backend *be, unsigned int n);
	/* Close the descriptors and free the backend. */
	void (*close)(struct net_backend *be);
};

struct net_backend {
	const struct net_backend_ops *ops;
	unsigned int nr_queues;			/* 1 .. MAX_QUEUES */
	int fds[NET_BACKEND_MAX_QUEUES];	/* one per queue pair */
	unsigned int offloads;			/* NET_OFF_* it handles */
	bool sock;				/* fds are sockets */
	void *priv;
};

/* -n mode=tap: devices/net-tap.c. */
struct net_tap_options {
	const char *ifname;	/* NULL or "": a new tapN */
	int fd;			/* >= 0: an open tap to take (one queue) */
	unsigned int queues;	/* 0: 1; more: IFF_MULTI_QUEUE */
	const char *script;	/* run with the name once it is open */
	const char *downscript;	/* run with the name at close */
	const char *host_ip;	/* an address/24 for the tap, brought up */
	const u8 *host_mac;	/* NULL, or the tap's own MAC address */
};

/* -n mode=user: devices/net-slirp.c, libslirp on its own thread. */
struct net_hostfwd {
	bool udp;
	struct in_addr host_addr;	/* 127.0.0.1 unless given */
	u16 host_port;
	struct in_addr guest_addr;	/* 0.0.0.0: the DHCP address */
	u16 guest_port;
};

struct net_user_options {
	struct in_addr host;	/* the gateway, the network is its /24 */
	struct in_addr guest;	/* the address DHCP hands out first */
	const struct net_hostfwd *fwd;
	unsigned int nr_fwd;
	/*
	 * Start libslirp only when the driver first sets the device up
	 * (the default NIC: a guest that never uses it costs nothing).
	 * Not with hostfwd rules, whose host ports must listen from the
	 * start.
	 */
	bool lazy;
	/*
	 * Host sockets libslirp may hold for the guest's flows (0:
	 * NET_USER_SOCKETS_MAX): each takes one of lkvm's descriptors.
	 */
	unsigned int max_sockets;
};

#define NET_USER_SOCKETS_MAX	1024

/*
 * mode=user's addresses: two host addresses (not .0, .255, nor the
 * guest's .254 that libslirp keeps) of one /24, not the same.
 */
static inline bool net_user_addrs_ok(struct in_addr host, struct in_addr guest)
{
	u32 h = ntohl(host.s_addr), g = ntohl(guest.s_addr);

	return (h & 0xffffff00) == (g & 0xffffff00) && h != g &&
	       (h & 0xff) && (h & 0xff) != 0xff && (g & 0xff) &&
	       (g & 0xff) < 0xfe;
}

/* Open a backend; -errno with a reason for the user in err. */
int net_tap_open(struct net_backend **out, const struct net_tap_options *o,
		 char *err, size_t errlen);
int net_user_open(struct net_backend **out, const struct net_user_options *o,
		  char *err, size_t errlen);
/* Was lkvm built with libslirp (mode=user)? */
bool net_user_available(void);
/*
 * dlopen() libslirp now (a jail's root has no libraries later). A failure
 * is kept and reported where a mode=user NIC starts, as without a jail.
 */
void net_user_preload(void);

static inline void net_backend_close(struct net_backend *be)
{
	if (be && be->ops && be->ops->close)
		be->ops->close(be);
}

#endif
