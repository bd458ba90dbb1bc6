/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One virtio queue's doorbell outside the vCPU: an eventfd that KVM
 * signals when the guest writes the queue's notification address
 * (registered through a virtio_ioeventfd_ops callback: an MMIO or port
 * address with the queue index as datamatch on PCI and virtio-mmio, the
 * subchannel number on virtio-ccw), polled by the I/O loop, whose handler
 * drains the counter and calls virtio_queue_notify() on the I/O thread.
 * Every transport uses it; a queue without one keeps the trapped path.
 * Where the device allows it (virtio_queue_pollable()), the I/O loop's
 * polling also looks at the queue's ring (virtio_queue_poll()), however
 * many such queues there are (one that the loop has no memory to add is
 * woken by its kicks alone, with a warning).
 *
 *   queue_notifier_init(&n, vdev, q);
 *   queue_notifier_open(&n, loop);              eventfd, polled
 *   queue_notifier_register(&n, ops, addr, ...); KVM signals it
 *   queue_notifier_unregister(&n);              e.g. a BAR moves
 *   queue_notifier_close(&n);                   I/O loop stopped first
 */
#ifndef LKVM_QUEUE_NOTIFIER_H
#define LKVM_QUEUE_NOTIFIER_H

#include "io-loop.h"
#include "types.h"
#include "virtio/core.h"

struct queue_notifier {
	struct io_handler handler;	/* handler.fd: the eventfd, or -1 */
	struct virtio_device *vdev;
	unsigned int queue;
	struct io_loop *loop;
	const struct virtio_ioeventfd_ops *ops;
	u64 addr, datamatch;		/* where it is registered */
	u32 len;
	bool pio;
	bool polled;			/* with the I/O loop */
	bool registered;		/* with KVM */
};

/* No eventfd yet. */
void queue_notifier_init(struct queue_notifier *n, struct virtio_device *vdev,
			 unsigned int queue);
/* Create the eventfd and poll it on loop (nothing if already). -errno. */
int queue_notifier_open(struct queue_notifier *n, struct io_loop *loop);
/*
 * Have KVM signal the eventfd on a write of len bytes matching datamatch
 * at addr (port I/O if pio); any earlier registration is dropped first.
 * -EINVAL when not open, else ops->add()'s result.
 */
int queue_notifier_register(struct queue_notifier *n,
			    const struct virtio_ioeventfd_ops *ops, u64 addr,
			    u32 len, u64 datamatch, bool pio);
/* Drop the KVM registration, if any (one warning if KVM refuses). */
void queue_notifier_unregister(struct queue_notifier *n);
/* Unregister, stop polling, close. The I/O loop must not be running. */
void queue_notifier_close(struct queue_notifier *n);

#endif
