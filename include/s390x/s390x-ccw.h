/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio devices on the s390x channel subsystem: the virtio-ccw transport
 * of the device registry (vm-virtio.h) puts each device on a new
 * subchannel with KVM-side notifications (vmm/s390x/ccw-devices.c).
 */
#ifndef LKVM_S390X_CCW_H
#define LKVM_S390X_CCW_H

#include "queue-notifier.h"
#include "virtio/ccw.h"

struct vm;
struct vm_virtio;

struct s390x_ccw_dev {
	struct virtio_ccw ccw;
	struct queue_notifier *notifiers;	/* NULL: DIAGNOSE exits */
	unsigned int nr_notifiers;
};

/*
 * vdev on the next subchannel (device number = subchannel number); its
 * queues' notifications through ioeventfds when KVM takes all of them.
 * 0 or -errno (-ENOSPC: the CSS is full).
 */
int s390x_ccw_add(struct vm *vm, struct virtio_device *vdev,
		  struct s390x_ccw_dev **out);
/* After the I/O loop has stopped. */
void s390x_ccw_remove(struct vm *vm, struct s390x_ccw_dev *d);

/* The registry on virtio-ccw; the devices are then on vm->devs. */
struct s390x_devices {
	struct vm_virtio *virtio;
	struct virtio_ioeventfd_ops ioeventfd;	/* opaque: the vm */
};

/* From arch_devices_init(): creates what vm->cfg asks for. 0 or -errno. */
int s390x_virtio_init(struct vm *vm, struct s390x_devices *d);

#endif
