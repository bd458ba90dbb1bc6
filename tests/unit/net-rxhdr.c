// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/net-rxhdr.c: a partial checksum the driver does not take is
 * completed over receive buffers split anywhere, odd boundaries and
 * empty or one-byte buffers included, the same as tests/unit/inet-sum.h
 * (written apart from it) sums the frame in one piece. A partial
 * checksum whose position is outside the frame is dropped, whether the
 * driver takes partial checksums or not.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "../../virtio/net-int.h"
#include "inet-sum.h"
#include "net-backend.h"
#include "tap.h"
#include "virtio/net.h"

#define FRAME_MAX	2048
#define SEGS_MAX	6

static u32 rnd_state = 12345;

static u32 rnd(void)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return rnd_state >> 8;
}

/*
 * The header and frame f of len bytes (header included) with NEEDS_CSUM
 * at cs/co, completed over buffers cut at cuts[0 .. nc): does the result
 * match what the reference makes of f in one piece?
 */
static bool completes(const u8 *f, size_t len, u16 cs, u16 co,
		      const size_t *cuts, unsigned int nc)
{
	static u8 bufs[FRAME_MAX], want[FRAME_MAX];
	struct iovec iov[SEGS_MAX];
	size_t at = 0, field = NET_HDR_LEN + cs + co;
	unsigned int i;
	bool done;
	u16 sum;

	memcpy(bufs, f, len);
	for (i = 0; i <= nc; i++) {
		size_t next = i < nc ? cuts[i] : len;

		iov[i] = (struct iovec){ bufs + at, next - at };
		at = next;
	}
	memcpy(want, f, len);
	want[VIRTIO_NET_HDR_FLAGS] &= ~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	memset(want + VIRTIO_NET_HDR_CSUM_START, 0, 4);
	sum = (u16)~inet_fold(inet_sum(0, f + NET_HDR_LEN + cs,
				       len - NET_HDR_LEN - cs));
	if (!sum)
		sum = 0xffff;
	want[field] = (u8)(sum >> 8);
	want[field + 1] = (u8)sum;
	return !net_rx_hdr_check(iov, nc + 1, len, 0, &done) && done &&
	       !memcmp(bufs, want, len);
}

/* A random frame of len bytes with a partial checksum at cs/co. */
static void make(u8 *f, size_t len, u16 cs, u16 co)
{
	size_t i;

	for (i = 0; i < len; i++)
		f[i] = (u8)rnd();
	memset(f, 0, NET_HDR_LEN);
	f[VIRTIO_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	cs = htole16(cs);
	co = htole16(co);
	memcpy(f + VIRTIO_NET_HDR_CSUM_START, &cs, 2);
	memcpy(f + VIRTIO_NET_HDR_CSUM_OFFSET, &co, 2);
}

static int cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* A frame of len bytes with NEEDS_CSUM at cs/co and gso: dropped? */
static bool dropped(size_t len, u8 gso, u16 cs, u16 co, unsigned int off)
{
	static u8 f[FRAME_MAX];
	struct iovec iov = { f, len };
	bool done;

	make(f, len, cs, co);
	f[VIRTIO_NET_HDR_GSO_TYPE] = gso;
	return net_rx_hdr_check(&iov, 1, len, off, &done);
}

static void test_position(void)
{
	size_t len = NET_HDR_LEN + 14 + 20 + 20;
	unsigned int off = NET_OFF_CSUM | NET_OFF_TSO4;

	ok(!dropped(len, 0, 34, 16, NET_OFF_CSUM) &&
	   dropped(len, 0, 34, 19, NET_OFF_CSUM) &&
	   dropped(len, 0, 0, 0xffff, NET_OFF_CSUM),
	   "the driver takes partial checksums: one inside the frame is delivered, one beyond it dropped");
	ok(!dropped(len, VIRTIO_NET_HDR_GSO_TCPV4, 34, 16, off) &&
	   dropped(len, VIRTIO_NET_HDR_GSO_TCPV4, 34, 19, off),
	   "... and segmented frames: likewise");
	ok(!dropped(len, 0, 34, 18, 0) && dropped(len, 0, 35, 18, 0),
	   "the driver does not: completed inside the frame, dropped beyond it");
}

int main(void)
{
	static u8 f[FRAME_MAX];
	unsigned int i, nc, bad = 0, runs = 0;
	size_t cuts[SEGS_MAX], len, c1, c2;
	u16 cs, co;

	/* One frame, odd length, cut in two and three everywhere. */
	len = NET_HDR_LEN + 14 + 20 + 8 + 33;
	make(f, len, 14 + 20, 6);
	for (c1 = 0; c1 <= len; c1++) {
		cuts[0] = c1;
		bad += !completes(f, len, 14 + 20, 6, cuts, 1);
		runs++;
		for (c2 = c1; c2 <= len; c2 += 3) {
			cuts[1] = c2;
			bad += !completes(f, len, 14 + 20, 6, cuts, 2);
			runs++;
		}
	}
	ok(!bad, "a UDP checksum over buffers cut in two or three anywhere: as the reference (%u of %u differ)",
	   bad, runs);

	/* Any length, checksum start (odd too), offset and cuts. */
	bad = 0;
	for (i = 0; i < 20000; i++) {
		len = NET_HDR_LEN + 14 + rnd() % (FRAME_MAX - NET_HDR_LEN - 14);
		cs = (u16)(rnd() % (len - NET_HDR_LEN - 1));
		co = (u16)(rnd() % (len - NET_HDR_LEN - cs - 1));
		make(f, len, cs, co);
		nc = rnd() % SEGS_MAX;
		for (c1 = 0; c1 < nc; c1++)
			cuts[c1] = rnd() % 4 ? rnd() % (len + 1) :
				   NET_HDR_LEN + cs + rnd() % 3;
		for (c1 = 0; c1 < nc; c1++)
			cuts[c1] = MIN(cuts[c1], len);
		qsort(cuts, nc, sizeof(cuts[0]), cmp);
		bad += !completes(f, len, cs, co, cuts, nc);
	}
	ok(!bad, "20000 frames of any length, checksum position and cuts: as the reference (%u differ)",
	   bad);
	test_position();
	return tap_done();
}
