// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: virtio-net's check of a received frame's header
 * against the offloads in force (virtio/net-rxhdr.c), over receive
 * buffers cut anywhere (each its own allocation, so that ASan sees a
 * read past one).
 *
 * Invariants (a report and abort() when broken), for a frame delivered:
 * its header asks for no offload the driver does not take (a gso_type
 * only TCPV4 with TSO4, TCPV6 with TSO6, ECN with ECN; NEEDS_CSUM only
 * with CSUM) and a NEEDS_CSUM header's checksum position is inside the
 * frame. A checksum completed here is the complement of the Internet
 * checksum over csum_start to the end (tests/unit/inet-sum.h, written
 * apart), and the frame then verifies: with its field at an even offset,
 * the sum of the covered bytes and the pseudo-header's sum (what the
 * field held) folds to 0xffff; only the flags' NEEDS_CSUM, csum_start,
 * csum_offset and the field changed. A frame delivered as it came is
 * unchanged, and bytes beyond the frame never are. A frame is dropped
 * only for an offload the driver does not take or a checksum position
 * outside it.
 *
 * Input: byte 0 the offloads in force (bit0 CSUM, bit1 TSO4, bit2 TSO6,
 * bit3 ECN; TSO4 and TSO6 bring CSUM, as negotiation and
 * GUEST_OFFLOADS_SET do), byte 1 the buffers (bits 0-1: 1-4 of them,
 * bits 2-7: bytes of room after the frame), bytes 2-7 three cut points
 * (le16, each modulo the frame's length + 1), then the header and frame.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net-backend.h"
#include "virtio/net.h"
#include "../../virtio/net-int.h"
#include "../unit/inet-sum.h"

#define BROKEN(...)							\
	do {								\
		fprintf(stderr, "net-rxhdr: " __VA_ARGS__);		\
		fprintf(stderr, "\n");					\
		abort();						\
	} while (0)

#define SEGS	4
#define ROOM	0xa5	/* what fills the room after the frame */

static int cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static u16 le16_at(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

/* The offloads a gso_type needs; 0 for one the device never offers. */
static unsigned int gso_offloads(u8 gso)
{
	unsigned int ecn = gso & VIRTIO_NET_HDR_GSO_ECN ? NET_OFF_ECN : 0;

	switch (gso & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return NET_OFF_TSO4 | ecn;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return NET_OFF_TSO6 | ecn;
	}
	return 0;
}

/* The delivered header h of a frame of len bytes asks only for off. */
static void check_header(const u8 *h, size_t len, unsigned int off)
{
	u8 gso = h[VIRTIO_NET_HDR_GSO_TYPE];
	unsigned int need = gso_offloads(gso);
	size_t cs = le16_at(h + VIRTIO_NET_HDR_CSUM_START),
	       co = le16_at(h + VIRTIO_NET_HDR_CSUM_OFFSET);

	if (gso != VIRTIO_NET_HDR_GSO_NONE && (!need || need & ~off))
		BROKEN("gso_type %#x delivered, offloads %#x", gso, off);
	if (!(h[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return;
	if (!(off & NET_OFF_CSUM))
		BROKEN("NEEDS_CSUM delivered, offloads %#x", off);
	if (cs + co + 2 > len - NET_HDR_LEN)
		BROKEN("NEEDS_CSUM at %zu+%zu delivered in a frame of %zu",
		       cs, co, len - NET_HDR_LEN);
}

/* in completed into out: the checksum and what else changed. */
static void check_completed(const u8 *in, const u8 *out, size_t len,
			    unsigned int off)
{
	size_t cs = le16_at(in + VIRTIO_NET_HDR_CSUM_START),
	       co = le16_at(in + VIRTIO_NET_HDR_CSUM_OFFSET),
	       at = NET_HDR_LEN + cs, field = at + co, i;
	u16 want, got, pseudo;

	if (!(in[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    off & NET_OFF_CSUM ||
	    in[VIRTIO_NET_HDR_GSO_TYPE] != VIRTIO_NET_HDR_GSO_NONE)
		BROKEN("a checksum completed that was not asked for");
	if (out[VIRTIO_NET_HDR_FLAGS] !=
	    (in[VIRTIO_NET_HDR_FLAGS] & ~VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    le16_at(out + VIRTIO_NET_HDR_CSUM_START) ||
	    le16_at(out + VIRTIO_NET_HDR_CSUM_OFFSET))
		BROKEN("completed: flags %#x, csum_start %u, offset %u",
		       out[VIRTIO_NET_HDR_FLAGS],
		       le16_at(out + VIRTIO_NET_HDR_CSUM_START),
		       le16_at(out + VIRTIO_NET_HDR_CSUM_OFFSET));
	for (i = 0; i < len; i++)
		if (in[i] != out[i] && i != field && i != field + 1 &&
		    i != VIRTIO_NET_HDR_FLAGS &&
		    (i < VIRTIO_NET_HDR_CSUM_START ||
		     i >= VIRTIO_NET_HDR_NUM_BUFFERS))
			BROKEN("completed: byte %zu changed", i);
	want = (u16)~inet_fold(inet_sum(0, in + at, len - at));
	if (!want)
		want = 0xffff;
	got = (u16)(out[field] << 8 | out[field + 1]);
	if (got != want)
		BROKEN("checksum %#x at %zu, the reference's %#x", got, field,
		       want);
	pseudo = (u16)(in[field] << 8 | in[field + 1]);
	if (!(co & 1) &&
	    inet_fold(inet_sum(pseudo, out + at, len - at)) != 0xffff)
		BROKEN("the completed frame does not verify (csum_start %zu, offset %zu)",
		       cs, co);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct iovec iov[SEGS];
	size_t len, room, cuts[SEGS + 1], i, cs, co;
	unsigned int off, nseg, need;
	const char *why;
	u8 *out, gso;
	bool done, bad;

	if (size < 8 + NET_HDR_LEN + 14)
		return 0;
	off = data[0] & 0xf;
	if (off & (NET_OFF_TSO4 | NET_OFF_TSO6))
		off |= NET_OFF_CSUM;
	nseg = 1 + (data[1] & 3);
	room = data[1] >> 2;
	len = size - 8;
	cuts[0] = 0;
	for (i = 1; i < nseg; i++)
		cuts[i] = le16_at(data + 2 * i) % (len + 1);
	qsort(cuts + 1, nseg - 1, sizeof(cuts[0]), cmp);
	cuts[nseg] = len;
	for (i = 0; i < nseg; i++) {
		size_t n = cuts[i + 1] - cuts[i] + (i == nseg - 1 ? room : 0);

		iov[i].iov_base = malloc(n ? n : 1);
		iov[i].iov_len = n;
		if (!iov[i].iov_base)
			abort();
		memcpy(iov[i].iov_base, data + 8 + cuts[i],
		       cuts[i + 1] - cuts[i]);
	}
	memset((u8 *)iov[nseg - 1].iov_base + iov[nseg - 1].iov_len - room,
	       ROOM, room);

	why = net_rx_hdr_check(iov, nseg, len, off, &done);

	out = malloc(len);
	if (!out)
		abort();
	for (i = 0; i < nseg; i++)
		memcpy(out + cuts[i], iov[i].iov_base, cuts[i + 1] - cuts[i]);
	for (i = 0; i < room; i++)
		if (((u8 *)iov[nseg - 1].iov_base)[len - cuts[nseg - 1] + i] !=
		    ROOM)
			BROKEN("a byte after the frame changed");
	data += 8;
	gso = data[VIRTIO_NET_HDR_GSO_TYPE];
	need = gso_offloads(gso);
	cs = le16_at(data + VIRTIO_NET_HDR_CSUM_START);
	co = le16_at(data + VIRTIO_NET_HDR_CSUM_OFFSET);
	bad = (gso != VIRTIO_NET_HDR_GSO_NONE && (!need || need & ~off)) ||
	      ((data[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	       cs + co + 2 > len - NET_HDR_LEN);
	if (why && !bad)
		BROKEN("dropped (%s), offloads %#x, gso_type %#x", why, off,
		       gso);
	if (!why) {
		check_header(out, len, off);
		if (done)
			check_completed(data, out, len, off);
		else if (memcmp(data, out, len))
			BROKEN("a frame delivered as it came was changed");
	}
	free(out);
	for (i = 0; i < nseg; i++)
		free(iov[i].iov_base);
	return 0;
}
