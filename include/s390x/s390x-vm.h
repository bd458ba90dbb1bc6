/* SPDX-License-Identifier: GPL-2.0 */
/* The s390x VM's state (vm->arch) and what vm.c offers exits.c. */
#ifndef LKVM_S390X_VM_H
#define LKVM_S390X_VM_H

#include "s390x/s390x-ccw.h"
#include "s390x/s390x.h"
#include "vm.h"

struct s390x_vm {
	struct css css;
	struct sclp sclp;
	struct s390_boot boot;
	struct s390x_devices devices;
	struct vm *vm;
	int flic_fd;
	/* Counters for --loglevel info. */
	u64 nr_sieic, nr_io, nr_diag500, nr_servc, nr_sigp, nr_tsch;
};

static inline struct s390x_vm *s390x_vm(struct vm *vm)
{
	return vm->arch;
}

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

/* Register an adapter (isc) with the FLIC for adapter routes. */
int s390x_flic_register_adapter(struct vm *vm, u32 id, u8 isc);

#endif
