// SPDX-License-Identifier: GPL-2.0
/*
 * virtio devices on the s390x machine: each goes on its own virtio-ccw
 * subchannel (device numbers 0.0.0000 up), and each queue's DIAGNOSE 0x500
 * notification is answered by KVM through an ioeventfd (subchannel ID as
 * the address, the queue index as datamatch) and handled on the I/O
 * thread. Queues KVM cannot take keep the exit path through exits.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "s390x/s390x-ccw.h"
#include "s390x/s390x-vm.h"
#include "vm-disks.h"

static void ccw_notifier_fire(struct io_handler *h, u32 events)
{
	struct s390x_ccw_notifier *n = h->opaque;
	u64 count;

	if (read(h->fd, &count, sizeof(count)) == sizeof(count))
		virtio_queue_notify(n->dev->ccw.vdev, n->queue);
}

static void ccw_notifiers_release(struct vm *vm, struct s390x_ccw_dev *d)
{
	unsigned int q;

	for (q = 0; d->notifiers && q < d->nr_notifiers; q++) {
		struct s390x_ccw_notifier *n = &d->notifiers[q];

		if (n->polled)
			io_loop_del(&vm->io, &n->handler);
		if (n->registered)
			s390x_ccw_ioeventfd(vm, d->ccw.sch.schno, q,
					    n->handler.fd, false);
		if (n->handler.fd >= 0)
			close(n->handler.fd);
	}
	free(d->notifiers);
	d->notifiers = NULL;
	d->nr_notifiers = 0;
}

/* Every queue on an ioeventfd, or none: the transport needs to know. */
static int ccw_notifiers_setup(struct vm *vm, struct s390x_ccw_dev *d)
{
	unsigned int q, nq = virtio_num_queues(d->ccw.vdev);
	int err = 0;

	d->notifiers = calloc(nq, sizeof(*d->notifiers));
	if (!d->notifiers)
		return -ENOMEM;
	d->nr_notifiers = nq;
	for (q = 0; q < nq; q++)
		d->notifiers[q].handler.fd = -1;
	for (q = 0; q < nq && !err; q++) {
		struct s390x_ccw_notifier *n = &d->notifiers[q];

		n->dev = d;
		n->queue = q;
		n->handler.fn = ccw_notifier_fire;
		n->handler.opaque = n;
		n->handler.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (n->handler.fd < 0) {
			err = -errno;
			break;
		}
		err = s390x_ccw_ioeventfd(vm, d->ccw.sch.schno, q,
					  n->handler.fd, true);
		if (err)
			break;
		n->registered = true;
		err = io_loop_add(&vm->io, &n->handler, EPOLLIN);
		n->polled = !err;
	}
	if (err)
		ccw_notifiers_release(vm, d);
	return err;
}

int s390x_ccw_add(struct vm *vm, struct virtio_device *vdev,
		  struct s390x_ccw_dev **out)
{
	struct s390x_vm *s = s390x_vm(vm);
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
	err = ccw_notifiers_setup(vm, d);
	if (err)
		pr_warn("%s: no ioeventfds (%s): notifications exit to lkvm",
			vdev->name, strerror(-err));
	virtio_ccw_set_ioeventfd(&d->ccw, !err);
	pr_info("%s on virtio-ccw 0.0.%04x (subchannel %u)", vdev->name,
		d->ccw.sch.devno, d->ccw.sch.schno);
	*out = d;
	return 0;
}

void s390x_ccw_remove(struct vm *vm, struct s390x_ccw_dev *d)
{
	if (!d)
		return;
	ccw_notifiers_release(vm, d);
	virtio_ccw_destroy(&d->ccw);
	free(d);
}

/* vm_disks_create() hands our device list back as its opaque pointer. */
static int ccw_disk_add(struct vm_virtio *opaque, struct virtio_device *vdev)
{
	struct s390x_devices *d = (struct s390x_devices *)opaque;

	if (d->nr >= ARRAY_SIZE(d->devs))
		return -ENOSPC;
	return s390x_ccw_add(d->vm, vdev, &d->devs[d->nr++]);
}

static void ccw_console_quit(void *opaque)
{
	vm_request_stop(opaque, 0);
}

int s390x_virtio_init(struct vm *vm, struct s390x_devices *d)
{
	int err = 0;

	d->vm = vm;
	if (vm->cfg->console == CONSOLE_VIRTIO) {
		err = virtio_console_init(&d->console, &vm->mem,
					  "virtio-console.0", &vm->term.out,
					  vm->term.out_fd);
		err = err ?: ccw_disk_add((struct vm_virtio *)d,
					  &d->console.vdev);
		if (!err) {
			virtio_console_set_room_cb(&d->console,
						   term_notify_room,
						   &vm->term);
			err = term_attach(&vm->term, &vm->io,
					  virtio_console_sink, &d->console,
					  ccw_console_quit, vm);
		}
		if (err) {
			pr_err("cannot set up virtio-console: %s",
			       strerror(-err));
			return err;
		}
	}
	if (vm->cfg->rng) {
		err = virtio_rng_init(&d->rng, &vm->mem, "virtio-rng.0");
		err = err ?: ccw_disk_add((struct vm_virtio *)d, &d->rng.vdev);
		if (err) {
			pr_err("cannot set up virtio-rng: %s", strerror(-err));
			return err;
		}
	}
	return vm_disks_create(vm, (struct vm_virtio *)d, ccw_disk_add);
}

void s390x_virtio_destroy(struct vm *vm, struct s390x_devices *d)
{
	unsigned int i;

	for (i = 0; i < d->nr; i++)
		s390x_ccw_remove(vm, d->devs[i]);
	d->nr = 0;
}
