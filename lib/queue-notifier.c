// SPDX-License-Identifier: GPL-2.0
/* A virtio queue's ioeventfd: see include/queue-notifier.h. */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "queue-notifier.h"

static void queue_notifier_ready(struct io_handler *h, u32 events)
{
	struct queue_notifier *n = h->opaque;
	u64 count;

	/* One read drains the counter: any number of kicks, one pass. */
	if (read(h->fd, &count, sizeof(count)) != sizeof(count))
		return;
	virtio_queue_notify(n->vdev, n->queue);
}

static bool queue_notifier_poll(struct io_handler *h)
{
	struct queue_notifier *n = h->opaque;

	return virtio_queue_poll(n->vdev, n->queue);
}

static void queue_notifier_quiet(struct io_handler *h, bool quiet)
{
	struct queue_notifier *n = h->opaque;

	virtio_queue_quiet(n->vdev, n->queue, quiet);
}

void queue_notifier_init(struct queue_notifier *n, struct virtio_device *vdev,
			 unsigned int queue)
{
	bool pollable = virtio_queue_pollable(vdev, queue);

	*n = (struct queue_notifier){
		.handler = { .fd = -1, .fn = queue_notifier_ready,
			     .opaque = n,
			     .poll = pollable ? queue_notifier_poll : NULL,
			     .quiet = pollable ? queue_notifier_quiet : NULL },
		.vdev = vdev,
		.queue = queue,
	};
}

int queue_notifier_open(struct queue_notifier *n, struct io_loop *loop)
{
	int fd, err;

	if (n->polled)
		return 0;
	if (!loop)
		return -EINVAL;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	n->handler.fd = fd;
	err = io_loop_add(loop, &n->handler, EPOLLIN);
	if (err == -ENOMEM && n->handler.poll) {
		/* The loop's pollers cannot grow: this one its kicks wake. */
		pr_warn("%s: queue %u: not polled (no memory for the I/O loop's pollers), served on its notifications",
			n->vdev ? n->vdev->name : "virtio", n->queue);
		n->handler.poll = NULL;
		n->handler.quiet = NULL;
		err = io_loop_add(loop, &n->handler, EPOLLIN);
	}
	if (err) {
		close(fd);
		n->handler.fd = -1;
		return err;
	}
	n->loop = loop;
	n->polled = true;
	return 0;
}

int queue_notifier_register(struct queue_notifier *n,
			    const struct virtio_ioeventfd_ops *ops, u64 addr,
			    u32 len, u64 datamatch, bool pio)
{
	int err;

	if (!n->polled || !ops || !ops->add || !ops->del)
		return -EINVAL;
	queue_notifier_unregister(n);
	err = ops->add(ops->opaque, addr, len, datamatch, pio, n->handler.fd);
	if (err)
		return err;
	n->ops = ops;
	n->addr = addr;
	n->len = len;
	n->datamatch = datamatch;
	n->pio = pio;
	n->registered = true;
	return 0;
}

void queue_notifier_unregister(struct queue_notifier *n)
{
	if (!n->registered)
		return;
	if (n->ops->del(n->ops->opaque, n->addr, n->len, n->datamatch, n->pio,
			n->handler.fd))
		pr_warn("%s: queue %u: cannot remove ioeventfd",
			n->vdev ? n->vdev->name : "virtio", n->queue);
	n->registered = false;
}

void queue_notifier_close(struct queue_notifier *n)
{
	queue_notifier_unregister(n);
	if (n->polled && io_loop_del(n->loop, &n->handler))
		pr_warn("%s: queue %u: cannot remove notifier from the I/O loop",
			n->vdev ? n->vdev->name : "virtio", n->queue);
	n->polled = false;
	if (n->handler.fd >= 0)
		close(n->handler.fd);
	n->handler.fd = -1;
}
