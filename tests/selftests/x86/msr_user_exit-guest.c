// SPDX-License-Identifier: GPL-2.0
/* Guest of msr_user_exit: an unknown MSR, before and after the host takes it. */
#include "guest.h"
#include "msr_user_exit.h"

void msr_user_exit_guest(void)
{
	u64 v = 0;

	/* KVM alone: an unknown MSR is #GP. */
	GUEST_ASSERT_EQ(st_rdmsr_safe(MUE_MSR, &v), 13);
	GUEST_ASSERT_EQ(st_wrmsr_safe(MUE_MSR, MUE_WVALUE), 13);
	GUEST_SYNC(1);
	/* Userspace handles it: its value, no fault. */
	GUEST_ASSERT_EQ(st_rdmsr_safe(MUE_MSR, &v), 0);
	GUEST_ASSERT_EQ(v, MUE_VALUE);
	GUEST_ASSERT_EQ(st_wrmsr_safe(MUE_MSR, MUE_WVALUE), 0);
	GUEST_SYNC(2);
	/* Userspace refuses: #GP. */
	GUEST_ASSERT_EQ(st_rdmsr_safe(MUE_MSR, &v), 13);
	GUEST_ASSERT_EQ(st_wrmsr_safe(MUE_MSR, MUE_WVALUE), 13);
	GUEST_DONE();
}
