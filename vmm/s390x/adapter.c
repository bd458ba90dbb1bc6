// SPDX-License-Identifier: GPL-2.0
/*
 * s390x adapter interrupts in KVM: when a virtio-ccw driver sets adapter
 * indicators, each of the device's queues gets an adapter route
 * (KVM_IRQ_ROUTING_S390_ADAPTER: indicator and summary bits, the adapter
 * registered with the FLIC for the ISC) and an irqfd on it, so a used
 * buffer costs one eventfd write and KVM sets the bits and injects. Where
 * KVM refuses any of it the transport keeps setting the bits itself.
 *
 * s390 has no irqchip pins and no MSI, so this file owns the VM's GSI
 * routing table (vm-irq.c's is never committed on s390x).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "s390x/s390x-vm.h"

/* Summary: the byte's rightmost bit, i.e. bit 7 counted from the left. */
#define S390_SUMMARY_BIT	7

void s390_adapter_route(struct kvm_irq_routing_entry *e, u32 gsi, u64 ind,
			u64 summary, u32 bit, u32 adapter_id)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_S390_ADAPTER;
	e->u.adapter.ind_addr = ind;
	e->u.adapter.summary_addr = summary;
	e->u.adapter.ind_offset = bit;
	e->u.adapter.summary_offset = S390_SUMMARY_BIT;
	e->u.adapter.adapter_id = adapter_id;
}

static int flic_attr(struct s390x_vm *s, u32 group, void *val)
{
	struct kvm_device_attr attr = {
		.group = group,
		.addr = (u64)(uintptr_t)val,
	};

	return ioctl(s->flic_fd, KVM_SET_DEVICE_ATTR, &attr) ? -errno : 0;
}

/* One adapter per ISC; indicators numbered from the left (swap). */
static int adapter_register(struct s390x_vm *s, u8 isc)
{
	struct kvm_s390_io_adapter a = { .id = isc, .isc = isc, .swap = 1 };
	int err;

	if (s->adapters & (1u << isc))
		return 0;
	err = flic_attr(s, KVM_DEV_FLIC_ADAPTER_REGISTER, &a);
	if (!err)
		s->adapters |= 1u << isc;
	return err;
}

static int adapter_map(struct s390x_vm *s, u8 isc, u64 addr)
{
	struct kvm_s390_io_adapter_req req = {
		.id = isc,
		.type = KVM_S390_IO_ADAPTER_MAP,
		.addr = addr,
	};

	return flic_attr(s, KVM_DEV_FLIC_ADAPTER_MODIFY, &req);
}

static int routes_commit(struct s390x_vm *s)
{
	s->routes->nr = s->nr_routes;
	s->routes->flags = 0;
	if (ioctl(s->vm->vm_fd, KVM_SET_GSI_ROUTING, s->routes))
		return -errno;
	return 0;
}

static void routes_drop(struct s390x_vm *s, const u32 *gsis, unsigned int n)
{
	u32 i, j, k;

	for (i = 0, k = 0; i < s->nr_routes; i++) {
		bool drop = false;

		for (j = 0; j < n; j++)
			drop |= s->routes->entries[i].gsi == gsis[j];
		if (!drop)
			s->routes->entries[k++] = s->routes->entries[i];
	}
	s->nr_routes = k;
}

static void thinint_release(struct s390x_vm *s, struct s390x_thinint *t)
{
	unsigned int q;

	for (q = 0; q < t->n; q++) {
		struct kvm_irqfd irqfd = {
			.fd = t->fds[q],
			.gsi = t->gsis[q],
			.flags = KVM_IRQFD_FLAG_DEASSIGN,
		};

		if (t->fds[q] < 0)
			continue;
		if (t->assigned[q] && ioctl(s->vm->vm_fd, KVM_IRQFD, &irqfd))
			pr_warn_ratelimited("irqfd release: %s",
					    strerror(errno));
		close(t->fds[q]);
	}
	routes_drop(s, t->gsis, t->n);
	if (t->n && routes_commit(s))
		pr_warn_ratelimited("adapter routes: %s", strerror(errno));
	free(t->fds);
	free(t->gsis);
	free(t->assigned);
	memset(t, 0, sizeof(*t));
}

static int thinint_setup(struct s390x_vm *s, struct s390x_thinint *t,
			 struct virtio_ccw *ccw)
{
	unsigned int q, nq = virtio_num_queues(ccw->vdev);
	u64 summary, ind, bit;
	u8 isc;
	int err;

	if (!virtio_ccw_thinint(ccw, &summary, &ind, &bit, &isc))
		return 0;
	if (s->nr_routes + nq > S390X_MAX_ROUTES)
		return -ENOSPC;
	err = adapter_register(s, isc);
	err = err ?: adapter_map(s, isc, ind);
	err = err ?: adapter_map(s, isc, summary);
	if (err)
		return err;
	t->fds = malloc(nq * sizeof(*t->fds));
	t->gsis = calloc(nq, sizeof(*t->gsis));
	t->assigned = calloc(nq, sizeof(*t->assigned));
	if (!t->fds || !t->gsis || !t->assigned)
		return -ENOMEM;
	t->n = nq;
	for (q = 0; q < nq; q++) {
		t->fds[q] = -1;
		t->gsis[q] = s->next_gsi++;
		s390_adapter_route(&s->routes->entries[s->nr_routes++],
				   t->gsis[q], ind, summary, bit + q, isc);
	}
	err = routes_commit(s);
	for (q = 0; q < nq && !err; q++) {
		struct kvm_irqfd irqfd = { .gsi = t->gsis[q] };

		t->fds[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (t->fds[q] < 0) {
			err = -errno;
			break;
		}
		irqfd.fd = t->fds[q];
		if (ioctl(s->vm->vm_fd, KVM_IRQFD, &irqfd))
			err = -errno;
		else
			t->assigned[q] = true;
	}
	return err;
}

void s390x_thinint_changed(void *opaque, struct virtio_ccw *ccw)
{
	struct vm *vm = opaque;
	struct s390x_vm *s = s390x_vm(vm);
	struct s390x_thinint *t;
	int err;

	if (!s->irqchip || s->flic_fd < 0 || !s->routes ||
	    ccw->sch.schno >= CSS_MAX_SUBCHANNELS)
		return;
	t = &s->thinint[ccw->sch.schno];
	pthread_mutex_lock(&s->route_lock);
	/* The transport stops using the old fds before they close. */
	virtio_ccw_set_irqfds(ccw, NULL);
	thinint_release(s, t);
	err = thinint_setup(s, t, ccw);
	if (err) {
		pr_info("%s: adapter interrupts from lkvm (no KVM route: %s)",
			ccw->vdev->name, strerror(-err));
		thinint_release(s, t);
	} else if (t->n) {
		virtio_ccw_set_irqfds(ccw, t->fds);
	}
	pthread_mutex_unlock(&s->route_lock);
}

int s390x_routes_init(struct s390x_vm *s)
{
	pthread_mutex_init(&s->route_lock, NULL);
	s->routes = calloc(1, sizeof(*s->routes) + S390X_MAX_ROUTES *
			   sizeof(struct kvm_irq_routing_entry));
	return s->routes ? 0 : -ENOMEM;
}

void s390x_routes_destroy(struct s390x_vm *s)
{
	unsigned int i;

	for (i = 0; s->routes && i < CSS_MAX_SUBCHANNELS; i++)
		if (s->thinint[i].n)
			thinint_release(s, &s->thinint[i]);
	free(s->routes);
	s->routes = NULL;
}
