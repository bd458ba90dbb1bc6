// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vmm/x86_64/e820.c (x86_build_mem_map) and for the memory
 * map as the guest sees it in the zero page and the PVH memmap, including
 * RAM split around the 3 GiB hole. Guest RAM for the loads is small: the
 * map may describe more than is backed, as long as nothing is placed there.
 */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "x86-images.h"

struct expect {
	u64 addr, size;
	u32 type;
};

static bool map_is(const struct x86_mem_map *m, const struct expect *e,
		   unsigned int n)
{
	unsigned int i;

	if (m->nr != n)
		return false;
	for (i = 0; i < n; i++)
		if (m->entries[i].addr != e[i].addr ||
		    m->entries[i].size != e[i].size ||
		    m->entries[i].type != e[i].type)
			return false;
	return true;
}

static u64 ram_total(const struct x86_mem_map *m)
{
	u64 t = 0;
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->entries[i].type == E820_TYPE_RAM)
			t += m->entries[i].size;
	return t;
}

/* Entries sorted, non-overlapping, none inside the MMIO hole. */
static bool map_sane(const struct x86_mem_map *m)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		const struct e820_entry *e = &m->entries[i];

		if (!e->size)
			return false;
		if (i && e->addr < m->entries[i - 1].addr +
				   m->entries[i - 1].size)
			return false;
		if (e->addr < X86_MMIO_HOLE_END &&
		    e->addr + e->size > X86_MMIO_HOLE_START)
			return false;
	}
	return true;
}

static void test_maps(void)
{
	struct x86_mem_map m;
	static const u64 sizes[] = {
		16 * SZ_1M, 256 * SZ_1M, 3 * SZ_1G - SZ_1M, 3 * SZ_1G,
		3 * SZ_1G + SZ_4K, 4 * SZ_1G, 6 * SZ_1G, 64 * SZ_1G,
	};
	unsigned int i;
	bool all_ok = true;

	x86_build_mem_map(64 * SZ_1M, &m);
	ok(map_is(&m, (struct expect[]){
		{ 0, X86_EBDA_ADDR, E820_TYPE_RAM },
		{ X86_EBDA_ADDR, X86_BIOS_END - X86_EBDA_ADDR,
		  E820_TYPE_RESERVED },
		{ X86_BIOS_END, 64 * SZ_1M - X86_BIOS_END, E820_TYPE_RAM },
	}, 3), "64 MiB: low RAM, EBDA..1 MiB reserved, RAM to 64 MiB");

	x86_build_mem_map(3 * SZ_1G, &m);
	ok(m.nr == 3 && m.entries[2].addr + m.entries[2].size == 3 * SZ_1G,
	   "3 GiB: all below the hole, no RAM above 4 GiB");

	x86_build_mem_map(6 * SZ_1G, &m);
	ok(map_is(&m, (struct expect[]){
		{ 0, X86_EBDA_ADDR, E820_TYPE_RAM },
		{ X86_EBDA_ADDR, X86_BIOS_END - X86_EBDA_ADDR,
		  E820_TYPE_RESERVED },
		{ X86_BIOS_END, X86_MMIO_HOLE_START - X86_BIOS_END,
		  E820_TYPE_RAM },
		{ X86_MMIO_HOLE_END, 3 * SZ_1G, E820_TYPE_RAM },
	}, 4), "6 GiB: split at 3 GiB, remaining 3 GiB from 4 GiB");

	x86_build_mem_map(3 * SZ_1G + SZ_4K, &m);
	ok(m.nr == 4 && m.entries[3].addr == X86_MMIO_HOLE_END &&
	   m.entries[3].size == SZ_4K, "3 GiB + 4 KiB: one page above 4 GiB");

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		x86_build_mem_map(sizes[i], &m);
		/* The EBDA..1 MiB range is RAM-backed but reserved. */
		all_ok &= ram_total(&m) == sizes[i] -
			  (X86_BIOS_END - X86_EBDA_ADDR) && map_sane(&m);
	}
	ok(all_ok, "RAM entries add up to ram_size less the reserved BIOS area, for %zu sizes",
	   ARRAY_SIZE(sizes));

	x86_build_mem_map(512 * SZ_1K, &m);
	ok(m.nr == 2 && m.entries[0].size == 512 * SZ_1K &&
	   m.entries[1].type == E820_TYPE_RESERVED && map_sane(&m),
	   "512 KiB: RAM below the EBDA only");

	memset(&m, 0x55, sizeof(m));
	x86_build_mem_map(0, &m);
	ok(m.nr == 1 && m.entries[0].type == E820_TYPE_RESERVED,
	   "0 bytes: only the reserved BIOS area");
}

static const char *minimal_bz(size_t *len)
{
	struct bz_opts o = bz_default();

	return (const char *)make_bzimage(&o, len);
}

