// SPDX-License-Identifier: GPL-2.0
/* Names for KVM's numeric exit reasons, for diagnostics people can read. */
#include <linux/kvm.h>

#include "kvm-names.h"

struct exit_name {
	u32 reason;
	const char *name;
};

#define EXIT(x) { x, #x }

static const struct exit_name exit_names[] = {
	EXIT(KVM_EXIT_UNKNOWN),
	EXIT(KVM_EXIT_EXCEPTION),
	EXIT(KVM_EXIT_IO),
	EXIT(KVM_EXIT_HYPERCALL),
	EXIT(KVM_EXIT_DEBUG),
	EXIT(KVM_EXIT_HLT),
	EXIT(KVM_EXIT_MMIO),
	EXIT(KVM_EXIT_IRQ_WINDOW_OPEN),
	EXIT(KVM_EXIT_SHUTDOWN),
	EXIT(KVM_EXIT_FAIL_ENTRY),
	EXIT(KVM_EXIT_INTR),
	EXIT(KVM_EXIT_SET_TPR),
	EXIT(KVM_EXIT_TPR_ACCESS),
	EXIT(KVM_EXIT_S390_SIEIC),
	EXIT(KVM_EXIT_S390_RESET),
	EXIT(KVM_EXIT_DCR),
	EXIT(KVM_EXIT_NMI),
	EXIT(KVM_EXIT_INTERNAL_ERROR),
	EXIT(KVM_EXIT_OSI),
	EXIT(KVM_EXIT_PAPR_HCALL),
	EXIT(KVM_EXIT_S390_UCONTROL),
	EXIT(KVM_EXIT_WATCHDOG),
	EXIT(KVM_EXIT_S390_TSCH),
	EXIT(KVM_EXIT_EPR),
	EXIT(KVM_EXIT_SYSTEM_EVENT),
	EXIT(KVM_EXIT_S390_STSI),
	EXIT(KVM_EXIT_IOAPIC_EOI),
	EXIT(KVM_EXIT_HYPERV),
	EXIT(KVM_EXIT_ARM_NISV),
	EXIT(KVM_EXIT_X86_RDMSR),
	EXIT(KVM_EXIT_X86_WRMSR),
	EXIT(KVM_EXIT_DIRTY_RING_FULL),
	EXIT(KVM_EXIT_AP_RESET_HOLD),
	EXIT(KVM_EXIT_X86_BUS_LOCK),
	EXIT(KVM_EXIT_XEN),
	EXIT(KVM_EXIT_RISCV_SBI),
	EXIT(KVM_EXIT_RISCV_CSR),
	EXIT(KVM_EXIT_NOTIFY),
};

const char *kvm_exit_name(u32 reason)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(exit_names); i++)
		if (exit_names[i].reason == reason)
			return exit_names[i].name;
	return "KVM_EXIT_<unknown>";
}

const char *kvm_internal_error_name(u32 suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "emulation failure";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception during exception delivery";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "event delivery failed";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "unexpected hardware exit reason";
	default:
		return "unknown suberror";
	}
}

const char *kvm_system_event_name(u32 type)
{
	switch (type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return "shutdown";
	case KVM_SYSTEM_EVENT_RESET:
		return "reset";
	case KVM_SYSTEM_EVENT_CRASH:
		return "crash";
	case KVM_SYSTEM_EVENT_WAKEUP:
		return "wakeup";
	case KVM_SYSTEM_EVENT_SUSPEND:
		return "suspend";
	default:
		return "unknown";
	}
}
