/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_GUEST_MEM_H
#define LKVM_GUEST_MEM_H

#include "types.h"

#define GUEST_MEM_MAX_REGIONS 8

/*
 * A guest-physical range backed by host memory. Regions never overlap and
 * are kept sorted by guest address.
 */
struct mem_region {
	u64 gpa;
	u64 size;
	u8 *hva;
	bool readonly;
};

/*
 * The guest's RAM as the VMM sees it. Everyone reaches guest memory through
 * these helpers: nobody adds a guest address to a host pointer by hand.
 * The table is filled before any vCPU or device thread starts and is
 * read-only afterwards, so lookups take no lock.
 */
struct guest_mem {
	struct mem_region regions[GUEST_MEM_MAX_REGIONS];
	unsigned int nr_regions;
};

/* Add a region; -EINVAL on overlap, wrap-around or a full table. */
int guest_mem_add(struct guest_mem *mem, u64 gpa, u64 size, void *hva,
		  bool readonly);

/* Region that contains gpa, or NULL. */
const struct mem_region *guest_mem_region(const struct guest_mem *mem,
					  u64 gpa);

/*
 * Host pointer for [gpa, gpa + len) when the whole range lies in one
 * region, else NULL. len 0 is refused.
 */
void *guest_mem_ptr(const struct guest_mem *mem, u64 gpa, u64 len);

/*
 * Host pointer for gpa and, in *avail, how many bytes from there are
 * contiguous in host memory (to the end of the region). NULL if gpa is not
 * guest RAM.
 */
void *guest_mem_ptr_avail(const struct guest_mem *mem, u64 gpa, u64 *avail);

/* Copies that may span regions; -EFAULT if any byte is not guest RAM. */
int guest_mem_read(const struct guest_mem *mem, u64 gpa, void *buf, u64 len);
int guest_mem_write(const struct guest_mem *mem, u64 gpa, const void *buf,
		    u64 len);

/*
 * A store a device makes for the guest (a channel program's input data):
 * as guest_mem_write(), but -EFAULT, with nothing stored, if any byte is
 * not writable guest RAM. guest_mem_write() is the VMM's own (loading
 * images, read-only regions included).
 */
int guest_mem_store(const struct guest_mem *mem, u64 gpa, const void *buf,
		    u64 len);

/* As guest_mem_ptr(), for a range the device will write: NULL if read-only. */
void *guest_mem_ptr_rw(const struct guest_mem *mem, u64 gpa, u64 len);

/* Total bytes of RAM in all regions. */
u64 guest_mem_total(const struct guest_mem *mem);

/* The huge page size guest RAM is aligned to (x86 and arm64 with 4K pages). */
#define GUEST_RAM_ALIGN (2ULL << 20)

/*
 * Anonymous guest RAM (private, MAP_NORESERVE) of size bytes at a host
 * address aligned to GUEST_RAM_ALIGN, so that a huge page of the host
 * backs a huge-page-aligned range of guest-physical memory. Unmap it with
 * munmap(p, size). NULL with errno set on failure.
 */
void *guest_ram_map(u64 size);

/*
 * Keep guest RAM out of the children lkvm forks (MADV_DONTFORK). Advice
 * only: without madvise in the host kernel RAM works the same.
 * guest_ram_map() gives it; RAM mapped another way (hugetlbfs) asks here.
 */
void guest_ram_advise_nofork(void *ram, u64 size);

/*
 * Ask for transparent huge pages on guest RAM (MADV_HUGEPAGE; the host's
 * THP setting decides). Returns whether the kernel took the advice; one
 * without THP refusing it is not an error (RAM works the same on small
 * pages), so callers may ignore the result.
 */
bool guest_ram_advise_huge(void *ram, u64 size);

#endif
