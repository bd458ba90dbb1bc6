// SPDX-License-Identifier: GPL-2.0
/*
 * The one stop path: the first request sets the exit status, every vCPU is
 * kicked out of KVM_RUN and the main thread wakes. Kept apart from vm.c so
 * device unit tests can link it without KVM.
 */
#include <signal.h>

#include "vcpu.h"
#include "vm.h"

bool vm_stop_requested(const struct vm *vm)
{
	return atomic_load(&vm->stopping);
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->run)
		return;
	vcpu->run->immediate_exit = 1;
	if (vcpu->thread_started && !pthread_equal(vcpu->thread, pthread_self()))
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vm_request_stop(struct vm *vm, int status)
{
	unsigned int i;
	bool expected = false;

	if (!atomic_compare_exchange_strong(&vm->stopping, &expected, true))
		return;
	atomic_store(&vm->exit_status, status);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	/* Unlocked zeroed mutex/cond are valid: PTHREAD_*_INITIALIZER is 0. */
	pthread_mutex_lock(&vm->stop_lock);
	pthread_cond_broadcast(&vm->stop_cond);
	pthread_mutex_unlock(&vm->stop_lock);
}
