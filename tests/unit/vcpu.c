// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for vCPU threads (vmm/vcpu.c): a stop reaches a vCPU whenever its
 * thread starts. A stop requested while vcpu_start() is still inside
 * pthread_create(), with the new thread already blocked in KVM_RUN (an x86
 * AP waiting for SIPI), must still wake it. pthread_create is wrapped here
 * to put the stop in exactly that gap.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "vcpu.h"
#include "vm-bare.h"

#ifdef __x86_64__
typedef int (*create_fn)(pthread_t *, const pthread_attr_t *,
			 void *(*)(void *), void *);

/* Set by the test: the VM to stop from inside pthread_create. */
static struct vm *stop_in_create;

int pthread_create(pthread_t *t, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	static create_fn real;
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	int err;

	if (!real)
		real = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
	if (!real)
		abort();	/* no libc pthread_create: nothing to test */
	err = real(t, attr, fn, arg);
	if (!err && stop_in_create) {
		/* Let the thread reach KVM_RUN and block there, then stop. */
		nanosleep(&ts, NULL);
		vm_request_stop(stop_in_create, 0);
		stop_in_create = NULL;
	}
	return err;
}

static bool joined_within(pthread_t t, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
}

static void test_stop_in_create_gap(void)
{
	struct vm_config cfg = { .dev_path = "/dev/kvm", .nr_cpus = 2 };
	struct vcpu *bsp, *ap;
	struct vm vm;
	int err;

	err = vm_bare_create(&vm, &cfg);
	if (!err && ioctl(vm.vm_fd, KVM_CREATE_IRQCHIP, 0))
		err = -errno;
	if (!err)
		err = vm_bare_add_vcpu(&vm, 0, &bsp);
	if (!err)
		err = vm_bare_add_vcpu(&vm, 1, &ap);
	if (err) {
		skip(strerror(-err), "a stop in vcpu_start()'s gap wakes the AP");
		vm_bare_destroy(&vm);
		return;
	}
	stop_in_create = &vm;
	err = vcpu_start(ap);
	ok(err == 0, "vcpu_start() starts the AP");
	if (err) {
		vm_bare_destroy(&vm);
		return;
	}
	if (ok(joined_within(ap->thread, 5),
	       "a stop while pthread_create() returns wakes the AP blocked in KVM_RUN")) {
		ap->thread_started = false;
	} else {
		/* Release it so the test can end. */
		vcpu_kick(ap);
		pthread_kill(ap->thread, VCPU_KICK_SIGNAL);
		vcpu_join(ap);
	}
	vm_bare_destroy(&vm);
}

static void test_stop_before_start(void)
{
	struct vm_config cfg = { .dev_path = "/dev/kvm", .nr_cpus = 2 };
	struct vcpu *bsp, *ap;
	struct vm vm;
	int err;

	err = vm_bare_create(&vm, &cfg);
	if (!err && ioctl(vm.vm_fd, KVM_CREATE_IRQCHIP, 0))
		err = -errno;
	if (!err)
		err = vm_bare_add_vcpu(&vm, 0, &bsp);
	if (!err)
		err = vm_bare_add_vcpu(&vm, 1, &ap);
	if (err) {
		skip(strerror(-err), "a stop before vcpu_start() ends the AP");
		vm_bare_destroy(&vm);
		return;
	}
	vm_request_stop(&vm, 0);
	err = vcpu_start(ap);
	ok(err == 0 && joined_within(ap->thread, 5),
	   "a stop before vcpu_start() ends the AP's thread at once");
	if (!err)
		ap->thread_started = false;
	vm_bare_destroy(&vm);
}

#endif

int main(void)
{
#ifdef __x86_64__
	if (access("/dev/kvm", R_OK | W_OK)) {
		skip("no usable /dev/kvm", "vCPU thread start and stop");
		return tap_done();
	}
	test_stop_in_create_gap();
	test_stop_before_start();
#else
	skip("x86 only (an AP blocks in KVM_RUN until SIPI)",
	     "vCPU thread start and stop");
#endif
	return tap_done();
}
