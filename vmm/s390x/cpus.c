// SPDX-License-Identifier: GPL-2.0
/*
 * s390x CPU states. vCPU 0 starts operating, the others stopped until the
 * guest's SIGP START or RESTART; a stop interception (SIGP STOP, which KVM
 * handles) stops a CPU again. KVM starts a vCPU at every KVM_RUN, so a
 * stopped one is kept out of it: arch_vcpu_runnable() says no and the
 * common loop parks it. No KVM calls here.
 */
#include <errno.h>
#include <stdlib.h>

#include "arch.h"
#include "s390x/s390x-vm.h"

int s390x_cpus_init(struct s390x_vm *s, unsigned int nr_cpus)
{
	unsigned int i;

	s->cpu_stopped = calloc(nr_cpus, sizeof(*s->cpu_stopped));
	if (!s->cpu_stopped)
		return -ENOMEM;
	s->nr_cpus = nr_cpus;
	for (i = 1; i < nr_cpus; i++)
		atomic_init(&s->cpu_stopped[i], true);
	return 0;
}

void s390x_cpus_destroy(struct s390x_vm *s)
{
	free(s->cpu_stopped);
	s->cpu_stopped = NULL;
	s->nr_cpus = 0;
}

bool s390x_cpu_is_stopped(const struct s390x_vm *s, unsigned int id)
{
	/* No state array (unit tests): the one CPU operates. */
	if (!s->cpu_stopped || id >= s->nr_cpus)
		return false;
	return atomic_load(&s->cpu_stopped[id]);
}

void s390x_cpu_start(struct vm *vm, unsigned int id)
{
	struct s390x_vm *s = s390x_vm(vm);

	if (!s->cpu_stopped || id >= s->nr_cpus)
		return;
	atomic_store(&s->cpu_stopped[id], false);
	vm_wake_vcpus(vm);
}

bool s390x_cpu_stop(struct vm *vm, unsigned int id)
{
	struct s390x_vm *s = s390x_vm(vm);
	unsigned int i;

	if (!s->cpu_stopped || id >= s->nr_cpus)
		return true;
	atomic_store(&s->cpu_stopped[id], true);
	/* Sequentially consistent: of two CPUs stopping, one sees both. */
	for (i = 0; i < s->nr_cpus; i++)
		if (!atomic_load(&s->cpu_stopped[i]))
			return false;
	return true;
}

bool arch_vcpu_runnable(struct vcpu *vcpu)
{
	return !s390x_cpu_is_stopped(s390x_vm(vcpu->vm), vcpu->id);
}

/* No NMI KVM lets lkvm inject here (KVM_NMI is x86's). */
bool arch_has_nmi(void)
{
	return false;
}

int arch_vcpu_nmi(struct vcpu *vcpu)
{
	return -EOPNOTSUPP;
}
