// SPDX-License-Identifier: GPL-2.0
/* Guest of ioeventfd_bus: the same address as a port and as MMIO. */
#include "guest.h"

#define IOE_ADDR	(ST_MMIO_BASE + 0x400)

void ioeventfd_bus_guest(void)
{
	u32 i;

	for (i = 1; i <= 3; i++) {
		st_outb(IOE_ADDR, i);
		st_write8(IOE_ADDR, i);
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}
