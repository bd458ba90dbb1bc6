// SPDX-License-Identifier: GPL-2.0
/*
 * devices/css.c and virtio/ccw.c: channel programs built in a simulated
 * guest memory, run through START SUBCHANNEL and read back with TEST
 * SUBCHANNEL, for every virtio-ccw command, the malformed cases, SCHIB handling, indicators and
 * DIAGNOSE 0x500 notifications. Every guest-visible structure is written
 * and checked byte by byte in big-endian order, so the suite proves the
 * byte order on little-endian hosts (x86_64, arm64) and on s390x.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tap.h"
#include "log.h"
#include "virtio/ccw.h"

#define RAM_SIZE	0x400000ULL	/* 0 - 4 MiB */
#define HOLE		0x500000ULL	/* not RAM */
#define ROM		0x600000ULL	/* read-only memory, 4 KiB */
#define ROM_SIZE	0x1000ULL
#define PROG		0x1000ULL	/* channel programs */
#define DATA		0x2000ULL	/* data areas */
#define IDAWS		0x3000ULL
#define DESC		0x10000ULL
#define AVAIL		0x11000ULL
#define USED		0x12000ULL
#define BUF		0x13000ULL
#define IND		0x14000ULL
#define CONF_IND	0x14100ULL
#define SUMMARY		0x14200ULL
#define ADAPTER_IND	0x14300ULL
#define NR_QUEUES	2
#define QSIZE		16

struct t {
	struct guest_mem mem;
	u8 *ram, *rom;
	struct css css;
	struct virtio_device vdev;
	struct virtio_ccw ccw;
	u8 config[8];
	unsigned int io_irqs, adapter_irqs, notifies, thin_changes;
	u8 last_isc;
	u64 extra_features;
	u16 avail_idx;
};

static struct t T;

static u8 *hva(u64 gpa)
{
	return guest_mem_ptr(&T.mem, gpa, 1);
}

static void wb16(u64 gpa, u16 v)
{
	hva(gpa)[0] = v >> 8;
	hva(gpa)[1] = v;
}

static void wb32(u64 gpa, u32 v)
{
	wb16(gpa, v >> 16);
	wb16(gpa + 2, v);
}

static void wb64(u64 gpa, u64 v)
{
	wb32(gpa, v >> 32);
	wb32(gpa + 4, v);
}

static u16 rb16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static u32 rb32(const u8 *p)
{
	return (u32)rb16(p) << 16 | rb16(p + 2);
}

static void echo_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtq_chain c;

	T.notifies++;
	virtq_chain_init(&c);
	while (virtq_pop(vq, &c) == 1)
		virtq_push(vq, &c, 0);
	virtio_queue_signal(vq);
	virtq_chain_destroy(&c);
}

static void echo_config_write(struct virtio_device *vdev, u32 offset,
			      const void *buf, u32 len)
{
	memcpy(T.config + offset, buf, len);
}

static u64 echo_features(struct virtio_device *vdev)
{
	return T.extra_features;
}

static const struct virtio_device_ops echo_ops = {
	.name = "echo",
	.device_id = VIRTIO_ID_CONSOLE,
	.get_features = echo_features,
	.config_write = echo_config_write,
	.queue_notify = echo_notify,
};

static void io_irq(void *opaque, struct css_subchannel *sch)
{
	T.io_irqs++;
}

static void adapter_irq(void *opaque, u8 isc)
{
	T.adapter_irqs++;
	T.last_isc = isc;
}

static void thin_changed(void *opaque, struct virtio_ccw *ccw)
{
	T.thin_changes++;
}

static const struct css_irq_ops irq_ops = {
	.io_interrupt = io_irq,
	.adapter_interrupt = adapter_irq,
	.thinint_changed = thin_changed,
};

