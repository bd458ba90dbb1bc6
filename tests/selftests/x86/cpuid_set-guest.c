// SPDX-License-Identifier: GPL-2.0
/* Guest of cpuid_set: run CPUID for every leaf the host set. */
#include "guest.h"

#define CPUID_SET_MAX 256

u32 cpuid_set_nr;
u32 cpuid_set_query[CPUID_SET_MAX][2];	/* function, index */
u32 cpuid_set_result[CPUID_SET_MAX][4];	/* eax, ebx, ecx, edx */

void cpuid_set_guest(void)
{
	u32 i;

	GUEST_ASSERT(cpuid_set_nr <= CPUID_SET_MAX);
	for (i = 0; i < cpuid_set_nr; i++)
		st_cpuid(cpuid_set_query[i][0], cpuid_set_query[i][1],
			 &cpuid_set_result[i][0], &cpuid_set_result[i][1],
			 &cpuid_set_result[i][2], &cpuid_set_result[i][3]);
	GUEST_DONE();
}
