// SPDX-License-Identifier: GPL-2.0
/* Guests of the harness test: ways to leave the guest unexpectedly. */
#include "guest.h"

void bad_exit_hlt(void)
{
	GUEST_SYNC(1);
	asm volatile("cli; hlt");
	GUEST_DONE();
}

/* An empty IDT: the #UD cannot be delivered, the CPU shuts down. */
void bad_exit_shutdown(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = { 0, 0 };

	GUEST_SYNC(1);
	asm volatile("lidt %0; ud2" : : "m"(idtr));
	GUEST_DONE();
}

void bad_exit_hang(void)
{
	GUEST_SYNC(1);
	GUEST_SYNC(2);
	GUEST_SYNC(3);
	for (;;)
		asm volatile("pause");
}

void bad_exit_exception(void)
{
	GUEST_SYNC(1);
	asm volatile("ud2");
	GUEST_DONE();
}
