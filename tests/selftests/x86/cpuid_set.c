// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid_set: what the guest's CPUID returns is what KVM_SET_CPUID2 set,
 * for every leaf (bits KVM computes from guest state masked: OSXSAVE, APIC,
 * OSPKE, XSAVE sizes). Here the host sets the supported CPUID plus a
 * hypervisor leaf and clears CX16. Guards capabilities reported but
 * unusable (a guest seeing features its VMM did not give).
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "selftest.h"

#define CPUID_SET_MAX 256
extern u32 cpuid_set_nr;
extern u32 cpuid_set_query[CPUID_SET_MAX][2];
extern u32 cpuid_set_result[CPUID_SET_MAX][4];
void cpuid_set_guest(void);

/* Bits that follow guest state rather than the CPUID table. */
static u32 dynamic_mask(u32 fn, u32 idx, int reg)
{
	if (fn == 1 && reg == 2)
		return 1u << 27;		/* OSXSAVE */
	if (fn == 1 && reg == 3)
		return 1u << 9;			/* APIC enabled */
	if (fn == 7 && idx == 0 && reg == 2)
		return 1u << 4;			/* OSPKE */
	if (fn == 0xd && idx <= 1 && reg == 1)
		return ~0u;			/* XSAVE area size for XCR0 */
	return 0;
}

int main(void)
{
	static const char *const regs[] = { "eax", "ebx", "ecx", "edx" };
	struct kvm_cpuid_entry2 *e;
	unsigned int i, r, bad = 0;
	struct st_vm t;
	char first[96] = "";

	st_begin(&t, "cpuid_set",
		 "capabilities reported but unusable: guest CPUID differs from KVM_SET_CPUID2");
	st_vm_create(&t, NULL);
	/* CX16 off, and a hypervisor leaf of our own. */
	e = st_cpuid_entry(t.cpuid, 1, 0);
	if (e)
		e->ecx &= ~(1u << 13);
	e = st_cpuid_entry(t.cpuid, 0x40000000, 0);
	if (e) {
		e->eax = 0x40000000;
		memcpy(&e->ebx, "lkvm", 4);
		memcpy(&e->ecx, "SELF", 4);
		memcpy(&e->edx, "TEST", 4);
	}
	if (ioctl(t.vcpu->fd, KVM_SET_CPUID2, t.cpuid))
		st_fail(&t, "KVM_SET_CPUID2: %m");
	cpuid_set_nr = MIN(t.cpuid->nent, (u32)CPUID_SET_MAX);
	for (i = 0; i < cpuid_set_nr; i++) {
		cpuid_set_query[i][0] = t.cpuid->entries[i].function;
		cpuid_set_query[i][1] = t.cpuid->entries[i].index;
	}
	ST_TO_GUEST(&t, cpuid_set_nr);
	ST_TO_GUEST(&t, cpuid_set_query);
	st_vcpu_entry(&t, t.vcpu, cpuid_set_guest, 0);
	st_expect_done(&t, t.vcpu);
	ST_FROM_GUEST(&t, cpuid_set_result);

	for (i = 0; i < cpuid_set_nr; i++) {
		struct kvm_cpuid_entry2 *s = &t.cpuid->entries[i];
		u32 set[4] = { s->eax, s->ebx, s->ecx, s->edx };

		for (r = 0; r < 4; r++) {
			u32 m = ~dynamic_mask(s->function, s->index, r);
			u32 got = cpuid_set_result[i][r];

			if ((got & m) == (set[r] & m))
				continue;
			printf("# leaf 0x%x.%u %s: set 0x%08x, guest sees 0x%08x (extra 0x%08x, missing 0x%08x)\n",
			       s->function, s->index, regs[r], set[r], got,
			       got & ~set[r] & m, set[r] & ~got & m);
			if (!bad++)
				snprintf(first, sizeof(first),
					 "leaf 0x%x.%u %s", s->function,
					 s->index, regs[r]);
		}
	}
	if (bad)
		st_fail(&t, "%u CPUID registers differ from what KVM_SET_CPUID2 set (first: %s)",
			bad, first);
	printf("# %u leaves match\n", cpuid_set_nr);
	st_pass(&t);
}
