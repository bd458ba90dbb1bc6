/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

/*
 * A small virtio 1.x driver for the test guest: finds a device on PCI bus 0
 * (modern virtio-pci, 1af4:1040+id) or from a virtio_mmio.device= word on
 * the command line (virtio-mmio version 2 or legacy 1), negotiates
 * VERSION_1, sets up split queues and moves buffers. Interrupts: MSI-X
 * through the local APIC, INTx / the mmio line through the IOAPIC, or
 * none (polling the used ring).
 */
#include "guest.h"

enum vio_irq { VIO_POLL, VIO_MSIX, VIO_INTX };

#define VIO_QSIZE	8
#define VIO_MAX_QUEUES	2
#define VIO_VECTOR_BASE	0x50	/* CPU vectors: config, then one per queue */

struct vio_queue {
	u16 size, index;
	u16 avail_idx, last_used;
	volatile u8 *desc, *avail, *used;
	u64 notify;			/* PCI: doorbell address */
	volatile u32 irqs;
};

struct vio_dev {
	bool mmio;
	const char *transport;		/* "pci", "mmio", "mmio-legacy" */
	enum vio_irq irq;
	/* PCI */
	u8 slot;
	u64 common, isr, device, notify;
	u32 notify_mult;
	u64 msix_table, msix_pba;
	u16 msix_nr;
	u8 line;			/* INTx / mmio IOAPIC pin */
	/* MMIO */
	u64 base;
	u32 version;
	struct vio_queue q[VIO_MAX_QUEUES];
	unsigned int nr_queues;
	volatile u32 config_irqs, isr_seen;
};

/* Find device `id`, reset it, negotiate (VERSION_1 + want & offered). */
int vio_init(struct vio_dev *d, u32 id, enum vio_irq irq, u64 want,
	     u64 *offered);
/* Set up queues 0..n-1, then DRIVER_OK. */
int vio_start(struct vio_dev *d, unsigned int n);
/*
 * Set queue i up again on the 2 pages at mem (desc and avail in the first,
 * used at the start of the second), indexes from 0; after
 * vio_queue_reset() or before DRIVER_OK. 0 or -1.
 */
int vio_queue_setup(struct vio_dev *d, unsigned int i, u8 *mem);
/*
 * Reset queue i: virtio-mmio QueueReady 0 (legacy: QueuePFN 0), read back
 * as 0. -1 on PCI (no queue reset without VIRTIO_F_RING_RESET).
 */
int vio_queue_reset(struct vio_dev *d, unsigned int i);
/* Post one buffer (device-writable if `write`) and notify. */
void vio_post(struct vio_dev *d, unsigned int q, void *buf, u32 len,
	      bool write);
/* Kick without posting. */
void vio_kick(struct vio_dev *d, unsigned int q);
/* Wait for a used entry (spinning, or for the interrupt): length or -1. */
int vio_wait_used(struct vio_dev *d, unsigned int q, u32 *len);
/* Is a used entry there right now? */
bool vio_has_used(struct vio_dev *d, unsigned int q);
/* Device config space byte at off. */
u8 vio_cfg8(struct vio_dev *d, u32 off);
/* Reset the device (status 0). */
void vio_reset(struct vio_dev *d);
/* MSI-X: mask or unmask the vector of queue q; read its PBA bit. */
void vio_msix_mask(struct vio_dev *d, unsigned int q, bool mask);
bool vio_msix_pending(struct vio_dev *d, unsigned int q);
/* "msix", "intx", "poll" (default msix on PCI, intx on MMIO). */
int vio_parse_irq(const char *arg, enum vio_irq *irq);
const char *vio_irq_name(enum vio_irq irq);

#endif
