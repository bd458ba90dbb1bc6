// SPDX-License-Identifier: GPL-2.0
/* Guest of syscall_sysret: set up SYSCALL, go to CPL3, check both ways. */
#include "guest.h"

#define MSR_EFER	0xc0000080
#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_SFMASK	0xc0000084
#define EFER_SCE	1
#define RFLAGS_DF	0x400
#define RFLAGS_AC	0x40000
#define SFMASK		(RFLAGS_DF | RFLAGS_AC)

u64 sc_rcx, sc_r11, sc_rflags, sc_rsp, sc_user_rflags;
u16 sc_cs, sc_ss, sc_user_cs, sc_user_ss;

void syscall_entry(void);
u64 sysret_user(u64 arg);
extern const char sysret_user_syscall_next[];
void syscall_check(void);

/* In the LSTAR handler: must be CPL0 with STAR's selectors. */
void syscall_check(void)
{
	GUEST_SYNC(2);
	GUEST_ASSERT_EQ(sc_cs, ST_SEL_KCODE);
	GUEST_ASSERT_EQ(sc_ss, ST_SEL_KDATA);
	GUEST_ASSERT_EQ(sc_rcx, (u64)(unsigned long)sysret_user_syscall_next);
	GUEST_ASSERT_EQ(sc_r11 & SFMASK, SFMASK);
	GUEST_ASSERT_EQ(sc_rflags & SFMASK, 0);
	GUEST_SYNC(3);
}

void syscall_sysret_guest(void)
{
	st_wrmsr(MSR_EFER, st_rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSCALL: CS = 0x08, SS = 0x10; SYSRET: base 0x10 -> CS 0x2b, SS 0x23. */
	st_wrmsr(MSR_STAR, (u64)(ST_SEL_UCODE32 & ~3) << 48 |
		 (u64)ST_SEL_KCODE << 32);
	st_wrmsr(MSR_LSTAR, (u64)(unsigned long)syscall_entry);
	st_wrmsr(MSR_SFMASK, SFMASK);
	GUEST_SYNC(1);
	GUEST_ASSERT_EQ(st_guest_run_user(sysret_user, 0), 1);
	GUEST_SYNC(4);
	GUEST_ASSERT_EQ(sc_user_cs, ST_SEL_UCODE);
	GUEST_ASSERT_EQ(sc_user_ss, ST_SEL_UDATA);
	GUEST_ASSERT_EQ(sc_user_rflags & SFMASK, SFMASK);
	GUEST_DONE();
}
