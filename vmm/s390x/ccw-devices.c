// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-ccw transport of the device registry: each device goes on
 * its own subchannel (device numbers 0.0.0000 up; the limit is the CSS's
 * CSS_MAX_SUBCHANNELS), and each queue's DIAGNOSE 0x500 notification is
 * answered by KVM through an ioeventfd (subchannel number as the address,
 * the queue index as datamatch) handled on the I/O thread. Queues KVM
 * cannot take keep the exit path through exits.c. The guest finds the
 * devices through the channel subsystem.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "s390x/s390x-ccw.h"
#include "s390x/s390x-vm.h"
#include "vm-virtio.h"

static int ccw_ioeventfd_add(void *opaque, u64 addr, u32 len, u64 datamatch,
			     bool pio, int fd)
{
	return s390x_ccw_ioeventfd(opaque, (u16)addr, (u16)datamatch, fd,
				   true);
}

static int ccw_ioeventfd_del(void *opaque, u64 addr, u32 len, u64 datamatch,
			     bool pio, int fd)
{
	return s390x_ccw_ioeventfd(opaque, (u16)addr, (u16)datamatch, fd,
				   false);
}

static void ccw_notifiers_release(struct s390x_ccw_dev *d)
{
	unsigned int q;

	for (q = 0; d->notifiers && q < d->nr_notifiers; q++)
		queue_notifier_close(&d->notifiers[q]);
	free(d->notifiers);
	d->notifiers = NULL;
	d->nr_notifiers = 0;
}

/* Every queue on an ioeventfd, or none: the transport needs to know. */
static int ccw_notifiers_setup(struct vm *vm, struct s390x_ccw_dev *d,
			       const struct virtio_ioeventfd_ops *ops)
{
	unsigned int q, nq = virtio_num_queues(d->ccw.vdev);
	int err = 0;

	d->notifiers = calloc(nq, sizeof(*d->notifiers));
	if (!d->notifiers)
		return -ENOMEM;
	d->nr_notifiers = nq;
	for (q = 0; q < nq; q++)
		queue_notifier_init(&d->notifiers[q], d->ccw.vdev, q);
	for (q = 0; q < nq && !err; q++) {
		err = queue_notifier_open(&d->notifiers[q], &vm->io);
		err = err ?: queue_notifier_register(&d->notifiers[q], ops,
						     d->ccw.sch.schno, 8, q,
						     false);
	}
	if (err)
		ccw_notifiers_release(d);
	return err;
}

static const struct virtio_ioeventfd_ops ccw_ioeventfd_ops = {
	.add = ccw_ioeventfd_add, .del = ccw_ioeventfd_del,
};

int s390x_ccw_add(struct vm *vm, struct virtio_device *vdev,
		  struct s390x_ccw_dev **out)
{
	struct s390x_vm *s = s390x_vm(vm);
	struct virtio_ioeventfd_ops ops = ccw_ioeventfd_ops;
	struct s390x_ccw_dev *d;
	int err;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	err = virtio_ccw_init(&d->ccw, &s->css, vdev, s->css.nr_sch);
	if (err) {
		free(d);
		return err;
	}
	ops.opaque = vm;
	s->devices.ioeventfd = ops;
	/* A device that runs requests on the vCPU takes its doorbells there. */
	err = vdev->notify_on_vcpu ? 0 :
	      ccw_notifiers_setup(vm, d, &s->devices.ioeventfd);
	if (err)
		pr_warn("%s: no ioeventfds (%s): notifications exit to lkvm",
			vdev->name, strerror(-err));
	virtio_ccw_set_ioeventfd(&d->ccw, !err && !vdev->notify_on_vcpu);
	pr_info("%s on virtio-ccw 0.0.%04x (subchannel %u)", vdev->name,
		d->ccw.sch.devno, d->ccw.sch.schno);
	*out = d;
	return 0;
}

void s390x_ccw_remove(struct vm *vm, struct s390x_ccw_dev *d)
{
	if (!d)
		return;
	ccw_notifiers_release(d);
	virtio_ccw_destroy(&d->ccw);
	free(d);
}

struct ccw_transport {
	struct vm_virtio_transport t;
	struct vm *vm;
};

static int ccw_attach(struct vm_virtio_transport *t, struct vm_virtio_dev *d,
		      char *msg, size_t len)
{
	struct ccw_transport *c = (struct ccw_transport *)t;
	struct s390x_ccw_dev *cd;
	int err;

	if (s390x_vm(c->vm)->css.nr_sch >= CSS_MAX_SUBCHANNELS) {
		snprintf(msg, len, "no free subchannel for %s (%u subchannels)",
			 d->name, CSS_MAX_SUBCHANNELS);
		return -ENOSPC;
	}
	err = s390x_ccw_add(c->vm, d->vdev, &cd);
	if (err)
		return err;
	d->handle = cd;
	return 0;
}

static void ccw_reset(struct vm_virtio_transport *t, struct vm_virtio_dev *d)
{
	struct s390x_ccw_dev *cd = d->handle;

	virtio_ccw_reset(&cd->ccw);
}

static void ccw_detach(struct vm_virtio_transport *t, struct vm_virtio_dev *d)
{
	struct ccw_transport *c = (struct ccw_transport *)t;

	s390x_ccw_remove(c->vm, d->handle);
	d->handle = NULL;
}

static void ccw_destroy(struct vm_virtio_transport *t)
{
	free(t);
}

int s390x_virtio_init(struct vm *vm, struct s390x_devices *d)
{
	struct ccw_transport *c = calloc(1, sizeof(*c));

	if (!c) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	c->t = (struct vm_virtio_transport){
		.name = "ccw",
		.attach = ccw_attach,
		.reset = ccw_reset,
		.detach = ccw_detach,
		.destroy = ccw_destroy,
	};
	c->vm = vm;
	return vm_virtio_start(vm, &c->t, &d->virtio);
}
