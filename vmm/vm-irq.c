// SPDX-License-Identifier: GPL-2.0
/* ioeventfd, irqfd and the GSI routing table KVM sees. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "log.h"
#include "vm-irq.h"
#include "vm.h"

static struct kvm_irq_routing *routes(struct vm *vm)
{
	return vm->irq_routing.table;
}

int vm_irq_routing_init(struct vm *vm)
{
	struct vm_irq_routing *r = &vm->irq_routing;
	struct kvm_irq_routing *t;

	pthread_mutex_init(&r->lock, NULL);
	t = calloc(1, sizeof(*t) +
		   VM_IRQ_MAX_ROUTES * sizeof(struct kvm_irq_routing_entry));
	if (!t)
		return -ENOMEM;
	r->table = t;
	r->nr_default = arch_irq_default_routes(t->entries, VM_IRQ_MAX_ROUTES);
	r->nr_entries = r->nr_default;
	r->next_msi_gsi = 0;
	for (u32 i = 0; i < r->nr_default; i++)
		r->next_msi_gsi = MAX(r->next_msi_gsi, t->entries[i].gsi + 1);
	r->next_line = -1;
	return 0;
}

void vm_irq_routing_destroy(struct vm *vm)
{
	free(vm->irq_routing.table);
	vm->irq_routing.table = NULL;
}

/* Hand the whole table to KVM; callers hold the lock. */
static int vm_commit_routes(struct vm *vm)
{
	struct kvm_irq_routing *t = routes(vm);

	t->nr = vm->irq_routing.nr_entries;
	t->flags = 0;
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, t))
		return -errno;
	return 0;
}

int vm_msi_route_add(struct vm *vm, u64 addr, u32 data)
{
	struct vm_irq_routing *r = &vm->irq_routing;
	struct kvm_irq_routing_entry *e;
	int err, gsi;

	pthread_mutex_lock(&r->lock);
	if (r->nr_entries >= VM_IRQ_MAX_ROUTES) {
		pthread_mutex_unlock(&r->lock);
		return -ENOSPC;
	}
	gsi = r->next_msi_gsi++;
	e = &routes(vm)->entries[r->nr_entries++];
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = (u32)addr;
	e->u.msi.address_hi = (u32)(addr >> 32);
	e->u.msi.data = data;
	err = vm_commit_routes(vm);
	if (err) {
		r->nr_entries--;
		r->next_msi_gsi--;
	}
	pthread_mutex_unlock(&r->lock);
	return err ? err : gsi;
}

int vm_msi_route_update(struct vm *vm, u32 gsi, u64 addr, u32 data)
{
	struct vm_irq_routing *r = &vm->irq_routing;
	int err = -ENOENT;
	u32 i;

	pthread_mutex_lock(&r->lock);
	for (i = r->nr_default; i < r->nr_entries; i++) {
		struct kvm_irq_routing_entry *e = &routes(vm)->entries[i];

		if (e->gsi != gsi || e->type != KVM_IRQ_ROUTING_MSI)
			continue;
		if (e->u.msi.address_lo == (u32)addr &&
		    e->u.msi.address_hi == (u32)(addr >> 32) &&
		    e->u.msi.data == data) {
			err = 0;
			break;
		}
		e->u.msi.address_lo = (u32)addr;
		e->u.msi.address_hi = (u32)(addr >> 32);
		e->u.msi.data = data;
		err = vm_commit_routes(vm);
		break;
	}
	pthread_mutex_unlock(&r->lock);
	return err;
}

int vm_signal_msi(struct vm *vm, u64 addr, u32 data)
{
	struct kvm_msi msi = {
		.address_lo = (u32)addr,
		.address_hi = (u32)(addr >> 32),
		.data = data,
	};

	/* Returns >0 when delivered, 0 when the guest blocked it. */
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		return -errno;
	return 0;
}

static int vm_ioeventfd(struct vm *vm, u64 addr, u32 len, bool pio,
			bool datamatch, u64 data, int fd, bool deassign)
{
	struct kvm_ioeventfd io = {
		.datamatch = data,
		.addr = addr,
		.len = len,
		.fd = fd,
	};

	if (pio)
		io.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (datamatch)
		io.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
	if (deassign)
		io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io))
		return -errno;
	return 0;
}

int vm_ioeventfd_add(struct vm *vm, u64 addr, u32 len, bool pio,
		     bool datamatch, u64 data, int fd)
{
	return vm_ioeventfd(vm, addr, len, pio, datamatch, data, fd, false);
}

int vm_ioeventfd_del(struct vm *vm, u64 addr, u32 len, bool pio,
		     bool datamatch, u64 data, int fd)
{
	return vm_ioeventfd(vm, addr, len, pio, datamatch, data, fd, true);
}

static int vm_irqfd(struct vm *vm, u32 gsi, int fd, bool deassign)
{
	struct kvm_irqfd irqfd = {
		.fd = fd,
		.gsi = gsi,
		.flags = deassign ? KVM_IRQFD_FLAG_DEASSIGN : 0,
	};

	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd))
		return -errno;
	return 0;
}

int vm_irqfd_add(struct vm *vm, u32 gsi, int fd)
{
	return vm_irqfd(vm, gsi, fd, false);
}

int vm_irqfd_del(struct vm *vm, u32 gsi, int fd)
{
	return vm_irqfd(vm, gsi, fd, true);
}

int vm_alloc_irq_line(struct vm *vm)
{
	struct vm_irq_routing *r = &vm->irq_routing;
	int line;

	pthread_mutex_lock(&r->lock);
	line = arch_irq_next_line((int)r->next_line);
	if (line >= 0)
		r->next_line = line;
	pthread_mutex_unlock(&r->lock);
	return line < 0 ? -ENOSPC : line;
}
