// SPDX-License-Identifier: GPL-2.0
/* Guest of coalesced_io: writes to the zones, stage by stage. */
#include "guest.h"

#define ZONE	ST_MMIO_BASE

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %b0, %w1" : : "a"(v), "d"(port));
}

static inline void outw(u16 port, u16 v)
{
	asm volatile("outw %w0, %w1" : : "a"(v), "d"(port));
}

void coalesced_io_guest(void)
{
	/* Both zones registered: nothing exits. */
	*(volatile u32 *)ZONE = 1;
	*(volatile u32 *)(ZONE + 4) = 2;
	outb(ZONE, 3);
	outw(ZONE + 2, 4);
	GUEST_SYNC(1);
	/* PIO zone gone: MMIO still coalesced, PIO exits. */
	*(volatile u32 *)ZONE = 5;
	outb(ZONE, 6);
	GUEST_SYNC(2);
	/* PIO zone back, MMIO zone gone. */
	outb(ZONE, 7);
	*(volatile u32 *)ZONE = 8;
	GUEST_SYNC(3);
	/* No zones. */
	*(volatile u32 *)ZONE = 9;
	outb(ZONE, 10);
	GUEST_DONE();
}
