// SPDX-License-Identifier: GPL-2.0
/*
 * test=ticker: prints "tick N" whenever the RTC's seconds change, for ever.
 * Lets the host watch a guest run, pause and resume (lkvm pause/resume).
 * test=spin: waits for ever on a word no one sets, its address in RDX,
 * as a CPU waits on a lock: what lkvm debug shows at RDX.
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

/* A word that stays 0, then bytes the host looks for. */
static struct {
	u32 word;
	char tag[12];
} spin_target = { 0, "lkvm-spin" };

static int test_spin(const struct boot_info *bi, const char *arg)
{
	printf("spin: waiting at %p\n", (void *)&spin_target);
	asm volatile("1: pause\n\t"
		     "cmpl $0, (%%rdx)\n\t"
		     "je 1b"
		     : : "d"(&spin_target) : "memory", "cc");
	return EXIT_FAIL;
}
GUEST_TEST("spin", test_spin);
