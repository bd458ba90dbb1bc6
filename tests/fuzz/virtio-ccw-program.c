// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for a hostile driver on the channel subsystem and the
 * virtio-ccw transport (virtio/ccw.c): any sequence of the I/O
 * instructions and DIAGNOSE 0x500 notifications, with ORBs, SCHIBs,
 * channel programs, IDAW lists and virtio-ccw command data all in the
 * guest memory the input fills, against an echo device on two
 * subchannels that pops, copies and pushes on every notification.
 *
 * Input:
 *   u8 flags (bit 0: the device offers NOTIFICATION_DATA; bit 1: the
 *   second subchannel has KVM ioeventfds), le16 n, n bytes of guest memory
 *   (R0, then R1), then 8-byte operations:
 *     u8 kind, u8 a, le16 b, le32 c
 *   kind % 8: 0 SSCH (ORB at R0 + b), 1 TSCH, 2 STSCH, 3 MSCH (SCHIB at
 *             R0 + b), 4 CSCH/HSCH/RSCH/XSCH (a % 4), 5 DIAGNOSE 0x500
 *             (r2: subchannel a % 3 or the raw c, r3: b or c), 6 poke the
 *             32 bits c at R0 + b, 7 a raw subchannel ID c for every
 *             instruction's lookup.
 *   The subchannel is a % 2 (kind 7 aside).
 *
 * Guest memory: R0 (16 KiB at 0) and R1 (4 KiB at 0x8000, read-only), a
 * hole between, nothing above. Invariants (abort = finding): condition
 * codes are 0-3 or a defined program interruption code; a TSCH that took
 * the status leaves none for the next; a ready queue lies in RAM; a
 * notification cookie names the subchannel and the queue notified; no
 * channel program, indicator or ring stores a byte into R1.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "unaligned.h"
#include "virtio/ccw.h"
#include "echo-device.h"

#define R0 0x0ULL
#define R0_SIZE 0x4000ULL
#define R1 0x8000ULL
#define R1_SIZE 0x1000ULL
#define NR_SCH 2
#define MAX_OPS 1024

struct fz {
	struct guest_mem mem;
	u8 *r[2];
	u8 r1_was[R1_SIZE];	/* R1 as the input filled it */
	struct css css;
	struct fz_echo echo[NR_SCH];
	struct virtio_ccw ccw[NR_SCH];
};

static struct fz F;

static void fz_io_irq(void *opaque, struct css_subchannel *sch)
{
}

static void fz_adapter_irq(void *opaque, u8 isc)
{
	if (isc > 7)
		abort();
}

static const struct css_irq_ops fz_irq = {
	.io_interrupt = fz_io_irq,
	.adapter_interrupt = fz_adapter_irq,
};

static bool cc_ok(int cc)
{
	return (cc >= 0 && cc <= 3) || cc == -CSS_PGM_OPERAND ||
	       cc == -CSS_PGM_SPECIFICATION || cc == -CSS_PGM_ADDRESSING ||
	       cc == -CSS_PGM_PROTECTION;
}

/* n bytes at R0 + off, clamped into R0 (zeroes past its end). */
static void fetch(u32 off, void *buf, size_t n)
{
	off %= R0_SIZE;
	memset(buf, 0, n);
	memcpy(buf, F.r[0] + off, MIN(n, (size_t)(R0_SIZE - off)));
}

static void check_queues(void)
{
	unsigned int i;

	for (i = 0; i < NR_SCH; i++)
		fz_echo_check_queues(&F.echo[i], &F.mem);
	if (memcmp(F.r[1], F.r1_was, R1_SIZE))
		abort();
}