static void setup(void)
{
	memset(&T, 0, sizeof(T));
	T.ram = calloc(1, RAM_SIZE);
	T.rom = malloc(ROM_SIZE);
	if (!T.ram || !T.rom ||
	    guest_mem_add(&T.mem, 0, RAM_SIZE, T.ram, false) ||
	    guest_mem_add(&T.mem, ROM, ROM_SIZE, T.rom, true))
		abort();
	memset(T.rom, 0x5a, ROM_SIZE);
	css_init(&T.css, &T.mem, &irq_ops);
	if (virtio_device_init(&T.vdev, &echo_ops, &T, &T.mem, "echo.0",
			       NR_QUEUES, QSIZE))
		abort();
	T.vdev.config = T.config;
	T.vdev.config_len = sizeof(T.config);
	memcpy(T.config, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	if (virtio_ccw_init(&T.ccw, &T.css, &T.vdev, 0x0042))
		abort();
}

static void teardown(void)
{
	virtio_ccw_destroy(&T.ccw);
	virtio_device_destroy(&T.vdev);
	free(T.ram);
	free(T.rom);
}

/* A format-1 CCW at gpa. */
static void ccw1(u64 gpa, u8 cmd, u8 flags, u16 count, u32 addr)
{
	hva(gpa)[0] = cmd;
	hva(gpa)[1] = flags;
	wb16(gpa + 2, count);
	wb32(gpa + 4, addr);
}

/* A format-0 CCW at gpa. */
static void ccw0(u64 gpa, u8 cmd, u8 flags, u16 count, u32 addr)
{
	hva(gpa)[0] = cmd;
	hva(gpa)[1] = addr >> 16;
	hva(gpa)[2] = addr >> 8;
	hva(gpa)[3] = addr;
	hva(gpa)[4] = flags;
	hva(gpa)[5] = 0;
	wb16(gpa + 6, count);
}

struct irb {
	int ssch_cc, tsch_cc;
	u32 ctrl, cpa;
	u8 dstat, cstat;
	u16 count;
	u8 raw[CSS_IRB_SIZE];
};

#define ORB_FMT1	(1u << 23)
#define ORB_H		(1u << 17)
#define ORB_LPM		0x8000u

/* SSCH with an ORB for the program at cpa, then TSCH. */
static struct irb run_orb(u32 w1, u32 cpa)
{
	struct css_subchannel *sch = css_find(&T.css, CSS_SID(0));
	u8 orb[CSS_ORB_SIZE] = { 0 };
	struct irb r = { 0 };

	orb[0] = 0xca;		/* interruption parameter 0xcafe0001 */
	orb[1] = 0xfe;
	orb[3] = 0x01;
	orb[4] = w1 >> 24;
	orb[5] = w1 >> 16;
	orb[6] = w1 >> 8;
	orb[7] = w1;
	orb[8] = cpa >> 24;
	orb[9] = cpa >> 16;
	orb[10] = cpa >> 8;
	orb[11] = cpa;
	r.ssch_cc = css_ssch(sch, orb);
	if (r.ssch_cc)
		return r;
	r.tsch_cc = css_tsch(sch, r.raw);
	r.ctrl = rb32(r.raw);
	r.cpa = rb32(r.raw + 4);
	r.dstat = r.raw[8];
	r.cstat = r.raw[9];
	r.count = rb16(r.raw + 10);
	return r;
}

static struct irb run(u32 cpa)
{
	return run_orb(ORB_FMT1 | ORB_LPM, cpa);
}

#define GOOD_END (DEV_STAT_CHN_END | DEV_STAT_DEV_END)
#define ST_DONE (SCSW_STCTL_PRIMARY | SCSW_STCTL_SECONDARY | \
		 SCSW_STCTL_STATUS_PEND)

static bool done_ok(const struct irb *r)
{
	return r->ssch_cc == 0 && r->tsch_cc == 0 && r->dstat == GOOD_END &&
	       r->cstat == 0 && (r->ctrl & 0x1f) == ST_DONE &&
	       (r->ctrl & SCSW_FCTL_START);
}

static bool rejected(const struct irb *r)
{
	return r->ssch_cc == 0 && r->tsch_cc == 0 &&
	       r->dstat == (GOOD_END | DEV_STAT_UNIT_CHECK) &&
	       (r->ctrl & SCSW_STCTL_ALERT);
}

static bool prog_check(const struct irb *r)
{
	return r->ssch_cc == 0 && r->tsch_cc == 0 &&
	       r->cstat == SCH_STAT_PROG_CHECK && r->dstat == 0 &&
	       (r->ctrl & SCSW_STCTL_ALERT);
}

/* One CCW program: cmd with count bytes at DATA. */
static struct irb cmd(u8 code, u8 flags, u16 count)
{
	ccw1(PROG, code, flags, count, DATA);
	return run(PROG);
}

static void enable(u8 isc, bool csense)
{
	struct css_subchannel *sch = css_find(&T.css, CSS_SID(0));
	u8 schib[CSS_SCHIB_SIZE];

	css_stsch(sch, schib);
	schib[4] = (u8)(isc << 3);
	schib[5] |= 0x80;		/* E */
	schib[27] = csense ? 1 : 0;
	css_msch(sch, schib);
}

static struct irb set_rev(u16 rev, u16 len)
{
	wb16(DATA, rev);
	wb16(DATA + 2, len);
	return cmd(CCW_CMD_SET_VIRTIO_REV, 0, 4);
}

static u8 sense_byte0(void)
{
	memset(hva(DATA), 0xee, 32);
	cmd(CCW_CMD_BASIC_SENSE, CCW_FLAG_SLI, 32);
	return hva(DATA)[0];
}

static void test_sid_schib(void)
{
	struct css_subchannel *sch;
	u8 schib[CSS_SCHIB_SIZE];

	setup();
	ok(css_sid_schno(0x00010000) == 0 && css_sid_schno(0x0001ffff) ==
	   0xffff, "subchannel IDs 0x0001xxxx decode");
	ok(css_sid_schno(0x00000000) < 0 && css_sid_schno(0x00030001) < 0 &&
	   css_sid_schno(0x80010000) < 0, "malformed subchannel IDs refused");
	ok(css_find(&T.css, CSS_SID(1)) == NULL, "no subchannel 1");
	sch = css_find(&T.css, CSS_SID(0));
	ok(sch != NULL && css_stsch(sch, schib) == 0, "STSCH subchannel 0");
	ok(schib[6] == 0x00 && schib[7] == 0x42 && (schib[5] & 0x01) &&
	   !(schib[5] & 0x80), "SCHIB: device number 0x0042 big-endian, valid, not enabled");
	ok(schib[8] == 0x80 && schib[11] == 0x80 && schib[15] == 0x80,
	   "SCHIB: one path (LPM, PIM, PAM)");

	wb32(0x100, 0xdeadbeef);
	memcpy(schib, hva(0x100), 4);	/* intparm */
	schib[4] = 3 << 3;		/* ISC 3 */
	schib[5] = 0x80;		/* enabled */
	schib[27] = 1;			/* concurrent sense */
	ok(css_msch(sch, schib) == 0, "MSCH enables with ISC 3");
	memset(schib, 0, sizeof(schib));
	css_stsch(sch, schib);
	ok(rb32(schib) == 0xdeadbeef && ((schib[4] >> 3) & 7) == 3 &&
	   (schib[5] & 0x80) && (schib[27] & 1) && sch->isc == 3 &&
	   sch->enabled, "STSCH shows intparm, ISC, enable and csense");
	schib[4] |= 0x01;		/* reserved bit 7 */
	ok(css_msch(sch, schib) == -CSS_PGM_OPERAND,
	   "MSCH with reserved PMCW bits: operand exception");
	schib[4] &= ~0x01;
	schib[24] = 0x80;		/* reserved word 6 bit */
	ok(css_msch(sch, schib) == -CSS_PGM_OPERAND,
	   "MSCH with reserved word-6 bits: operand exception");
	teardown();
}

