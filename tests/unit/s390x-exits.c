// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/s390x exit handling without KVM: synthetic KVM_EXIT_S390_SIEIC
 * records (icptcode, ipa, ipb) through the decoder, then the I/O
 * instructions, DIAGNOSE and SIGP on a simulated vCPU whose operands live
 * in a simulated guest memory -- a guest's channel programs run through
 * SSCH/TSCH end to end. Runs under qemu-s390x-static.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "log.h"
#include "s390x/s390x.h"

#define RAM_SIZE	0x200000ULL
#define HOLE		0x300000ULL
#define ORB		0x800ULL
#define SCHIB		0x900ULL
#define IRB		0xa00ULL
#define PROG		0x1000ULL
#define DATA		0x2000ULL
#define DESC		0x10000ULL
#define AVAIL		0x11000ULL
#define USED		0x12000ULL
#define IND		0x14000ULL
#define CHSC		0x20000ULL

static struct guest_mem mem;
static u8 *ram;
static struct css css;
static struct virtio_device vdev;
static struct virtio_ccw vccw;
static unsigned int io_irqs, notifies;
static struct s390_cpu cpu;

static int t_read(void *opaque, u64 addr, void *buf, u32 len)
{
	return guest_mem_read(&mem, addr, buf, len) ? -EFAULT : 0;
}

static int t_write(void *opaque, u64 addr, const void *buf, u32 len)
{
	return guest_mem_write(&mem, addr, buf, len) ? -EFAULT : 0;
}

static u8 *hva(u64 gpa)
{
	return guest_mem_ptr(&mem, gpa, 1);
}

static void wb16(u64 a, u16 v)
{
	hva(a)[0] = v >> 8;
	hva(a)[1] = v;
}

static void wb32(u64 a, u32 v)
{
	wb16(a, v >> 16);
	wb16(a + 2, v);
}

static void wb64(u64 a, u64 v)
{
	wb32(a, v >> 32);
	wb32(a + 4, v);
}

