// SPDX-License-Identifier: GPL-2.0
/*
 * Harness test (run by harness-check.sh, which expects this to FAIL): a
 * guest assertion must be reported with its stage, file, line and values.
 */
#include "selftest.h"

void assert_fail_guest(void);

int main(void)
{
	struct st_vm t;

	st_begin(&t, "harness_assert_fail",
		 "the harness itself: guest assertions reported with stage, file and line");
	st_vm_create(&t, NULL);
	st_vcpu_entry(&t, t.vcpu, assert_fail_guest, 0);
	st_expect_sync(&t, t.vcpu, 1);
	st_expect_sync(&t, t.vcpu, 2);
	st_expect_done(&t, t.vcpu);
	st_pass(&t);
}
