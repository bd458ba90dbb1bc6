// SPDX-License-Identifier: GPL-2.0
/*
 * user_exception: a #DE and a #PF raised at CPL3 are delivered through the
 * guest's IDT at CPL0, on the TSS.RSP0 stack, with the user CS/SS/RIP/RSP
 * in the frame and CR2/error code right; IRETQ resumes CPL3. Guards
 * privilege transitions done halfway.
 */
#include "selftest.h"

void user_exception_guest(void);

int main(void)
{
	struct st_vm t;

	st_begin(&t, "user_exception",
		 "privilege transitions done halfway: CPL3 exceptions via the IDT onto TSS.RSP0 at CPL0");
	st_vm_create(&t, NULL);
	st_vcpu_entry(&t, t.vcpu, user_exception_guest, 0);
	st_expect_sync(&t, t.vcpu, 1);
	st_expect_sync(&t, t.vcpu, 2);
	st_expect_sync(&t, t.vcpu, 3);
	st_expect_done(&t, t.vcpu);
	st_pass(&t);
}
