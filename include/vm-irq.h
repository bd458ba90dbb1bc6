/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VM_IRQ_H
#define LKVM_VM_IRQ_H

#include <pthread.h>

#include "types.h"

/*
 * KVM plumbing for device notifications and interrupts: ioeventfds
 * (guest writes to a doorbell signal an eventfd without an exit), irqfds
 * (writing an eventfd raises a GSI), and MSI routes (a GSI that delivers an
 * MSI address/data pair, for MSI-X vectors and irqfd). Transports use these;
 * devices never do.
 */
struct vm;

#define VM_IRQ_MAX_ROUTES 1024

struct vm_irq_routing {
	pthread_mutex_t lock;
	/* Entries KVM gets, defaults (irqchip pins) first, then MSI routes. */
	void *table;		/* struct kvm_irq_routing */
	u32 nr_entries;
	u32 nr_default;
	u32 next_msi_gsi;
	u32 next_line;		/* legacy interrupt line allocator */
};

int vm_irq_routing_init(struct vm *vm);
void vm_irq_routing_destroy(struct vm *vm);

/*
 * A guest write of `len` bytes at addr (port I/O if pio) signals fd; with
 * datamatch only when the value equals data. 0 or -errno.
 */
int vm_ioeventfd_add(struct vm *vm, u64 addr, u32 len, bool pio,
		     bool datamatch, u64 data, int fd);
int vm_ioeventfd_del(struct vm *vm, u64 addr, u32 len, bool pio,
		     bool datamatch, u64 data, int fd);

/* Writing fd raises gsi (edge). 0 or -errno. */
int vm_irqfd_add(struct vm *vm, u32 gsi, int fd);
int vm_irqfd_del(struct vm *vm, u32 gsi, int fd);

/* A new GSI routed to the MSI (addr, data); returns the GSI or -errno. */
int vm_msi_route_add(struct vm *vm, u64 addr, u32 data);
/* Re-point an MSI GSI (the guest rewrote an MSI-X entry). 0 or -errno. */
int vm_msi_route_update(struct vm *vm, u32 gsi, u64 addr, u32 data);
/* Inject one MSI directly (no route needed). 0 or -errno. */
int vm_signal_msi(struct vm *vm, u64 addr, u32 data);

/*
 * A free legacy interrupt line (an IOAPIC pin on x86) for a device's INTx
 * or virtio-mmio interrupt: pins used by the PC devices are never handed
 * out. Returns the GSI or -ENOSPC.
 */
int vm_alloc_irq_line(struct vm *vm);

/* Arch: the default irqchip routes; returns how many were written. */
u32 arch_irq_default_routes(void *entries, u32 max);
/* Arch: next free legacy line after `prev` (or the first for -1), -1 if none. */
int arch_irq_next_line(int prev);

#endif
