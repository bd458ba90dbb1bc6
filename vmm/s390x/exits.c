// SPDX-License-Identifier: GPL-2.0
/*
 * s390x exits: instruction interceptions (I/O instructions, DIAGNOSE,
 * SERVC, SIGP), TSCH, reset requests, and the disabled wait that ends a
 * Linux panic. The work is done by the pure handlers (ioinst.c, diag.c,
 * sclp.c); this file moves registers, the PSW and operands between them
 * and KVM.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "log.h"
#include "s390x/s390x-vm.h"
#include "vcpu.h"

static int s390x_memop(struct vcpu *vcpu, u32 op, u64 addr, void *buf,
		       u32 len)
{
	struct kvm_s390_mem_op m = {
		.gaddr = addr,
		.size = len,
		.op = op,
		.buf = (u64)(uintptr_t)buf,
	};
	int r = ioctl(vcpu->fd, KVM_S390_MEM_OP, &m);

	/* > 0: the program interruption code the access would raise. */
	return r < 0 ? -errno : r;
}

static int s390x_read(void *opaque, u64 addr, void *buf, u32 len)
{
	return s390x_memop(opaque, KVM_S390_MEMOP_LOGICAL_READ, addr, buf,
			   len);
}

static int s390x_write(void *opaque, u64 addr, const void *buf, u32 len)
{
	return s390x_memop(opaque, KVM_S390_MEMOP_LOGICAL_WRITE, addr,
			   (void *)buf, len);
}

static void s390x_cpu_load(struct vcpu *vcpu, struct s390_cpu *cpu)
{
	struct kvm_run *run = vcpu->run;

	memset(cpu, 0, sizeof(*cpu));
	memcpy(cpu->gprs, run->s.regs.gprs, sizeof(cpu->gprs));
	cpu->psw_mask = run->psw_mask;
	cpu->psw_addr = run->psw_addr;
	cpu->prefix = run->s.regs.prefix;
	cpu->id = vcpu->id;
	cpu->mem = (struct s390_mem_ops){ s390x_read, s390x_write, vcpu };
}

static void s390x_program_interrupt(struct vcpu *vcpu, u16 code)
{
	struct kvm_s390_irq irq = {
		.type = KVM_S390_PROGRAM_INT,
		.u.pgm.code = code,
	};

	if (ioctl(vcpu->fd, KVM_S390_IRQ, &irq))
		pr_err_ratelimited("vCPU %u: program interrupt 0x%x: %s",
				   vcpu->id, code, strerror(errno));
}

/* Results back to KVM: a program interruption, or the cc and registers. */
static void s390x_cpu_store(struct vcpu *vcpu, const struct s390_cpu *cpu)
{
	struct kvm_run *run = vcpu->run;

	if (cpu->pgm) {
		s390x_program_interrupt(vcpu, cpu->pgm);
		return;
	}
	run->psw_mask = cpu->psw_mask;
	if (cpu->gprs_changed) {
		memcpy(run->s.regs.gprs, cpu->gprs, sizeof(cpu->gprs));
		run->kvm_dirty_regs |= KVM_SYNC_GPRS;
	}
}

/* SERVICE CALL: r1 the command word, r2 the SCCB's real address. */
static void s390x_servc(struct vcpu *vcpu, struct s390_cpu *cpu,
			const struct s390_insn *in)
{
	struct s390x_vm *s = s390x_vm(vcpu->vm);
	u64 real = cpu->gprs[in->r2];

	s->nr_servc++;
	cpu->pgm = sclp_servc(&s->sclp, &vcpu->vm->mem, cpu->gprs[in->r1],
			      real, cpu->prefix);
	if (cpu->pgm)
		return;
	s390_set_cc(cpu, 0);
	s390x_service_signal(vcpu->vm, real);
}

/* KVM's SIGP STOP on another vCPU: it leaves KVM_RUN with a stop exit. */
static void s390x_stop_other(struct vcpu *dst)
{
	struct kvm_s390_irq stop = { .type = KVM_S390_SIGP_STOP };

	if (ioctl(dst->fd, KVM_S390_IRQ, &stop) && errno != EBUSY)
		pr_err_ratelimited("SIGP stop to CPU %u: %s", dst->id,
				   strerror(errno));
}

