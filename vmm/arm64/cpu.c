// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 vCPUs: KVM_ARM_VCPU_INIT with PSCI 0.2 (secondaries powered off
 * until the guest's CPU_ON), the boot registers of vCPU 0, guest debug for
 * --debug-single-step, and the exits. MMIO exits are completed by the
 * common code filling run->mmio.data: KVM has already moved the PC past
 * the faulting instruction, so nothing here touches it.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "arm64/arm64-vm.h"
#include "log.h"
#include "vcpu.h"

/* PSTATE at entry: EL1h, debug, SError, IRQ and FIQ masked. */
#define ARM64_BOOT_PSTATE	0x3c5ULL

#define CORE_REG(off) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
		       KVM_REG_ARM_CORE | ((off) / sizeof(u32)))
#define REG_X(n)	offsetof(struct kvm_regs, regs.regs[n])
#define REG_SP		offsetof(struct kvm_regs, regs.sp)
#define REG_PC		offsetof(struct kvm_regs, regs.pc)
#define REG_PSTATE	offsetof(struct kvm_regs, regs.pstate)

int arm64_get_core_reg(struct vcpu *vcpu, size_t offset, u64 *val)
{
	struct kvm_one_reg r = {
		.id = CORE_REG(offset),
		.addr = (u64)(uintptr_t)val,
	};

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &r) ? -errno : 0;
}

int arm64_set_core_reg(struct vcpu *vcpu, size_t offset, u64 val)
{
	struct kvm_one_reg r = {
		.id = CORE_REG(offset),
		.addr = (u64)(uintptr_t)&val,
	};

	atomic_fetch_add(&arm64_vm(vcpu->vm)->nr_reg_writes, 1);
	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &r) ? -errno : 0;
}

static int arm64_vcpu_boot_regs(struct vcpu *vcpu)
{
	struct arm64_vm *a = arm64_vm(vcpu->vm);
	int err;

	/* Booting protocol: x0 = device tree, x1-x3 = 0, MMU off. */
	err = arm64_set_core_reg(vcpu, REG_PSTATE, ARM64_BOOT_PSTATE);
	err = err ?: arm64_set_core_reg(vcpu, REG_X(0), a->boot.dtb_start);
	err = err ?: arm64_set_core_reg(vcpu, REG_X(1), 0);
	err = err ?: arm64_set_core_reg(vcpu, REG_X(2), 0);
	err = err ?: arm64_set_core_reg(vcpu, REG_X(3), 0);
	err = err ?: arm64_set_core_reg(vcpu, REG_PC, a->boot.entry);
	if (err)
		pr_err("vCPU 0 boot registers: %s", strerror(-err));
	return err;
}

/* Secondaries start powered off (PSCI CPU_ON): KVM_RUN holds them. */
bool arch_vcpu_runnable(struct vcpu *vcpu)
{
	return true;
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

int arch_vcpu_init(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_vcpu_init init;
	int err = 0;

	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init)) {
		pr_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -errno;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (vcpu->id)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init)) {
		pr_err("vCPU %u: KVM_ARM_VCPU_INIT: %s", vcpu->id,
		       strerror(errno));
		return -errno;
	}
	if (vcpu->id == 0)
		err = arm64_vcpu_boot_regs(vcpu);
	if (!err && vm->cfg->debug_single_step)
		err = vcpu_single_step(vcpu);
	/* Every vCPU exists once the last one does: the GIC can start. */
	if (!err && vcpu->id + 1 == vm->cfg->nr_cpus)
		err = arm64_gic_finalize(vm);
	return err;
}

int arch_handle_exit(struct vcpu *vcpu)
{
	struct arm64_vm *a = arm64_vm(vcpu->vm);
	u64 pc = 0;

	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_DEBUG:
		if (!vcpu->vm->cfg->debug_single_step)
			return 0;
		atomic_fetch_add(&a->nr_debug_exits, 1);
		vcpu->nr_single_steps++;
		if (log_get_level() >= LOG_DEBUG &&
		    !arm64_get_core_reg(vcpu, REG_PC, &pc))
			pr_debug("vCPU %u: step at pc 0x%llx", vcpu->id,
				 (unsigned long long)pc);
		return 1;
	case KVM_EXIT_MMIO:
		/*
		 * The common path fills run->mmio.data for a read; KVM
		 * writes it to the target register and has already advanced
		 * the PC. Skipping the instruction here would skip two.
		 */
		return 0;
	default:
		return 0;
	}
}

void arch_dump_vcpu(struct vcpu *vcpu, FILE *out)
{
	u64 v[34];
	int i;

	if (!out)
		out = stderr;
	for (i = 0; i < 31; i++)
		if (arm64_get_core_reg(vcpu, REG_X(i), &v[i]))
			return;
	if (arm64_get_core_reg(vcpu, REG_SP, &v[31]) ||
	    arm64_get_core_reg(vcpu, REG_PC, &v[32]) ||
	    arm64_get_core_reg(vcpu, REG_PSTATE, &v[33]))
		return;
	fprintf(out, "  pc %016llx  sp %016llx  pstate %08llx\n",
		(unsigned long long)v[32], (unsigned long long)v[31],
		(unsigned long long)v[33]);
	for (i = 0; i < 31; i += 4) {
		int j;

		fprintf(out, " ");
		for (j = i; j < MIN(i + 4, 31); j++)
			fprintf(out, " x%-2d %016llx", j,
				(unsigned long long)v[j]);
		fprintf(out, "\n");
	}
}