static void test_sense_id_and_status(void)
{
	struct css_subchannel *sch;
	struct irb r;
	u8 irb[CSS_IRB_SIZE];

	setup();
	sch = css_find(&T.css, CSS_SID(0));
	r = cmd(CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 8);
	ok(r.ssch_cc == 3, "SSCH on a disabled subchannel: cc 3");
	enable(2, false);
	memset(hva(DATA), 0, 64);
	r = cmd(CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 32);
	ok(done_ok(&r), "SENSE ID ends with channel end + device end");
	ok(hva(DATA)[0] == 0xff && hva(DATA)[1] == 0x38 &&
	   hva(DATA)[2] == 0x32 && hva(DATA)[3] == VIRTIO_ID_CONSOLE,
	   "SENSE ID: 0xff, CU type 0x3832 big-endian, model = device ID");
	ok(r.count == 24 && r.cpa == PROG + 8,
	   "SCSW residual count 24 and CPA after the CCW");
	ok(rb32(r.raw) & SCSW_FLAG_FORMAT1, "SCSW F bit for format-1 CCWs");
	ok(sch->intparm == 0xcafe0001, "ORB interruption parameter kept");
	ok(css_tsch(sch, irb) == 1, "second TSCH: cc 1 (no status pending)");
	r = cmd(CCW_CMD_SENSE_ID, 0, 32);
	ok(r.cstat == SCH_STAT_INCORR_LEN && r.dstat == GOOD_END,
	   "SENSE ID without SLI and a long count: incorrect length");

	/* Status pending: SSCH cc 1, MSCH cc 1, HSCH cc 1. */
	ccw1(PROG, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 8, DATA);
	{
		u8 orb[CSS_ORB_SIZE] = { 0 }, schib[CSS_SCHIB_SIZE];
		unsigned int irqs = T.io_irqs;

		orb[5] = 0x80;
		orb[6] = 0x80;
		wb32(0x200, PROG);
		memcpy(orb + 8, hva(0x200), 4);
		ok(css_ssch(sch, orb) == 0 && T.io_irqs == irqs + 1,
		   "SSCH: cc 0 and one I/O interrupt");
		ok(css_ssch(sch, orb) == 1, "SSCH while status pending: cc 1");
		css_stsch(sch, schib);
		ok((rb32(schib + 28) & SCSW_STCTL_STATUS_PEND),
		   "STSCH shows the status pending in the SCHIB's SCSW");
		ok(css_msch(sch, schib) == 1, "MSCH while status pending: cc 1");
		ok(css_hsch(sch) == 1 && css_rsch(sch) == 1 &&
		   css_xsch(sch) == 1, "HSCH/RSCH/XSCH while status pending: cc 1");
		ok(css_csch(sch) == 0 && css_tsch(sch, irb) == 0 &&
		   (rb32(irb) & SCSW_FCTL_CLEAR), "CSCH: cc 0, clear function in the IRB");
		ok(css_rsch(sch) == 2 && css_xsch(sch) == 2,
		   "RSCH/XSCH with nothing to resume or cancel: cc 2");
		ok(css_hsch(sch) == 0 && css_tsch(sch, irb) == 0 &&
		   (rb32(irb) & SCSW_FCTL_HALT), "HSCH: cc 0, halt function in the IRB");
		orb[7] = 0x02;		/* reserved ORB bit 30 */
		ok(css_ssch(sch, orb) == -CSS_PGM_OPERAND,
		   "ORB with reserved bits: operand exception");
		orb[7] = 0;
		orb[8] |= 0x80;
		ok(css_ssch(sch, orb) == -CSS_PGM_OPERAND,
		   "ORB program address above 2G: operand exception");
		orb[8] &= 0x7f;
		orb[6] = 0;		/* LPM 0 */
		ok(css_ssch(sch, orb) == 3, "ORB with no usable path: cc 3");
	}
	teardown();
}

