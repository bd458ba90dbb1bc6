// SPDX-License-Identifier: GPL-2.0
/*
 * cpu-features: which vector features static glibc code will use here, as
 * glibc itself decides (after GLIBC_TUNABLES), the same decision busybox
 * makes. Prints "NAME=0|1" for each; exit status 0.
 */
#include <stdio.h>
#include <sys/platform/x86.h>

int main(void)
{
	printf("AVX=%d AVX2=%d AVX512F=%d AVX512VL=%d AVX512BW=%d\n",
	       CPU_FEATURE_ACTIVE(AVX) ? 1 : 0,
	       CPU_FEATURE_ACTIVE(AVX2) ? 1 : 0,
	       CPU_FEATURE_ACTIVE(AVX512F) ? 1 : 0,
	       CPU_FEATURE_ACTIVE(AVX512VL) ? 1 : 0,
	       CPU_FEATURE_ACTIVE(AVX512BW) ? 1 : 0);
	return 0;
}
