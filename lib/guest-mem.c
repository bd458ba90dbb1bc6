// SPDX-License-Identifier: GPL-2.0
/* Bounds-checked access to guest RAM. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "guest-mem.h"

int guest_mem_add(struct guest_mem *mem, u64 gpa, u64 size, void *hva,
		  bool readonly)
{
	unsigned int i, pos;

	if (!size || gpa + size < gpa || !hva ||
	    mem->nr_regions >= GUEST_MEM_MAX_REGIONS)
		return -EINVAL;
	for (i = 0; i < mem->nr_regions; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (gpa < r->gpa + r->size && r->gpa < gpa + size)
			return -EINVAL;
	}
	for (pos = 0; pos < mem->nr_regions; pos++)
		if (mem->regions[pos].gpa > gpa)
			break;
	memmove(&mem->regions[pos + 1], &mem->regions[pos],
		(mem->nr_regions - pos) * sizeof(mem->regions[0]));
	mem->regions[pos] = (struct mem_region){
		.gpa = gpa, .size = size, .hva = hva, .readonly = readonly,
	};
	mem->nr_regions++;
	return 0;
}

const struct mem_region *guest_mem_region(const struct guest_mem *mem,
					  u64 gpa)
{
	unsigned int i;

	for (i = 0; i < mem->nr_regions; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

void *guest_mem_ptr_avail(const struct guest_mem *mem, u64 gpa, u64 *avail)
{
	const struct mem_region *r = guest_mem_region(mem, gpa);

	if (!r)
		return NULL;
	*avail = r->size - (gpa - r->gpa);
	return r->hva + (gpa - r->gpa);
}

void *guest_mem_ptr(const struct guest_mem *mem, u64 gpa, u64 len)
{
	u64 avail;
	void *p;

	if (!len)
		return NULL;
	p = guest_mem_ptr_avail(mem, gpa, &avail);
	if (!p || len > avail)
		return NULL;
	return p;
}

static int guest_mem_copy(const struct guest_mem *mem, u64 gpa, void *buf,
			  u64 len, bool to_guest)
{
	u8 *b = buf;

	while (len) {
		u64 avail, n;
		u8 *p = guest_mem_ptr_avail(mem, gpa, &avail);

		if (!p)
			return -EFAULT;
		n = MIN(avail, len);
		if (to_guest)
			memcpy(p, b, n);
		else
			memcpy(b, p, n);
		b += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int guest_mem_read(const struct guest_mem *mem, u64 gpa, void *buf, u64 len)
{
	return guest_mem_copy(mem, gpa, buf, len, false);
}

int guest_mem_write(const struct guest_mem *mem, u64 gpa, const void *buf,
		    u64 len)
{
	return guest_mem_copy(mem, gpa, (void *)buf, len, true);
}

/* Is every byte of [gpa, gpa + len) in a writable region? */
static bool guest_mem_writable(const struct guest_mem *mem, u64 gpa, u64 len)
{
	while (len) {
		const struct mem_region *r = guest_mem_region(mem, gpa);
		u64 n;

		if (!r || r->readonly)
			return false;
		n = MIN(r->size - (gpa - r->gpa), len);
		gpa += n;
		len -= n;
	}
	return true;
}

int guest_mem_store(const struct guest_mem *mem, u64 gpa, const void *buf,
		    u64 len)
{
	if (!guest_mem_writable(mem, gpa, len))
		return -EFAULT;
	return guest_mem_write(mem, gpa, buf, len);
}

void *guest_mem_ptr_rw(const struct guest_mem *mem, u64 gpa, u64 len)
{
	const struct mem_region *r = guest_mem_region(mem, gpa);

	if (!r || r->readonly)
		return NULL;
	return guest_mem_ptr(mem, gpa, len);
}

u64 guest_mem_total(const struct guest_mem *mem)
{
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < mem->nr_regions; i++)
		total += mem->regions[i].size;
	return total;
}

void *guest_ram_map(u64 size)
{
	u64 len = size + GUEST_RAM_ALIGN, head, tail;
	u8 *p, *ram;

	if (!size || len < size || (size_t)len != len) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	ram = (u8 *)(((uintptr_t)p + GUEST_RAM_ALIGN - 1) &
		     ~(uintptr_t)(GUEST_RAM_ALIGN - 1));
	head = ram - p;
	tail = len - head - size;
	/* Trimming page-aligned ends of our own mapping cannot fail. */
	if ((head && munmap(p, head)) || (tail && munmap(ram + size, tail))) {
		int err = errno;

		munmap(p, len);
		errno = err;
		return NULL;
	}
	guest_ram_advise_nofork(ram, size);
	return ram;
}

void guest_ram_advise_nofork(void *ram, u64 size)
{
	/*
	 * A child lkvm forks (a tap script, the downscript helper, the
	 * main thread's helper) never touches guest RAM: without this, the
	 * fork copies its page tables and makes every page copy-on-write
	 * for the running guest. Only advice: a kernel without
	 * CONFIG_ADVISE_SYSCALLS has no madvise.
	 */
	(void)madvise(ram, size, MADV_DONTFORK);
}

bool guest_ram_advise_huge(void *ram, u64 size)
{
	return madvise(ram, size, MADV_HUGEPAGE) == 0;
}
