// SPDX-License-Identifier: GPL-2.0
/*
 * split_irqchip: with KVM_CAP_SPLIT_IRQCHIP (LAPIC in KVM, IOAPIC in
 * userspace), MSIs and a level-triggered route (irqfd) are delivered while
 * userspace rewrites the GSI routing every round (each rewrite makes KVM
 * rescan the IOAPIC routes): nothing crashes, no interrupt is lost or
 * doubled, every EOI of the routed vector exits as KVM_EXIT_IOAPIC_EOI.
 * Guards exits completed twice or never (lost interrupts/EOIs).
 */
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "selftest.h"
#include "split_irqchip.h"

void split_irqchip_guest(void);

#define NR_PINS		24
#define MSI_ADDR	0xfee00000u
#define MSI_LEVEL	(1u << 15)
#define MSI_ASSERT	(1u << 14)

static void set_routing(struct st_vm *t, struct kvm_irq_routing *r)
{
	if (ioctl(t->vm.vm_fd, KVM_SET_GSI_ROUTING, r))
		st_fail(t, "KVM_SET_GSI_ROUTING: %m");
}

int main(void)
{
	struct kvm_msi msi = {
		.address_lo = MSI_ADDR,
		.data = SI_EDGE_VECTOR,
	};
	struct kvm_irq_routing *r;
	struct kvm_irqfd irqfd = { .gsi = SI_GSI };
	struct st_vm t;
	struct st_opts o = { .irqchip = ST_IRQCHIP_SPLIT };
	unsigned int i, eois = 0;
	u64 one = 1;
	int efd;

	st_begin(&t, "split_irqchip",
		 "exits completed twice or never: interrupts and EOIs across IOAPIC route rescans (split irqchip)");
	st_vm_create(&t, &o);
	st_require_cap(&t, KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI");
	st_require_cap(&t, KVM_CAP_IRQFD, "KVM_CAP_IRQFD");
	r = calloc(1, sizeof(*r) + NR_PINS * sizeof(r->entries[0]));
	if (!r)
		st_fail(&t, "out of memory");
	r->nr = NR_PINS;
	for (i = 0; i < NR_PINS; i++) {
		r->entries[i].gsi = i;
		r->entries[i].type = KVM_IRQ_ROUTING_MSI;
		r->entries[i].u.msi.address_lo = MSI_ADDR;
		r->entries[i].u.msi.data = 0x50 + i;
	}
	r->entries[SI_GSI].u.msi.data = SI_LEVEL_VECTOR | MSI_LEVEL |
					MSI_ASSERT;
	set_routing(&t, r);
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		st_fail(&t, "eventfd: %m");
	irqfd.fd = efd;
	if (ioctl(t.vm.vm_fd, KVM_IRQFD, &irqfd))
		st_fail(&t, "KVM_IRQFD: %m");

	st_vcpu_entry(&t, t.vcpu, split_irqchip_guest, 0);
	st_expect_sync(&t, t.vcpu, 0);
	for (i = 1; i <= SI_ROUNDS; i++) {
		if (ioctl(t.vm.vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
			st_fail(&t, "KVM_SIGNAL_MSI: %m");
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			st_fail(&t, "eventfd write: %m");
		/* A rescan with both interrupts pending. */
		set_routing(&t, r);
		for (;;) {
			u32 reason = st_run(&t, t.vcpu);

			if (reason == ST_EXIT_UCALL)
				break;
			if (reason != KVM_EXIT_IOAPIC_EOI)
				st_fail_exit(&t, t.vcpu,
					     "KVM_EXIT_IOAPIC_EOI (26) or a ucall");
			TEST_ASSERT(&t, t.vcpu->run->eoi.vector == SI_LEVEL_VECTOR,
				    "EOI exit for vector 0x%x",
				    t.vcpu->run->eoi.vector);
			eois++;
		}
		if (t.uc.cmd != ST_UCALL_SYNC || t.uc.args[0] != i)
			st_fail(&t, "guest reported %llu/%llu, expected GUEST_SYNC(%u)",
				t.uc.cmd, t.uc.args[0], i);
		TEST_ASSERT(&t, eois == i,
			    "%u KVM_EXIT_IOAPIC_EOI exits after %u level interrupts",
			    eois, i);
	}
	st_expect_done(&t, t.vcpu);
	close(efd);
	free(r);
	st_pass(&t);
}
