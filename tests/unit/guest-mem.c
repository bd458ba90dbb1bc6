// SPDX-License-Identifier: GPL-2.0
/* Tests for bounds-checked guest memory access (lib/guest-mem.c). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-mem.h"
#include "tap.h"

/* In a forked child, is [p, p + len) unmapped (free to map anew)? */
static bool not_in_child(u8 *p, u64 len)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (!pid)
		_exit(mmap(p, len, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			   -1, 0) == p ? 0 : 1);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/*
 * Does this system honour MADV_DONTFORK at all? qemu-user accepts the
 * advice and ignores it, and a kernel without CONFIG_ADVISE_SYSCALLS has
 * no madvise (guest_ram_map() then maps RAM without the advice).
 */
static bool dontfork_honoured(void)
{
	u8 *p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool yes;

	if (p == MAP_FAILED)
		return true;
	yes = !madvise(p, 0x1000, MADV_DONTFORK) && not_in_child(p, 0x1000);
	munmap(p, 0x1000);
	return yes;
}

/*
 * In a child whose madvise fails with ENOSYS, as on a kernel without
 * CONFIG_ADVISE_SYSCALLS: does guest_ram_map() still map RAM?
 */
static int maps_without_madvise(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (!pid) {
		u8 *p;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(2);
		if (!madvise(&status, 1, MADV_NORMAL) || errno != ENOSYS)
			_exit(3);
		p = guest_ram_map(0x200000);
		if (!p)
			_exit(1);
		p[0x1fffff] = 1;	/* all of it usable */
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);	/* 0 mapped, 1 not, 2 or 3: no filter */
}

int main(void)
{
	static u8 low[0x1000], high[0x1000], rom[0x100];
	struct guest_mem mem = { 0 };
	u8 buf[0x20];
	u64 avail;
	u8 *p;
	int i;

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

	/* Device stores: writable RAM only, all or nothing. */
	ok(guest_mem_add(&mem, 0x1000, sizeof(rom), rom, true) == 0,
	   "add a read-only region after low");
	memset(rom, 0x11, sizeof(rom));
	memset(buf, 0xcd, sizeof(buf));
	ok(guest_mem_store(&mem, 0xff0, buf, 0x10) == 0 && low[0xfff] == 0xcd,
	   "store into writable RAM");
	memset(low + 0xff0, 0, 0x10);
	ok(guest_mem_store(&mem, 0xff8, buf, 0x10) == -EFAULT &&
	   !low[0xff8] && rom[0] == 0x11,
	   "store running into read-only memory fails, nothing stored");
	ok(guest_mem_store(&mem, 0x10ff8, buf, 0x10) == -EFAULT,
	   "store past the last region fails");
	ok(guest_mem_write(&mem, 0x1000, buf, 1) == 0 && rom[0] == 0xcd,
	   "the VMM's own write still fills read-only memory");
	ok(guest_mem_ptr_rw(&mem, 0x1000, 1) == NULL &&
	   guest_mem_ptr(&mem, 0x1000, 1) == rom,
	   "no writable pointer into read-only memory");
	ok(guest_mem_ptr_rw(&mem, 0x10, 0x10) == low + 0x10 &&
	   guest_mem_ptr_rw(&mem, 0xff0, 0x20) == NULL &&
	   guest_mem_ptr_rw(&mem, 0x5000, 1) == NULL,
	   "writable pointers: in RAM, within one region");

	/* Anonymous guest RAM: aligned for huge pages, exactly size bytes. */
	for (avail = 0x1000; avail <= (8ULL << 20); avail <<= 11) {
		p = guest_ram_map(avail);
		ok(p && !((uintptr_t)p % GUEST_RAM_ALIGN),
		   "guest_ram_map(%llu KiB) is 2 MiB-aligned",
		   (unsigned long long)avail >> 10);
		if (!p)
			continue;
		memset(p, 0x5a, avail);
		ok(p[avail - 1] == 0x5a, "and all of it is usable");
		/* The trimmed tail is not ours: mapping it fixed-noreplace works. */
		ok(mmap(p + avail, 0x1000, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			0) == p + avail, "nothing mapped past its end");
		munmap(p + avail, 0x1000);
		if (dontfork_honoured())
			ok(not_in_child(p, avail),
			   "a forked child does not have it");
		else
			skip("madvise(MADV_DONTFORK) is missing or ignored here (qemu-user)",
			     "a forked child does not have it");
		guest_ram_advise_huge(p, avail);
		ok(p[0] == 0x5a, "the huge page advice keeps the contents");
		munmap(p, avail);
	}
	i = maps_without_madvise();
	if (i >= 2)
		skip("no seccomp filter here (qemu-user)",
		     "guest RAM is mapped where madvise is missing (ENOSYS)");
	else
		ok(!i, "guest RAM is mapped where madvise is missing (ENOSYS)");
	errno = 0;
	ok(!guest_ram_map(0) && errno == EINVAL, "guest_ram_map(0) refused");
	ok(!guest_ram_map(~0ULL - 0x1000) && errno == EINVAL,
	   "a size that wraps with the alignment slack is refused");
	return tap_done();
}
