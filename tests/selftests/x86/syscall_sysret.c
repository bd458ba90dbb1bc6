// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_sysret: SYSCALL from CPL3 enters the LSTAR handler at CPL0 with
 * CS/SS from STAR, RCX/R11 holding the return RIP/RFLAGS and SFMASK
 * applied; SYSRETQ returns to CPL3 with STAR's user selectors. Guards
 * privilege transitions done halfway (a user syscall that stays at CPL3).
 */
#include "selftest.h"

void syscall_sysret_guest(void);

int main(void)
{
	struct st_vm t;

	st_begin(&t, "syscall_sysret",
		 "privilege transitions done halfway: SYSCALL must reach CPL0, SYSRET CPL3");
	st_vm_create(&t, NULL);
	st_vcpu_entry(&t, t.vcpu, syscall_sysret_guest, 0);
	st_expect_sync(&t, t.vcpu, 1);
	st_expect_sync(&t, t.vcpu, 2);
	st_expect_sync(&t, t.vcpu, 3);
	st_expect_sync(&t, t.vcpu, 4);
	st_expect_done(&t, t.vcpu);
	st_pass(&t);
}
