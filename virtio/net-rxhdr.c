// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net: a received frame's header against the offloads the driver
 * takes now. The device must not set a gso_type the driver did not
 * accept (GUEST_TSO4, GUEST_TSO6, GUEST_ECN), nor NEEDS_CSUM without
 * GUEST_CSUM (virtio 1.x, 5.1.6.4.1); the offloads in force are those
 * negotiated, then those of the last GUEST_OFFLOADS_SET (5.1.6.5.6).
 *
 * A backend builds a frame's header when it queues the frame: a tap's
 * queue keeps what it built under the offloads of before a
 * GUEST_OFFLOADS_SET or a device reset (TUNSETOFFLOAD changes what comes
 * after, not what waits), and reading it is the first time the device
 * sees the frame. So each frame is checked as it is read: a segmented
 * frame the driver cannot take is dropped (it cannot be cut into
 * segments in the driver's buffers); a partial checksum is completed
 * here, as the spec asks ("SHOULD supply a fully checksummed packet").
 * A partial checksum whose position is outside the frame is dropped
 * too, whether or not the driver takes partial checksums.
 * DATA_VALID is left alone: the spec allows it without GUEST_CSUM since
 * its 2024 correction.
 */
#include <endian.h>
#include <string.h>

#include "iov.h"
#include "net-backend.h"
#include "types.h"
#include "virtio/net.h"
#include "net-int.h"

/* A 16-bit word in the host's order of bytes a (first) and b. */
static u16 word(u8 a, u8 b)
{
	u8 w[2] = { a, b };
	u16 v;

	memcpy(&v, w, 2);
	return v;
}

/*
 * The 16-bit ones' complement sum of the bytes [from, to) of the array,
 * as big-endian words counted from 'from', folded. The words are summed
 * as the host loads them and the sum turned big-endian at the end (the
 * sum does not depend on the order of bytes: RFC 1071); a buffer that
 * ends within a word leaves its second byte to the next.
 */
static u16 iov_csum(const struct iovec *iov, unsigned int cnt, size_t from,
		    size_t to)
{
	size_t pos = 0, i, j, end;
	bool odd = false;	/* the next byte is a word's second */
	u64 s = 0;
	u16 v;

	for (i = 0; i < cnt && pos < to; pos += iov[i].iov_len, i++) {
		const u8 *b = iov[i].iov_base;

		end = MIN(iov[i].iov_len, to - pos);
		j = from > pos ? from - pos : 0;
		if (j >= end)
			continue;
		if (odd) {
			s += word(0, b[j++]);
			odd = false;
		}
		for (; j + 1 < end; j += 2) {
			memcpy(&v, b + j, 2);
			s += v;
		}
		if (j < end) {
			s += word(b[j], 0);
			odd = true;
		}
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return be16toh((u16)s);
}

/* The offloads (NET_OFF_*) a gso_type needs; 0 for one never offered. */
static unsigned int gso_needs(u8 gso)
{
	unsigned int need;

	switch (gso & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		need = NET_OFF_TSO4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		need = NET_OFF_TSO6;
		break;
	default:
		return 0;
	}
	if (gso & VIRTIO_NET_HDR_GSO_ECN)
		need |= NET_OFF_ECN;
	return need;
}

const char *net_rx_hdr_check(const struct iovec *iov, unsigned int cnt,
			     size_t len, unsigned int offloads,
			     bool *csum_done)
{
	u8 h[NET_HDR_LEN];
	unsigned int need;
	u16 cs, co, sum;

	*csum_done = false;
	if (iov_to_buf(iov, cnt, 0, h, NET_HDR_LEN) != NET_HDR_LEN)
		return "header cut short";
	memcpy(&cs, h + VIRTIO_NET_HDR_CSUM_START, 2);
	cs = le16toh(cs);
	memcpy(&co, h + VIRTIO_NET_HDR_CSUM_OFFSET, 2);
	co = le16toh(co);
	/* Whoever completes the checksum, the driver or this device. */
	if (h[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	    (size_t)cs + co + 2 > len - NET_HDR_LEN)
		return "checksum position beyond the frame";
	if (h[VIRTIO_NET_HDR_GSO_TYPE] != VIRTIO_NET_HDR_GSO_NONE) {
		need = gso_needs(h[VIRTIO_NET_HDR_GSO_TYPE]);
		if (!need)
			return "a gso_type the device does not offer";
		if (need & ~offloads)
			return "segmented, the driver does not take that offload";
		/* GUEST_TSO* come with GUEST_CSUM (5.1.3.1). */
		return NULL;
	}
	if (!(h[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    offloads & NET_OFF_CSUM)
		return NULL;
	/*
	 * The checksum field holds the pseudo-header's sum: the sum from
	 * csum_start to the end, field included, complemented, goes there
	 * (0 is sent as 0xffff, its equal, which UDP needs).
	 */
	sum = (u16)~iov_csum(iov, cnt, NET_HDR_LEN + cs, len);
	if (!sum)
		sum = 0xffff;
	sum = htobe16(sum);
	iov_from_buf(iov, cnt, NET_HDR_LEN + cs + co, &sum, 2);
	h[VIRTIO_NET_HDR_FLAGS] &= ~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	memset(h + VIRTIO_NET_HDR_CSUM_START, 0, 4);
	iov_from_buf(iov, cnt, 0, h, VIRTIO_NET_HDR_NUM_BUFFERS);
	*csum_done = true;
	return NULL;
}
