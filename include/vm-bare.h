/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VM_BARE_H
#define LKVM_VM_BARE_H

#include "vm.h"

/*
 * A bare VM: the KVM handles, memslots and vCPUs of struct vm without
 * lkvm run's devices, loader, I/O thread or terminal. For tests that drive
 * KVM directly (tests/selftests) and own the exit loop themselves.
 */

/*
 * Open cfg->dev_path and create the VM, with room for cfg->nr_cpus vCPUs;
 * no other field of cfg is used. cfg must outlive the VM. -errno, nothing
 * printed: vm_bare_destroy() releases what was made.
 */
int vm_bare_create(struct vm *vm, const struct vm_config *cfg);

/*
 * Back [gpa, gpa + size) with fresh anonymous memory as memslot slot
 * (flags: KVM_MEM_READONLY, KVM_MEM_LOG_DIRTY_PAGES) and add it to vm->mem.
 * Returns the host address in *hva when hva is not NULL.
 */
int vm_bare_add_ram(struct vm *vm, u32 slot, u64 gpa, u64 size, u32 flags,
		    void **hva);

/*
 * Create vCPU id with its run area; no arch set-up (no CPUID, registers
 * as KVM resets them). The vCPU is vm->vcpus[vm->nr_vcpus - 1].
 */
int vm_bare_add_vcpu(struct vm *vm, unsigned int id, struct vcpu **vcpu);

/* Release vCPUs, memory and fds; safe on a partly created VM. */
void vm_bare_destroy(struct vm *vm);

#endif
