/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net (virtio 1.x spec 5.1): queue pairs (receiveq N = 2N,
 * transmitq N = 2N + 1) and a control queue after them, frames moved
 * between the guest's buffers and a backend's descriptors
 * (net-backend.h) without a copy of the payload.
 *
 * Offered: MAC, STATUS (link up), MTU, MRG_RXBUF, CTRL_VQ with CTRL_RX
 * (promiscuous, all-multicast, ...), the MAC filter table and
 * CTRL_MAC_ADDR, MQ when there is more than one pair, and the checksum,
 * TSO and ECN offloads both ways where the backend handles them (plus
 * CTRL_GUEST_OFFLOADS then).
 *
 * Threads: transmit runs in the transmit queue's notify (the I/O thread
 * for an ioeventfd), receive on the I/O thread when a backend descriptor
 * is readable (edge-triggered: the device drains it, or waits for the
 * guest's next receive buffers), both under the queue's lock.
 *
 * A guest's bad frame (a header that asks for what was not negotiated, a
 * frame too short or too long) or a bad control command is dropped or
 * answered VIRTIO_NET_ERR, counted, with one rate-limited line; the
 * device carries on. A received frame never carries an offload the driver
 * does not take now (virtio/net-rxhdr.c): segmented, it is dropped the
 * same way; a partial checksum is completed; one whose position is
 * outside the frame is dropped.
 */
#ifndef LKVM_VIRTIO_NET_H
#define LKVM_VIRTIO_NET_H

#include <stdatomic.h>

#include "io-loop.h"
#include "net-backend.h"
#include "types.h"
#include "virtio/core.h"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_GUEST_ECN		9
#define VIRTIO_NET_F_GUEST_UFO		10
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_HOST_ECN		13
#define VIRTIO_NET_F_HOST_UFO		14
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
#define VIRTIO_NET_F_CTRL_VQ		17
#define VIRTIO_NET_F_CTRL_RX		18
#define VIRTIO_NET_F_CTRL_VLAN		19
#define VIRTIO_NET_F_CTRL_RX_EXTRA	20
#define VIRTIO_NET_F_GUEST_ANNOUNCE	21
#define VIRTIO_NET_F_MQ			22
#define VIRTIO_NET_F_CTRL_MAC_ADDR	23

/* Config space (struct virtio_net_config, little-endian). */
#define VIRTIO_NET_CFG_MAC		0
#define VIRTIO_NET_CFG_STATUS		6
#define VIRTIO_NET_CFG_MAX_PAIRS	8
#define VIRTIO_NET_CFG_MTU		10
#define VIRTIO_NET_CFG_LEN		12

#define VIRTIO_NET_S_LINK_UP		1

/* The header (struct virtio_net_hdr_v1). */
#define VIRTIO_NET_HDR_FLAGS		0
#define VIRTIO_NET_HDR_GSO_TYPE		1
#define VIRTIO_NET_HDR_HDR_LEN		2
#define VIRTIO_NET_HDR_GSO_SIZE		4
#define VIRTIO_NET_HDR_CSUM_START	6
#define VIRTIO_NET_HDR_CSUM_OFFSET	8
#define VIRTIO_NET_HDR_NUM_BUFFERS	10

#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_F_DATA_VALID	2
#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_UDP		3
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_ECN		0x80

/* Control queue (5.1.6.5). */
#define VIRTIO_NET_OK			0
#define VIRTIO_NET_ERR			1
#define VIRTIO_NET_CTRL_RX		0
#define VIRTIO_NET_CTRL_RX_PROMISC	0
#define VIRTIO_NET_CTRL_RX_ALLMULTI	1
#define VIRTIO_NET_CTRL_MAC		1
#define VIRTIO_NET_CTRL_MAC_TABLE_SET	0
#define VIRTIO_NET_CTRL_MAC_ADDR_SET	1
#define VIRTIO_NET_CTRL_MQ		4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET	0
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS	5
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET 0

/* Limits. */
#define VIRTIO_NET_QUEUE_SIZE		256
#define VIRTIO_NET_MAX_PAIRS		NET_BACKEND_MAX_QUEUES
#define VIRTIO_NET_MAC_TABLE		64	/* entries per class */
#define VIRTIO_NET_DEFAULT_MTU		1500
/* A frame: Ethernet header, a VLAN tag and the largest TSO payload. */
#define VIRTIO_NET_MAX_GSO_FRAME	(65535 + 14 + 4)
#define VIRTIO_NET_RX_HELD		64	/* chains held for one frame */
/* Frames one call reads from a backend before the others get a turn. */
#define VIRTIO_NET_RX_BUDGET		256

struct virtio_net_options {
	u8 mac[6];
	u16 mtu;			/* 0: 1500 */
	unsigned int pairs;		/* 0: 1; at most the backend's */
	u16 queue_size;			/* 0: VIRTIO_NET_QUEUE_SIZE */
	struct io_loop *loop;		/* NULL: the caller runs the I/O */
};

/* What the device counts (the unit tests and a curious user read them). */
struct virtio_net_stats {
	atomic_ullong tx_frames, tx_bytes, tx_dropped;
	atomic_ullong rx_frames, rx_bytes, rx_dropped, rx_filtered;
	/*
	 * Received frames with an offload the driver does not take (now): a
	 * segmented one dropped, a partial checksum completed.
	 */
	atomic_ullong rx_offload_dropped, rx_csum_done;
	atomic_ullong ctrl_ok, ctrl_err;
	/* Frames each queue pair carried (does the steering use them all?) */
	atomic_ullong pair_tx[VIRTIO_NET_MAX_PAIRS];
	atomic_ullong pair_rx[VIRTIO_NET_MAX_PAIRS];
};

struct virtio_net;

/*
 * Build the device over be (it then owns be, closed by destroy; on
 * failure the caller still owns it). -errno with a reason in err.
 */
int virtio_net_create(struct virtio_net **out, const struct guest_mem *mem,
		      const char *name, struct net_backend *be,
		      const struct virtio_net_options *opts, char *err,
		      size_t errlen);
struct virtio_device *virtio_net_vdev(struct virtio_net *net);
const struct virtio_net_stats *virtio_net_stats(struct virtio_net *net);
/* Queue pairs the driver enabled (1 until VQ_PAIRS_SET). */
unsigned int virtio_net_active_pairs(struct virtio_net *net);
/* Link up or down: STATUS in the config space, a config interrupt. */
void virtio_net_set_link(struct virtio_net *net, bool up);
/*
 * The backend's descriptor of pair q is readable / writable: what the
 * I/O loop calls, and a test without a loop.
 */
void virtio_net_backend_ready(struct virtio_net *net, unsigned int q,
			      u32 events);
void virtio_net_destroy(struct virtio_net *net);

/* The default MAC: locally administered, from the VM's name and index. */
void virtio_net_default_mac(const char *vm_name, unsigned int index,
			    u8 mac[6]);

#endif