static void test_revision(void)
{
	struct irb r;

	setup();
	enable(0, false);
	r = cmd(CCW_CMD_READ_FEAT, 0, 5);
	ok(rejected(&r), "READ_FEAT before SET_VIRTIO_REV: command reject");
	ok(sense_byte0() == SNS0_CMD_REJECT,
	   "BASIC SENSE returns command reject in sense byte 0");
	ok(sense_byte0() == 0, "sense data cleared after it was read");
	r = set_rev(0, 0);
	ok(rejected(&r), "revision 0 (legacy): command reject");
	r = set_rev(3, 0);
	ok(rejected(&r), "revision 3: command reject");
	r = set_rev(2, 4);
	ok(rejected(&r), "revision 2 with data length 4: command reject");
	r = set_rev(2, 0);
	ok(done_ok(&r) && T.ccw.revision == 2, "revision 2 accepted");
	r = set_rev(1, 0);
	ok(rejected(&r) && T.ccw.revision == 2,
	   "changing the revision afterwards: command reject");
	r = set_rev(2, 0);
	ok(done_ok(&r), "the same revision again is no change");
	wb16(DATA, 2);
	r = cmd(CCW_CMD_SET_VIRTIO_REV, 0, 3);
	ok(prog_check(&r), "SET_VIRTIO_REV with count 3: program check");
	r = cmd(0x99, 0, 4);
	ok(rejected(&r), "unknown command 0x99: command reject");
	{
		struct css_subchannel *sch = css_find(&T.css, CSS_SID(0));
		u8 schib[CSS_SCHIB_SIZE];

		css_stsch(sch, schib);
		schib[5] &= ~0x80;
		css_msch(sch, schib);
		ok(T.ccw.revision == -1,
		   "disabling the subchannel forgets the revision");
	}
	/* Revision 1: READ_STATUS is a revision-2 command. */
	enable(0, false);
	set_rev(1, 0);
	r = cmd(CCW_CMD_READ_STATUS, 0, 1);
	ok(rejected(&r), "READ_STATUS at revision 1: command reject");
	teardown();
}

/* Concurrent sense: the sense byte arrives in the IRB's ECW. */
static void test_concurrent_sense(void)
{
	struct irb r;

	setup();
	enable(0, true);
	r = cmd(CCW_CMD_WRITE_STATUS, 0, 1);
	ok(rejected(&r) && (r.ctrl & SCSW_FLAG_ECTL) &&
	   r.raw[32] == SNS0_CMD_REJECT && (r.raw[16] & 0x01),
	   "concurrent sense: ECW byte 0 command reject, ERW cons bit");
	teardown();
}

static struct irb feat(u8 index, bool write, u32 value)
{
	u8 *p = hva(DATA);

	memset(p, 0, 8);
	if (write) {
		p[0] = value;
		p[1] = value >> 8;
		p[2] = value >> 16;
		p[3] = value >> 24;
	}
	p[4] = index;
	return cmd(write ? CCW_CMD_WRITE_FEAT : CCW_CMD_READ_FEAT, 0, 5);
}

