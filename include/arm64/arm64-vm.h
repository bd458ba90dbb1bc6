/* SPDX-License-Identifier: GPL-2.0 */
/* The arm64 VM's state (vm->arch) and what vm.c and cpu.c share. */
#ifndef LKVM_ARM64_VM_H
#define LKVM_ARM64_VM_H

#include <stdatomic.h>

#include "arm64/arm64.h"
#include "devices/pvpanic.h"
#include "devices/serial8250.h"
#include "vm.h"

struct vm_virtio;

struct arm64_vm {
	struct vm_config cfg;		/* the VM's copy: virtio on mmio */
	const struct vm_config *user_cfg;
	int gic_fd;
	int gic_version;
	struct arm64_boot boot;
	struct serial8250 uart;
	struct irq_line uart_irq;
	struct vm_virtio *virtio;
	struct pvpanic pvpanic;
	bool has_pvpanic;
	/*
	 * Core register writes lkvm made (KVM_SET_ONE_REG): boot state only.
	 * MMIO exits never write the PC -- KVM has already stepped it.
	 */
	atomic_ulong nr_reg_writes;
	atomic_ulong nr_debug_exits;
};

static inline struct arm64_vm *arm64_vm(struct vm *vm)
{
	return vm->arch;
}

/* KVM_GET/SET_ONE_REG on a core register (offset in struct kvm_regs). */
int arm64_get_core_reg(struct vcpu *vcpu, size_t offset, u64 *val);
int arm64_set_core_reg(struct vcpu *vcpu, size_t offset, u64 val);
/* The last vCPU is made: the GIC can be initialised. */
int arm64_gic_finalize(struct vm *vm);
/*
 * The pvpanic register at ARM64_PVPANIC_BASE on the MMIO bus (the device
 * tree gets its node): PANICKED stops the VM with LKVM_STATUS_PANIC.
 * 0 or -errno, with the "lkvm: ..." line printed.
 */
int arm64_pvpanic_init(struct vm *vm);

#endif