/* This vCPU stopped: park it, or stop the VM if it was the last. */
static int s390x_self_stopped(struct vcpu *vcpu)
{
	if (!s390x_cpu_stop(vcpu->vm, vcpu->id))
		return 1;
	pr_info("vCPU %u: every CPU stopped: the guest stopped", vcpu->id);
	vm_request_stop(vcpu->vm, 0);
	return -1;
}

/*
 * The orders KVM passes on, to the target vcpu->vm->vcpus[target]. A
 * stopped target is parked outside KVM_RUN, so its reset ioctls cannot
 * wait on it; an operating one is asked to stop and the order reported
 * busy (cc 2), as Linux only resets stopped CPUs and retries on busy.
 */
static int s390x_sigp(struct vcpu *vcpu, struct s390_cpu *cpu,
		      const struct s390_insn *in)
{
	struct kvm_s390_interrupt restart = { .type = KVM_S390_RESTART };
	struct s390x_vm *s = s390x_vm(vcpu->vm);
	enum s390_sigp_action action;
	struct vcpu *dst;
	u16 target;

	s->nr_sigp++;
	action = s390_handle_sigp(cpu, in, vcpu->vm->nr_vcpus, &target);
	if (action == S390_SIGP_NONE)
		return 1;
	dst = &vcpu->vm->vcpus[target];
	switch (action) {
	case S390_SIGP_STOP:
		if (dst == vcpu)
			return s390x_self_stopped(vcpu);
		if (!s390x_cpu_is_stopped(s, target))
			s390x_stop_other(dst);
		break;
	case S390_SIGP_RESTART:
		if (ioctl(dst->fd, KVM_S390_INTERRUPT, &restart)) {
			pr_err_ratelimited("SIGP restart to CPU %u: %s",
					   target, strerror(errno));
			break;
		}
		s390x_cpu_start(vcpu->vm, target);
		break;
	case S390_SIGP_START:
		s390x_cpu_start(vcpu->vm, target);
		break;
	case S390_SIGP_RESET:
	case S390_SIGP_INITIAL_RESET:
		if (dst != vcpu && !s390x_cpu_is_stopped(s, target)) {
			s390x_stop_other(dst);
			s390_set_cc(cpu, 2);
			break;
		}
		if (ioctl(dst->fd, action == S390_SIGP_INITIAL_RESET ?
			  KVM_S390_INITIAL_RESET : KVM_S390_NORMAL_RESET, 0))
			pr_err_ratelimited("SIGP reset of CPU %u: %s", target,
					   strerror(errno));
		/* A reset CPU is stopped. */
		if (dst == vcpu)
			return s390x_self_stopped(vcpu);
		break;
	case S390_SIGP_NONE:
		break;
	}
	return 1;
}

/*
 * A wait interception: KVM handles enabled waits itself and passes on a
 * wait with I/O, external and machine-check interruptions all masked,
 * which nothing can end. Linux loads such a PSW at the end of a panic
 * (its on_panic action, "stop" by default, runs from a panic notifier,
 * before panic=-1's reboot) and on a few fatal paths (an unrecoverable
 * machine check, a failed re-IPL, hardware it cannot run on).
 */
static int s390x_wait(struct vcpu *vcpu)
{
	const u64 masks = S390_PSW_IO | S390_PSW_EXT | S390_PSW_MCHECK;
	struct kvm_run *run = vcpu->run;
	char how[96];

	if (!(run->psw_mask & S390_PSW_WAIT) || (run->psw_mask & masks)) {
		vcpu_fatal(vcpu, "KVM_EXIT_S390_SIEIC: wait interception with PSW 0x%016llx 0x%016llx, not a disabled wait",
			   (unsigned long long)run->psw_mask,
			   (unsigned long long)run->psw_addr);
		return -1;
	}
	snprintf(how, sizeof(how),
		 "disabled wait on vCPU %u, PSW 0x%016llx 0x%016llx", vcpu->id,
		 (unsigned long long)run->psw_mask,
		 (unsigned long long)run->psw_addr);
	vm_guest_panicked(vcpu->vm, how);
	return -1;
}