static u32 le32_at(u64 gpa)
{
	u8 *p = hva(gpa);

	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static struct irb write_status(u8 s)
{
	hva(DATA)[0] = s;
	return cmd(CCW_CMD_WRITE_STATUS, 0, 1);
}

static struct irb set_vq(u16 idx, u16 num, u64 desc, u16 count)
{
	memset(hva(DATA), 0, 32);
	wb64(DATA, desc);
	wb16(DATA + 12, idx);
	wb16(DATA + 14, num);
	wb64(DATA + 16, desc ? AVAIL : 0);
	wb64(DATA + 24, desc ? USED : 0);
	return cmd(CCW_CMD_SET_VQ, 0, count);
}

/* Online a device the way Linux's virtio_ccw driver does. */
static bool bring_up(u16 rev)
{
	bool good = true;

	enable(0, false);
	good &= done_ok((struct irb[]){ set_rev(rev, 0) });
	good &= done_ok((struct irb[]){ write_status(VIRTIO_STATUS_ACKNOWLEDGE |
						     VIRTIO_STATUS_DRIVER) });
	good &= done_ok((struct irb[]){ feat(1, true, 1) });	/* VERSION_1 */
	good &= done_ok((struct irb[]){ write_status(
			VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			VIRTIO_STATUS_FEATURES_OK) });
	good &= done_ok((struct irb[]){ set_vq(0, QSIZE, DESC, 32) });
	good &= done_ok((struct irb[]){ write_status(
			VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK) });
	return good;
}

static void test_features_status_queues(void)
{
	struct irb r;

	setup();
	T.extra_features = VIRTIO_BIT(VIRTIO_F_NOTIFICATION_DATA) | 0x5;
	enable(0, false);
	set_rev(2, 0);
	r = feat(0, false, 0);
	ok(done_ok(&r) && le32_at(DATA) == (u32)virtio_get_device_features(
	   &T.vdev, 0) && (le32_at(DATA) & 0x5) == 0x5 &&
	   hva(DATA)[4] == 0, "READ_FEAT word 0: little-endian feature bits");
	r = feat(1, false, 0);
	ok(done_ok(&r) && (le32_at(DATA) & 1) &&
	   (le32_at(DATA) & (1u << (VIRTIO_F_NOTIFICATION_DATA - 32))),
	   "READ_FEAT word 1: VERSION_1 and NOTIFICATION_DATA offered");
	virtio_ccw_set_ioeventfd(&T.ccw, true);
	r = feat(1, false, 0);
	ok(done_ok(&r) &&
	   !(le32_at(DATA) & (1u << (VIRTIO_F_NOTIFICATION_DATA - 32))),
	   "with ioeventfd, NOTIFICATION_DATA is not offered");
	r = feat(0, false, 0);
	ok(r.cstat == 0, "READ_FEAT count 5 exact: no incorrect length");
	r = cmd(CCW_CMD_READ_FEAT, 0, 4);
	ok(prog_check(&r), "READ_FEAT with count 4: program check");

	r = write_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	ok(done_ok(&r) && virtio_get_status(&T.vdev) == 3,
	   "WRITE_STATUS ACKNOWLEDGE|DRIVER");
	r = write_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			 VIRTIO_STATUS_FEATURES_OK);
	ok(rejected(&r), "FEATURES_OK without VERSION_1: command reject");
	r = feat(1, true, 1);
	ok(done_ok(&r) && virtio_get_driver_features(&T.vdev, 1) == 1,
	   "WRITE_FEAT word 1 = VERSION_1 (little-endian)");
	r = write_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			 VIRTIO_STATUS_FEATURES_OK);
	ok(done_ok(&r) && (virtio_get_status(&T.vdev) &
			   VIRTIO_STATUS_FEATURES_OK), "FEATURES_OK accepted");
	hva(DATA)[0] = 0;
	r = cmd(CCW_CMD_READ_STATUS, 0, 1);
	ok(done_ok(&r) && hva(DATA)[0] == 0x0b, "READ_STATUS returns 0x0b");

	wb16(DATA, 1);
	wb16(DATA + 2, 0xffff);
	r = cmd(CCW_CMD_READ_VQ_CONF, 0, 4);
	ok(done_ok(&r) && rb16(hva(DATA)) == 1 &&
	   rb16(hva(DATA + 2)) == QSIZE, "READ_VQ_CONF queue 1: max 16 (big-endian)");
	wb16(DATA, 7);
	r = cmd(CCW_CMD_READ_VQ_CONF, 0, 4);
	ok(done_ok(&r) && rb16(hva(DATA + 2)) == 0,
	   "READ_VQ_CONF beyond the queues: 0");

	r = set_vq(5, QSIZE, DESC, 32);
	ok(rejected(&r), "SET_VQ for queue 5 of 2: command reject");
	r = set_vq(0, QSIZE * 2, DESC, 32);
	ok(rejected(&r), "SET_VQ larger than the maximum: command reject");
	r = set_vq(0, QSIZE, DESC, 16);
	ok(prog_check(&r), "SET_VQ with a 16-byte (legacy) block: program check");
	r = set_vq(0, QSIZE, DESC, 32);
	ok(done_ok(&r) && virtio_queue_get_ready(&T.vdev, 0) &&
	   virtio_queue_get_addr(&T.vdev, 0, VIRTIO_AREA_DESC) == DESC &&
	   virtio_queue_get_addr(&T.vdev, 0, VIRTIO_AREA_DRIVER) == AVAIL &&
	   virtio_queue_get_addr(&T.vdev, 0, VIRTIO_AREA_DEVICE) == USED &&
	   virtio_queue_get_size(&T.vdev, 0) == QSIZE,
	   "SET_VQ: big-endian addresses and size reach the queue");
	r = set_vq(0, 0, 0, 32);
	ok(done_ok(&r) && !virtio_queue_get_ready(&T.vdev, 0),
	   "SET_VQ with address 0 gives the queue up");

	r = cmd(CCW_CMD_READ_CONF, 0, 8);
	ok(done_ok(&r) && !memcmp(hva(DATA), T.config, 8),
	   "READ_CONF: config bytes as they are");
	r = cmd(CCW_CMD_READ_CONF, 0, 12);
	ok(r.cstat == SCH_STAT_INCORR_LEN && r.count == 4,
	   "READ_CONF past the config: incorrect length, residual 4");
	r = cmd(CCW_CMD_READ_CONF, CCW_FLAG_SLI, 12);
	ok(done_ok(&r) && r.count == 4, "... with SLI: fine");
	memcpy(hva(DATA), "ABCD", 4);
	r = cmd(CCW_CMD_WRITE_CONF, 0, 4);
	ok(done_ok(&r) && !memcmp(T.config, "ABCD", 4),
	   "WRITE_CONF writes from offset 0");
	r = cmd(CCW_CMD_VDEV_RESET, 0, 0);
	ok(done_ok(&r) && virtio_get_status(&T.vdev) == 0,
	   "VDEV_RESET resets the device");
	teardown();
}

static void test_bad_programs(void)
{
	struct irb r;
	unsigned int n;

	setup();
	enable(0, false);
	set_rev(2, 0);
	r = run(PROG + 4);
	ok(prog_check(&r), "CCW address not doubleword-aligned: program check");
	r = run(HOLE);
	ok(prog_check(&r), "CCW address outside RAM: program check");
	ccw1(PROG, CCW_CMD_READ_CONF, 0, 8, HOLE);
	r = run(PROG);
	ok(prog_check(&r), "data address outside RAM: program check");
	ccw1(PROG, CCW_CMD_READ_CONF, 0, 8, 0x80001000);
	r = run(PROG);
	ok(prog_check(&r), "format-1 data address above 2G: program check");
	ccw1(PROG, 0x00, 0, 8, DATA);
	r = run(PROG);
	ok(prog_check(&r), "command code 0: program check");
	ccw0(PROG, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 0, DATA);
	r = run_orb(ORB_LPM, PROG);
	ok(prog_check(&r), "format-0 CCW with count 0: program check");
	ccw0(PROG, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 8, DATA);
	memset(hva(DATA), 0, 8);
	r = run_orb(ORB_LPM, PROG);
	ok(r.ssch_cc == 0 && r.dstat == GOOD_END && r.cstat == 0 &&
	   !(r.ctrl & SCSW_FLAG_FORMAT1) && hva(DATA)[1] == 0x38,
	   "format-0 SENSE ID works");
	ccw1(PROG, CCW_CMD_TIC, 0, 0, PROG + 8);
	ccw1(PROG + 8, CCW_CMD_TIC, 0, 0, PROG + 16);
	r = run(PROG);
	ok(prog_check(&r), "TIC to a TIC: program check");
	ccw1(PROG, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_SLI, 1, DATA);
	ccw1(PROG + 8, CCW_CMD_TIC, 0, 0, PROG);
	r = run(PROG);
	ok(prog_check(&r), "a program that loops forever is stopped");
	ccw1(PROG, CCW_CMD_READ_CONF, CCW_FLAG_CD, 8, DATA);
	r = run(PROG);
	ok(prog_check(&r), "data chaining: program check");
	ccw1(PROG, CCW_CMD_READ_CONF, CCW_FLAG_IDA, 8, IDAWS + 2);
	r = run(PROG);
	ok(prog_check(&r), "misaligned IDAW list: program check");

	/* Chains: run on, stop at the first error. */
	write_status(1);
	ccw1(PROG, CCW_CMD_SENSE_ID, CCW_FLAG_CC | CCW_FLAG_SLI, 8, DATA);
	ccw1(PROG + 8, 0x99, CCW_FLAG_CC, 4, DATA);
	ccw1(PROG + 16, CCW_CMD_VDEV_RESET, 0, 0, 0);
	r = run(PROG);
	ok(rejected(&r) && r.cpa == PROG + 16 && virtio_get_status(&T.vdev) == 1,
	   "a unit check ends the chain: CPA after the failing CCW, rest not run");
	ccw1(PROG, CCW_CMD_SENSE_ID, CCW_FLAG_CC | CCW_FLAG_SLI, 8, DATA);
	ccw1(PROG + 8, CCW_CMD_TIC, 0, 0, PROG + 64);
	ccw1(PROG + 64, CCW_CMD_VDEV_RESET, 0, 0, 0);
	r = run(PROG);
	ok(done_ok(&r) && r.cpa == PROG + 72 && virtio_get_status(&T.vdev) == 0,
	   "command chaining through a TIC runs every CCW");
	n = T.io_irqs;
	cmd(CCW_CMD_NOOP, 0, 1);
	ok(T.io_irqs == n + 1, "each program ends in one I/O interrupt");
	teardown();
}

