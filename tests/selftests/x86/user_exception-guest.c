// SPDX-License-Identifier: GPL-2.0
/*
 * Guest of user_exception: exceptions raised at CPL3 must arrive through
 * the IDT at CPL0 on TSS.RSP0's stack, with the user state in the frame.
 */
#include "guest.h"

#define UNMAPPED	0x8000000000ULL
#define PF_USER		4

u64 ue_user(u64 arg);
extern const char ue_de_insn[], ue_de_next[], ue_pf_insn[], ue_pf_next[];

static unsigned int ue_count;

static void ue_check(struct st_irq_frame *f, const char *insn)
{
	u64 sp = (u64)(unsigned long)&f;

	GUEST_ASSERT_EQ(st_read_cs(), ST_SEL_KCODE);
	GUEST_ASSERT(sp < ST_RSP0_TOP && sp >= ST_RSP0_TOP - 0x8000);
	GUEST_ASSERT_EQ(f->cs, ST_SEL_UCODE);
	GUEST_ASSERT_EQ(f->ss, ST_SEL_UDATA);
	GUEST_ASSERT_EQ(f->rip, (u64)(unsigned long)insn);
	GUEST_ASSERT(f->rsp < ST_USTACK_TOP && f->rsp >= ST_RSP0_TOP);
}

static void ue_de(struct st_irq_frame *f)
{
	GUEST_SYNC(2);
	ue_check(f, ue_de_insn);
	f->rip = (u64)(unsigned long)ue_de_next;
	ue_count++;
}

static void ue_pf(struct st_irq_frame *f)
{
	u64 cr2;

	GUEST_SYNC(3);
	ue_check(f, ue_pf_insn);
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	GUEST_ASSERT_EQ(cr2, UNMAPPED);
	GUEST_ASSERT(f->error_code & PF_USER);
	f->rip = (u64)(unsigned long)ue_pf_next;
	ue_count++;
}

void user_exception_guest(void)
{
	st_guest_set_handler(0, ue_de);
	st_guest_set_handler(14, ue_pf);
	GUEST_SYNC(1);
	GUEST_ASSERT_EQ(st_guest_run_user(ue_user, 0), 2);
	GUEST_ASSERT_EQ(ue_count, 2);
	GUEST_ASSERT_EQ(st_read_cs(), ST_SEL_KCODE);
	GUEST_DONE();
}