/* A 6 GiB map over 32 MiB of backing: e820 in the zero page, PVH memmap. */
static void test_big_map_in_guest(void)
{
	struct test_guest g;
	struct x86_mem_map big;
	struct boot_state bs;
	struct boot_input in = { .cmdline = "" };
	const struct boot_params *bp;
	const struct hvm_start_info *si;
	const struct hvm_memmap_table_entry *mm;
	size_t len;
	u8 *img = (u8 *)minimal_bz(&len);
	u8 note[64];
	unsigned int i;
	bool same = true;
	int ret;

	guest_init(&g, 32 * SZ_1M);
	x86_build_mem_map(6 * SZ_1G, &big);
	in.kernel = img;
	in.kernel_len = len;
	ret = x86_load_kernel(&g.mem, &big, &in, &bs);
	bp = (const void *)(g.ram + X86_ZERO_PAGE_ADDR);
	ok(ret == 0 && bp->e820_entries == 4, "bzImage with a 6 GiB map: 4 e820 entries (%d %s)",
	   ret, bs.error);
	for (i = 0; i < big.nr; i++)
		same &= bp->e820_table[i].addr == big.entries[i].addr &&
			bp->e820_table[i].size == big.entries[i].size &&
			bp->e820_table[i].type == big.entries[i].type;
	ok(same && bp->e820_table[3].addr == 4 * SZ_1G &&
	   bp->e820_table[3].size == 3 * SZ_1G &&
	   bp->e820_table[1].type == E820_TYPE_RESERVED,
	   "zero page e820: RAM above 4 GiB and the reserved EBDA");
	free(img);

	/* The initrd goes under 3 GiB, which is not backed here: -E2BIG. */
	in.kernel = (const u8 *)minimal_bz(&len);
	in.initrd = (const u8 *)"initrd";
	in.initrd_len = 6;
	ret = x86_load_kernel(&g.mem, &big, &in, &bs);
	ok(ret == -E2BIG && strstr(bs.error, "not in guest RAM"),
	   "initrd placed in unbacked RAM: -E2BIG (%s)", bs.error);
	free((void *)in.kernel);

	{
		struct elf_opts o = elf_default(true);
		size_t n = make_pvh_note(note, 0x100000, 4, 4);

		elf_add(&o, elf_load(0x100000, 0x100, 0x100));
		elf_add(&o, (struct elf_seg){ .type = PT_NOTE, .filesz = n,
					      .memsz = n, .align = 4,
					      .data = note });
		img = make_elf(&o, &len);
	}
	in = (struct boot_input){ .kernel = img, .kernel_len = len,
				  .cmdline = "" };
	ret = x86_load_kernel(&g.mem, &big, &in, &bs);
	si = (const void *)(g.ram + X86_PVH_INFO_ADDR);
	mm = (const void *)(g.ram + si->memmap_paddr);
	ok(ret == 0 && si->memmap_entries == 4 &&
	   mm[3].addr == 4 * SZ_1G && mm[3].size == 3 * SZ_1G &&
	   mm[3].type == HVM_MEMMAP_TYPE_RAM &&
	   mm[1].type == HVM_MEMMAP_TYPE_RESERVED,
	   "PVH memmap with a 6 GiB map: RAM above 4 GiB, EBDA reserved");
	free(img);

	/* RAM above 4 GiB is not for kernels: the boot page tables stop there. */
	{
		struct elf_opts o = elf_default(true);

		elf_add(&o, elf_load(5 * SZ_1G, 0x100, 0x100));
		o.entry = 5 * SZ_1G;
		img = make_elf(&o, &len);
	}
	in = (struct boot_input){ .kernel = img, .kernel_len = len,
				  .cmdline = "" };
	ret = x86_load_kernel(&g.mem, &big, &in, &bs);
	ok(ret == -E2BIG, "ELF segment in RAM above 4 GiB: -E2BIG (%s)",
	   bs.error);
	free(img);
	guest_fini(&g);
}

static void test_map_args(void)
{
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in = { .cmdline = "" };
	struct x86_mem_map bad;
	size_t len;

	guest_init(&g, 16 * SZ_1M);
	in.kernel = (const u8 *)minimal_bz(&len);
	in.kernel_len = len;
	memset(&bad, 0, sizeof(bad));
	bad.nr = E820_MAX_ENTRIES + 1;
	ok(x86_load_kernel(&g.mem, &bad, &in, &bs) == -EINVAL,
	   "map with too many entries: -EINVAL");
	bad.nr = 0;
	ok(x86_load_kernel(&g.mem, &bad, &in, &bs) == -E2BIG,
	   "empty map: nothing fits, -E2BIG");
	in.cmdline = NULL;
	ok(x86_load_kernel(&g.mem, &g.map, &in, &bs) == -EINVAL,
	   "NULL cmdline: -EINVAL");
	free((void *)in.kernel);
	guest_fini(&g);
}

int main(void)
{
	test_maps();
	test_big_map_in_guest();
	test_map_args();
	return tap_done();
}
