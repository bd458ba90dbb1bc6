// SPDX-License-Identifier: GPL-2.0
/*
 * Identity mappings beyond the first 4 GiB: more 2 MiB-page directories
 * under the live PDPT (ours or the loader's), which covers 512 GiB.
 */
#include "guest.h"

#define PTE_P_W		0x007ULL
#define PDE_2M		0x087ULL
#define PTE_ADDR	0x000ffffffffff000ULL
#define GIB		(1ULL << 30)

static u64 read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static void write_cr3(u64 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* Identity-map [0, end) (end rounded up to 1 GiB). 0 or -1. */
int map_identity(u64 end)
{
	u64 *pml4 = (u64 *)(read_cr3() & PTE_ADDR);
	u64 *pdpt, gib;
	unsigned int i;

	if (end > 512 * GIB || !(pml4[0] & 1))
		return -1;
	pdpt = (u64 *)(pml4[0] & PTE_ADDR);
	for (gib = 0; gib * GIB < end; gib++) {
		u64 *pd;

		if (pdpt[gib] & 1)
			continue;
		pd = page_alloc(1);
		if (!pd)
			return -1;
		for (i = 0; i < 512; i++)
			pd[i] = (gib * GIB + ((u64)i << 21)) | PDE_2M;
		pdpt[gib] = (u64)pd | PTE_P_W;
	}
	write_cr3(read_cr3());
	return 0;
}
