// SPDX-License-Identifier: GPL-2.0
/*
 * s390x CPU states through the exits KVM hands over: secondaries start
 * stopped, SIGP START makes one runnable, a reset of an operating CPU is
 * busy, a stop interception stops a CPU and the last one stops the VM.
 * Then real vCPU threads (fd -1, so no KVM): a stopped one parks outside
 * KVM_RUN and counts as paused, the stop path wakes it, and SIGP START
 * sends it into KVM_RUN (whose EBADF then stops the VM with status 1).
 * Runs under qemu-s390x-static.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "arch.h"
#include "log.h"
#include "s390x/s390x-vm.h"
#include "vcpu.h"

#define NR 3

struct machine {
	struct vm_config cfg;
	struct s390x_vm s;
	struct vm vm;
	struct vcpu vcpus[NR];
};

static int machine_init(struct machine *m, unsigned int nr)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->cfg.nr_cpus = nr;
	m->vm.cfg = &m->cfg;
	m->vm.vm_fd = -1;
	m->vm.arch = &m->s;
	m->vm.vcpus = m->vcpus;
	m->vm.nr_vcpus = nr;
	for (i = 0; i < nr; i++) {
		m->vcpus[i].vm = &m->vm;
		m->vcpus[i].id = i;
		m->vcpus[i].fd = -1;
		m->vcpus[i].run = calloc(1, sizeof(struct kvm_run));
		if (!m->vcpus[i].run)
			return -ENOMEM;
	}
	return s390x_cpus_init(&m->s, nr);
}

/* sigp r2,r4,order: CPU address in r4. Returns arch_handle_exit's. */
static int sigp(struct vcpu *src, u8 order, u16 target)
{
	struct kvm_run *run = src->run;

	run->exit_reason = KVM_EXIT_S390_SIEIC;
	run->s390_sieic.icptcode = S390_ICPT_INSTRUCTION;
	run->s390_sieic.ipa = 0xae24;
	run->s390_sieic.ipb = (u32)order << 16;
	run->s.regs.gprs[4] = target;
	run->psw_mask = S390_IPL_PSW_MASK;
	return arch_handle_exit(src);
}

static unsigned int cc(const struct vcpu *v)
{
	return (v->run->psw_mask & S390_PSW_CC_MASK) >> S390_PSW_CC_SHIFT;
}

static int stop_exit(struct vcpu *v)
{
	v->run->exit_reason = KVM_EXIT_S390_SIEIC;
	v->run->s390_sieic.icptcode = S390_ICPT_STOP;
	return arch_handle_exit(v);
}

static unsigned int parked(struct vm *vm)
{
	unsigned int n;

	pthread_mutex_lock(&vm->pause_lock);
	n = vm->nr_parked;
	pthread_mutex_unlock(&vm->pause_lock);
	return n;
}

/* Up to two seconds for n vCPUs to park. */
static bool wait_parked(struct vm *vm, unsigned int n)
{
	int i;

	for (i = 0; i < 200 && parked(vm) != n; i++)
		usleep(10000);
	return parked(vm) == n;
}

static bool join_within(struct vcpu *v, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	if (pthread_timedjoin_np(v->thread, NULL, &ts))
		return false;
	v->thread_started = false;
	return true;
}

