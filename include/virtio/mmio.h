/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-mmio transport (virtio 1.x spec 4.2): a 0x200-byte register
 * window on the VM's MMIO bus mapped onto the generic operations of
 * core.h, one level-triggered interrupt line, and optionally one ioeventfd
 * per queue so that queue notifications skip the vCPU exit and arrive on
 * the I/O thread.
 *
 * Version 2 (modern) by default. Version 1 ("legacy" register layout:
 * GuestPageSize, QueueAlign, QueuePFN) is available with
 * virtio_mmio_options.legacy for old guests' drivers; it still requires
 * the driver to negotiate VERSION_1 (Linux does when the device offers it),
 * the ring addresses being derived from the PFN with the legacy layout.
 *
 * Wiring, by the VM:
 *   virtio_mmio_init(&m, vdev, base, irq_line, &opts);
 *   bus_register(&vm->mmio_bus, &m.bus_dev);
 *   virtio_mmio_setup_ioeventfds(&m, &vm_ioeventfd_ops, &vm->io);  (opt.)
 *   ...tell the guest: virtio_mmio_cmdline() / a device-tree node
 *   at shutdown, after io_loop_stop(): virtio_mmio_destroy(&m);
 *
 * Threads: register accesses come from vCPU threads (any number at once);
 * m->lock guards the selectors and the interrupt status. Queue notifications
 * through an ioeventfd run on the I/O thread; without one they run on the
 * vCPU thread that wrote QueueNotify.
 */
#ifndef LKVM_VIRTIO_MMIO_H
#define LKVM_VIRTIO_MMIO_H

#include <pthread.h>

#include "bus.h"
#include "io-loop.h"
#include "irq.h"
#include "queue-notifier.h"
#include "types.h"
#include "virtio/core.h"

#define VIRTIO_MMIO_SIZE		0x200
#define VIRTIO_MMIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_MMIO_VENDOR		0x4d564b4c	/* "LKVM" */

/* Register offsets (4.2.2); legacy-only ones marked. */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE	0x028	/* legacy */
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_ALIGN		0x03c	/* legacy */
#define VIRTIO_MMIO_QUEUE_PFN		0x040	/* legacy */
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_INT_VRING		0x1
#define VIRTIO_MMIO_INT_CONFIG		0x2

struct virtio_mmio_options {
	bool legacy;		/* register layout version 1 */
};

struct virtio_mmio {
	struct virtio_device *vdev;
	struct bus_dev bus_dev;		/* register this on the MMIO bus */
	struct irq_line *irq;
	bool legacy;

	pthread_mutex_t lock;
	u32 device_features_sel;
	u32 driver_features_sel;
	u32 queue_sel;
	u32 interrupt_status;
	u32 guest_page_size;		/* legacy */
	u32 *queue_align;		/* legacy, per queue */
	u32 *queue_pfn;			/* legacy, per queue */

	struct queue_notifier *notifiers;	/* nr_queues of them */
};

/*
 * Set up the transport for vdev at guest address base (window of
 * VIRTIO_MMIO_SIZE bytes); attaches itself as vdev's transport. irq may be
 * NULL (no interrupts: tests). -ENOMEM / -EINVAL.
 */
int virtio_mmio_init(struct virtio_mmio *m, struct virtio_device *vdev,
		     u64 base, struct irq_line *irq,
		     const struct virtio_mmio_options *opts);

/*
 * Route each queue's notifications through an eventfd: registered with KVM
 * through ops at base + QueueNotify with the queue index as datamatch, and
 * polled by loop. Queues whose registration fails keep the trapped path.
 * Returns the number of queues routed, or -errno.
 */
int virtio_mmio_setup_ioeventfds(struct virtio_mmio *m,
				 const struct virtio_ioeventfd_ops *ops,
				 struct io_loop *loop);

/* Unregister the eventfds (the I/O loop must be stopped) and free. */
/* The transport's registers to power-on (the device is reset by its owner). */
void virtio_mmio_reset(struct virtio_mmio *m);
void virtio_mmio_destroy(struct virtio_mmio *m);

/*
 * Linux command-line fragment that describes the device to the guest:
 * "virtio_mmio.device=0x200@0xd0000000:5". Returns snprintf()'s count.
 */
int virtio_mmio_cmdline(const struct virtio_mmio *m, char *buf, size_t len);

/* The bus callback (also usable directly, e.g. by tests). */
void virtio_mmio_access(struct bus_dev *dev, struct vcpu *vcpu, u64 offset,
			u8 *data, u32 len, bool is_write);

#endif
