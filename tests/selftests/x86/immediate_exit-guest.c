// SPDX-License-Identifier: GPL-2.0
/* Guest of immediate_exit: an IN and an MMIO load the host completes. */
#include "guest.h"

#define IE_PORT		0xe4
#define IE_MMIO		(ST_MMIO_BASE + 0x300)

void immediate_exit_guest(void)
{
	u32 v;

	asm volatile(".globl ie_in_next\n\t"
		     "inl %w1, %0\n"
		     "ie_in_next:" : "=a"(v) : "d"(IE_PORT));
	GUEST_ASSERT_EQ(v, 0x600df00d);
	asm volatile(".globl ie_mmio_next\n\t"
		     "movl %1, %0\n"
		     "ie_mmio_next:" : "=a"(v)
		     : "m"(*(volatile u32 *)IE_MMIO));
	GUEST_ASSERT_EQ(v, 0xfeedface);
	GUEST_DONE();
}
