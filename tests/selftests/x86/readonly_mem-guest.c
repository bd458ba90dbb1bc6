// SPDX-License-Identifier: GPL-2.0
/* Guest of readonly_mem: read a read-only memslot, try to write it. */
#include "guest.h"

#define RO_GPA		0x10000000ULL

void readonly_mem_guest(void)
{
	volatile u64 *p = (volatile u64 *)RO_GPA;

	GUEST_ASSERT_EQ(p[0], 0x0123456789abcdefULL);
	GUEST_ASSERT_EQ(p[511], 0xfedcba9876543210ULL);
	GUEST_SYNC(1);
	p[1] = 0x5555;		/* exits as an MMIO write, once */
	GUEST_ASSERT_EQ(p[1], 0);
	GUEST_DONE();
}
