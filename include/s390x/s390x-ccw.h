/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio devices on the s390x channel subsystem: what the VM's device
 * set-up calls to put a virtio device on a new virtio-ccw subchannel with
 * KVM-side notifications (vmm/s390x/ccw-devices.c).
 */
#ifndef LKVM_S390X_CCW_H
#define LKVM_S390X_CCW_H

#include "io-loop.h"
#include "virtio/ccw.h"
#include "virtio/console.h"
#include "virtio/rng.h"

struct vm;
struct s390x_ccw_dev;

struct s390x_ccw_notifier {
	struct io_handler handler;	/* handler.fd: the eventfd */
	struct s390x_ccw_dev *dev;
	unsigned int queue;
	bool registered, polled;
};

struct s390x_ccw_dev {
	struct virtio_ccw ccw;
	struct s390x_ccw_notifier *notifiers;
	unsigned int nr_notifiers;
};

/*
 * vdev on the next subchannel (device number = subchannel number); its
 * queues' notifications through ioeventfds when KVM takes all of them.
 * 0 or -errno.
 */
int s390x_ccw_add(struct vm *vm, struct virtio_device *vdev,
		  struct s390x_ccw_dev **out);
/* After the I/O loop has stopped. */
void s390x_ccw_remove(struct vm *vm, struct s390x_ccw_dev *d);

/* The configured virtio devices (console, rng, disks), each on ccw. */
struct s390x_devices {
	struct vm *vm;
	struct virtio_console console;
	struct virtio_rng rng;
	struct s390x_ccw_dev *devs[CSS_MAX_SUBCHANNELS];
	unsigned int nr;
};

/* From arch_devices_init(): creates what vm->cfg asks for. 0 or -errno. */
int s390x_virtio_init(struct vm *vm, struct s390x_devices *d);
/* After the I/O loop has stopped. */
void s390x_virtio_destroy(struct vm *vm, struct s390x_devices *d);

#endif
