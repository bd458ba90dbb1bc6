// SPDX-License-Identifier: GPL-2.0
/*
 * msr_user_exit: with KVM_CAP_X86_USER_SPACE_MSR (KVM_MSR_EXIT_REASON_
 * UNKNOWN) lkvm takes over MSRs KVM does not know: one exit per access
 * with the right index and data, the value userspace gives is what the
 * guest reads, an error from userspace is a #GP. Guards exits completed
 * twice or never and capabilities reported but unusable.
 */
#include <sys/ioctl.h>

#include "selftest.h"
#include "msr_user_exit.h"

void msr_user_exit_guest(void);

static struct kvm_run *expect_msr(struct st_vm *t, u32 reason)
{
	struct kvm_run *run = t->vcpu->run;
	char want[64];

	st_exit_str(reason, want, sizeof(want));
	if (st_run(t, t->vcpu) != reason)
		st_fail_exit(t, t->vcpu, want);
	TEST_ASSERT(t, run->msr.index == MUE_MSR, "index 0x%x", run->msr.index);
	TEST_ASSERT(t, run->msr.reason == KVM_MSR_EXIT_REASON_UNKNOWN,
		    "reason %u", run->msr.reason);
	return run;
}

int main(void)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.args = { KVM_MSR_EXIT_REASON_UNKNOWN },
	};
	struct kvm_run *run;
	struct st_vm t;

	st_begin(&t, "msr_user_exit",
		 "exits completed twice or never: unknown MSRs handed to userspace once, its answer delivered");
	st_vm_create(&t, NULL);
	st_require_cap(&t, KVM_CAP_X86_USER_SPACE_MSR,
		       "KVM_CAP_X86_USER_SPACE_MSR");
	st_vcpu_entry(&t, t.vcpu, msr_user_exit_guest, 0);
	st_expect_sync(&t, t.vcpu, 1);
	if (ioctl(t.vm.vm_fd, KVM_ENABLE_CAP, &cap))
		st_fail(&t, "KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR): %m");

	run = expect_msr(&t, KVM_EXIT_X86_RDMSR);
	run->msr.data = MUE_VALUE;
	run->msr.error = 0;
	run = expect_msr(&t, KVM_EXIT_X86_WRMSR);
	TEST_ASSERT(&t, run->msr.data == MUE_WVALUE, "wrmsr data 0x%llx",
		    (unsigned long long)run->msr.data);
	run->msr.error = 0;
	st_expect_sync(&t, t.vcpu, 2);

	run = expect_msr(&t, KVM_EXIT_X86_RDMSR);
	run->msr.error = 1;
	run = expect_msr(&t, KVM_EXIT_X86_WRMSR);
	run->msr.error = 1;
	st_expect_done(&t, t.vcpu);
	st_pass(&t);
}
