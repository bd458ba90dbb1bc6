// SPDX-License-Identifier: GPL-2.0
/* x86 interrupt routing: the PIC and IOAPIC pins KVM routes by default. */
#include <linux/kvm.h>
#include <string.h>

#include "types.h"
#include "vm-irq.h"

#define X86_IOAPIC_NR_PINS 24
#define X86_PIC_NR_PINS 16

/*
 * KVM_SET_GSI_ROUTING replaces the whole table, so it carries what KVM
 * routes by default: GSI n to IOAPIC pin n, and GSIs 0-15 also to the PICs
 * (master for 0-7, slave for 8-15).
 */
u32 arch_irq_default_routes(void *entries, u32 max)
{
	struct kvm_irq_routing_entry *e = entries;
	u32 n = 0, gsi;

	for (gsi = 0; gsi < X86_IOAPIC_NR_PINS && n < max; gsi++) {
		memset(&e[n], 0, sizeof(e[n]));
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e[n].u.irqchip.pin = gsi;
		n++;
		if (gsi >= X86_PIC_NR_PINS || gsi == 2 || n >= max)
			continue;
		memset(&e[n], 0, sizeof(e[n]));
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
						   KVM_IRQCHIP_PIC_SLAVE;
		e[n].u.irqchip.pin = gsi % 8;
		n++;
	}
	return n;
}

/*
 * Lines for PCI INTx and virtio-mmio: IOAPIC pins 5, 7, 10, 11 and 16-23.
 * 0-4, 6, 8, 12-15 belong to the PIT, keyboard, COMs, floppy, RTC, mouse,
 * FPU and IDE on a PC and stay theirs even where lkvm has no such device;
 * 9 is the ACPI SCI (X86_IRQ_SCI), which Linux runs its ACPI event
 * handler on, reading the PM1 registers, for every interrupt of the line.
 */
int arch_irq_next_line(int prev)
{
	static const int lines[] = { 5, 7, 10, 11, 16, 17, 18, 19, 20, 21,
				     22, 23 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lines); i++)
		if (lines[i] > prev)
			return lines[i];
	return -1;
}
