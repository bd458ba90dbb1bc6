// SPDX-License-Identifier: GPL-2.0
/*
 * test=memtest: every e820 RAM range is real, distinct memory. One word
 * per MiB (at a varying offset) above the guest's own image and
 * allocations gets a pattern derived from its address; then all are read
 * back and restored. Ranges above 4 GiB are identity-mapped first.
 *
 *   memtest: N MiB in R ranges, highest address 0x...
 *   memtest: ok
 *   memtest: mismatch at 0x... : got 0x... want 0x...   (status 1)
 */
#include "guest.h"

#define STEP		(1ULL << 20)
#define PATTERN		0x5a17c0de00000000ULL

static u64 probe_addr(u64 base)
{
	/* Vary the offset so pages, not just MiB boundaries, are hit. */
	return base + (((base >> 20) * 0x1238) & (STEP - 8));
}

/* Walk the probe addresses; pass 0 writes, pass 1 checks and restores. */
static int walk(const struct boot_info *bi, u64 floor, int pass, u64 *saved,
		unsigned long nsaved, unsigned long *count)
{
	unsigned int i;
	unsigned long n = 0;

	for (i = 0; i < bi->nr_e820; i++) {
		const struct e820_entry *e = &bi->e820[i];
		u64 a, end = e->addr + e->size;

		if (e->type != 1)
			continue;
		for (a = ALIGN_UP(e->addr < floor ? floor : e->addr, STEP);
		     a + STEP <= end; a += STEP, n++) {
			volatile u64 *p = (volatile u64 *)probe_addr(a);
			u64 want = PATTERN ^ (u64)p;

			if (n >= nsaved)
				return -1;
			if (pass == 0) {
				saved[n] = *p;
				*p = want;
			} else {
				u64 got = *p;

				*p = saved[n];
				if (got != want) {
					printf("memtest: mismatch at 0x%lx: got 0x%lx want 0x%lx\n",
					       (u64)p, got, want);
					return -1;
				}
			}
		}
	}
	*count = n;
	return 0;
}

static int test_memtest(const struct boot_info *bi, const char *arg)
{
	u64 top = 0, floor;
	unsigned long n, nsaved, ranges = 0;
	unsigned int i;
	u64 *saved;

	if (!bi->nr_e820) {
		printf("memtest: no memory map\n");
		return EXIT_FAIL;
	}
	for (i = 0; i < bi->nr_e820; i++) {
		if (bi->e820[i].type != 1)
			continue;
		ranges++;
		if (bi->e820[i].addr + bi->e820[i].size > top)
			top = bi->e820[i].addr + bi->e820[i].size;
	}
	if (map_identity(top)) {
		printf("memtest: cannot map up to 0x%lx\n", top);
		return EXIT_FAIL;
	}
	/* One saved word per MiB; the buffer itself sits below the floor. */
	nsaved = top / STEP + 1;
	saved = page_alloc(ALIGN_UP(nsaved * 8, PAGE_SIZE) / PAGE_SIZE);
	floor = (u64)page_alloc(1);
	if (!saved || !floor) {
		printf("memtest: out of memory\n");
		return EXIT_FAIL;
	}
	if (walk(bi, floor, 0, saved, nsaved, &n) ||
	    walk(bi, floor, 1, saved, nsaved, &n))
		return EXIT_FAIL;
	printf("memtest: %lu MiB in %lu ranges, highest address 0x%lx\n", n,
	       ranges, top - 1);
	printf("memtest: ok\n");
	return EXIT_OK;
}
GUEST_TEST("memtest", test_memtest);