static int s390x_handle_sieic(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct s390x_vm *s = s390x_vm(vcpu->vm);
	struct s390_insn in;
	struct s390_cpu cpu;
	u64 arg = 0;

	s->nr_sieic++;
	if (run->s390_sieic.icptcode == S390_ICPT_STOP)
		return s390x_self_stopped(vcpu);
	if (run->s390_sieic.icptcode == S390_ICPT_WAIT)
		return s390x_wait(vcpu);
	if (s390_decode_sieic(run->s390_sieic.icptcode, run->s390_sieic.ipa,
			      run->s390_sieic.ipb, &in)) {
		vcpu_fatal(vcpu, "KVM_EXIT_S390_SIEIC: interception code 0x%x (ipa 0x%04x ipb 0x%08x)",
			   run->s390_sieic.icptcode, run->s390_sieic.ipa,
			   run->s390_sieic.ipb);
		return -1;
	}
	s390x_cpu_load(vcpu, &cpu);
	switch (in.kind) {
	case S390_INSN_UNKNOWN:
		vcpu_fatal(vcpu, "KVM_EXIT_S390_SIEIC: unhandled instruction (ipa 0x%04x ipb 0x%08x)",
			   run->s390_sieic.ipa, run->s390_sieic.ipb);
		return -1;
	case S390_INSN_DIAG:
		if (s390_diag_code(&cpu, &in) == S390_DIAG_VIRTIO)
			s->nr_diag500++;
		switch (s390_handle_diag(&cpu, &s->css, &in, &arg)) {
		case S390_DIAG_UCALL:
			pr_info("vCPU %u: selftest call at 0x%llx outside a selftest",
				vcpu->id, (unsigned long long)arg);
			break;
		case S390_DIAG_REIPL:
			pr_info("vCPU %u: re-IPL requested: stopping", vcpu->id);
			vm_request_stop(vcpu->vm, 0);
			return -1;
		case S390_DIAG_DONE:
			break;
		}
		break;
	case S390_INSN_SIGP:
		if (s390x_sigp(vcpu, &cpu, &in) < 0)
			return -1;
		break;
	case S390_INSN_SERVC:
		s390x_servc(vcpu, &cpu, &in);
		break;
	default:
		s->nr_io++;
		s390_handle_io(&cpu, &s->css, &in);
		break;
	}
	s390x_cpu_store(vcpu, &cpu);
	return 1;
}

static int s390x_handle_tsch(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct s390x_vm *s = s390x_vm(vcpu->vm);
	struct s390_insn in = {
		.kind = S390_INSN_TSCH,
		.opcode = 0xb235,
		.b2 = run->s390_tsch.ipb >> 28,
		.d2 = (run->s390_tsch.ipb >> 16) & 0xfff,
	};
	struct s390_cpu cpu;

	s->nr_tsch++;
	s390x_cpu_load(vcpu, &cpu);
	s390_handle_io(&cpu, &s->css, &in);
	s390x_cpu_store(vcpu, &cpu);
	return 1;
}

int arch_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_S390_SIEIC:
		return s390x_handle_sieic(vcpu);
	case KVM_EXIT_S390_TSCH:
		return s390x_handle_tsch(vcpu);
	case KVM_EXIT_S390_RESET:
		pr_info("vCPU %u: reset requested (flags 0x%llx): stopping",
			vcpu->id, (unsigned long long)run->s390_reset_flags);
		vm_request_stop(vcpu->vm, 0);
		return -1;
	case KVM_EXIT_S390_UCONTROL:
		vcpu_fatal(vcpu, "KVM_EXIT_S390_UCONTROL: program code 0x%x at 0x%llx",
			   run->s390_ucontrol.pgm_code,
			   (unsigned long long)run->s390_ucontrol.trans_exc_code);
		return -1;
	default:
		return 0;
	}
}
