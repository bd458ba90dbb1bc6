// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid_wbnoinvd: KVM_GET_SUPPORTED_CPUID reports WBNOINVD (0x80000008
 * EBX bit 9) where the host CPU has it. Guards capabilities the host has
 * but KVM does not pass on.
 */
#include <cpuid.h>

#include "selftest.h"

#define WBNOINVD (1u << 9)

int main(void)
{
	struct kvm_cpuid_entry2 *e;
	u32 a, b, c, d;
	struct st_vm t;

	st_begin(&t, "cpuid_wbnoinvd",
		 "capabilities dropped: WBNOINVD missing from KVM_GET_SUPPORTED_CPUID");
	if (__get_cpuid_max(0x80000000, NULL) < 0x80000008)
		st_skip(&t, "host CPU has no leaf 0x80000008");
	__cpuid(0x80000008, a, b, c, d);
	(void)a; (void)c; (void)d;
	if (!(b & WBNOINVD))
		st_skip(&t, "host CPU lacks WBNOINVD (0x80000008 EBX 0x%08x)", b);
	st_vm_create(&t, NULL);
	e = st_cpuid_entry(t.cpuid, 0x80000008, 0);
	TEST_ASSERT(&t, e, "no leaf 0x80000008 in KVM_GET_SUPPORTED_CPUID");
	TEST_ASSERT(&t, e->ebx & WBNOINVD,
		    "host CPU has WBNOINVD, KVM_GET_SUPPORTED_CPUID 0x80000008 EBX 0x%08x lacks it",
		    e->ebx);
	st_pass(&t);
}
