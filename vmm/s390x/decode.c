// SPDX-License-Identifier: GPL-2.0
/*
 * s390x instruction interceptions: KVM_EXIT_S390_SIEIC's ipa/ipb into an
 * instruction and its operands, condition codes, operand addresses and the
 * interrupt words KVM_S390_INTERRUPT takes.
 */
#include <errno.h>
#include <linux/kvm.h>

#include "s390x/s390x.h"

static const struct {
	u16 opcode;
	enum s390_insn_kind kind;
	const char *name;
} s390_insns[] = {
	{ 0xb220, S390_INSN_SERVC, "SERVC" },
	{ 0xb230, S390_INSN_CSCH, "CSCH" },
	{ 0xb231, S390_INSN_HSCH, "HSCH" },
	{ 0xb232, S390_INSN_MSCH, "MSCH" },
	{ 0xb233, S390_INSN_SSCH, "SSCH" },
	{ 0xb234, S390_INSN_STSCH, "STSCH" },
	{ 0xb235, S390_INSN_TSCH, "TSCH" },
	{ 0xb236, S390_INSN_TPI, "TPI" },
	{ 0xb237, S390_INSN_SAL, "SAL" },
	{ 0xb238, S390_INSN_RSCH, "RSCH" },
	{ 0xb239, S390_INSN_STCRW, "STCRW" },
	{ 0xb23a, S390_INSN_STCPS, "STCPS" },
	{ 0xb23c, S390_INSN_SCHM, "SCHM" },
	{ 0xb25f, S390_INSN_CHSC, "CHSC" },
	{ 0xb276, S390_INSN_XSCH, "XSCH" },
};

int s390_decode_sieic(u8 icptcode, u16 ipa, u32 ipb, struct s390_insn *in)
{
	unsigned int i;
	u8 op = ipa >> 8;

	*in = (struct s390_insn){ .kind = S390_INSN_UNKNOWN };
	if (icptcode != S390_ICPT_INSTRUCTION)
		return -EINVAL;
	/* ipb: instruction bytes 2-5; B2D2 in its high half. */
	in->b2 = ipb >> 28;
	in->d2 = (ipb >> 16) & 0xfff;
	switch (op) {
	case 0x83:		/* DIAGNOSE: RS-a, 83 R1R3 B2D2 */
	case 0xae:		/* SIGNAL PROCESSOR: RS-a */
		in->opcode = op;
		in->kind = op == 0x83 ? S390_INSN_DIAG : S390_INSN_SIGP;
		in->r1 = (ipa >> 4) & 0xf;
		in->r3 = ipa & 0xf;
		return 0;
	case 0xb2:		/* S (B2xx B2D2) or RRE (B2xx 00 R1R2) */
		in->opcode = ipa;
		in->r1 = (ipb >> 20) & 0xf;
		in->r2 = (ipb >> 16) & 0xf;
		for (i = 0; i < ARRAY_SIZE(s390_insns); i++)
			if (s390_insns[i].opcode == ipa)
				in->kind = s390_insns[i].kind;
		return 0;
	default:
		in->opcode = ipa;
		return 0;
	}
}

const char *s390_insn_name(enum s390_insn_kind kind)
{
	unsigned int i;

	if (kind == S390_INSN_DIAG)
		return "DIAG";
	if (kind == S390_INSN_SIGP)
		return "SIGP";
	for (i = 0; i < ARRAY_SIZE(s390_insns); i++)
		if (s390_insns[i].kind == kind)
			return s390_insns[i].name;
	return "unknown";
}

void s390_set_cc(struct s390_cpu *cpu, unsigned int cc)
{
	cpu->psw_mask = (cpu->psw_mask & ~S390_PSW_CC_MASK) |
			((u64)(cc & 3) << S390_PSW_CC_SHIFT);
}

unsigned int s390_get_cc(const struct s390_cpu *cpu)
{
	return (cpu->psw_mask & S390_PSW_CC_MASK) >> S390_PSW_CC_SHIFT;
}

u64 s390_wrap_addr(const struct s390_cpu *cpu, u64 a)
{
	if (cpu->psw_mask & S390_PSW_EA)
		return a;			/* 64-bit */
	if (cpu->psw_mask & S390_PSW_BA)
		return a & 0x7fffffffULL;	/* 31-bit */
	return a & 0xffffffULL;			/* 24-bit */
}

u64 s390_operand_addr(const struct s390_cpu *cpu, u8 b2, u16 d2)
{
	return s390_wrap_addr(cpu, (b2 ? cpu->gprs[b2] : 0) + d2);
}

u64 s390_real_to_abs(u64 addr, u64 prefix)
{
	if (addr < S390_PREFIX_SIZE)
		return addr + prefix;
	if (addr >= prefix && addr < prefix + S390_PREFIX_SIZE)
		return addr - prefix;
	return addr;
}

void s390_io_irq_words(const struct css_subchannel *sch,
		       struct s390_irq_words *w)
{
	/* Subchannel ID word: cssid 0, ssid 0, the one bit; then schno. */
	w->type = KVM_S390_INT_IO(0, 0, 0, sch->schno);
	w->parm = CSS_SID(sch->schno);
	w->parm64 = (u64)sch->intparm << 32 |
		    (u64)((0x80u >> (sch->isc & 7)) << 24);
}

void s390_adapter_irq_words(u8 isc, struct s390_irq_words *w)
{
	w->type = KVM_S390_INT_IO(1, 0, 0, 0);
	w->parm = 0;
	w->parm64 = (u64)((0x80u >> (isc & 7)) << 24);
}
