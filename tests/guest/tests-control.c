// SPDX-License-Identifier: GPL-2.0
/*
 * test=ticker: prints "tick N" whenever the RTC's seconds change, for ever.
 * Lets the host watch a guest run, pause and resume (lkvm pause/resume).
 */
#include "guest.h"

static u8 rtc_seconds(void)
{
	outb(0x00, 0x70);
	return inb(0x71);
}

static int test_ticker(const struct boot_info *bi, const char *arg)
{
	u8 last = rtc_seconds();
	u32 n = 0;

	printf("ticker: running\n");
	for (;;) {
		u8 now = rtc_seconds();

		if (now != last) {
			last = now;
			printf("tick %u\n", ++n);
		}
		cpu_relax();
	}
	return EXIT_OK;
}
GUEST_TEST("ticker", test_ticker);