static void test_idaws(void)
{
	struct irb r;

	setup();
	enable(0, false);
	set_rev(2, 0);
	/* Format-1 IDAWs (2K blocks): 3 bytes before a boundary, 5 after. */
	wb32(IDAWS, 0x20000 + 2048 - 3);
	wb32(IDAWS + 4, 0x30000);
	memset(hva(0x20000), 0, 4096);
	memset(hva(0x30000), 0, 16);
	ccw1(PROG, CCW_CMD_READ_CONF, CCW_FLAG_IDA, 8, IDAWS);
	r = run(PROG);
	ok(done_ok(&r) && !memcmp(hva(0x20000 + 2045), T.config, 3) &&
	   !memcmp(hva(0x30000), T.config + 3, 5),
	   "format-1 IDAWs split the data at the 2K boundary");
	/* Format-2 IDAWs (4K blocks). */
	wb64(IDAWS, 0x20000 + 4096 - 2);
	wb64(IDAWS + 8, 0x31000);
	memset(hva(0x31000), 0, 16);
	r = run_orb(ORB_FMT1 | ORB_LPM | ORB_H, PROG);
	ok(done_ok(&r) && !memcmp(hva(0x20000 + 4094), T.config, 2) &&
	   !memcmp(hva(0x31000), T.config + 2, 6),
	   "format-2 IDAWs split the data at the 4K boundary");
	wb64(IDAWS + 8, 0x31008);
	r = run_orb(ORB_FMT1 | ORB_LPM | ORB_H, PROG);
	ok(prog_check(&r), "a second IDAW off its boundary: program check");
	wb32(IDAWS, 0x80000000);
	r = run(PROG);
	ok(prog_check(&r), "format-1 IDAW above 2G: program check");
	teardown();
}

