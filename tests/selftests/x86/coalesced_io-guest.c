// SPDX-License-Identifier: GPL-2.0
/* Guest of coalesced_io: writes to the zones, stage by stage. */
#include "guest.h"

#define ZONE	ST_MMIO_BASE

void coalesced_io_guest(void)
{
	/* Both zones registered: nothing exits. */
	st_write32(ZONE, 1);
	st_write32(ZONE + 4, 2);
	st_outb(ZONE, 3);
	st_outw(ZONE + 2, 4);
	GUEST_SYNC(1);
	/* PIO zone gone: MMIO still coalesced, PIO exits. */
	st_write32(ZONE, 5);
	st_outb(ZONE, 6);
	GUEST_SYNC(2);
	/* PIO zone back, MMIO zone gone. */
	st_outb(ZONE, 7);
	st_write32(ZONE, 8);
	GUEST_SYNC(3);
	/* No zones. */
	st_write32(ZONE, 9);
	st_outb(ZONE, 10);
	GUEST_DONE();
}
