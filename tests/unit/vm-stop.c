// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for pause and stop (vmm/vm-stop.c): vm_pause() is bounded, gives
 * up cleanly, and a stop ends its wait. No KVM: vCPUs are plain threads
 * that park the way vcpu_thread() does.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "vcpu.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A vCPU that parks whenever asked, until the stop. */
static void *parking_vcpu(void *arg)
{
	struct vcpu *vcpu = arg;

	while (!vm_stop_requested(vcpu->vm)) {
		vcpu_park_if_paused(vcpu);
		usleep(1000);
	}
	return NULL;
}

static void *stop_later(void *arg)
{
	usleep(200 * 1000);
	vm_request_stop(arg, 0);
	return NULL;
}

static void vm_init(struct vm *vm, struct vcpu *vcpus, unsigned int n)
{
	unsigned int i;

	memset(vm, 0, sizeof(*vm));
	memset(vcpus, 0, n * sizeof(*vcpus));
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);
	vm->vcpus = vcpus;
	vm->nr_vcpus = n;
	for (i = 0; i < n; i++) {
		vcpus[i].vm = vm;
		vcpus[i].id = i;
	}
}

static void test_pause_parks(void)
{
	struct vcpu vcpus[2];
	pthread_t t[2];
	struct vm vm;
	unsigned int i;

	vm_init(&vm, vcpus, 2);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, parking_vcpu, &vcpus[i]);
	ok(vm_pause(&vm, 5000) == 0 && vm_paused(&vm),
	   "vm_pause() returns 0 once every vCPU parks");
	ok(vm.nr_parked == 2, "both vCPUs are parked");
	vm_resume(&vm);
	ok(!vm_paused(&vm), "vm_resume() lets them go");
	vm_request_stop(&vm, 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

static void test_pause_times_out(void)
{
	struct vcpu vcpus[2];
	pthread_t t;
	struct vm vm;
	double t0, dt;
	int err;

	/* vCPU 1 never parks (stuck in a handler, say). */
	vm_init(&vm, vcpus, 2);
	pthread_create(&t, NULL, parking_vcpu, &vcpus[0]);
	t0 = now_s();
	err = vm_pause(&vm, 300);
	dt = now_s() - t0;
	ok(err == -ETIMEDOUT, "a vCPU that never parks: -ETIMEDOUT (%d)", err);
	ok(dt >= 0.29 && dt < 2.0, "after the time-out asked for (%.3f s)", dt);
	ok(!vm_paused(&vm), "and the VM is not left paused");
	usleep(50 * 1000);
	ok(vm.nr_parked == 0, "the vCPU that had parked runs again");
	vm_request_stop(&vm, 0);
	pthread_join(t, NULL);
}

static void test_stop_ends_pause(void)
{
	struct vcpu vcpus[1];
	pthread_t t;
	struct vm vm;
	double t0, dt;
	int err;

	vm_init(&vm, vcpus, 1);
	pthread_create(&t, NULL, stop_later, &vm);
	t0 = now_s();
	err = vm_pause(&vm, 10000);
	dt = now_s() - t0;
	ok(err == -EINTR && dt < 2.0,
	   "a stop ends a pending pause with -EINTR (%.3f s)", dt);
	pthread_join(t, NULL);
}

int main(void)
{
	test_pause_parks();
	test_pause_times_out();
	test_stop_ends_pause();
	return tap_done();
}
