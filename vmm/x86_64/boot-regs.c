// SPDX-License-Identifier: GPL-2.0
/* Register state for vCPU 0 from a loader's boot_state. */
#include <string.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define RFLAGS_FIXED	0x2ULL

#define SEG_TYPE_CODE	0xb	/* execute/read, accessed */
#define SEG_TYPE_DATA	0x3	/* read/write, accessed */

static void seg_real(struct kvm_segment *s, u16 sel, u8 type)
{
	*s = (struct kvm_segment){
		.base = (u64)sel << 4,
		.limit = 0xffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.s = 1,
	};
}

static void seg_flat(struct kvm_segment *s, u16 sel, u8 type, bool code64)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.s = 1,
		.db = code64 ? 0 : 1,
		.l = code64 ? 1 : 0,
		.g = 1,
	};
}

static void set_data_segs(struct kvm_sregs *sregs, const struct kvm_segment *d)
{
	sregs->ds = *d;
	sregs->es = *d;
	sregs->fs = *d;
	sregs->gs = *d;
	sregs->ss = *d;
}

void x86_boot_regs(const struct boot_state *bs, struct kvm_regs *regs,
		   struct kvm_sregs *sregs)
{
	struct kvm_segment data;

	memset(regs, 0, sizeof(*regs));
	regs->rflags = RFLAGS_FIXED;	/* interrupts off */
	regs->rip = bs->rip;
	regs->rsp = bs->rsp;
	regs->rsi = bs->rsi;
	regs->rbx = bs->rbx;

	sregs->efer &= ~(EFER_LME | EFER_LMA);
	switch (bs->mode) {
	case CPU_MODE_REAL16:
		sregs->cr0 &= ~(CR0_PE | CR0_PG);
		sregs->cr4 = 0;
		sregs->cr3 = 0;
		seg_real(&sregs->cs, bs->real_cs, SEG_TYPE_CODE);
		seg_real(&data, bs->real_cs, SEG_TYPE_DATA);
		set_data_segs(sregs, &data);
		break;
	case CPU_MODE_PROT32:
		sregs->cr0 = CR0_PE | CR0_ET;
		sregs->cr4 = 0;
		sregs->cr3 = 0;
		seg_flat(&sregs->cs, X86_GDT_CODE32_SEL, SEG_TYPE_CODE, false);
		seg_flat(&data, X86_GDT_DATA_SEL, SEG_TYPE_DATA, false);
		set_data_segs(sregs, &data);
		sregs->gdt.base = bs->gdt_base;
		sregs->gdt.limit = bs->gdt_limit;
		break;
	case CPU_MODE_LONG64:
		sregs->cr0 = CR0_PE | CR0_ET | CR0_PG;
		sregs->cr4 = CR4_PAE;
		sregs->cr3 = bs->cr3;
		sregs->efer |= EFER_LME | EFER_LMA;
		seg_flat(&sregs->cs, X86_GDT_CODE64_SEL, SEG_TYPE_CODE, true);
		seg_flat(&data, X86_GDT_DATA_SEL, SEG_TYPE_DATA, false);
		set_data_segs(sregs, &data);
		sregs->gdt.base = bs->gdt_base;
		sregs->gdt.limit = bs->gdt_limit;
		break;
	}
}
