/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARCH_H
#define LKVM_ARCH_H

#include <stdio.h>

#include "types.h"

/*
 * What an architecture provides to the common VM core. Each arch implements
 * these in vmm/<arch>/; the Makefile picks the arch's files, so common
 * code never tests the architecture.
 */
struct vm;
struct vcpu;

/* RAM layout: guest-physical regions for ram_size bytes (holes applied). */
struct ram_range {
	u64 gpa;
	u64 size;
};
#define ARCH_MAX_RAM_RANGES 4
int arch_ram_ranges(u64 ram_size, struct ram_range *ranges);

/* VM-wide set-up after the memslots exist (irqchip, timers, ...). */
int arch_vm_init(struct vm *vm);
/*
 * The arch's KVM device descriptors the seccomp filters name, after
 * arch_vm_init() (s390x: the FLIC's; the others leave them -1).
 */
struct sc_kvm_fds;
void arch_filter_fds(const struct vm *vm, struct sc_kvm_fds *fds);
/* Legacy/platform devices (UARTs, RTC, ...). */
int arch_devices_init(struct vm *vm);
/* Load the kernel/initrd and firmware tables; stores vCPU 0's boot state. */
int arch_load_guest(struct vm *vm);
/* Per-vCPU set-up (CPUID, MSRs, LAPIC); vCPU 0 gets the boot state. */
int arch_vcpu_init(struct vcpu *vcpu);
/*
 * Whether the vCPU may enter KVM_RUN. False while the guest has it stopped
 * (s390x before SIGP START/RESTART): the common loop then parks it until
 * vm_wake_vcpus() or the stop. Architectures whose KVM holds unstarted
 * CPUs itself (x86, arm64) return true.
 */
bool arch_vcpu_runnable(struct vcpu *vcpu);

/*
 * Arch-specific exits. Returns 1 when handled and the vCPU should go on,
 * 0 when the exit is not the arch's, or -1 when the VM must stop (the
 * handler has printed the diagnostic and requested the stop).
 */
int arch_handle_exit(struct vcpu *vcpu);
/*
 * An NMI for `lkvm debug --nmi`: arch_has_nmi() says whether lkvm can
 * inject one here; arch_vcpu_nmi() does it, on the vCPU's own thread
 * (-errno; -EOPNOTSUPP where there is none).
 */
bool arch_has_nmi(void);
int arch_vcpu_nmi(struct vcpu *vcpu);
/* Registers and whatever else helps: to out, or on stderr when NULL. */
void arch_dump_vcpu(struct vcpu *vcpu, FILE *out);
/* Counters worth showing at exit with --loglevel info. */
void arch_report_stats(struct vm *vm);
/*
 * --jail (include/jail.h), before the pivot: what the arch would read
 * from the host's files later (dlopen()ed libraries, /sys), read now into
 * cfg or the process: the jail's root has none of them.
 */
struct vm_config;
void arch_jail_prepare(struct vm_config *cfg);
void arch_vm_destroy(struct vm *vm);

#endif