/* Put one buffer on queue 0 (split ring, little-endian). */
static void queue_buffer(void)
{
	u8 *d = hva(DESC);
	u16 slot = T.avail_idx % QSIZE;
	u64 a = htole64(BUF);
	u32 len = htole32(64);
	u16 flags = htole16(2), idx;	/* device-writable */

	memset(d, 0, 16);
	memcpy(d, &a, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	idx = htole16(0);
	memcpy(hva(AVAIL + 4 + 2 * slot), &idx, 2);
	T.avail_idx++;
	idx = htole16(T.avail_idx);
	memcpy(hva(AVAIL + 2), &idx, 2);
}

static void test_indicators_and_notify(void)
{
	struct css_subchannel *sch;
	u8 irb[CSS_IRB_SIZE];
	struct irb r;
	s64 ret;
	unsigned int irqs;

	setup();
	sch = css_find(&T.css, CSS_SID(0));
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(0), 0, 0) == -EINVAL,
	   "DIAG 500: disabled subchannel: -EINVAL");
	ok(bring_up(2), "device brought up like Linux's driver does");
	wb64(DATA, IND);
	r = cmd(CCW_CMD_SET_IND, 0, 8);
	ok(done_ok(&r) && T.ccw.indicators == IND, "SET_IND");
	wb64(DATA, CONF_IND);
	r = cmd(CCW_CMD_SET_CONF_IND, 0, 8);
	ok(done_ok(&r) && T.ccw.conf_indicator == CONF_IND, "SET_CONF_IND");
	wb64(DATA, HOLE);
	r = cmd(CCW_CMD_SET_IND, 0, 8);
	ok(rejected(&r), "SET_IND outside RAM: command reject");

	ok(virtio_ccw_diag_notify(&T.css, 0x00000000, 0, 0) == -EINVAL,
	   "DIAG 500: malformed subchannel ID: -EINVAL");
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(9), 0, 0) == -EINVAL,
	   "DIAG 500: no such subchannel: -EINVAL");
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(0), 2, 0) == -EINVAL,
	   "DIAG 500: queue 2 of 2: -EINVAL");
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(0), 1, 0) == -EINVAL,
	   "DIAG 500: queue 1 not set up: -EINVAL");
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(0), 0x10000, 0) == -EINVAL,
	   "DIAG 500: data above 16 bits without NOTIFICATION_DATA: -EINVAL");

	queue_buffer();
	irqs = T.io_irqs;
	memset(hva(IND), 0, 8);
	ret = virtio_ccw_diag_notify(&T.css, 0xffffffff00000000ull | CSS_SID(0),
				     0, 0);
	ok(ret >= 0 && T.notifies == 1,
	   "DIAG 500: upper half of register 2 ignored, queue 0 notified, cookie %lld",
	   (long long)ret);
	ok(hva(IND + 7) == (u8 *)hva(IND) + 7 && hva(IND)[7] == 0x01 &&
	   hva(IND)[0] == 0, "queue 0's bit in the big-endian indicator word");
	ok(T.io_irqs == irqs + 1, "an I/O interrupt for the indicator");
	ok(css_tsch(sch, irb) == 0 &&
	   (rb32(irb) & 0x1f) == (SCSW_STCTL_ALERT | SCSW_STCTL_STATUS_PEND),
	   "TSCH: unsolicited alert status");
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(0), 0, (u64)ret) == ret,
	   "DIAG 500 with the cookie back: same cookie");

	/* NOTIFICATION_DATA negotiated: index in the low 16 bits. */
	T.vdev.features |= VIRTIO_BIT(VIRTIO_F_NOTIFICATION_DATA);
	queue_buffer();
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(0), 0x00050000, 0) >= 0 &&
	   T.notifies == 3, "NOTIFICATION_DATA: next index in bits 16-31");
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(0), 0x80010001, 0) ==
	   -EINVAL, "NOTIFICATION_DATA: queue 1 (not set up): -EINVAL");
	T.vdev.features &= ~VIRTIO_BIT(VIRTIO_F_NOTIFICATION_DATA);

	css_tsch(sch, irb);
	memset(hva(CONF_IND), 0, 8);
	irqs = T.io_irqs;
	virtio_config_changed(&T.vdev);
	ok(hva(CONF_IND)[7] == 0x01 && T.io_irqs == irqs + 1,
	   "config change: bit 0 of the configuration indicator + interrupt");
	irqs = T.io_irqs;
	virtio_config_changed(&T.vdev);
	ok(T.io_irqs == irqs, "no second interrupt while status is pending");
	css_tsch(sch, irb);

	/* Adapter indicators refused while classic ones are set. */
	wb64(DATA, SUMMARY);
	wb64(DATA + 8, ADAPTER_IND);
	wb64(DATA + 16, 0);
	hva(DATA)[24] = 3;
	r = cmd(CCW_CMD_SET_IND_ADAPTER, 0, 25);
	ok(rejected(&r), "SET_IND_ADAPTER after SET_IND: command reject");
	teardown();
}

static void test_adapter(void)
{
	struct irb r;

	setup();
	ok(bring_up(1), "device up at revision 1");
	wb64(DATA, SUMMARY);
	wb64(DATA + 8, ADAPTER_IND);
	wb64(DATA + 16, 10);		/* first bit, big-endian 64-bit */
	hva(DATA)[24] = 9;		/* isc 9: invalid */
	r = cmd(CCW_CMD_SET_IND_ADAPTER, 0, 25);
	ok(rejected(&r), "SET_IND_ADAPTER with ISC 9: command reject");
	hva(DATA)[24] = 3;
	wb64(DATA + 16, 1ULL << 40);
	r = cmd(CCW_CMD_SET_IND_ADAPTER, 0, 25);
	ok(rejected(&r), "SET_IND_ADAPTER with bit 2^40: command reject");
	wb64(DATA + 16, 10);
	r = cmd(CCW_CMD_SET_IND_ADAPTER, 0, 24);
	ok(prog_check(&r), "SET_IND_ADAPTER with count 24: program check");
	r = cmd(CCW_CMD_SET_IND_ADAPTER, 0, 25);
	ok(done_ok(&r) && T.ccw.thinint && T.ccw.adapter_isc == 3 &&
	   T.ccw.adapter_bit == 10,
	   "SET_IND_ADAPTER (25 bytes): ISC 3, first bit 10");
	wb64(DATA, IND);
	r = cmd(CCW_CMD_SET_IND, 0, 8);
	ok(rejected(&r), "SET_IND after SET_IND_ADAPTER: command reject");
	memset(hva(ADAPTER_IND), 0, 8);
	hva(SUMMARY)[0] = 0;
	queue_buffer();
	ok(virtio_ccw_diag_notify(&T.css, CSS_SID(0), 0, 0) >= 0,
	   "notify queue 0");
	ok(hva(ADAPTER_IND)[1] == 0x20 && hva(ADAPTER_IND)[0] == 0 &&
	   hva(SUMMARY)[0] == 0x01,
	   "adapter indicator bit 10 (leftmost numbering) and the summary byte");
	ok(T.adapter_irqs == 1 && T.last_isc == 3,
	   "one adapter interrupt for ISC 3");
	ok(T.thin_changes == 1, "the arch heard of the adapter indicators");
	{
		u64 summary, ind, bit, count = 0;
		u8 isc;
		int fds[NR_QUEUES] = { eventfd(0, EFD_NONBLOCK), -1 };

		ok(virtio_ccw_thinint(&T.ccw, &summary, &ind, &bit, &isc) &&
		   summary == SUMMARY && ind == ADAPTER_IND && bit == 10 &&
		   isc == 3, "adapter indicator state for the routes");
		ok(virtio_ccw_set_irqfds(&T.ccw, fds) == NULL, "irqfds installed");
		memset(hva(ADAPTER_IND), 0, 8);
		queue_buffer();
		virtio_ccw_diag_notify(&T.css, CSS_SID(0), 0, 0);
		ok(read(fds[0], &count, sizeof(count)) == sizeof(count) &&
		   count == 1 && hva(ADAPTER_IND)[1] == 0 &&
		   T.adapter_irqs == 1,
		   "with an irqfd: one eventfd write, no bits set by lkvm");
		ok(virtio_ccw_set_irqfds(&T.ccw, NULL) == fds, "irqfds removed");
		close(fds[0]);
	}
	r = cmd(CCW_CMD_VDEV_RESET, 0, 0);
	ok(done_ok(&r) && T.thin_changes == 2 && !T.ccw.thinint,
	   "reset drops the adapter indicators and tells the arch");
	teardown();
}

