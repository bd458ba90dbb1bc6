// SPDX-License-Identifier: GPL-2.0
/* vCPU threads: KVM_RUN, and the exits every architecture shares. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "kvm-names.h"
#include "log.h"
#include "seccomp-filter.h"
#include "vcpu.h"


static void vcpu_kick_handler(int sig)
{
	(void)sig;
}

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id)
{
	void *run;
	int err;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	err = pthread_mutex_init(&vcpu->kick_lock, NULL);
	if (err)
		return -err;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0) {
		err = -errno;
		pr_err("KVM_CREATE_VCPU %u: %s", id, strerror(-err));
		return err;
	}
	run = mmap(NULL, vm->run_mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED) {
		err = -errno;
		pr_err("cannot map vCPU %u's run area: %s", id, strerror(-err));
		close(vcpu->fd);
		vcpu->fd = -1;
		return err;
	}
	vcpu->run = run;
	return arch_vcpu_init(vcpu);
}

void vcpu_fatal(struct vcpu *vcpu, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("vCPU %u: %s", vcpu->id, msg);
	arch_dump_vcpu(vcpu, NULL);
	vm_request_stop(vcpu->vm, 1);
}

static void vcpu_debug_access(struct vcpu *vcpu, const char *space, u64 addr,
			      const u8 *data, u32 len, bool is_write,
			      bool handled)
{
	u64 value = 0;

	memcpy(&value, data, MIN(len, sizeof(value)));
	log_msg(LOG_ERROR, "vCPU %u: %s %s 0x%llx len %u %s 0x%llx%s",
		vcpu->id, space, is_write ? "write" : "read",
		(unsigned long long)addr, len, is_write ? "<-" : "->",
		(unsigned long long)value, handled ? "" : " (no device)");
}

static int vcpu_handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vm *vm = vcpu->vm;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	u8 *data = (u8 *)run + run->io.data_offset;
	u32 i;

	if (run->io.data_offset + (u64)run->io.size * run->io.count >
	    vm->run_mmap_size) {
		vcpu_fatal(vcpu, "KVM_EXIT_IO data outside the run area");
		return -1;
	}
	for (i = 0; i < run->io.count; i++) {
		bool handled = bus_access(&vm->pio_bus, vcpu, run->io.port,
					  data, run->io.size, is_write);

		if (vm->cfg->debug_ioport)
			vcpu_debug_access(vcpu, "port", run->io.port, data,
					  run->io.size, is_write, handled);
		else if (!handled)
			pr_debug("vCPU %u: unhandled port %s 0x%x",
				 vcpu->id, is_write ? "write" : "read",
				 run->io.port);
		data += run->io.size;
	}
	return 1;
}

static int vcpu_handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vm *vm = vcpu->vm;
	u32 len = run->mmio.len;
	bool handled;

	if (len == 0 || len > sizeof(run->mmio.data)) {
		vcpu_fatal(vcpu, "KVM_EXIT_MMIO with bad length %u", len);
		return -1;
	}
	handled = bus_access(&vm->mmio_bus, vcpu, run->mmio.phys_addr,
			     run->mmio.data, len, run->mmio.is_write);
	if (vm->cfg->debug_mmio)
		vcpu_debug_access(vcpu, "mmio", run->mmio.phys_addr,
				  run->mmio.data, len, run->mmio.is_write,
				  handled);
	else if (!handled)
		pr_warn_ratelimited("vCPU %u: %s of unassigned address 0x%llx",
				    vcpu->id,
				    run->mmio.is_write ? "write" : "read",
				    (unsigned long long)run->mmio.phys_addr);
	return 1;
}

static void vcpu_report_internal_error(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char bytes[3 * 16 + 1] = "";
	u32 i, nd = MIN(run->internal.ndata, (u32)ARRAY_SIZE(run->internal.data));
	u32 sub = run->internal.suberror;

	pr_err("vCPU %u: KVM_EXIT_INTERNAL_ERROR (%u), suberror %u (%s)",
	       vcpu->id, KVM_EXIT_INTERNAL_ERROR, sub,
	       kvm_internal_error_name(sub));
	/*
	 * For emulation failures KVM may pass the instruction: data[0] has
	 * flags, data[1] the length, data[2..] the bytes.
	 */
	if (sub == KVM_INTERNAL_ERROR_EMULATION && nd >= 3 &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		u32 n = MIN(run->emulation_failure.insn_size, 15u);

		for (i = 0; i < n; i++)
			snprintf(bytes + 3 * i, sizeof(bytes) - 3 * i, "%02x ",
				 run->emulation_failure.insn_bytes[i]);
		if (n)
			bytes[3 * n - 1] = '\0';
		pr_err("vCPU %u: instruction bytes: %s", vcpu->id, bytes);
	} else {
		for (i = 0; i < nd; i++)
			pr_err("vCPU %u: internal data[%u] = 0x%llx", vcpu->id,
			       i, (unsigned long long)run->internal.data[i]);
	}
	arch_dump_vcpu(vcpu, NULL);
	vm_request_stop(vcpu->vm, 1);
}

int vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u32 reason = run->exit_reason;

	switch (reason) {
	case KVM_EXIT_IO:
		return vcpu_handle_io(vcpu);
	case KVM_EXIT_MMIO:
		return vcpu_handle_mmio(vcpu);
	case KVM_EXIT_INTR:
		return 1;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel irqchip: nothing can wake us. */
		pr_info("vCPU %u halted", vcpu->id);
		vm_request_stop(vcpu->vm, 0);
		return -1;
	case KVM_EXIT_SHUTDOWN:
		vcpu_fatal(vcpu, "KVM_EXIT_SHUTDOWN (%u): the guest triple-faulted",
			   reason);
		return -1;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_report_internal_error(vcpu);
		return -1;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fatal(vcpu, "KVM_EXIT_FAIL_ENTRY (%u): hardware entry failure reason 0x%llx on CPU %u",
			   reason,
			   (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			   run->fail_entry.cpu);
		return -1;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_CRASH) {
			vcpu_fatal(vcpu, "KVM_EXIT_SYSTEM_EVENT: guest crash");
			return -1;
		}
		pr_info("vCPU %u: system event %s", vcpu->id,
			kvm_system_event_name(run->system_event.type));
		vm_request_stop(vcpu->vm, 0);
		return -1;
	default:
		vcpu_fatal(vcpu, "unhandled exit %s (%u)", kvm_exit_name(reason),
			   reason);
		return -1;
	}
}

/*
 * Park while the guest has this vCPU stopped; it counts as paused. Returns
 * when vm_wake_vcpus() made it runnable, or on the stop.
 */
static void vcpu_park_while_stopped(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	pthread_mutex_lock(&vm->pause_lock);
	vm->nr_parked++;
	pthread_cond_broadcast(&vm->pause_cond);
	while (!arch_vcpu_runnable(vcpu) && !vm_stop_requested(vm))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	vm->nr_parked--;
	pthread_mutex_unlock(&vm->pause_lock);
}

int vcpu_request_nmi(struct vcpu *vcpu)
{
	if (!arch_has_nmi())
		return -EOPNOTSUPP;
	atomic_store(&vcpu->nmi_pending, true);
	vcpu_kick(vcpu);
	return 0;
}

/* On the vCPU's thread, outside KVM_RUN: a requested NMI goes in. */
static void vcpu_serve_requests(struct vcpu *vcpu)
{
	int err;

	if (!atomic_exchange(&vcpu->nmi_pending, false))
		return;
	err = arch_vcpu_nmi(vcpu);
	if (err)
		pr_warn("vCPU %u: cannot inject an NMI: %s", vcpu->id,
			strerror(-err));
	else
		atomic_fetch_add(&vcpu->nmis, 1);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	vcpu_kick_arm(vcpu, true);
	/* Named lkvm-vcpuN; its filter before the guest's first instruction. */
	sc_thread_enter(SC_ROLE_VCPU, (int)vcpu->id);

	while (!vm_stop_requested(vm)) {
		int r;

		vcpu_park_if_paused(vcpu);
		if (vm_stop_requested(vm))
			break;
		if (!arch_vcpu_runnable(vcpu)) {
			vcpu_park_while_stopped(vcpu);
			continue;	/* look at pause and stop again */
		}
		vcpu_serve_requests(vcpu);
		r = ioctl(vcpu->fd, KVM_RUN, 0);

		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vcpu->run->immediate_exit = 0;
				continue;
			}
			pr_err("vCPU %u: KVM_RUN: %s", vcpu->id,
			       strerror(errno));
			arch_dump_vcpu(vcpu, NULL);
			vm_request_stop(vm, 1);
			break;
		}
		if (vcpu->run->exit_reason < ARRAY_SIZE(vcpu->exits))
			atomic_fetch_add_explicit(&vcpu->exits[vcpu->run->exit_reason],
						  1, memory_order_relaxed);
		else
			atomic_fetch_add_explicit(&vcpu->exits_other, 1,
						  memory_order_relaxed);
		r = arch_handle_exit(vcpu);
		if (r == 0)
			r = vcpu_handle_exit(vcpu);
		if (r < 0)
			break;
	}
	vcpu_kick_arm(vcpu, false);
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	static bool handler_installed;
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };
	int err;

	/* Called from the main thread only, before any vCPU runs. */
	if (!handler_installed) {
		sigemptyset(&sa.sa_mask);
		if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL))
			return -errno;
		handler_installed = true;
	}
	err = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	if (err)
		return -err;
	vcpu->thread_started = true;
	return 0;
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->thread_started && !pthread_equal(vcpu->thread, pthread_self()))
		pthread_join(vcpu->thread, NULL);
	vcpu->thread_started = false;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_mmap_size);
	vcpu->run = NULL;
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->fd = -1;
}

int vcpu_single_step(struct vcpu *vcpu)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};

	if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg)) {
		pr_err("vCPU %u: KVM_SET_GUEST_DEBUG: %s", vcpu->id,
		       strerror(errno));
		return -errno;
	}
	return 0;
}
