// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic: the guest's panic notifier writes PANICKED (or CRASH_LOADED when
 * a kdump kernel will take over) to a one-byte event register; a read of
 * it gives the events the device supports. See include/devices/pvpanic.h.
 */
#include <errno.h>
#include <string.h>

#include "devices/pvpanic.h"
#include "log.h"

static void pvpanic_ignored(struct pvpanic *p)
{
	atomic_fetch_add(&p->nr_ignored, 1);
}

static void pvpanic_write(struct pvpanic *p, u32 value)
{
	bool expected = false;

	if (value & ~PVPANIC_EVENTS) {
		pvpanic_ignored(p);
		pr_warn_ratelimited("pvpanic: unknown event bits 0x%x ignored",
				    value & ~PVPANIC_EVENTS);
	}
	if (value & PVPANIC_PANICKED) {
		/* Once: a second panicking vCPU adds nothing. */
		if (atomic_compare_exchange_strong(&p->panicked, &expected,
						   true) && p->ops.panicked)
			p->ops.panicked(p->ops.opaque);
		return;
	}
	if (value & PVPANIC_CRASH_LOADED) {
		atomic_fetch_add(&p->nr_crash_loaded, 1);
		pr_warn_ratelimited("pvpanic: the guest kernel panicked and its crash kernel takes over (CRASH_LOADED); the VM goes on");
	}
}

static void pvpanic_access(struct bus_dev *dev, struct vcpu *vcpu,
			   u64 offset, u8 *data, u32 len, bool is_write)
{
	struct pvpanic *p = dev->priv;

	/*
	 * The register: its byte at offset 0, alone or as the low half of
	 * the 16-bit register the MMIO binding describes (the high byte is
	 * reserved: reads 0, bits written there are unknown events).
	 */
	if (offset != 0 || (len != 1 && len != 2)) {
		pvpanic_ignored(p);
		pr_warn_ratelimited("pvpanic: %u-byte %s at offset 0x%llx ignored",
				    len, is_write ? "write" : "read",
				    (unsigned long long)offset);
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	if (!is_write) {
		memset(data, 0, len);
		data[0] = PVPANIC_EVENTS;
		return;
	}
	pvpanic_write(p, len == 2 ? (u32)data[0] | (u32)data[1] << 8 :
			 data[0]);
}

static void pvpanic_init(struct pvpanic *p, const struct pvpanic_ops *ops)
{
	memset(p, 0, sizeof(*p));
	if (ops)
		p->ops = *ops;
}

int pvpanic_pci_init(struct pvpanic *p, struct pci_host *h,
		     const struct pvpanic_ops *ops)
{
	int err;

	pvpanic_init(p, ops);
	pci_dev_init(&p->pci, "pvpanic", PVPANIC_PCI_VENDOR,
		     PVPANIC_PCI_DEVICE, PVPANIC_PCI_CLASS,
		     PVPANIC_PCI_REVISION, NULL, p, NULL);
	pci_dev_set_subsystem(&p->pci, PVPANIC_PCI_VENDOR,
			      PVPANIC_PCI_DEVICE);
	err = pci_dev_add_bar(&p->pci, 0, PCI_BAR_MEM32, PVPANIC_PCI_BAR_SIZE,
			      pvpanic_access, p);
	if (err)
		return err;
	err = pci_register_device(h, &p->pci);
	if (!err)
		p->host = h;
	return err;
}

int pvpanic_mmio_init(struct pvpanic *p, struct bus *bus, u64 base,
		      const struct pvpanic_ops *ops)
{
	int err;

	pvpanic_init(p, ops);
	p->mmio = (struct bus_dev){
		.name = "pvpanic", .base = base, .len = PVPANIC_MMIO_SIZE,
		.access = pvpanic_access, .priv = p,
	};
	err = bus_register(bus, &p->mmio);
	if (!err)
		p->bus = bus;
	return err;
}

void pvpanic_destroy(struct pvpanic *p)
{
	if (p->host)
		pci_unregister_device(p->host, &p->pci);
	if (p->bus)
		bus_unregister(p->bus, &p->mmio);
	p->host = NULL;
	p->bus = NULL;
}

void pvpanic_reset(struct pvpanic *p)
{
	atomic_store(&p->panicked, false);
}
