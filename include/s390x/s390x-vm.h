/* SPDX-License-Identifier: GPL-2.0 */
/* The s390x VM's state (vm->arch) and what vm.c offers exits.c. */
#ifndef LKVM_S390X_VM_H
#define LKVM_S390X_VM_H

#include <linux/kvm.h>
#include <pthread.h>

#include "s390x/s390x-ccw.h"
#include "s390x/s390x.h"
#include "vm.h"

#define S390X_MAX_ROUTES	1024

/* One device's adapter routes: a GSI and an irqfd per queue. */
struct s390x_thinint {
	unsigned int n;
	int *fds;
	u32 *gsis;
	bool *assigned;
};

struct s390x_vm {
	struct css css;
	struct sclp sclp;
	struct s390_boot boot;
	struct s390x_devices devices;
	struct vm *vm;
	int flic_fd;
	bool irqchip;			/* KVM_CAP_S390_IRQCHIP enabled */
	/* Adapter routes (adapter.c); the VM's GSI routing table. */
	pthread_mutex_t route_lock;
	struct kvm_irq_routing *routes;
	u32 nr_routes;
	u32 next_gsi;
	u8 adapters;			/* ISCs registered with the FLIC */
	struct s390x_thinint thinint[CSS_MAX_SUBCHANNELS];
	/* CPU states (cpus.c): stopped[i] keeps vCPU i out of KVM_RUN. */
	atomic_bool *cpu_stopped;
	unsigned int nr_cpus;
	/* Counters for --loglevel info. */
	u64 nr_sieic, nr_io, nr_diag500, nr_servc, nr_sigp, nr_tsch;
};

static inline struct s390x_vm *s390x_vm(struct vm *vm)
{
	return vm->arch;
}

/* CPU states: vCPU 0 operating, the others stopped. 0 or -ENOMEM. */
int s390x_cpus_init(struct s390x_vm *s, unsigned int nr_cpus);
void s390x_cpus_destroy(struct s390x_vm *s);
bool s390x_cpu_is_stopped(const struct s390x_vm *s, unsigned int id);
/* Make CPU id operating and wake it if it is parked. */
void s390x_cpu_start(struct vm *vm, unsigned int id);
/* Mark CPU id stopped; true when every CPU is stopped now. */
bool s390x_cpu_stop(struct vm *vm, unsigned int id);

/* KVM_S390_INTERRUPT on the VM (floating). 0 or -errno. */
int s390x_inject_floating(struct vm *vm, const struct s390_irq_words *w);
/* Service signal after a service call (or input: sccb 0). */
void s390x_service_signal(struct vm *vm, u32 sccb);

/*
 * Let KVM answer DIAGNOSE 0x500 for (subchannel, queue): an eventfd that
 * fires when register 2 is sid and register 3 equals queue. 0 or -errno.
 */
int s390x_ccw_ioeventfd(struct vm *vm, u16 schno, u16 queue, int fd,
			bool assign);

/* An adapter route: indicator bit `bit` (from the left), summary bit 7. */
void s390_adapter_route(struct kvm_irq_routing_entry *e, u32 gsi, u64 ind,
			u64 summary, u32 bit, u32 adapter_id);
/* css_irq_ops.thinint_changed: (re)build a device's routes and irqfds. */
void s390x_thinint_changed(void *opaque, struct virtio_ccw *ccw);
int s390x_routes_init(struct s390x_vm *s);
void s390x_routes_destroy(struct s390x_vm *s);

#endif
