// SPDX-License-Identifier: GPL-2.0
/* Guest of the harness test: a deliberately failing assertion at stage 2. */
#include "guest.h"

volatile u64 assert_fail_value = 41;

void assert_fail_guest(void)
{
	GUEST_SYNC(1);
	GUEST_SYNC(2);
	GUEST_ASSERT_EQ(assert_fail_value, 42); /* HARNESS-ASSERT-LINE */
	GUEST_DONE();
}