static void run_op(const u8 *op, u32 *raw_sid)
{
	u8 kind = op[0] % 8, a = op[1], blk[CSS_IRB_SIZE];
	u16 b = get_le16(op + 2);
	u32 c = get_le32(op + 4);
	u32 sid = *raw_sid ? *raw_sid : CSS_SID(a % NR_SCH);
	struct css_subchannel *sch;
	s64 cookie;
	int cc = 0;

	*raw_sid = 0;
	if (kind == 6) {
		b %= R0_SIZE - 3;
		c = htole32(c);
		memcpy(F.r[0] + b, &c, 4);
		return;
	}
	if (kind == 7) {
		*raw_sid = c;
		return;
	}
	if (kind == 5) {
		u64 r2 = a % 4 == 3 ? c : CSS_SID(a % 3);
		u64 r3 = a & 4 ? c : b;

		cookie = virtio_ccw_diag_notify(&F.css, r2, r3, c);
		if (cookie != -EINVAL &&
		    (cookie <= 0 ||
		     ((cookie - 1) >> 16) != css_sid_schno((u32)r2)))
			abort();
		return;
	}
	if (css_sid_schno(sid) < 0)
		return;		/* operand exception: the arch's */
	sch = css_find(&F.css, sid);
	if (!sch)
		return;		/* cc 3 */
	switch (kind) {
	case 0:
		fetch(b, blk, CSS_ORB_SIZE);
		cc = css_ssch(sch, blk);
		break;
	case 1:
		cc = css_tsch(sch, blk);
		if (cc == 0 && css_tsch(sch, blk) != 1)
			abort();
		break;
	case 2:
		cc = css_stsch(sch, blk);
		break;
	case 3:
		fetch(b, blk, CSS_SCHIB_SIZE);
		cc = css_msch(sch, blk);
		break;
	case 4:
		cc = a % 4 == 0 ? css_csch(sch) : a % 4 == 1 ? css_hsch(sch) :
		     a % 4 == 2 ? css_rsch(sch) : css_xsch(sch);
		break;
	}
	if (!cc_ok(cc))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	unsigned int i, ops = 0;
	u32 raw_sid = 0;
	size_t n;

	if (size < 3)
		return 0;
	log_set_level(LOG_ERROR);
	memset(&F, 0, sizeof(F));
	F.r[0] = calloc(1, R0_SIZE);
	F.r[1] = calloc(1, R1_SIZE);
	if (!F.r[0] || !F.r[1] ||
	    guest_mem_add(&F.mem, R0, R0_SIZE, F.r[0], false) ||
	    guest_mem_add(&F.mem, R1, R1_SIZE, F.r[1], true))
		abort();
	css_init(&F.css, &F.mem, &fz_irq);
	for (i = 0; i < NR_SCH; i++) {
		fz_echo_init(&F.echo[i], &F.mem, 2, 64, data[0] & 1 ?
			     VIRTIO_BIT(VIRTIO_F_NOTIFICATION_DATA) : 0);
		if (virtio_ccw_init(&F.ccw[i], &F.css, &F.echo[i].vdev,
				    0x100 + i))
			abort();
	}
	if (data[0] & 2)
		virtio_ccw_set_ioeventfd(&F.ccw[1], true);

	n = get_le16(data + 1);
	data += 3;
	size -= 3;
	n = MIN(n, size);
	memcpy(F.r[0], data, MIN(n, (size_t)R0_SIZE));
	if (n > R0_SIZE)
		memcpy(F.r[1], data + R0_SIZE, MIN(n - R0_SIZE, (size_t)R1_SIZE));
	memcpy(F.r1_was, F.r[1], R1_SIZE);
	data += n;
	size -= n;

	while (size >= 8 && ops++ < MAX_OPS) {
		run_op(data, &raw_sid);
		check_queues();
		data += 8;
		size -= 8;
	}

	for (i = 0; i < NR_SCH; i++) {
		virtio_ccw_destroy(&F.ccw[i]);
		fz_echo_destroy(&F.echo[i]);
	}
	free(F.r[0]);
	free(F.r[1]);
	return 0;
}

#include "replay.h"
