// SPDX-License-Identifier: GPL-2.0
/*
 * test=cpuid[:LEAF]: what CPUID tells the guest.
 *
 *   cpuid: vendor VVVVVVVVVVVV max-leaf 0xN
 *   cpuid: leaf 0xLLLLLLLL.S eax=XXXXXXXX ebx=... ecx=... edx=...
 *   cpuid: hypervisor SSSSSSSSSSSS max-leaf 0xN   (when CPUID.1:ECX[31])
 *
 * Without LEAF the leaves 0x1 and 0x80000001 are printed; with it, that
 * leaf (sub-leaf 0, or LEAF.SUB).
 */
#include "guest.h"

static void print_leaf(u32 leaf, u32 sub)
{
	u32 a, b, c, d;

	cpuid(leaf, sub, &a, &b, &c, &d);
	printf("cpuid: leaf 0x%08x.%u eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
	       leaf, sub, a, b, c, d);
}

static void print_sig(const char *what, u32 leaf)
{
	u32 a, sig[3];
	char s[13];

	cpuid(leaf, 0, &a, &sig[0], &sig[1], &sig[2]);
	if (leaf == 0) {	/* vendor order: ebx, edx, ecx */
		u32 t = sig[1];

		sig[1] = sig[2];
		sig[2] = t;
	}
	memcpy(s, sig, 12);
	s[12] = '\0';
	printf("cpuid: %s %s max-leaf 0x%x\n", what, s, a);
}

static int test_cpuid(const struct boot_info *bi, const char *arg)
{
	u32 a, b, c, d;

	print_sig("vendor", 0);
	if (*arg) {
		const char *end;
		u32 leaf = (u32)strtou64(arg, &end), sub = 0;

		if (*end == '.')
			sub = (u32)strtou64(end + 1, &end);
		if (*end) {
			printf("cpuid: bad leaf '%s'\n", arg);
			return EXIT_USAGE;
		}
		print_leaf(leaf, sub);
		return EXIT_OK;
	}
	print_leaf(1, 0);
	print_leaf(0x80000001, 0);
	cpuid(1, 0, &a, &b, &c, &d);
	if (c & (1u << 31))
		print_sig("hypervisor", 0x40000000);
	return EXIT_OK;
}
GUEST_TEST("cpuid", test_cpuid);