static u32 rb32(u64 a)
{
	u8 *p = hva(a);

	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void echo_notify(struct virtio_device *d, struct virtq *vq)
{
	struct virtq_chain c;

	notifies++;
	virtq_chain_init(&c);
	while (virtq_pop(vq, &c) == 1)
		virtq_push(vq, &c, 0);
	virtio_queue_signal(vq);
	virtq_chain_destroy(&c);
}

static const struct virtio_device_ops echo_ops = {
	.name = "echo",
	.device_id = VIRTIO_ID_RNG,
	.queue_notify = echo_notify,
};

static void io_irq(void *opaque, struct css_subchannel *sch)
{
	io_irqs++;
}

static void reset_cpu(void)
{
	memset(&cpu, 0, sizeof(cpu));
	cpu.psw_mask = S390_IPL_PSW_MASK;
	cpu.mem = (struct s390_mem_ops){ t_read, t_write, NULL };
}

/* Decode a synthetic SIEIC record and run it as exits.c does. */
static int exec(u16 ipa, u32 ipb)
{
	struct s390_insn in;
	u64 arg;

	cpu.pgm = 0;
	if (s390_decode_sieic(S390_ICPT_INSTRUCTION, ipa, ipb, &in))
		return -1;
	if (in.kind == S390_INSN_DIAG)
		return s390_handle_diag(&cpu, &css, &in, &arg);
	s390_handle_io(&cpu, &css, &in);
	return 0;
}

/* B2xx with the operand at b2 = 0, d2 = addr (below 4K). */
static int io_insn(u16 op, u32 sid, u64 addr)
{
	cpu.gprs[1] = sid;
	return exec(op, (u32)(addr & 0xfff) << 16);
}

#define SSCH	0xb233
#define STSCH	0xb234
#define MSCH	0xb232
#define TSCH	0xb235

/* A guest's START SUBCHANNEL + TEST SUBCHANNEL on one CCW. */
static u8 guest_ccw(u8 cmd, u8 flags, u16 count)
{
	hva(PROG)[0] = cmd;
	hva(PROG)[1] = flags;
	wb16(PROG + 2, count);
	wb32(PROG + 4, DATA);
	memset(hva(ORB), 0, 12);
	hva(ORB + 5)[0] = 0x80;	/* format-1 CCWs */
	hva(ORB + 6)[0] = 0x80;		/* LPM */
	wb32(ORB + 8, PROG);
	io_insn(SSCH, CSS_SID(0), ORB);
	if (cpu.pgm || s390_get_cc(&cpu))
		return 0xff;
	io_insn(TSCH, CSS_SID(0), IRB);
	return hva(IRB + 8)[0];		/* device status */
}

static void setup(void)
{
	struct css_irq_ops irq = { .io_interrupt = io_irq };

	ram = calloc(1, RAM_SIZE);
	if (!ram || guest_mem_add(&mem, 0, RAM_SIZE, ram, false))
		abort();
	css_init(&css, &mem, &irq);
	if (virtio_device_init(&vdev, &echo_ops, NULL, &mem, "rng.0", 1, 8) ||
	    virtio_ccw_init(&vccw, &css, &vdev, 0x0001))
		abort();
	reset_cpu();
}

static void test_decode(void)
{
	struct s390_insn in;

	ok(s390_decode_sieic(4, 0x8312, 0x05000000, &in) == 0 &&
	   in.kind == S390_INSN_DIAG && in.r1 == 1 && in.r3 == 2 &&
	   in.b2 == 0 && in.d2 == 0x500, "SIEIC 83 12 0500: DIAG r1=1 r3=2 d2=0x500");
	ok(s390_decode_sieic(4, 0x83a0, 0x55000000, &in) == 0 &&
	   in.r1 == 10 && in.r3 == 0 && in.b2 == 5 && in.d2 == 0x500,
	   "DIAG with base register 5");
	ok(s390_decode_sieic(4, 0xb233, 0x20100000, &in) == 0 &&
	   in.kind == S390_INSN_SSCH && in.b2 == 2 && in.d2 == 0x010,
	   "SIEIC b233 2010: SSCH b2=2 d2=0x10");
	ok(s390_decode_sieic(4, 0xb25f, 0x00400000, &in) == 0 &&
	   in.kind == S390_INSN_CHSC && in.r1 == 4,
	   "SIEIC b25f 0040: CHSC (RRE) r1=4");
	ok(s390_decode_sieic(4, 0xb220, 0x00120000, &in) == 0 &&
	   in.kind == S390_INSN_SERVC && in.r1 == 1 && in.r2 == 2,
	   "SIEIC b220 0012: SERVC r1=1 r2=2");
	ok(s390_decode_sieic(4, 0xae13, 0x40060000, &in) == 0 &&
	   in.kind == S390_INSN_SIGP && in.r1 == 1 && in.r3 == 3 &&
	   in.b2 == 4 && in.d2 == 6, "SIEIC ae13 4006: SIGP");
	ok(s390_decode_sieic(4, 0xb276, 0, &in) == 0 &&
	   in.kind == S390_INSN_XSCH && s390_decode_sieic(4, 0xb239, 0, &in)
	   == 0 && in.kind == S390_INSN_STCRW, "XSCH and STCRW decoded");
	ok(s390_decode_sieic(4, 0xb2ff, 0, &in) == 0 &&
	   in.kind == S390_INSN_UNKNOWN, "b2ff: unknown instruction");
	ok(s390_decode_sieic(8, 0x8312, 0x05000000, &in) == -EINVAL,
	   "program interception code: not an instruction");
	ok(!strcmp(s390_insn_name(S390_INSN_TSCH), "TSCH"),
	   "instruction names");
}

static void test_cpu_helpers(void)
{
	reset_cpu();
	s390_set_cc(&cpu, 2);
	ok(s390_get_cc(&cpu) == 2 &&
	   (cpu.psw_mask & ~S390_PSW_CC_MASK) == S390_IPL_PSW_MASK &&
	   cpu.psw_mask == (S390_IPL_PSW_MASK | 0x0000200000000000ULL),
	   "condition code 2 in PSW bits 18-19 only");
	cpu.gprs[3] = 0xffffffffffffff00ULL;
	ok(s390_operand_addr(&cpu, 3, 0x200) == 0x100,
	   "64-bit mode: base + displacement wraps at 2^64");
	cpu.psw_mask = S390_PSW_BA;
	ok(s390_operand_addr(&cpu, 3, 0x200) == 0x100 &&
	   s390_operand_addr(&cpu, 0, 0xfff) == 0xfff,
	   "31-bit mode: wraps at 2G; b2 = 0 means no base");
	cpu.psw_mask = 0;
	cpu.gprs[3] = 0x12fffff0;
	ok(s390_operand_addr(&cpu, 3, 0x20) == 0x10, "24-bit mode");
	{
		const u64 a = 0xffffffff92345678ULL;
		u64 a24 = s390_wrap_addr(&cpu, a), a31, a64;

		cpu.psw_mask = S390_PSW_BA;
		a31 = s390_wrap_addr(&cpu, a);
		cpu.psw_mask = S390_IPL_PSW_MASK;
		a64 = s390_wrap_addr(&cpu, a);
		ok(a24 == 0x345678 && a31 == 0x12345678 && a64 == a,
		   "a register's address by the mode: 24, 31, 64 bits");
	}
	ok(s390_real_to_abs(0x100, 0x40000) == 0x40100 &&
	   s390_real_to_abs(0x40100, 0x40000) == 0x100 &&
	   s390_real_to_abs(0x50000, 0x40000) == 0x50000,
	   "prefixing swaps the first 8K with the prefix area");
}

static void test_io_instructions(void)
{
	u8 st;

	reset_cpu();
	io_insn(STSCH, 0x00000001, SCHIB);
	ok(cpu.pgm == CSS_PGM_OPERAND, "STSCH with a malformed SID: operand exception");
	io_insn(STSCH, CSS_SID(5), SCHIB);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 3, "STSCH of a missing subchannel: cc 3");
	io_insn(STSCH, CSS_SID(0), SCHIB + 2);
	ok(cpu.pgm == CSS_PGM_SPECIFICATION, "STSCH to an unaligned SCHIB: specification");
	memset(hva(SCHIB), 0, CSS_SCHIB_SIZE);
	io_insn(STSCH, CSS_SID(0), SCHIB);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 0 && hva(SCHIB + 7)[0] == 0x01 &&
	   (hva(SCHIB + 5)[0] & 0x01), "STSCH stores the SCHIB (device 0x0001)");
	cpu.gprs[1] = CSS_SID(0);
	cpu.gprs[7] = HOLE;
	exec(STSCH, 0x70000000);
	ok(cpu.pgm == CSS_PGM_ADDRESSING, "STSCH to an address outside RAM: addressing");

	hva(SCHIB + 4)[0] = 1 << 3;	/* ISC 1 */
	hva(SCHIB + 5)[0] |= 0x80;
	io_insn(MSCH, CSS_SID(0), SCHIB);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 0 && vccw.sch.enabled &&
	   vccw.sch.isc == 1, "MSCH enables the subchannel");

	st = guest_ccw(CCW_CMD_SENSE_ID, CCW_FLAG_SLI, 8);
	ok(st == (DEV_STAT_CHN_END | DEV_STAT_DEV_END) &&
	   hva(DATA)[1] == 0x38 && hva(DATA)[2] == 0x32 &&
	   hva(DATA)[3] == VIRTIO_ID_RNG,
	   "guest SSCH/TSCH: SENSE ID answers CU 0x3832 model 4");
	ok(rb32(IRB) & SCSW_STCTL_STATUS_PEND, "IRB stored with status pending");
	io_insn(TSCH, CSS_SID(0), IRB);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 1, "TSCH again: cc 1");
	io_insn(TSCH, CSS_SID(3), IRB);
	ok(s390_get_cc(&cpu) == 3, "TSCH of a missing subchannel: cc 3");
	/* The ORB and program are still there: start it again. */
	io_insn(SSCH, CSS_SID(0), ORB);
	cpu.gprs[1] = CSS_SID(0);
	cpu.gprs[7] = HOLE;
	exec(TSCH, 0x70000000);
	ok(cpu.pgm == CSS_PGM_ADDRESSING && vccw.sch.scsw_ctrl &
	   SCSW_STCTL_STATUS_PEND,
	   "TSCH to an IRB outside RAM: addressing, the status still pending");
	memset(hva(IRB), 0, CSS_IRB_SIZE);
	io_insn(TSCH, CSS_SID(0), IRB);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 0 &&
	   (rb32(IRB) & SCSW_STCTL_STATUS_PEND) &&
	   hva(IRB + 8)[0] == (DEV_STAT_CHN_END | DEV_STAT_DEV_END),
	   "... and the next TSCH gets it");
	io_insn(SSCH, CSS_SID(0), ORB + 2);
	ok(cpu.pgm == CSS_PGM_SPECIFICATION, "SSCH with an unaligned ORB: specification");
	hva(ORB + 7)[0] = 0x04;		/* reserved ORB bit */
	io_insn(SSCH, CSS_SID(0), ORB);
	ok(cpu.pgm == CSS_PGM_OPERAND, "SSCH with reserved ORB bits: operand exception");
	hva(ORB + 7)[0] = 0;

	/* Bring the device to revision 2 and a queue, all by instructions. */
	wb16(DATA, 2);
	wb16(DATA + 2, 0);
	ok(guest_ccw(CCW_CMD_SET_VIRTIO_REV, 0, 4) ==
	   (DEV_STAT_CHN_END | DEV_STAT_DEV_END), "SET_VIRTIO_REV 2 by SSCH");
	hva(DATA)[0] = 3;
	guest_ccw(CCW_CMD_WRITE_STATUS, 0, 1);
	memset(hva(DATA), 0, 5);
	hva(DATA)[0] = 1;
	hva(DATA)[4] = 1;
	guest_ccw(CCW_CMD_WRITE_FEAT, 0, 5);
	hva(DATA)[0] = 0x0b;
	guest_ccw(CCW_CMD_WRITE_STATUS, 0, 1);
	memset(hva(DATA), 0, 32);
	wb64(DATA, DESC);
	wb16(DATA + 12, 0);
	wb16(DATA + 14, 8);
	wb64(DATA + 16, AVAIL);
	wb64(DATA + 24, USED);
	ok(guest_ccw(CCW_CMD_SET_VQ, 0, 32) ==
	   (DEV_STAT_CHN_END | DEV_STAT_DEV_END), "SET_VQ by SSCH");
	hva(DATA)[0] = 0x0f;
	guest_ccw(CCW_CMD_WRITE_STATUS, 0, 1);
	wb64(DATA, IND);
	guest_ccw(CCW_CMD_SET_IND, 0, 8);
	ok(virtio_get_status(&vdev) == 0x0f && vccw.indicators == IND,
	   "DRIVER_OK and indicators set through the instruction path");

	cpu.gprs[1] = CSS_SID(0);
	exec(0xb230, 0);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 0, "CSCH: cc 0");
	io_insn(TSCH, CSS_SID(0), IRB);
	exec(0xb238, 0);
	ok(s390_get_cc(&cpu) == 2, "RSCH with nothing suspended: cc 2");
	exec(0xb276, 0);
	ok(s390_get_cc(&cpu) == 2, "XSCH with nothing start-pending: cc 2");
	cpu.gprs[1] = 0x00020000;
	exec(0xb231, 0);
	ok(cpu.pgm == CSS_PGM_OPERAND, "HSCH with a malformed SID: operand exception");

	memset(hva(0x300), 0xaa, 4);
	exec(0xb239, 0x03000000);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 1 && rb32(0x300) == 0,
	   "STCRW: no channel report, zero stored, cc 1");
	exec(0xb239, 0x03020000);
	ok(cpu.pgm == CSS_PGM_SPECIFICATION, "STCRW unaligned: specification");

	cpu.gprs[4] = CHSC;
	wb16(CHSC, 0x10);
	wb16(CHSC + 2, 0x0004);
	memset(hva(CHSC + 0x10), 0, 8);
	exec(0xb25f, 0x00400000);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 0 &&
	   rb32(CHSC + 0x10) == 0x00080004,
	   "CHSC: response block after the request, code 4 (not provided)");
	cpu.gprs[4] = CHSC + 8;
	exec(0xb25f, 0x00400000);
	ok(cpu.pgm == CSS_PGM_SPECIFICATION, "CHSC off a page boundary: specification");
	cpu.gprs[4] = CHSC;
	wb16(CHSC, 0x0002);
	exec(0xb25f, 0x00400000);
	ok(rb32(CHSC + 0x10) == 0x00080003, "CHSC with a bad length: code 3");

	/* Its block's address wraps to the addressing mode, as B2D2's do. */
	wb16(CHSC, 0x10);
	memset(hva(CHSC + 0x10), 0, 8);
	cpu.psw_mask = S390_PSW_BA;
	cpu.gprs[4] = 0xffffffff80000000ULL | CHSC;
	exec(0xb25f, 0x00400000);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 0 &&
	   rb32(CHSC + 0x10) == 0x00080004,
	   "CHSC in 31-bit mode: the bits of R1 above 2G are not the address (pgm %d)",
	   cpu.pgm);
	memset(hva(CHSC + 0x10), 0, 8);
	cpu.psw_mask = 0;
	cpu.gprs[4] = 0xffffffffff000000ULL | CHSC;
	exec(0xb25f, 0x00400000);
	ok(!cpu.pgm && s390_get_cc(&cpu) == 0 &&
	   rb32(CHSC + 0x10) == 0x00080004,
	   "CHSC in 24-bit mode: the bits of R1 above 16M are not the address (pgm %d)",
	   cpu.pgm);
	cpu.psw_mask = S390_IPL_PSW_MASK;
}

