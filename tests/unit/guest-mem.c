// SPDX-License-Identifier: GPL-2.0
/* Tests for bounds-checked guest memory access (lib/guest-mem.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest-mem.h"
#include "tap.h"

int main(void)
{
	static u8 low[0x1000], high[0x1000];
	struct guest_mem mem = { 0 };
	u8 buf[0x20];
	u64 avail;
	u8 *p;

	ok(guest_mem_add(&mem, 0x10000, sizeof(high), high, false) == 0,
	   "add high region");
	ok(guest_mem_add(&mem, 0x0, sizeof(low), low, false) == 0,
	   "add low region out of order");
	ok(mem.regions[0].gpa == 0 && mem.regions[1].gpa == 0x10000,
	   "regions kept sorted");
	ok(guest_mem_add(&mem, 0x800, 0x1000, buf, false) == -EINVAL,
	   "overlapping region refused");
	ok(guest_mem_add(&mem, ~0ULL - 10, 0x100, buf, false) == -EINVAL,
	   "wrapping region refused");
	ok(guest_mem_add(&mem, 0x20000, 0, buf, false) == -EINVAL,
	   "empty region refused");

	ok(guest_mem_ptr(&mem, 0x10, 0x10) == low + 0x10, "pointer in low");
	ok(guest_mem_ptr(&mem, 0x10ff0, 0x10) == high + 0xff0,
	   "pointer at the end of high");
	ok(guest_mem_ptr(&mem, 0x10ff0, 0x11) == NULL,
	   "range past a region's end refused");
	ok(guest_mem_ptr(&mem, 0xff0, 0x20) == NULL,
	   "range into the hole refused");
	ok(guest_mem_ptr(&mem, 0x5000, 1) == NULL, "address in the hole refused");
	ok(guest_mem_ptr(&mem, 0x10, 0) == NULL, "zero length refused");
	ok(guest_mem_ptr(&mem, ~0ULL, 2) == NULL, "top of address space refused");

	p = guest_mem_ptr_avail(&mem, 0xf00, &avail);
	ok(p == low + 0xf00 && avail == 0x100, "contiguous length reported");

	memset(buf, 0xab, sizeof(buf));
	ok(guest_mem_write(&mem, 0xff0, buf, 0x10) == 0 && low[0xfff] == 0xab,
	   "write up to a region's end");
	ok(guest_mem_write(&mem, 0xff0, buf, 0x20) == -EFAULT,
	   "write into the hole fails");
	ok(guest_mem_read(&mem, 0x10ff8, buf, 0x10) == -EFAULT,
	   "read past the last region fails");
	ok(guest_mem_read(&mem, 0xff0, buf, 0x10) == 0 && buf[0] == 0xab,
	   "read back");
	ok(guest_mem_total(&mem) == 0x2000, "total RAM");
	return tap_done();
}
