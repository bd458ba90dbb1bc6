// SPDX-License-Identifier: GPL-2.0
/* Guest of msr_ignored: each ignored MSR reads as 0 and takes writes. */
#include "guest.h"

const u32 msr_ignored_list[] = {
	0xc001102c,	/* MSR_F15H_EX_CFG */
	0xc0011022,	/* MSR_AMD64_DC_CFG */
	0xc001102a,	/* MSR_AMD64_BU_CFG2 */
	0xc0011023,	/* MSR_AMD64_TW_CFG */
};

void msr_ignored_guest(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(msr_ignored_list) / sizeof(u32); i++) {
		u32 msr = msr_ignored_list[i];
		u64 v = ~0ULL;

		GUEST_SYNC(msr);
		GUEST_ASSERT_EQ(st_rdmsr_safe(msr, &v), 0);
		GUEST_ASSERT_EQ(v, 0);
		GUEST_ASSERT_EQ(st_wrmsr_safe(msr, 0), 0);
		GUEST_ASSERT_EQ(st_wrmsr_safe(msr, 0x10), 0);
	}
	GUEST_DONE();
}
