// SPDX-License-Identifier: GPL-2.0
/* The VM's virtio devices on their transport. See include/vm-virtio.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/console.h"
#include "virtio/mmio.h"
#include "virtio/pci.h"
#include "virtio/rng.h"
#include "vm-disks.h"
#include "vm-virtio.h"
#include "vm.h"

#define VM_VIRTIO_MAX 8

/* One device on one transport. */
struct vm_virtio_slot {
	struct virtio_device *vdev;
	struct irq_line irq;
	union {
		struct virtio_pci pci;
		struct virtio_mmio mmio;
	};
};

struct vm_virtio {
	struct vm *vm;
	struct pci_host *pci;
	struct vm_virtio_layout layout;
	struct virtio_ioeventfd_ops ioeventfd;
	struct virtio_console console;
	struct virtio_rng rng;
	struct vm_virtio_slot slots[VM_VIRTIO_MAX];
	unsigned int nr;
	char cmdline[VM_VIRTIO_MAX * 64];
};

static int vmv_ioeventfd_add(void *opaque, u64 addr, u32 len, u64 datamatch,
			     bool pio, int fd)
{
	return vm_ioeventfd_add(opaque, addr, len, pio, true, datamatch, fd);
}

static int vmv_ioeventfd_del(void *opaque, u64 addr, u32 len, u64 datamatch,
			     bool pio, int fd)
{
	return vm_ioeventfd_del(opaque, addr, len, pio, true, datamatch, fd);
}

static int vmv_route_add(void *opaque, u64 addr, u32 data)
{
	return vm_msi_route_add(opaque, addr, data);
}

static int vmv_route_update(void *opaque, u32 gsi, u64 addr, u32 data)
{
	return vm_msi_route_update(opaque, gsi, addr, data);
}

static int vmv_irqfd_add(void *opaque, u32 gsi, int fd)
{
	return vm_irqfd_add(opaque, gsi, fd);
}

static int vmv_irqfd_del(void *opaque, u32 gsi, int fd)
{
	return vm_irqfd_del(opaque, gsi, fd);
}

static int vmv_signal(void *opaque, u64 addr, u32 data)
{
	return vm_signal_msi(opaque, addr, data);
}

void vm_pci_msi_ops(struct vm *vm, struct pci_msi_ops *ops)
{
	*ops = (struct pci_msi_ops){
		.route_add = vmv_route_add,
		.route_update = vmv_route_update,
		.irqfd_add = vmv_irqfd_add,
		.irqfd_del = vmv_irqfd_del,
		.signal = vmv_signal,
		.opaque = vm,
	};
}

static const char *transport_name(enum virtio_transport t)
{
	switch (t) {
	case VIRTIO_TRANSPORT_MMIO:
		return "mmio";
	case VIRTIO_TRANSPORT_MMIO_LEGACY:
		return "mmio-legacy";
	default:
		return "pci";
	}
}

static int vmv_add(struct vm_virtio *v, struct virtio_device *vdev)
{
	struct vm *vm = v->vm;
	enum virtio_transport t = vm->cfg->virtio_transport;
	struct vm_virtio_slot *s;
	int line, err;

	if (v->nr == VM_VIRTIO_MAX ||
	    (t != VIRTIO_TRANSPORT_PCI && v->nr >= v->layout.mmio_max))
		return -ENOSPC;
	s = &v->slots[v->nr];
	s->vdev = vdev;
	line = vm_alloc_irq_line(vm);
	if (line < 0)
		return line;
	vm_irq_line_init(vm, &s->irq, (u32)line);
	if (t == VIRTIO_TRANSPORT_PCI) {
		err = virtio_pci_init(&s->pci, vdev, v->pci, &s->irq);
		if (err)
			return err;
		err = virtio_pci_setup_ioeventfds(&s->pci, &v->ioeventfd,
						  &vm->io);
	} else {
		struct virtio_mmio_options o = {
			.legacy = t == VIRTIO_TRANSPORT_MMIO_LEGACY,
		};
		size_t used = strlen(v->cmdline);

		err = virtio_mmio_init(&s->mmio, vdev, v->layout.mmio_base +
				       v->nr * v->layout.mmio_stride, &s->irq,
				       &o);
		if (err)
			return err;
		err = bus_register(&vm->mmio_bus, &s->mmio.bus_dev);
		if (err)
			return err;
		err = virtio_mmio_setup_ioeventfds(&s->mmio, &v->ioeventfd,
						   &vm->io);
		if (used)
			v->cmdline[used++] = ' ';
		virtio_mmio_cmdline(&s->mmio, v->cmdline + used,
				    sizeof(v->cmdline) - used);
	}
	if (err < 0)
		pr_warn("%s: no ioeventfds (%s): notifications trap",
			vdev->name, strerror(-err));
	pr_info("%s on virtio-%s, irq %d", vdev->name, transport_name(t),
		line);
	v->nr++;
	return 0;
}

static void vmv_quit(void *opaque)
{
	vm_request_stop(opaque, 0);
}

static int vmv_console(struct vm_virtio *v)
{
	struct vm *vm = v->vm;
	int err;

	err = virtio_console_init(&v->console, &vm->mem, "virtio-console.0",
				  &vm->term.out, vm->term.out_fd);
	if (!err)
		err = vmv_add(v, &v->console.vdev);
	if (err)
		return err;
	virtio_console_set_room_cb(&v->console, term_notify_room, &vm->term);
	return term_attach(&vm->term, &vm->io, virtio_console_sink,
			   &v->console, vmv_quit, vm);
}

int vm_virtio_init(struct vm *vm, struct pci_host *pci,
		   const struct vm_virtio_layout *layout,
		   struct vm_virtio **out)
{
	struct vm_virtio *v;
	int err = 0;

	v = calloc(1, sizeof(*v));
	if (!v) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	*out = v;
	v->vm = vm;
	v->pci = pci;
	v->layout = *layout;
	v->ioeventfd = (struct virtio_ioeventfd_ops){
		.add = vmv_ioeventfd_add, .del = vmv_ioeventfd_del,
		.opaque = vm,
	};
	if (vm->cfg->console == CONSOLE_VIRTIO) {
		err = vmv_console(v);
		if (err) {
			pr_err("cannot set up virtio-console: %s",
			       strerror(-err));
			return err;
		}
	}
	if (vm->cfg->rng) {
		err = virtio_rng_init(&v->rng, &vm->mem, "virtio-rng.0");
		if (!err)
			err = vmv_add(v, &v->rng.vdev);
		if (err) {
			pr_err("cannot set up virtio-rng: %s", strerror(-err));
			return err;
		}
	}
	return vm_disks_create(vm, v, vmv_add);
}

void vm_virtio_free(struct vm_virtio *v)
{
	free(v);
}

const char *vm_virtio_cmdline(const struct vm_virtio *v)
{
	return v ? v->cmdline : "";
}
