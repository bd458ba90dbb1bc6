/* SPDX-License-Identifier: GPL-2.0 */
/* What msr_user_exit's host and guest share. */
#define MUE_MSR		0x5f5f5f5fu	/* no MSR KVM knows */
#define MUE_VALUE	0x1122334455667788ull
#define MUE_WVALUE	0x8877665544332211ull