/* One used-buffer-ready split ring entry on queue 0 (little-endian). */
static void queue_buffer(u16 *avail_idx)
{
	u16 slot = *avail_idx % 8;
	u8 d[16] = { 0 };

	d[0] = 0x00;
	d[1] = 0x30;		/* addr 0x3000, little-endian */
	d[8] = 16;		/* len */
	d[12] = 2;		/* WRITE */
	memcpy(hva(DESC), d, 16);
	hva(AVAIL + 4 + 2 * slot)[0] = 0;
	hva(AVAIL + 4 + 2 * slot)[1] = 0;
	(*avail_idx)++;
	hva(AVAIL + 2)[0] = *avail_idx & 0xff;
	hva(AVAIL + 2)[1] = *avail_idx >> 8;
}

static void test_diag(void)
{
	u64 before[16];
	u64 mask;
	u16 avail = 0;
	int r;

	/* DIAG 0x500 subcode 3 on the device set up above. */
	reset_cpu();
	queue_buffer(&avail);
	cpu.gprs[1] = 3;
	cpu.gprs[2] = 0xdead0000ULL << 32 | CSS_SID(0);
	cpu.gprs[3] = 0;
	cpu.gprs[4] = 0;
	io_irqs = 0;
	r = exec(0x8312, 0x05000000);
	ok(r == S390_DIAG_DONE && !cpu.pgm && (s64)cpu.gprs[2] >= 0 &&
	   notifies == 1, "DIAG 500/3: queue notified, cookie %lld in r2",
	   (long long)cpu.gprs[2]);
	ok(hva(IND + 7)[0] & 1, "used buffer: queue 0's indicator bit");
	ok(io_irqs == 1, "and an I/O interrupt");
	cpu.gprs[2] = CSS_SID(7);
	exec(0x8312, 0x05000000);
	ok((s64)cpu.gprs[2] == -EINVAL && !cpu.pgm,
	   "DIAG 500/3: missing subchannel: r2 = -EINVAL");
	cpu.gprs[2] = 0x00000007;
	exec(0x8312, 0x05000000);
	ok((s64)cpu.gprs[2] == -EINVAL, "DIAG 500/3: malformed SID: -EINVAL");
	cpu.gprs[2] = CSS_SID(0);
	cpu.gprs[3] = 1;
	exec(0x8312, 0x05000000);
	ok((s64)cpu.gprs[2] == -EINVAL, "DIAG 500/3: queue 1 of 1: -EINVAL");
	cpu.gprs[2] = CSS_SID(0);
	cpu.gprs[3] = 0x10000;
	exec(0x8312, 0x05000000);
	ok((s64)cpu.gprs[2] == -EINVAL,
	   "DIAG 500/3: notification data without NOTIFICATION_DATA: -EINVAL");

	/* Unimplemented subcode: specification exception, nothing changed. */
	cpu.gprs[1] = 4;
	cpu.gprs[2] = CSS_SID(0);
	cpu.gprs[3] = 0;
	s390_set_cc(&cpu, 1);
	memcpy(before, cpu.gprs, sizeof(before));
	mask = cpu.psw_mask;
	notifies = 0;
	exec(0x8312, 0x05000000);
	ok(cpu.pgm == CSS_PGM_SPECIFICATION && !memcmp(before, cpu.gprs,
	   sizeof(before)) && cpu.psw_mask == mask && notifies == 0,
	   "DIAG 500 subcode 4: specification exception, registers and cc unchanged");
	cpu.gprs[1] = 0x100000003ULL;
	exec(0x8312, 0x05000000);
	ok(cpu.pgm == CSS_PGM_SPECIFICATION,
	   "DIAG 500: subcode compares all of register 1");

	/* Function code from base + displacement. */
	cpu.gprs[1] = 3;
	cpu.gprs[2] = CSS_SID(0);
	cpu.gprs[3] = 0;
	cpu.gprs[5] = 0x400;
	queue_buffer(&avail);
	exec(0x8312, 0x51000000);	/* b2 = 5, d2 = 0x100 */
	ok(!cpu.pgm && (s64)cpu.gprs[2] >= 0 && notifies == 1,
	   "DIAG 0x100(r5) with r5 = 0x400 is DIAG 0x500");
	cpu.gprs[5] = 0x10400;
	cpu.gprs[2] = CSS_SID(0);
	exec(0x8312, 0x51000000);
	ok(!cpu.pgm && (s64)cpu.gprs[2] >= 0,
	   "function code is base + displacement modulo 0x10000");

	cpu.gprs[9] = 0x4000;
	r = exec(0x8309, 0x05010000);
	{
		struct s390_insn in;
		u64 arg = 0;

		s390_decode_sieic(4, 0x8309, 0x05010000, &in);
		ok(r == S390_DIAG_UCALL &&
		   s390_handle_diag(&cpu, &css, &in, &arg) == S390_DIAG_UCALL &&
		   arg == 0x4000,
		   "DIAG 0x501 (diag 0,r9,0x501): selftest call, block at r9");
	}
	{
		u64 gprs[16] = { 0 }, addr = 0;

		gprs[7] = 0x7000;
		ok(s390_ucall_decode(4, 0x8307, 0x05010000, gprs, &addr) &&
		   addr == 0x7000,
		   "selftest ucall decoded from a SIEIC record: block at r7");
		ok(!s390_ucall_decode(4, 0x8307, 0x05000000, gprs, &addr) &&
		   !s390_ucall_decode(8, 0x8307, 0x05010000, gprs, &addr) &&
		   !s390_ucall_decode(4, 0xb234, 0x05010000, gprs, &addr),
		   "DIAG 500, a program interception, STSCH: not ucalls");
	}
	r = exec(0x8312, 0x03080000);
	ok(r == S390_DIAG_REIPL, "DIAG 0x308: re-IPL");
	r = exec(0x8312, 0x01230000);
	ok(r == S390_DIAG_DONE && cpu.pgm == CSS_PGM_SPECIFICATION,
	   "unknown DIAG 0x123: specification exception");
	r = exec(0x8312, 0x00440000);
	ok(!cpu.pgm, "DIAG 0x44 (time-slice end): no-op");
}

