// SPDX-License-Identifier: GPL-2.0
/* Guest of ioeventfd_bus: the same address as a port and as MMIO. */
#include "guest.h"

#define IOE_ADDR	(ST_MMIO_BASE + 0x400)

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %b0, %w1" : : "a"(v), "d"(port));
}

void ioeventfd_bus_guest(void)
{
	u32 i;

	for (i = 1; i <= 3; i++) {
		outb(IOE_ADDR, i);
		*(volatile u8 *)IOE_ADDR = i;
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}
