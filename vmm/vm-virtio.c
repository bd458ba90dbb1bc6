// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio device registry: every kind of vm_virtio_kinds[] makes as
 * many devices as the configuration asks for, each goes on the VM's
 * transport and on its lifecycle list. See include/vm-virtio.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vm-devices.h"
#include "vm-virtio.h"
#include "vm.h"

struct vm_virtio {
	struct vm *vm;
	struct vm_virtio_transport *t;
	unsigned int nr;
	char *cmdline;
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

void vm_virtio_ioeventfd_ops(struct vm *vm, struct virtio_ioeventfd_ops *ops)
{
	*ops = (struct virtio_ioeventfd_ops){
		.add = vmv_ioeventfd_add, .del = vmv_ioeventfd_del,
		.opaque = vm,
	};
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

/* --- Lifecycle: a device, then (last) the transport and the registry --- */

/* A system reset: the device as at power-on, then its transport's registers. */
static void vmv_dev_reset(void *opaque)
{
	struct vm_virtio_dev *d = opaque;

	virtio_device_reset(d->vdev);
	if (d->handle && d->transport->reset)
		d->transport->reset(d->transport, d);
}

/*
 * Every queue through queue_reset (in-flight requests finish), then what
 * the kind adds (a disk's flush).
 */
static void vmv_dev_quiesce(void *opaque)
{
	struct vm_virtio_dev *d = opaque;

	virtio_device_quiesce(d->vdev);
	if (d->kind->quiesce)
		d->kind->quiesce(d);
}

static void vmv_dev_destroy(void *opaque)
{
	struct vm_virtio_dev *d = opaque;

	if (d->handle)
		d->transport->detach(d->transport, d);
	d->kind->destroy(d);
	free(d);
}

static const struct vm_device_ops vmv_dev_ops = {
	.reset = vmv_dev_reset,
	.quiesce = vmv_dev_quiesce,
	.destroy = vmv_dev_destroy,
};

static void vmv_destroy(void *opaque)
{
	struct vm_virtio *v = opaque;

	v->t->destroy(v->t);
	free(v->cmdline);
	free(v);
}

static const struct vm_device_ops vmv_ops = {
	.destroy = vmv_destroy,
};

/* Device i of kind k: created, attached, on the list. */
static int vmv_add(struct vm_virtio *v, const struct vm_virtio_kind *k,
		   unsigned int i)
{
	struct vm *vm = v->vm;
	struct vm_virtio_dev *d;
	char msg[160];
	int err;

	d = calloc(1, sizeof(*d));
	if (!d) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	*d = (struct vm_virtio_dev){
		.kind = k, .vm = vm, .index = i, .transport = v->t,
	};
	snprintf(d->name, sizeof(d->name), "%s.%u", k->name, i);
	err = k->create(vm, d);
	if (err) {
		free(d);
		return err;
	}
	msg[0] = '\0';
	err = v->t->attach(v->t, d, msg, sizeof(msg));
	if (err) {
		if (msg[0])
			pr_err("%s", msg);
		else
			pr_err("cannot put %s on virtio-%s: %s", d->name,
			       v->t->name, strerror(-err));
		vmv_dev_destroy(d);
		return err;
	}
	err = vm_devices_add(&vm->devs, d->name, &vmv_dev_ops, d);
	if (err) {
		pr_err("out of memory");
		vmv_dev_destroy(d);
		return err;
	}
	v->nr++;
	/* On the list from here: vm_destroy() frees it. */
	if (k->attached) {
		err = k->attached(vm, d);
		if (err)
			pr_err("cannot set up %s: %s", d->name, strerror(-err));
	}
	return err;
}

int vm_virtio_start(struct vm *vm, struct vm_virtio_transport *t,
		    struct vm_virtio **out)
{
	const struct vm_virtio_kind *const *k;
	struct vm_virtio *v;
	int err;

	v = calloc(1, sizeof(*v));
	if (!v || vm_devices_add(&vm->devs, "virtio", &vmv_ops, v)) {
		free(v);
		t->destroy(t);
		pr_err("out of memory");
		return -ENOMEM;
	}
	v->vm = vm;
	v->t = t;
	if (out)
		*out = v;
	for (k = vm_virtio_kinds; *k; k++) {
		unsigned int i, n = (*k)->count(vm->cfg);

		for (i = 0; i < n; i++) {
			err = vmv_add(v, *k, i);
			if (err)
				return err;
		}
	}
	return 0;
}

int vm_virtio_init(struct vm *vm, struct pci_host *pci,
		   const struct vm_virtio_layout *layout,
		   struct vm_virtio **out)
{
	struct vm_virtio_transport *t;
	int err;

	if (pci && vm->cfg->virtio_transport == VIRTIO_TRANSPORT_PCI)
		err = vm_virtio_pci_transport(vm, pci, &t);
	else
		err = vm_virtio_mmio_transport(vm, layout, &t);
	return err ?: vm_virtio_start(vm, t, out);
}

const struct vm_virtio_window *vm_virtio_windows(const struct vm_virtio *v,
						 unsigned int *nr)
{
	*nr = v ? v->t->nr_windows : 0;
	return *nr ? v->t->windows : NULL;
}

const char *vm_virtio_cmdline(const struct vm_virtio *v)
{
	struct vm_virtio *w = (struct vm_virtio *)v;
	unsigned int i;
	size_t size, used = 0;

	if (!v || !v->t->nr_windows)
		return "";
	/* "virtio_mmio.device=0x%llx@0x%llx:%u " is at most 70 bytes. */
	size = (size_t)v->t->nr_windows * 72 + 1;
	free(w->cmdline);
	w->cmdline = malloc(size);
	if (!w->cmdline)
		return "";
	w->cmdline[0] = '\0';
	for (i = 0; i < v->t->nr_windows; i++) {
		const struct vm_virtio_window *win = &v->t->windows[i];

		used += snprintf(w->cmdline + used, size - used,
				 "%svirtio_mmio.device=0x%llx@0x%llx:%u",
				 i ? " " : "", (unsigned long long)win->size,
				 (unsigned long long)win->base, win->irq);
	}
	return w->cmdline;
}

unsigned int vm_virtio_nr_devices(const struct vm_virtio *v)
{
	return v ? v->nr : 0;
}
