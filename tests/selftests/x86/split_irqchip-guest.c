// SPDX-License-Identifier: GPL-2.0
/* Guest of split_irqchip: count the interrupts of each round, EOI them. */
#include "guest.h"
#include "split_irqchip.h"

#define APIC_BASE	0xfee00000UL
#define APIC_TPR	0x80
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0

static volatile u32 si_edge, si_level;

static void apic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(APIC_BASE + reg) = v;
}

static void si_edge_irq(struct st_irq_frame *f)
{
	si_edge++;
	apic_write(APIC_EOI, 0);
}

static void si_level_irq(struct st_irq_frame *f)
{
	si_level++;
	apic_write(APIC_EOI, 0);
}

void split_irqchip_guest(void)
{
	u32 i, spin;

	st_guest_set_handler(SI_EDGE_VECTOR, si_edge_irq);
	st_guest_set_handler(SI_LEVEL_VECTOR, si_level_irq);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, 0x1ff);	/* enabled, spurious vector 0xff */
	GUEST_SYNC(0);
	for (i = 1; i <= SI_ROUNDS; i++) {
		asm volatile("sti");
		for (spin = 0; spin < 1000; spin++) {
			if (si_edge == i && si_level == i)
				break;
			asm volatile("pause");
		}
		asm volatile("cli");
		GUEST_ASSERT_EQ(si_edge, i);
		GUEST_ASSERT_EQ(si_level, i);
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}