/* virtio_ccw_reset(), the system reset: indicators and revision gone. */
static void test_system_reset(void)
{
	struct irb r;

	setup();
	ok(bring_up(2), "device up at revision 2");
	wb64(DATA, SUMMARY);
	wb64(DATA + 8, ADAPTER_IND);
	wb64(DATA + 16, 10);
	hva(DATA)[24] = 3;
	r = cmd(CCW_CMD_SET_IND_ADAPTER, 0, 25);
	ok(done_ok(&r) && T.ccw.thinint, "adapter indicators set");
	virtio_ccw_reset(&T.ccw);
	ok(T.ccw.revision == -1 && !T.ccw.thinint && !T.ccw.indicators &&
	   T.thin_changes == 2,
	   "system reset: no revision, no indicators, the arch told");
	teardown();
}

/* Does the read-only region still hold its pattern? */
static bool rom_intact(void)
{
	u64 i;

	for (i = 0; i < ROM_SIZE; i++)
		if (T.rom[i] != 0x5a)
			return false;
	return true;
}

/*
 * The channel and the device only store into writable RAM, as the ring
 * code does: a data area, IDAW target or indicator in read-only memory is
 * refused, and the memory keeps its contents. Reading from it is fine.
 */
static void test_read_only_memory(void)
{
	struct irb r;

	setup();
	enable(0, false);
	ccw1(PROG, CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 8, ROM);
	r = run(PROG);
	ok(prog_check(&r) && rom_intact(),
	   "SENSE ID into read-only memory: program check, nothing stored");
	ccw1(PROG, CCW_CMD_BASIC_SENSE, CCW_FLAG_SLI, 32, ROM + 64);
	r = run(PROG);
	ok(prog_check(&r) && rom_intact(),
	   "BASIC SENSE into read-only memory: program check, nothing stored");
	set_rev(2, 0);
	wb32(IDAWS, 0x20000 + 2048 - 3);
	wb32(IDAWS + 4, ROM);
	ccw1(PROG, CCW_CMD_READ_CONF, CCW_FLAG_IDA, 8, IDAWS);
	r = run(PROG);
	ok(prog_check(&r) && rom_intact(),
	   "READ_CONF through an IDAW into read-only memory: program check");
	/* The program and the data it sends may live in read-only memory. */
	memcpy(T.rom + 0x100, "\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8", 8);
	ccw1(PROG, CCW_CMD_WRITE_CONF, 0, 8, ROM + 0x100);
	r = run(PROG);
	ok(done_ok(&r) && !memcmp(T.config, T.rom + 0x100, 8),
	   "WRITE_CONF from read-only memory works");
	memset(T.rom + 0x100, 0x5a, 8);

	ok(bring_up(2), "device brought up");
	wb64(DATA, ROM);
	wb64(DATA + 8, ADAPTER_IND);
	wb64(DATA + 16, 0);
	hva(DATA)[24] = 3;
	r = cmd(CCW_CMD_SET_IND_ADAPTER, 0, 25);
	ok(rejected(&r) && !T.ccw.thinint,
	   "SET_IND_ADAPTER, summary in read-only memory: command reject");
	wb64(DATA, SUMMARY);
	wb64(DATA + 8, ROM + 16);
	r = cmd(CCW_CMD_SET_IND_ADAPTER, 0, 25);
	ok(rejected(&r) && !T.ccw.thinint,
	   "SET_IND_ADAPTER, indicators in read-only memory: command reject");
	wb64(DATA, ROM + 8);
	r = cmd(CCW_CMD_SET_IND, 0, 8);
	ok(rejected(&r) && !T.ccw.indicators,
	   "SET_IND in read-only memory: command reject");
	r = cmd(CCW_CMD_SET_CONF_IND, 0, 8);
	ok(rejected(&r) && !T.ccw.conf_indicator,
	   "SET_CONF_IND in read-only memory: command reject");
	queue_buffer();
	virtio_ccw_diag_notify(&T.css, CSS_SID(0), 0, 0);
	virtio_config_changed(&T.vdev);
	ok(rom_intact(), "notifications store nothing into read-only memory");
	teardown();
}

int main(void)
{
	log_set_level(LOG_ERROR - 1);
	test_sid_schib();
	test_sense_id_and_status();
	test_revision();
	test_concurrent_sense();
	test_features_status_queues();
	test_bad_programs();
	test_idaws();
	test_indicators_and_notify();
	test_adapter();
	test_system_reset();
	test_read_only_memory();
	return tap_done();
}
