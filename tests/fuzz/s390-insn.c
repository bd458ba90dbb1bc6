// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for s390 instruction interceptions as lkvm handles them
 * (vmm/s390x/decode.c, ioinst.c, diag.c; sclp.c for SERVC): any
 * KVM_EXIT_S390_SIEIC record (icptcode, ipa, ipb) or KVM_EXIT_S390_TSCH
 * ipb, on a vCPU whose registers, addressing mode and memory the input
 * sets, dispatched as vmm/s390x/exits.c does, over a channel subsystem
 * with two virtio-ccw subchannels (an echo device each). The channel
 * programs themselves are virtio-ccw-program's; this target covers what
 * sits in front of them: decoding, operand addresses, the operand fetches
 * and stores, CHSC, DIAGNOSE and SIGP.
 *
 * Input:
 *   u8 flags   bits 0-1: addressing mode (0 24-bit, 1 31-bit, 2-3
 *              64-bit); the machine has 1 + (flags >> 2) % 4 CPUs
 *   le16 n, n bytes of guest memory (R0: 16 KiB at 0; R1: 4 KiB read-only
 *   at 0x8000; nothing else), then steps:
 *     u8 kind, u8 nregs, le16 ipa, le32 ipb, nregs % 8 times (u8 r,
 *     le64 value) setting GPR r % 16 first
 *   kind % 4: 0 an instruction interception; 1 a TSCH exit (ipb); 2 the
 *             interception code ipa & 0xff; 3 poke the 32 bits ipb at
 *             R0 + ipa.
 *   The GPRs and the condition code carry from step to step as KVM would
 *   keep them (a program interruption changes neither).
 *
 * Invariants (abort = finding):
 * - decoding: only interception code 4 decodes; b2, d2, r1-r3 and the
 *   kind are what the instruction's format puts where (checked against
 *   this file's own reading of ipa/ipb); every kind has a name;
 * - operand addresses, and CHSC's block address in r1, wrap to the
 *   addressing mode;
 * - each instruction raises only a program interruption it may (I/O:
 *   operand, specification, addressing, protection; DIAGNOSE:
 *   specification; SERVC: specification, addressing), changes only the
 *   condition code in the PSW, and only the registers it answers in
 *   (DIAGNOSE 0x500: r2; SIGP: r1's low word);
 * - the I/O instructions: a subchannel ID without the one bit or with a
 *   cssid/ssid is an operand exception before any access; an unaligned
 *   operand a specification exception before any access; a missing
 *   subchannel cc 3; STSCH stores exactly a SCHIB, TSCH exactly an IRB,
 *   STCRW one zero word, each at the operand address, MSCH and SSCH store
 *   nothing; a failed access's code is the accessor's (or addressing);
 *   CHSC answers only within its 4K request block; a TSCH that cannot
 *   store its IRB leaves the status pending;
 * - DIAGNOSE: the function code is (base + displacement) & 0xffff; 0x501
 *   is a selftest call whose address is R3 (s390_ucall_decode agrees),
 *   0x308 a re-IPL, 0x44 and 0x9c no-ops; SIGP: the order is the operand
 *   address's low byte, the target in R3, SET ARCHITECTURE takes modes 1
 *   and 2, an action only for a CPU that exists;
 * - interrupt words name the subchannel and one ISC bit.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "echo-device.h"
#include "log.h"
#include "s390x/s390x.h"
#include "unaligned.h"

#define R0_SIZE		0x4000ULL
#define R1		0x8000ULL
#define R1_SIZE		0x1000ULL
#define NR_SCH		2
#define MAX_STEPS	512
#define MAX_ACCESS	16

struct access {
	u64 addr;
	u32 len;
	bool write;
};

struct fz {
	struct guest_mem mem;
	u8 *r[2];
	struct css css;
	struct fz_echo echo[NR_SCH];
	struct virtio_ccw ccw[NR_SCH];
	struct sclp sclp;
	unsigned int nr_cpus;
	u64 gprs[16];
	u64 psw_mask;
	struct access acc[MAX_ACCESS];
	unsigned int nr_acc;
	bool pending;		/* R1's subchannel's status, before */
	/* For the standalone replay's report. */
	unsigned int nr_insn, nr_pgm, nr_starts;
};

static struct fz F;

static void fz_io_irq(void *opaque, struct css_subchannel *sch)
{
	struct s390_irq_words w;
	u32 isc_bits;

	s390_io_irq_words(sch, &w);
	isc_bits = (u32)w.parm64 >> 24;
	if (w.type != KVM_S390_INT_IO(0, 0, 0, sch->schno) ||
	    w.parm != (0x00010000u | sch->schno) ||
	    w.parm64 >> 32 != sch->intparm || (u32)w.parm64 & 0xffffff ||
	    isc_bits != (0x80u >> (sch->isc & 7)))
		abort();
}

static void fz_adapter_irq(void *opaque, u8 isc)
{
	struct s390_irq_words w;

	if (isc > 7)
		abort();
	s390_adapter_irq_words(isc, &w);
	if (!(w.type & KVM_S390_INT_IO_AI_MASK) || w.parm ||
	    w.parm64 != (u64)(0x80u >> isc) << 24)
		abort();
}

static const struct css_irq_ops fz_irq = {
	.io_interrupt = fz_io_irq,
	.adapter_interrupt = fz_adapter_irq,
};

static void record(u64 addr, u32 len, bool write)
{
	if (F.nr_acc == MAX_ACCESS)
		abort();
	F.acc[F.nr_acc++] = (struct access){ addr, len, write };
}

/* KVM's logical accesses: protection in R1, -EFAULT outside memory. */
static int fz_read(void *opaque, u64 addr, void *buf, u32 len)
{
	record(addr, len, false);
	return guest_mem_read(&F.mem, addr, buf, len) ? -EFAULT : 0;
}

static int fz_write(void *opaque, u64 addr, const void *buf, u32 len)
{
	const struct mem_region *r = guest_mem_region(&F.mem, addr);

	record(addr, len, true);
	if (r && r->readonly)
		return CSS_PGM_PROTECTION;
	if (!guest_mem_ptr(&F.mem, addr, len))
		return -EFAULT;
	return guest_mem_write(&F.mem, addr, buf, len) ? -EFAULT : 0;
}

/* This file's own reading of the formats. */
static enum s390_insn_kind kind_of(u16 ipa)
{
	switch (ipa >> 8) {
	case 0x83:
		return S390_INSN_DIAG;
	case 0xae:
		return S390_INSN_SIGP;
	case 0xb2:
		break;
	default:
		return S390_INSN_UNKNOWN;
	}
	switch (ipa & 0xff) {
	case 0x20: return S390_INSN_SERVC;
	case 0x30: return S390_INSN_CSCH;
	case 0x31: return S390_INSN_HSCH;
	case 0x32: return S390_INSN_MSCH;
	case 0x33: return S390_INSN_SSCH;
	case 0x34: return S390_INSN_STSCH;
	case 0x35: return S390_INSN_TSCH;
	case 0x36: return S390_INSN_TPI;
	case 0x37: return S390_INSN_SAL;
	case 0x38: return S390_INSN_RSCH;
	case 0x39: return S390_INSN_STCRW;
	case 0x3a: return S390_INSN_STCPS;
	case 0x3c: return S390_INSN_SCHM;
	case 0x5f: return S390_INSN_CHSC;
	case 0x76: return S390_INSN_XSCH;
	default: return S390_INSN_UNKNOWN;
	}
}

static void check_decode(u8 icpt, u16 ipa, u32 ipb, const struct s390_insn *in,
			 int r)
{
	enum s390_insn_kind kind = kind_of(ipa);
	const char *name = s390_insn_name(in->kind);

	if (icpt != S390_ICPT_INSTRUCTION) {
		if (r != -EINVAL || in->kind != S390_INSN_UNKNOWN)
			abort();
		return;
	}
	if (r || in->kind != kind || in->b2 != ipb >> 28 ||
	    in->d2 != ((ipb >> 16) & 0xfff) || !name ||
	    (!strcmp(name, "unknown") != (kind == S390_INSN_UNKNOWN)))
		abort();
	if ((kind == S390_INSN_DIAG || kind == S390_INSN_SIGP) &&
	    (in->r1 != ((ipa >> 4) & 0xf) || in->r3 != (ipa & 0xf)))
		abort();
	if ((ipa >> 8) == 0xb2 &&
	    (in->r1 != ((ipb >> 20) & 0xf) || in->r2 != ((ipb >> 16) & 0xf)))
		abort();
}

/* Address a wrapped to the addressing mode. */
static u64 wrap(u64 a)
{
	if (F.psw_mask & S390_PSW_EA)
		return a;
	return a & (F.psw_mask & S390_PSW_BA ? 0x7fffffffULL : 0xffffffULL);
}

static u64 operand(u8 b2, u16 d2)
{
	return wrap((b2 ? F.gprs[b2] : 0) + d2);
}

static bool pgm_ok(int pgm, const int *allowed, unsigned int n)
{
	unsigned int i;

	if (!pgm)
		return true;
	for (i = 0; i < n; i++)
		if (pgm == allowed[i])
			return true;
	return false;
}

/* The one access an instruction made, if it made exactly that one. */
static bool only_access(u64 addr, u32 len, bool write)
{
	return F.nr_acc == 1 && F.acc[0].addr == addr && F.acc[0].len == len &&
	       F.acc[0].write == write;
}

/* A failed access: the accessor's code, or addressing. */
static int access_pgm(u64 addr, u32 len, bool write)
{
	const struct mem_region *r = guest_mem_region(&F.mem, addr);

	if (write && r && r->readonly)
		return CSS_PGM_PROTECTION;
	if (!guest_mem_ptr(&F.mem, addr, len))
		return CSS_PGM_ADDRESSING;
	return 0;
}

static void check_store(const struct s390_cpu *cpu, u64 addr, u32 len)
{
	if (!only_access(addr, len, true) ||
	    cpu->pgm != access_pgm(addr, len, true))
		abort();
}

/* R1's subchannel has status pending. */
static bool status_pending(void)
{
	struct css_subchannel *sch = css_find(&F.css, (u32)F.gprs[1]);

	return sch && (sch->scsw_ctrl & SCSW_STCTL_STATUS_PEND);
}

static void check_io(const struct s390_cpu *cpu, const struct s390_insn *in,
		     const u64 *gprs)
{
	static const int allowed[] = { CSS_PGM_OPERAND, CSS_PGM_SPECIFICATION,
				       CSS_PGM_ADDRESSING, CSS_PGM_PROTECTION };
	u64 addr = operand(in->b2, in->d2);
	u32 sid = (u32)gprs[1];
	bool have = (sid >> 16) == 1 && (sid & 0xffff) < NR_SCH;
	unsigned int cc = s390_get_cc(cpu);

	if (!pgm_ok(cpu->pgm, allowed, ARRAY_SIZE(allowed)) ||
	    cpu->gprs_changed || memcmp(cpu->gprs, gprs, sizeof(cpu->gprs)))
		abort();
	switch (in->kind) {
	case S390_INSN_TPI:
	case S390_INSN_SAL:
	case S390_INSN_SCHM:
	case S390_INSN_STCPS:
		if (cpu->pgm || cc || F.nr_acc)
			abort();
		return;
	case S390_INSN_STCRW:
		if (addr & 3) {
			if (cpu->pgm != CSS_PGM_SPECIFICATION || F.nr_acc)
				abort();
			return;
		}
		check_store(cpu, addr, 4);
		if (!cpu->pgm && (cc != 1 || guest_mem_read(&F.mem, addr,
							    &sid, 4) || sid))
			abort();
		return;
	case S390_INSN_CHSC: {
		u64 block = wrap(gprs[in->r1]);

		if (block & 0xfff) {
			if (cpu->pgm != CSS_PGM_SPECIFICATION || F.nr_acc)
				abort();
			return;
		}
		/* The request's first word, then an answer inside the block. */
		if (!F.nr_acc || F.acc[0].addr != block || F.acc[0].len != 4 ||
		    F.acc[0].write)
			abort();
		if (access_pgm(block, 4, false)) {
			if (F.nr_acc != 1 || cpu->pgm != CSS_PGM_ADDRESSING)
				abort();
			return;
		}
		if (F.nr_acc != 2 || !F.acc[1].write || F.acc[1].len != 8 ||
		    F.acc[1].addr < block + 16 ||
		    F.acc[1].addr + 8 > block + 0x1000 ||
		    cpu->pgm != access_pgm(F.acc[1].addr, 8, true) ||
		    (!cpu->pgm && cc))
			abort();
		return;
	}
	default:
		break;
	}
	if ((sid >> 16) != 1) {
		if (cpu->pgm != CSS_PGM_OPERAND || F.nr_acc)
			abort();
		return;
	}
	switch (in->kind) {
	case S390_INSN_STSCH:
	case S390_INSN_MSCH:
	case S390_INSN_SSCH:
	case S390_INSN_TSCH:
		if (addr & 3) {
			if (cpu->pgm != CSS_PGM_SPECIFICATION || F.nr_acc)
				abort();
			return;
		}
		break;
	default:
		if (F.nr_acc)
			abort();
		break;
	}
	if (in->kind == S390_INSN_MSCH || in->kind == S390_INSN_SSCH) {
		u32 len = in->kind == S390_INSN_MSCH ? CSS_SCHIB_SIZE :
			  CSS_ORB_SIZE;

		if (!only_access(addr, len, false))
			abort();
		if (access_pgm(addr, len, false)) {
			if (cpu->pgm != CSS_PGM_ADDRESSING)
				abort();
			return;
		}
	}
	if (!have) {
		if (cpu->pgm || cc != 3 ||
		    (in->kind == S390_INSN_STSCH ||
		     in->kind == S390_INSN_TSCH ? F.nr_acc != 0 : false))
			abort();
		return;
	}
	if (in->kind == S390_INSN_STSCH) {
		check_store(cpu, addr, CSS_SCHIB_SIZE);
	} else if (in->kind == S390_INSN_TSCH) {
		/* The IRB's store, perhaps after a probe of the same. */
		if (F.nr_acc == 2 && F.acc[0].addr == addr &&
		    F.acc[0].len == CSS_IRB_SIZE && F.acc[0].write)
			F.acc[0] = F.acc[--F.nr_acc];
		check_store(cpu, addr, CSS_IRB_SIZE);
		/* An IRB it could not store takes no status. */
		if (cpu->pgm && status_pending() != F.pending)
			abort();
	}
}

static void check_diag(const struct s390_cpu *cpu, const struct s390_insn *in,
		       const u64 *gprs, u16 diag_code,
		       enum s390_diag_action act, u64 arg, u16 ipa, u32 ipb)
{
	u16 code = ((in->b2 ? gprs[in->b2] : 0) + in->d2) & 0xffff;
	u64 ucall = 0;
	bool is_ucall = s390_ucall_decode(S390_ICPT_INSTRUCTION, ipa, ipb,
					  gprs, &ucall);
	unsigned int i;

	if (diag_code != code || F.nr_acc ||
	    is_ucall != (code == S390_DIAG_UCALL_CODE))
		abort();
	for (i = 0; i < 16; i++)
		if (cpu->gprs[i] != gprs[i] &&
		    !(code == S390_DIAG_VIRTIO && i == 2))
			abort();
	switch (code) {
	case S390_DIAG_VIRTIO:
		if ((gprs[1] == 3) != !cpu->pgm || act != S390_DIAG_DONE ||
		    (cpu->pgm && cpu->pgm != CSS_PGM_SPECIFICATION))
			abort();
		break;
	case S390_DIAG_UCALL_CODE:
		if (act != S390_DIAG_UCALL || arg != gprs[in->r3] ||
		    ucall != arg || cpu->pgm)
			abort();
		break;
	case 0x308:
		if (act != S390_DIAG_REIPL || arg != gprs[in->r3] || cpu->pgm)
			abort();
		break;
	case 0x44:
	case 0x9c:
		if (act != S390_DIAG_DONE || cpu->pgm)
			abort();
		break;
	default:
		if (act != S390_DIAG_DONE || cpu->pgm != CSS_PGM_SPECIFICATION)
			abort();
		break;
	}
}

static void check_sigp(const struct s390_cpu *cpu, const struct s390_insn *in,
		       const u64 *gprs, enum s390_sigp_action act, u16 target)
{
	u8 order = operand(in->b2, in->d2) & 0xff;
	u16 want_target = gprs[in->r3] & 0xffff;
	u64 param = gprs[in->r1 | 1];
	unsigned int cc = s390_get_cc(cpu), i;
	u32 status = 0;
	enum s390_sigp_action want = S390_SIGP_NONE;
	unsigned int want_cc = 0;

	if (cpu->pgm || F.nr_acc || target != want_target)
		abort();
	for (i = 0; i < 16; i++)
		if (cpu->gprs[i] != gprs[i] && i != in->r1)
			abort();
	if (order == SIGP_SET_ARCHITECTURE) {
		if ((param & 0xff) != 1 && (param & 0xff) != 2)
			status = SIGP_STATUS_INVALID_PARAMETER;
	} else if (want_target >= F.nr_cpus) {
		want_cc = 3;
	} else {
		switch (order) {
		case SIGP_SENSE:
			break;
		case SIGP_START:
			want = S390_SIGP_START;
			break;
		case SIGP_STOP:
			want = S390_SIGP_STOP;
			break;
		case SIGP_RESTART:
			want = S390_SIGP_RESTART;
			break;
		case SIGP_CPU_RESET:
			want = S390_SIGP_RESET;
			break;
		case SIGP_INITIAL_CPU_RESET:
			want = S390_SIGP_INITIAL_RESET;
			break;
		default:
			status = SIGP_STATUS_INVALID_ORDER;
			break;
		}
	}
	if (status) {
		want_cc = 1;
		if (cpu->gprs[in->r1] !=
		    ((gprs[in->r1] & 0xffffffff00000000ULL) | status))
			abort();
	} else if (cpu->gprs[in->r1] != gprs[in->r1]) {
		abort();
	}
	if (act != want || cc != want_cc ||
	    (act != S390_SIGP_NONE && target >= F.nr_cpus))
		abort();
}

static void check_servc(const struct s390_cpu *cpu, const u64 *gprs)
{
	if ((cpu->pgm && cpu->pgm != CSS_PGM_SPECIFICATION &&
	     cpu->pgm != CSS_PGM_ADDRESSING) ||
	    memcmp(cpu->gprs, gprs, sizeof(cpu->gprs)) || F.nr_acc)
		abort();
}

static void cpu_load(struct s390_cpu *cpu)
{
	memset(cpu, 0, sizeof(*cpu));
	memcpy(cpu->gprs, F.gprs, sizeof(F.gprs));
	cpu->psw_mask = F.psw_mask;
	cpu->psw_addr = 0x10000;
	cpu->mem = (struct s390_mem_ops){ fz_read, fz_write, NULL };
	F.nr_acc = 0;
	F.pending = status_pending();
}

/* What exits.c hands back to KVM. */
static void cpu_store(const struct s390_cpu *cpu)
{
	if ((cpu->psw_mask & ~S390_PSW_CC_MASK) !=
	    (F.psw_mask & ~S390_PSW_CC_MASK))
		abort();
	F.nr_insn++;
	if (cpu->pgm) {
		F.nr_pgm++;
		return;
	}
	F.psw_mask = cpu->psw_mask;
	if (cpu->gprs_changed)
		memcpy(F.gprs, cpu->gprs, sizeof(F.gprs));
	else if (memcmp(F.gprs, cpu->gprs, sizeof(F.gprs)))
		abort();
}

static void intercept(u8 icpt, u16 ipa, u32 ipb)
{
	struct s390_insn in;
	struct s390_cpu cpu;
	enum s390_diag_action diag;
	enum s390_sigp_action sigp;
	u64 arg = 0;
	u16 target, code;
	int r;

	r = s390_decode_sieic(icpt, ipa, ipb, &in);
	check_decode(icpt, ipa, ipb, &in, r);
	if (r || in.kind == S390_INSN_UNKNOWN)
		return;
	cpu_load(&cpu);
	switch (in.kind) {
	case S390_INSN_DIAG:
		/* Taken before the call, as exits.c does (it counts 0x500s). */
		code = s390_diag_code(&cpu, &in);
		diag = s390_handle_diag(&cpu, &F.css, &in, &arg);
		check_diag(&cpu, &in, F.gprs, code, diag, arg, ipa, ipb);
		break;
	case S390_INSN_SIGP:
		sigp = s390_handle_sigp(&cpu, &in, F.nr_cpus, &target);
		check_sigp(&cpu, &in, F.gprs, sigp, target);
		break;
	case S390_INSN_SERVC:
		cpu.pgm = sclp_servc(&F.sclp, &F.mem, cpu.gprs[in.r1],
				     cpu.gprs[in.r2], cpu.prefix);
		if (!cpu.pgm)
			s390_set_cc(&cpu, 0);
		check_servc(&cpu, F.gprs);
		break;
	default:
		s390_handle_io(&cpu, &F.css, &in);
		check_io(&cpu, &in, F.gprs);
		break;
	}
	cpu_store(&cpu);
}

/* The TSCH exit: KVM passes the ipb only. */
static void tsch_exit(u32 ipb)
{
	struct s390_insn in = {
		.kind = S390_INSN_TSCH,
		.opcode = 0xb235,
		.b2 = ipb >> 28,
		.d2 = (ipb >> 16) & 0xfff,
	};
	struct s390_cpu cpu;

	cpu_load(&cpu);
	s390_handle_io(&cpu, &F.css, &in);
	check_io(&cpu, &in, F.gprs);
	cpu_store(&cpu);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u64 amode[] = { 0, S390_PSW_BA, S390_IPL_PSW_MASK,
				     S390_IPL_PSW_MASK };
	unsigned int i, steps = 0;
	size_t n;

	if (size < 3)
		return 0;
	log_set_level(LOG_ERROR);
	memset(&F, 0, sizeof(F));
	F.r[0] = calloc(1, R0_SIZE);
	F.r[1] = calloc(1, R1_SIZE);
	if (!F.r[0] || !F.r[1] ||
	    guest_mem_add(&F.mem, 0, R0_SIZE, F.r[0], false) ||
	    guest_mem_add(&F.mem, R1, R1_SIZE, F.r[1], true))
		abort();
	F.psw_mask = amode[data[0] & 3];
	F.nr_cpus = 1 + (data[0] >> 2) % 4;
	css_init(&F.css, &F.mem, &fz_irq);
	for (i = 0; i < NR_SCH; i++) {
		fz_echo_init(&F.echo[i], &F.mem, 2, 64, 0);
		if (virtio_ccw_init(&F.ccw[i], &F.css, &F.echo[i].vdev,
				    0x100 + i))
			abort();
	}
	sclp_init(&F.sclp, R0_SIZE, F.nr_cpus);

	n = MIN((size_t)get_le16(data + 1), size - 3);
	memcpy(F.r[0], data + 3, MIN(n, (size_t)R0_SIZE));
	if (n > R0_SIZE)
		memcpy(F.r[1], data + 3 + R0_SIZE,
		       MIN(n - R0_SIZE, (size_t)R1_SIZE));
	data += 3 + n;
	size -= 3 + n;

	while (size >= 8 && steps++ < MAX_STEPS) {
		u8 kind = data[0] % 4, nregs = data[1] % 8;
		u16 ipa = get_le16(data + 2);
		u32 ipb = get_le32(data + 4);

		data += 8;
		size -= 8;
		for (i = 0; i < nregs && size >= 9; i++) {
			F.gprs[data[0] % 16] = get_le64(data + 1);
			data += 9;
			size -= 9;
		}
		switch (kind) {
		case 0:
			intercept(S390_ICPT_INSTRUCTION, ipa, ipb);
			break;
		case 1:
			tsch_exit(ipb);
			break;
		case 2:
			intercept(ipa & 0xff, ipa, ipb);
			break;
		case 3:
			put_be32(F.r[0] + ipa % (R0_SIZE - 3), ipb);
			break;
		}
		for (i = 0; i < NR_SCH; i++)
			fz_echo_check_queues(&F.echo[i], &F.mem);
	}

	sclp_destroy(&F.sclp);
	for (i = 0; i < NR_SCH; i++) {
		F.nr_starts += F.css.sch[i]->nr_starts;
		virtio_ccw_destroy(&F.ccw[i]);
		fz_echo_destroy(&F.echo[i]);
	}
	free(F.r[0]);
	free(F.r[1]);
	return 0;
}

#define FUZZ_REPLAY_AFTER(path)						\
	printf("%s: %u instructions, %u program interruptions, %u SSCH\n",	\
	       path, F.nr_insn, F.nr_pgm, F.nr_starts)
#include "replay.h"
