/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-pci, the modern (virtio 1.x, spec 4.1) transport: one PCI function
 * per device on the host of devices/pci.h, vendor 0x1af4, device 0x1040 +
 * virtio device ID, revision 1.
 *
 * Config space: an MSI-X capability (vectors: one for config changes plus
 * one per queue; table and PBA in BAR 1) and the virtio vendor capabilities
 * COMMON_CFG, NOTIFY_CFG, ISR_CFG, DEVICE_CFG (all in the 64-bit memory BAR
 * 4) and PCI_CFG (a window into BAR 4 through config space).
 *
 * BAR 4 layout:
 *   0x0000  common configuration (0x38 bytes)
 *   0x1000  ISR status (read to clear; lowers INTx)
 *   0x2000  device configuration
 *   0x3000  notifications: queue q at 0x3000 + 4 * q (queue_notify_off q,
 *           multiplier 4), each with an ioeventfd when the VM provides them
 *
 * Interrupts: with MSI-X enabled, a queue's used-buffer notification goes to
 * its queue_msix_vector and a config change to config_msix_vector (none for
 * VIRTIO_MSI_NO_VECTOR); otherwise ISR bits are set and INTA# asserted.
 *
 * Threads: registers from vCPU threads; ioeventfd notifications on the I/O
 * thread. vp->lock is a leaf lock (selectors, vectors, ISR) never held
 * while calling into the virtio core; vp->map_lock serialises ioeventfd
 * (re)registration when BAR 4 moves.
 */
#ifndef LKVM_VIRTIO_PCI_H
#define LKVM_VIRTIO_PCI_H

#include <pthread.h>

#include "devices/pci.h"
#include "io-loop.h"
#include "queue-notifier.h"
#include "types.h"
#include "virtio/core.h"

#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_DEVICE_BASE		0x1040
#define VIRTIO_PCI_REVISION		1
#define VIRTIO_MSI_NO_VECTOR		0xffff

/* Vendor capability cfg_type values (4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

/* struct virtio_pci_cap fields (16 bytes; notify and pci_cfg add 4). */
#define VIRTIO_PCI_CAP_LEN		2
#define VIRTIO_PCI_CAP_CFG_TYPE		3
#define VIRTIO_PCI_CAP_BAR		4
#define VIRTIO_PCI_CAP_ID		5
#define VIRTIO_PCI_CAP_OFFSET		8
#define VIRTIO_PCI_CAP_LENGTH		12
#define VIRTIO_PCI_CAP_SIZE		16
#define VIRTIO_PCI_CAP_NOTIFY_MULT	16	/* notify_off_multiplier */
#define VIRTIO_PCI_CAP_CFG_DATA		16	/* pci_cfg_data */

/* Common configuration structure (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT	0x00
#define VIRTIO_PCI_COMMON_DF		0x04
#define VIRTIO_PCI_COMMON_GFSELECT	0x08
#define VIRTIO_PCI_COMMON_GF		0x0c
#define VIRTIO_PCI_COMMON_MSIX		0x10
#define VIRTIO_PCI_COMMON_NUMQ		0x12
#define VIRTIO_PCI_COMMON_STATUS	0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION	0x15
#define VIRTIO_PCI_COMMON_Q_SELECT	0x16
#define VIRTIO_PCI_COMMON_Q_SIZE	0x18
#define VIRTIO_PCI_COMMON_Q_MSIX	0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE	0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF	0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO	0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI	0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO	0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI	0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO	0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI	0x34
#define VIRTIO_PCI_COMMON_SIZE		0x38

#define VIRTIO_PCI_ISR_QUEUE		0x1
#define VIRTIO_PCI_ISR_CONFIG		0x2

/* BAR 4 layout and the MSI-X BAR. */
#define VIRTIO_PCI_BAR			4
#define VIRTIO_PCI_BAR_SIZE		0x4000
#define VIRTIO_PCI_MSIX_BAR		1
#define VIRTIO_PCI_COMMON_OFF		0x0000
#define VIRTIO_PCI_ISR_OFF		0x1000
#define VIRTIO_PCI_DEVICE_OFF		0x2000
#define VIRTIO_PCI_NOTIFY_OFF		0x3000
#define VIRTIO_PCI_NOTIFY_MULT		4
#define VIRTIO_PCI_REGION_SIZE		0x1000
#define VIRTIO_PCI_MAX_QUEUES		(VIRTIO_PCI_REGION_SIZE / \
					 VIRTIO_PCI_NOTIFY_MULT)

struct virtio_pci {
	struct virtio_device *vdev;
	struct pci_dev pci;
	char name[40];

	pthread_mutex_t lock;
	u32 dfselect, gfselect;
	u16 queue_sel;
	u16 config_vector;
	u16 *queue_vector;		/* nr_queues */
	u8 isr;

	pthread_mutex_t map_lock;
	bool bar_mapped;
	u64 bar_base;
	const struct virtio_ioeventfd_ops *ioeventfd;
	struct queue_notifier *notifiers;	/* nr_queues */
	u8 pci_cfg_cap;			/* offset of the PCI_CFG capability */
};

/*
 * Build the PCI function for vdev (attaching itself as its transport) and
 * register it on host. intx may be NULL (MSI-X only). -errno.
 */
int virtio_pci_init(struct virtio_pci *vp, struct virtio_device *vdev,
		    struct pci_host *host, struct irq_line *intx);

/*
 * Route queue notifications through eventfds polled by loop, registered
 * with KVM through ops whenever BAR 4 is mapped (and again when the guest
 * moves it). Queues whose registration fails trap instead. Returns the
 * number of queues with an eventfd, or -errno.
 */
int virtio_pci_setup_ioeventfds(struct virtio_pci *vp,
				const struct virtio_ioeventfd_ops *ops,
				struct io_loop *loop);

/* Unregister from the host and KVM (I/O loop stopped first) and free. */
/*
 * The common configuration's selectors, vectors and ISR to power-on (the
 * device is reset by its owner; PCI config space is the host's).
 */
void virtio_pci_reset(struct virtio_pci *vp);
void virtio_pci_destroy(struct virtio_pci *vp);

/* The BAR 4 bus callback (also usable directly by tests). */
void virtio_pci_bar_access(struct bus_dev *dev, struct vcpu *vcpu,
			   u64 offset, u8 *data, u32 len, bool is_write);

#endif