static void test_sigp(void)
{
	struct s390_insn in;
	u16 target;

	/* sigp r2,r4,order: parameter in r3 (r2 | 1), CPU address in r4. */
	reset_cpu();
	s390_decode_sieic(4, 0xae24, 0x00120000, &in);	/* set architecture */
	cpu.gprs[3] = 2;
	ok(s390_handle_sigp(&cpu, &in, 1, &target) == S390_SIGP_NONE &&
	   s390_get_cc(&cpu) == 0, "SIGP set architecture z/Arch: cc 0");
	cpu.gprs[3] = 0;
	cpu.gprs[2] = 0xffffffff00000000ULL;
	s390_handle_sigp(&cpu, &in, 1, &target);
	ok(s390_get_cc(&cpu) == 1 && cpu.gprs[2] == (0xffffffff00000000ULL |
	   SIGP_STATUS_INVALID_PARAMETER),
	   "SIGP set architecture ESA/390: cc 1, invalid parameter in r1's low half");
	s390_decode_sieic(4, 0xae24, 0x00040000, &in);	/* start */
	cpu.gprs[4] = 5;
	ok(s390_handle_sigp(&cpu, &in, 1, &target) == S390_SIGP_NONE &&
	   s390_get_cc(&cpu) == 3 && target == 5,
	   "SIGP start to CPU 5 of 1: cc 3 (not operational)");
	cpu.gprs[4] = 0;
	ok(s390_handle_sigp(&cpu, &in, 2, &target) == S390_SIGP_START &&
	   s390_get_cc(&cpu) == 0 && target == 0,
	   "SIGP start to CPU 0: start");
	s390_decode_sieic(4, 0xae24, 0x000b0000, &in);
	ok(s390_handle_sigp(&cpu, &in, 2, &target) ==
	   S390_SIGP_INITIAL_RESET, "SIGP initial CPU reset");
	s390_decode_sieic(4, 0xae24, 0x00060000, &in);
	ok(s390_handle_sigp(&cpu, &in, 2, &target) == S390_SIGP_RESTART,
	   "SIGP restart");
	cpu.gprs[7] = 0x1005;				/* order in bits 56-63 */
	s390_decode_sieic(4, 0xae24, 0x70000000, &in);
	ok(s390_handle_sigp(&cpu, &in, 2, &target) == S390_SIGP_STOP,
	   "SIGP order from base + displacement, low byte (0x1005: stop)");
	s390_decode_sieic(4, 0xae24, 0x00200000, &in);
	cpu.gprs[2] = 0;
	ok(s390_handle_sigp(&cpu, &in, 2, &target) == S390_SIGP_NONE &&
	   s390_get_cc(&cpu) == 1 && cpu.gprs[2] == SIGP_STATUS_INVALID_ORDER,
	   "unknown SIGP order 0x20: cc 1, invalid order");
}

static void test_irq_words(void)
{
	struct s390_irq_words w;

	vccw.sch.intparm = 0x12345678;
	vccw.sch.isc = 3;
	s390_io_irq_words(&vccw.sch, &w);
	ok(w.type == KVM_S390_INT_IO(0, 0, 0, 0) && w.parm == 0x00010000 &&
	   w.parm64 == (0x12345678ULL << 32 | 0x10000000ULL),
	   "I/O interrupt: SID word, interruption parameter, ISC 3 bit");
	s390_adapter_irq_words(6, &w);
	ok((w.type & KVM_S390_INT_IO_AI_MASK) && w.parm64 == 0x02000000ULL,
	   "adapter interrupt: AI bit, ISC 6");
}

int main(void)
{
	log_set_level(LOG_ERROR);
	setup();
	test_decode();
	test_cpu_helpers();
	test_io_instructions();
	test_diag();
	test_sigp();
	test_irq_words();
	return tap_done();
}
