// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport of the device registry: device n in the
 * arch's n-th window (its limit: the windows the arch reserved), each with
 * an interrupt line of its own (the other limit) and ioeventfd doorbells.
 * The guest learns of the windows from the transport's list: the kernel
 * command line on x86, device-tree nodes on arm64.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/mmio.h"
#include "vm-virtio.h"
#include "vm.h"

struct tp_mmio {
	struct vm_virtio_transport t;
	struct vm *vm;
	struct vm_virtio_layout layout;
	bool legacy;
	struct virtio_ioeventfd_ops ioeventfd;
	struct vm_virtio_window *windows;
	unsigned int nr, cap;
};

struct tp_mmio_dev {
	struct virtio_mmio m;
	struct irq_line irq;
	bool on_bus;
};

static int tp_mmio_attach(struct vm_virtio_transport *t,
			  struct vm_virtio_dev *d, char *msg, size_t len)
{
	struct tp_mmio *p = (struct tp_mmio *)t;
	struct virtio_mmio_options o = { .legacy = p->legacy };
	struct tp_mmio_dev *md;
	u64 base;
	int line, err;

	if (p->nr >= p->layout.mmio_max) {
		snprintf(msg, len,
			 "no free virtio-mmio window for %s (%u windows at 0x%llx)",
			 d->name, p->layout.mmio_max,
			 (unsigned long long)p->layout.mmio_base);
		return -ENOSPC;
	}
	if (p->nr == p->cap) {
		unsigned int cap = p->cap ? p->cap * 2 : 8;
		struct vm_virtio_window *w;

		w = reallocarray(p->windows, cap, sizeof(*w));
		if (!w)
			return -ENOMEM;
		p->windows = w;
		p->cap = cap;
		p->t.windows = w;
	}
	line = vm_alloc_irq_line(p->vm);
	if (line < 0) {
		snprintf(msg, len,
			 "no free interrupt line for %s (virtio-mmio takes one per device; %u devices have theirs)",
			 d->name, p->nr);
		return -ENOSPC;
	}
	md = calloc(1, sizeof(*md));
	if (!md)
		return -ENOMEM;
	vm_irq_line_init(p->vm, &md->irq, (u32)line);
	base = p->layout.mmio_base + p->nr * p->layout.mmio_stride;
	err = virtio_mmio_init(&md->m, d->vdev, base, &md->irq, &o);
	if (err) {
		free(md);
		return err;
	}
	err = bus_register(&p->vm->mmio_bus, &md->m.bus_dev);
	if (err) {
		virtio_mmio_destroy(&md->m);
		free(md);
		return err;
	}
	md->on_bus = true;
	err = d->vdev->notify_on_vcpu ? 0 :
	      virtio_mmio_setup_ioeventfds(&md->m, &p->ioeventfd, &p->vm->io);
	if (err < 0)
		pr_warn("%s: no ioeventfds (%s): notifications trap", d->name,
			strerror(-err));
	p->windows[p->nr++] = (struct vm_virtio_window){
		.base = base, .size = VIRTIO_MMIO_SIZE, .irq = (u32)line,
	};
	p->t.nr_windows = p->nr;
	pr_info("%s on virtio-%s at 0x%llx, irq %d", d->name, t->name,
		(unsigned long long)base, line);
	d->handle = md;
	return 0;
}

static void tp_mmio_reset(struct vm_virtio_transport *t,
			 struct vm_virtio_dev *d)
{
	struct tp_mmio_dev *md = d->handle;

	virtio_mmio_reset(&md->m);
}

static void tp_mmio_detach(struct vm_virtio_transport *t,
			   struct vm_virtio_dev *d)
{
	struct tp_mmio *p = (struct tp_mmio *)t;
	struct tp_mmio_dev *md = d->handle;

	if (md->on_bus && bus_unregister(&p->vm->mmio_bus, &md->m.bus_dev))
		pr_warn("%s: cannot remove it from the MMIO bus", d->name);
	virtio_mmio_destroy(&md->m);
	free(md);
	d->handle = NULL;
}

static void tp_mmio_destroy(struct vm_virtio_transport *t)
{
	struct tp_mmio *p = (struct tp_mmio *)t;

	free(p->windows);
	free(p);
}

int vm_virtio_mmio_transport(struct vm *vm,
			     const struct vm_virtio_layout *layout,
			     struct vm_virtio_transport **out)
{
	struct tp_mmio *p = calloc(1, sizeof(*p));

	if (!p) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	p->legacy = vm->cfg->virtio_transport == VIRTIO_TRANSPORT_MMIO_LEGACY;
	p->t = (struct vm_virtio_transport){
		.name = p->legacy ? "mmio-legacy" : "mmio",
		.attach = tp_mmio_attach,
		.reset = tp_mmio_reset,
		.detach = tp_mmio_detach,
		.destroy = tp_mmio_destroy,
	};
	p->vm = vm;
	p->layout = *layout;
	vm_virtio_ioeventfd_ops(vm, &p->ioeventfd);
	*out = &p->t;
	return 0;
}
