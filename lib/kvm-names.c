// SPDX-License-Identifier: GPL-2.0
/* Names for KVM's numeric exit reasons, for diagnostics people can read. */
#include <linux/kvm.h>

#include "kvm-names.h"

struct kvm_name {
	u32 value;
	const char *name;
};

#define EXIT(x) { x, #x }

static const struct kvm_name exit_names[] = {
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

static const struct kvm_name internal_error_names[] = {
	{ KVM_INTERNAL_ERROR_EMULATION, "emulation failure" },
	{ KVM_INTERNAL_ERROR_SIMUL_EX, "exception during exception delivery" },
	{ KVM_INTERNAL_ERROR_DELIVERY_EV, "event delivery failed" },
	{ KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
	  "unexpected hardware exit reason" },
};

static const struct kvm_name system_event_names[] = {
	{ KVM_SYSTEM_EVENT_SHUTDOWN, "shutdown" },
	{ KVM_SYSTEM_EVENT_RESET, "reset" },
	{ KVM_SYSTEM_EVENT_CRASH, "crash" },
	{ KVM_SYSTEM_EVENT_WAKEUP, "wakeup" },
	{ KVM_SYSTEM_EVENT_SUSPEND, "suspend" },
};

static const char *kvm_name_of(const struct kvm_name *t, size_t n, u32 v,
			       const char *unknown)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return unknown;
}

const char *kvm_exit_name(u32 reason)
{
	return kvm_name_of(exit_names, ARRAY_SIZE(exit_names), reason,
			   "KVM_EXIT_<unknown>");
}

const char *kvm_internal_error_name(u32 suberror)
{
	return kvm_name_of(internal_error_names,
			   ARRAY_SIZE(internal_error_names), suberror,
			   "unknown suberror");
}

const char *kvm_system_event_name(u32 type)
{
	return kvm_name_of(system_event_names, ARRAY_SIZE(system_event_names),
			   type, "unknown");
}