static void test_states(void)
{
	static struct machine m;
	struct vcpu *v = m.vcpus;

	if (machine_init(&m, NR)) {
		ok(0, "machine set-up");
		return;
	}
	ok(arch_vcpu_runnable(&v[0]) && !arch_vcpu_runnable(&v[1]) &&
	   !arch_vcpu_runnable(&v[2]),
	   "vCPU 0 operating, secondaries stopped");

	ok(sigp(&v[0], SIGP_START, 1) == 1 && cc(&v[0]) == 0 &&
	   arch_vcpu_runnable(&v[1]) && !arch_vcpu_runnable(&v[2]),
	   "SIGP start to CPU 1: cc 0, CPU 1 runnable, CPU 2 still stopped");
	ok(sigp(&v[0], SIGP_START, 5) == 1 && cc(&v[0]) == 3 &&
	   !arch_vcpu_runnable(&v[2]),
	   "SIGP start to CPU 5 of 3: cc 3, nothing started");

	ok(sigp(&v[0], SIGP_INITIAL_CPU_RESET, 1) == 1 && cc(&v[0]) == 2 &&
	   arch_vcpu_runnable(&v[1]),
	   "initial CPU reset of an operating CPU: busy (cc 2) until it stops");
	ok(stop_exit(&v[1]) == 1 && !arch_vcpu_runnable(&v[1]) &&
	   !vm_stop_requested(&m.vm),
	   "stop interception on CPU 1: stopped, the VM goes on");
	ok(sigp(&v[0], SIGP_INITIAL_CPU_RESET, 1) == 1 && cc(&v[0]) == 0 &&
	   !arch_vcpu_runnable(&v[1]),
	   "initial CPU reset of a stopped CPU: cc 0, it stays stopped");

	/* fd -1: KVM refuses the restart interrupt, so nothing starts. */
	ok(sigp(&v[0], SIGP_RESTART, 2) == 1 && !arch_vcpu_runnable(&v[2]),
	   "SIGP restart whose interrupt KVM refuses leaves the CPU stopped");

	ok(sigp(&v[0], SIGP_START, 2) == 1 && stop_exit(&v[0]) == 1 &&
	   !arch_vcpu_runnable(&v[0]) && !vm_stop_requested(&m.vm),
	   "vCPU 0 stops while CPU 2 operates: the VM goes on");
	ok(stop_exit(&v[2]) == -1 && vm_stop_requested(&m.vm) &&
	   atomic_load(&m.vm.exit_status) == 0,
	   "the last operating CPU stops: the VM stops with status 0");
	s390x_cpus_destroy(&m.s);
}

static void test_threads(void)
{
	static struct machine m;
	struct vcpu *v = m.vcpus;

	/* Both stopped: they park, a pause completes, the stop frees them. */
	if (machine_init(&m, 2) || vcpu_start(&v[1])) {
		ok(0, "machine set-up");
		return;
	}
	ok(wait_parked(&m.vm, 1) && !vm_stop_requested(&m.vm),
	   "a stopped secondary parks outside KVM_RUN");
	s390x_cpu_stop(&m.vm, 0);
	if (vcpu_start(&v[0])) {
		ok(0, "vCPU 0 thread");
		return;
	}
	ok(wait_parked(&m.vm, 2) && vm_pause(&m.vm, 5000) == 0,
	   "stopped vCPUs count as paused: vm_pause returns");
	vm_resume(&m.vm);
	usleep(50000);
	ok(parked(&m.vm) == 2 && !vm_stop_requested(&m.vm),
	   "after resume, stopped vCPUs stay parked");
	vm_request_stop(&m.vm, 0);
	ok(join_within(&v[0], 5) && join_within(&v[1], 5) &&
	   atomic_load(&m.vm.exit_status) == 0,
	   "the stop wakes parked stopped vCPUs; none entered KVM_RUN");
	s390x_cpus_destroy(&m.s);

	/* SIGP START from vCPU 0's handler wakes CPU 1 into KVM_RUN. */
	if (machine_init(&m, 2) || vcpu_start(&v[1]) ||
	    !wait_parked(&m.vm, 1)) {
		ok(0, "second machine set-up");
		return;
	}
	ok(sigp(&v[0], SIGP_START, 1) == 1 && join_within(&v[1], 5) &&
	   vm_stop_requested(&m.vm) && atomic_load(&m.vm.exit_status) == 1,
	   "SIGP start wakes the parked CPU into KVM_RUN (EBADF: status 1)");
	s390x_cpus_destroy(&m.s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	log_set_level(LOG_ERROR - 1);
	test_states();
	test_threads();
	return tap_done();
}
