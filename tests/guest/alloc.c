// SPDX-License-Identifier: GPL-2.0
/*
 * Bump allocator for page-aligned buffers in guest RAM: from the end of the
 * image up to the end of its RAM range (below 4 GiB, the part that is
 * identity mapped), skipping the initrd.
 */
#include "guest.h"

/* Without a memory map (flat image) assume this much RAM. */
#define FALLBACK_RAM_END	0x800000UL
#define MAP_END			0x100000000ULL

static u64 alloc_next, alloc_end;

void alloc_init(const struct boot_info *bi)
{
	u64 start = ALIGN_UP((u64)_end, PAGE_SIZE);
	u64 end = 0, ird_end;
	unsigned int i;

	if (start < 0x100000)
		start = 0x100000;
	if (!bi->nr_e820) {
		alloc_next = start;
		alloc_end = FALLBACK_RAM_END;
		return;
	}
	for (i = 0; i < bi->nr_e820; i++) {
		const struct e820_entry *e = &bi->e820[i];

		if (e->type == 1 && e->addr <= start &&
		    start < e->addr + e->size) {
			end = e->addr + e->size;
			break;
		}
	}
	if (end > MAP_END)
		end = MAP_END;
	ird_end = bi->initrd_addr + bi->initrd_size;
	if (bi->initrd_size && bi->initrd_addr < end && ird_end > start) {
		if (bi->initrd_addr >= start + PAGE_SIZE)
			end = bi->initrd_addr;
		else
			start = ALIGN_UP(ird_end, PAGE_SIZE);
	}
	alloc_next = start;
	alloc_end = end & ~(PAGE_SIZE - 1);
}

void *page_alloc(unsigned long npages)
{
	static spinlock_t lock;
	u64 p, size = npages * PAGE_SIZE;

	spin_lock(&lock);
	if (!npages || alloc_next >= alloc_end ||
	    size > alloc_end - alloc_next) {
		spin_unlock(&lock);
		return NULL;
	}
	p = alloc_next;
	alloc_next += size;
	spin_unlock(&lock);
	return (void *)p;
}

void *page_zalloc(unsigned long npages)
{
	void *p = page_alloc(npages);

	if (p)
		memset(p, 0, npages * PAGE_SIZE);
	return p;
}
