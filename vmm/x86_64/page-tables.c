// SPDX-License-Identifier: GPL-2.0
/*
 * Boot GDT and identity-map page tables for entering a kernel in protected
 * or long mode without running any guest firmware.
 */
#include <string.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

/* Page-table entry bits. */
#define PTE_PRESENT	(1ULL << 0)
#define PTE_WRITE	(1ULL << 1)
#define PTE_LARGE	(1ULL << 7)	/* 2 MiB page in a PD entry */

#define PT_ENTRIES	512
#define NR_PDS		4		/* 4 x 1 GiB = the 32-bit space */

/*
 * A flat segment descriptor: base 0, limit 0xfffff in 4 KiB units.
 * access = P | DPL0 | S | type; flags = G | D/B or G | L.
 */
static u64 gdt_flat(u8 access, u8 flags)
{
	return 0xffffULL |			/* limit 15:0 */
	       (u64)access << 40 |
	       (0xfULL << 48) |			/* limit 19:16 */
	       (u64)(flags & 0xf) << 52;
}

#define ACC_CODE	0x9b	/* present, S, execute/read, accessed */
#define ACC_DATA	0x93	/* present, S, read/write, accessed */
#define FLG_G		0x8
#define FLG_DB		0x4
#define FLG_L		0x2

int x86_setup_gdt(const struct guest_mem *mem, struct boot_state *out)
{
	u64 gdt[X86_GDT_ENTRIES] = {
		[0] = 0,
		[X86_GDT_CODE32_SEL >> 3] = gdt_flat(ACC_CODE, FLG_G | FLG_DB),
		[X86_GDT_CODE64_SEL >> 3] = gdt_flat(ACC_CODE, FLG_G | FLG_L),
		[X86_GDT_DATA_SEL >> 3] = gdt_flat(ACC_DATA, FLG_G | FLG_DB),
	};
	u8 raw[sizeof(gdt)];
	unsigned int i, b;

	for (i = 0; i < ARRAY_SIZE(gdt); i++)
		for (b = 0; b < 8; b++)
			raw[i * 8 + b] = (u8)(gdt[i] >> (8 * b));
	out->gdt_base = X86_GDT_ADDR;
	out->gdt_limit = sizeof(raw) - 1;
	return x86_guest_write(mem, X86_GDT_ADDR, raw, sizeof(raw), out,
			       "boot GDT");
}

/*
 * PML4 at X86_PAGE_TABLES_ADDR, one PDPT after it, then NR_PDS page
 * directories of 2 MiB pages identity-mapping [0, 4 GiB).
 */
int x86_setup_page_tables(const struct guest_mem *mem,
			  struct boot_state *out)
{
	const u64 pml4 = X86_PAGE_TABLES_ADDR;
	const u64 pdpt = pml4 + SZ_4K;
	const u64 pd0 = pdpt + SZ_4K;
	u8 page[SZ_4K];
	unsigned int i, j;
	int ret;

	memset(page, 0, sizeof(page));
	put_le64(page, pdpt | PTE_PRESENT | PTE_WRITE);
	ret = x86_guest_write(mem, pml4, page, sizeof(page), out, "PML4");
	if (ret)
		return ret;

	memset(page, 0, sizeof(page));
	for (i = 0; i < NR_PDS; i++)
		put_le64(page + 8 * i,
			 (pd0 + i * SZ_4K) | PTE_PRESENT | PTE_WRITE);
	ret = x86_guest_write(mem, pdpt, page, sizeof(page), out, "PDPT");
	if (ret)
		return ret;

	for (i = 0; i < NR_PDS; i++) {
		for (j = 0; j < PT_ENTRIES; j++) {
			u64 phys = ((u64)i * PT_ENTRIES + j) * SZ_2M;

			put_le64(page + 8 * j,
				 phys | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
		}
		ret = x86_guest_write(mem, pd0 + i * SZ_4K, page, sizeof(page),
				      out, "page directory");
		if (ret)
			return ret;
	}
	out->cr3 = pml4;
	return 0;
}
