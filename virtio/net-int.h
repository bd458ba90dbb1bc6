/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net inside: what virtio/net.c shares with virtio/net-rxhdr.c.
 * Only those two files include this, and the tests of net-rxhdr.c
 * (tests/unit/net-rxhdr.c, tests/fuzz/net-rxhdr.c).
 */
#ifndef LKVM_VIRTIO_NET_INT_H
#define LKVM_VIRTIO_NET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/*
 * The header of a frame of len bytes (header included) that a backend
 * wrote into the receive buffers iov[0 .. cnt), against the offloads
 * (NET_OFF_*) the driver takes now: NULL if the driver may have it, the
 * header put right if need be (*csum_done: a partial checksum the
 * driver does not take was completed here); else why the frame must be
 * dropped. len is at least the header and an Ethernet header.
 */
const char *net_rx_hdr_check(const struct iovec *iov, unsigned int cnt,
			     size_t len, unsigned int offloads,
			     bool *csum_done);

#endif
