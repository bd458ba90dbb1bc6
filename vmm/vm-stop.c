// SPDX-License-Identifier: GPL-2.0
/*
 * The one stop path: the first request sets the exit status, every vCPU is
 * kicked out of KVM_RUN and the main thread wakes; a guest panic is one
 * such request. Kept apart from vm.c so device unit tests can link it
 * without KVM.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "deadline.h"
#include "devices/pvpanic.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"

bool vm_stop_requested(const struct vm *vm)
{
	return atomic_load(&vm->stopping);
}

/*
 * immediate_exit catches a vCPU on its way into KVM_RUN; the signal one
 * already inside. The thread arms itself (vcpu_kick_arm()) before it first
 * looks at the stop and pause flags, so either it sees the flag set before
 * this kick or this kick sees it armed; a kick never waits for
 * vcpu_start() to learn the thread's id (the hang at exit of issue 13).
 */
void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->run)
		return;
	vcpu->run->immediate_exit = 1;
	pthread_mutex_lock(&vcpu->kick_lock);
	if (vcpu->kick_armed && !pthread_equal(vcpu->kick_thread, pthread_self()))
		pthread_kill(vcpu->kick_thread, VCPU_KICK_SIGNAL);
	pthread_mutex_unlock(&vcpu->kick_lock);
}

void vcpu_kick_arm(struct vcpu *vcpu, bool armed)
{
	pthread_mutex_lock(&vcpu->kick_lock);
	vcpu->kick_thread = pthread_self();
	vcpu->kick_armed = armed;
	pthread_mutex_unlock(&vcpu->kick_lock);
}

int vm_pause(struct vm *vm, unsigned int timeout_ms)
{
	struct timespec deadline;
	unsigned int i;
	int err = 0;

	deadline_in_ms(&deadline, timeout_ms);
	pthread_mutex_lock(&vm->pause_lock);
	atomic_store(&vm->pause_requested, true);
	pthread_mutex_unlock(&vm->pause_lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	pthread_mutex_lock(&vm->pause_lock);
	while (vm->nr_parked < vm->nr_vcpus && !vm_stop_requested(vm) &&
	       err != ETIMEDOUT)
		err = pthread_cond_clockwait(&vm->pause_cond, &vm->pause_lock,
					     CLOCK_MONOTONIC, &deadline);
	if (vm_stop_requested(vm))
		err = -EINTR;
	else if (vm->nr_parked < vm->nr_vcpus)
		err = -ETIMEDOUT;
	else
		err = 0;
	if (err) {
		/* Not paused after all: let the parked ones go. */
		atomic_store(&vm->pause_requested, false);
		pthread_cond_broadcast(&vm->pause_cond);
	}
	pthread_mutex_unlock(&vm->pause_lock);
	return err;
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	atomic_store(&vm->pause_requested, false);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

bool vm_paused(struct vm *vm)
{
	return atomic_load(&vm->pause_requested);
}

void vcpu_park_if_paused(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	if (!atomic_load(&vm->pause_requested))
		return;
	pthread_mutex_lock(&vm->pause_lock);
	vm->nr_parked++;
	pthread_cond_broadcast(&vm->pause_cond);
	while (atomic_load(&vm->pause_requested) && !vm_stop_requested(vm))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	vm->nr_parked--;
	pthread_mutex_unlock(&vm->pause_lock);
}

void vm_wake_vcpus(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

bool vm_request_stop(struct vm *vm, int status)
{
	unsigned int i;
	bool expected = false;

	if (!atomic_compare_exchange_strong(&vm->stopping, &expected, true))
		return false;
	atomic_store(&vm->exit_status, status);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	/* Unlocked zeroed mutex/cond are valid: PTHREAD_*_INITIALIZER is 0. */
	pthread_mutex_lock(&vm->pause_lock);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
	pthread_mutex_lock(&vm->stop_lock);
	pthread_cond_broadcast(&vm->stop_cond);
	pthread_mutex_unlock(&vm->stop_lock);
	return true;
}

void vm_guest_panicked(struct vm *vm, const char *how)
{
	/* The vCPU thread prints before vm_run() joins it: no line lost. */
	if (vm_request_stop(vm, LKVM_STATUS_PANIC))
		pr_err("guest kernel panicked (%s): exiting with status %d",
		       how, LKVM_STATUS_PANIC);
	else
		pr_err("guest kernel panicked (%s) while the VM was stopping",
		       how);
}

static void vm_pvpanic_panicked(void *opaque)
{
	vm_guest_panicked(opaque, "pvpanic");
}

void vm_pvpanic_ops(struct vm *vm, struct pvpanic_ops *ops)
{
	ops->panicked = vm_pvpanic_panicked;
	ops->opaque = vm;
}
