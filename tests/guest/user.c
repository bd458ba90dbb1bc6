// SPDX-License-Identifier: GPL-2.0
/*
 * Running code at CPL3. On hosts where KVM emulates guest kernel code
 * (HOST-NOTES.md) user code runs natively, hundreds of times faster: heavy
 * loops (checksums of large buffers) belong there. The whole 4 GiB
 * identity map is made user-accessible; user code may read and write any
 * memory but not do port I/O or other privileged work (that raises #GP,
 * reported like any exception). BSP only.
 */
#include "guest.h"

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

#define PTE_USER	0x4ULL
#define PTE_ADDR	0x000ffffffffff000ULL


static struct tss64 tss __aligned(16);
static u8 kstack[4096] __aligned(16);
static bool user_ready;

/* Set the user bit on the identity map: PML4[0], PDPT[0..3], their PDs. */
static void map_user(void)
{
	u64 cr3, *pml4, *pdpt;
	unsigned int i, j;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (u64 *)(cr3 & PTE_ADDR);
	pml4[0] |= PTE_USER;
	pdpt = (u64 *)(pml4[0] & PTE_ADDR);
	for (i = 0; i < 4; i++) {
		u64 *pd;

		if ((pdpt[i] & PTE_USER) || !(pdpt[i] & 1))
			continue;
		pdpt[i] |= PTE_USER;
		pd = (u64 *)(pdpt[i] & PTE_ADDR);
		for (j = 0; j < 512; j++)
			pd[j] |= PTE_USER;
	}
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

static void user_init(void)
{
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;
	u64 cr4;

	tss.rsp[0] = (u64)(kstack + sizeof(kstack));
	tss.iomap_base = sizeof(tss);
	/* 64-bit available TSS, present, DPL 0. */
	gdt[SEL_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
			   0x89ULL << 40 | ((limit >> 16) & 0xf) << 48 |
			   ((base >> 24) & 0xff) << 56;
	gdt[SEL_TSS / 8 + 1] = base >> 32;
	asm volatile("ltr %w0" : : "r"(SEL_TSS));
	/* No SMEP/SMAP: kernel code and data share the user mapping. */
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 & (3ULL << 20))
		asm volatile("mov %0, %%cr4" : : "r"(cr4 & ~(3ULL << 20)));
	map_user();
	user_ready = true;
}

u64 run_user(u64 (*fn)(u64), u64 arg)
{
	static u8 *stack;

	if (!user_ready)
		user_init();
	if (!stack)
		stack = page_alloc(4);
	if (!stack)
		panic("run_user: no memory for the user stack");
	return run_user_asm(fn, arg, stack + 4 * PAGE_SIZE);
}
