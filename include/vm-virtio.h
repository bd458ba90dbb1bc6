/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's virtio devices: creates what the configuration asks for
 * (--console virtio, --rng) on the chosen transport (--virtio-transport:
 * PCI on the platform's host bridge, or virtio-mmio windows with one
 * interrupt line each), wires their interrupts and ioeventfds to KVM and
 * the console to the terminal. The arch calls it from arch_devices_init().
 */
#ifndef LKVM_VM_VIRTIO_H
#define LKVM_VM_VIRTIO_H

#include "devices/pci.h"
#include "types.h"

struct vm;
struct vm_virtio;

/* Where the arch puts virtio-mmio windows. */
struct vm_virtio_layout {
	u64 mmio_base;
	u64 mmio_stride;
	unsigned int mmio_max;
};

/*
 * Create the configured devices (none is fine). pci is the host for the
 * PCI transport. Prints one "lkvm: ..." line on failure; -errno.
 */
int vm_virtio_init(struct vm *vm, struct pci_host *pci,
		   const struct vm_virtio_layout *layout,
		   struct vm_virtio **out);

/*
 * What the guest kernel's command line needs for virtio-mmio devices
 * (virtio_mmio.device=... for each), "" when nothing.
 */
const char *vm_virtio_cmdline(const struct vm_virtio *v);

/* Free what vm_virtio_init() allocated, before any device ran. */
void vm_virtio_free(struct vm_virtio *v);

/* MSI delivery for a PCI host through the VM's routes and irqfds. */
void vm_pci_msi_ops(struct vm *vm, struct pci_msi_ops *ops);

#endif
