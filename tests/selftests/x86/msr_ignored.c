// SPDX-License-Identifier: GPL-2.0
/*
 * msr_ignored: the MSRs KVM ignores (AMD's EX_CFG 0xc001102c and its
 * neighbours, kvm_{get,set}_msr_common in every kernel since they were
 * added) read as 0 and take writes without a #GP in the guest: guards
 * capabilities reported but unusable (a guest kernel that touches them
 * panics on #GP).
 */
#include "selftest.h"

extern const u32 msr_ignored_list[4];
void msr_ignored_guest(void);

int main(void)
{
	struct st_vm t;
	unsigned int i;

	st_begin(&t, "msr_ignored",
		 "capabilities reported but unusable: ignored MSRs (EX_CFG) must not #GP");
	st_vm_create(&t, NULL);
	st_vcpu_entry(&t, t.vcpu, msr_ignored_guest, 0);
	for (i = 0; i < ARRAY_SIZE(msr_ignored_list); i++)
		st_expect_sync(&t, t.vcpu, msr_ignored_list[i]);
	st_expect_done(&t, t.vcpu);
	st_pass(&t);
}
