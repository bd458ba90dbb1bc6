// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-pci transport of the device registry: one function per
 * device on bus 0 of the platform's host bridge (its limit: PCI_MAX_SLOTS
 * slots, shared with the platform's functions), MSI-X through the VM's
 * routes, INTx on a line of its own while the arch has lines, ioeventfd
 * doorbells. The guest finds the devices by enumeration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/pci.h"
#include "vm-virtio.h"
#include "vm.h"

struct tp_pci {
	struct vm_virtio_transport t;
	struct vm *vm;
	struct pci_host *host;
	struct virtio_ioeventfd_ops ioeventfd;
	bool intx_warned;
};

struct tp_pci_dev {
	struct virtio_pci vp;
	struct irq_line intx;
};

static unsigned int free_slots(struct pci_host *h)
{
	unsigned int slot, n = 0;

	pthread_mutex_lock(&h->lock);
	for (slot = 0; slot < PCI_MAX_SLOTS; slot++)
		n += !h->slots[slot];
	pthread_mutex_unlock(&h->lock);
	return n;
}

static int tp_pci_attach(struct vm_virtio_transport *t,
			 struct vm_virtio_dev *d, char *msg, size_t len)
{
	struct tp_pci *p = (struct tp_pci *)t;
	struct tp_pci_dev *pd;
	struct irq_line *intx = NULL;
	int line, err;

	if (!free_slots(p->host)) {
		snprintf(msg, len, "no free PCI slot for %s (%u slots on bus 0)",
			 d->name, PCI_MAX_SLOTS);
		return -ENOSPC;
	}
	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return -ENOMEM;
	/* MSI-X does the work; INTx only while the arch has lines. */
	line = vm_alloc_irq_line(p->vm);
	if (line >= 0) {
		vm_irq_line_init(p->vm, &pd->intx, (u32)line);
		intx = &pd->intx;
	} else if (!p->intx_warned) {
		p->intx_warned = true;
		pr_info("no free interrupt line for %s and later devices: MSI-X only",
			d->name);
	}
	err = virtio_pci_init(&pd->vp, d->vdev, p->host, intx);
	if (err) {
		free(pd);
		snprintf(msg, len, "cannot put %s on PCI: %s", d->name,
			 err == -ENOSPC ? "no room left for its BARs" :
			 strerror(-err));
		return err;
	}
	err = d->vdev->notify_on_vcpu ? 0 :
	      virtio_pci_setup_ioeventfds(&pd->vp, &p->ioeventfd, &p->vm->io);
	if (err < 0)
		pr_warn("%s: no ioeventfds (%s): notifications trap", d->name,
			strerror(-err));
	pr_info("%s on virtio-pci 00:%02x.0, irq %d", d->name,
		pd->vp.pci.slot, intx ? line : -1);
	d->handle = pd;
	return 0;
}

static void tp_pci_reset(struct vm_virtio_transport *t,
			 struct vm_virtio_dev *d)
{
	struct tp_pci_dev *pd = d->handle;

	virtio_pci_reset(&pd->vp);
}

static void tp_pci_detach(struct vm_virtio_transport *t,
			  struct vm_virtio_dev *d)
{
	struct tp_pci_dev *pd = d->handle;

	virtio_pci_destroy(&pd->vp);
	free(pd);
	d->handle = NULL;
}

static void tp_pci_destroy(struct vm_virtio_transport *t)
{
	free(t);
}

int vm_virtio_pci_transport(struct vm *vm, struct pci_host *pci,
			    struct vm_virtio_transport **out)
{
	struct tp_pci *p = calloc(1, sizeof(*p));

	if (!p) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	p->t = (struct vm_virtio_transport){
		.name = "pci",
		.attach = tp_pci_attach,
		.reset = tp_pci_reset,
		.detach = tp_pci_detach,
		.destroy = tp_pci_destroy,
	};
	p->vm = vm;
	p->host = pci;
	vm_virtio_ioeventfd_ops(vm, &p->ioeventfd);
	*out = &p->t;
	return 0;
}
