/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VCPU_H
#define LKVM_VCPU_H

#include <signal.h>

#include "vm.h"

/* The kick signal only interrupts KVM_RUN; its handler does nothing. */
#define VCPU_KICK_SIGNAL SIGUSR1

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id);
int vcpu_start(struct vcpu *vcpu);
/* Make the vCPU leave KVM_RUN soon (immediate_exit + signal). */
void vcpu_kick(struct vcpu *vcpu);
/*
 * By the vCPU thread: from now on (armed) or no longer, kicks signal this
 * thread. Arm before the first look at the stop flag.
 */
void vcpu_kick_arm(struct vcpu *vcpu, bool armed);
void vcpu_join(struct vcpu *vcpu);

/*
 * Ask the vCPU's thread to inject an NMI (arch_vcpu_nmi()) before it next
 * enters the guest, kicking it out of KVM_RUN; a paused vCPU takes it when
 * resumed. Any thread. -EOPNOTSUPP where the arch has no NMI.
 */
int vcpu_request_nmi(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);

/*
 * Handle one exit that is not the arch's. Returns 1 to keep running, -1
 * when the VM must stop (diagnostic printed, stop requested).
 */
int vcpu_handle_exit(struct vcpu *vcpu);

/*
 * --debug-single-step: KVM exits after each guest instruction (arm64,
 * x86). Prints one line on failure; -errno.
 */
int vcpu_single_step(struct vcpu *vcpu);

/* Print a fatal-exit diagnostic, dump registers and stop with status 1. */
void vcpu_fatal(struct vcpu *vcpu, const char *fmt, ...) __printf(2, 3);

#endif
