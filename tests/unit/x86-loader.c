// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the x86_64 kernel loaders (vmm/x86_64/loader*.c,
 * zero-page.c, pvh.c): format detection, bzImage and ELF loading, PVH
 * start info, flat binaries, and every rejection path, on synthetic images
 * in a malloc-backed guest.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "x86-images.h"

#define TEST_RAM	(24 * SZ_1M)

static const char *cmdline = "console=ttyS0 root=/dev/vda";

static struct boot_input input(const u8 *k, size_t klen)
{
	return (struct boot_input){ .kernel = k, .kernel_len = klen,
				    .cmdline = cmdline };
}

static bool guest_eq(const struct test_guest *g, u64 gpa, const void *buf,
		     u64 len)
{
	return gpa + len <= g->size && !memcmp(g->ram + gpa, buf, len);
}

static bool guest_all(const struct test_guest *g, u64 gpa, u8 v, u64 len)
{
	u64 i;

	for (i = 0; i < len; i++)
		if (g->ram[gpa + i] != v)
			return false;
	return true;
}

static const struct boot_params *zero_page(const struct test_guest *g)
{
	return (const struct boot_params *)(g->ram + X86_ZERO_PAGE_ADDR);
}

static bool e820_matches(const struct boot_params *bp,
			 const struct x86_mem_map *map)
{
	unsigned int i;

	if (bp->e820_entries != map->nr)
		return false;
	for (i = 0; i < map->nr; i++)
		if (bp->e820_table[i].addr != map->entries[i].addr ||
		    bp->e820_table[i].size != map->entries[i].size ||
		    bp->e820_table[i].type != map->entries[i].type)
			return false;
	return true;
}

/* Detection says UNKNOWN with a reason, and loading says -ENOEXEC. */
static void expect_unknown(const u8 *buf, size_t len, const char *name)
{
	struct test_guest g;
	struct boot_input in = input(buf, len);
	struct boot_state bs;
	const char *why = NULL;
	int ret;
	enum kernel_format fmt = x86_kernel_detect(buf, len, &why);

	ok(fmt == KERNEL_FMT_UNKNOWN && why && *why,
	   "%s: detected as unknown (%s)", name, why ? why : "-");
	guest_init(&g, 4 * SZ_1M);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == -ENOEXEC && bs.error[0],
	   "%s: load fails -ENOEXEC (%d: %s)", name, ret, bs.error);
	guest_fini(&g);
}

static void test_bzimage_good(void)
{
	struct bz_opts o = bz_default();
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	const struct boot_params *bp;
	u64 setup = bz_setup_size(&o);
	size_t len;
	u8 *img = make_bzimage(&o, &len);
	int ret;

	ok(x86_kernel_detect(img, len, NULL) == KERNEL_FMT_BZIMAGE,
	   "bzImage: detected");
	guest_init(&g, TEST_RAM);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0, "bzImage: loads (%d %s)", ret, bs.error);
	ok(bs.format == KERNEL_FMT_BZIMAGE && bs.mode == CPU_MODE_LONG64,
	   "bzImage: 64-bit boot protocol");
	ok(bs.rip == X86_KERNEL_ADDR + 0x200 && bs.kernel_start == X86_KERNEL_ADDR,
	   "bzImage: non-relocatable at 1 MiB, entry 0x100200 (rip 0x%llx)",
	   (unsigned long long)bs.rip);
	ok(guest_eq(&g, X86_KERNEL_ADDR, img + setup, o.pm_len),
	   "bzImage: protected-mode kernel copied byte-exact");
	ok(g.ram[X86_KERNEL_ADDR + o.pm_len] == 0xaa,
	   "bzImage: nothing written past the kernel");
	ok(bs.rsi == X86_ZERO_PAGE_ADDR && bs.rsp == X86_BOOT_STACK_TOP &&
	   bs.cr3 == X86_PAGE_TABLES_ADDR && bs.gdt_base == X86_GDT_ADDR &&
	   bs.gdt_limit == 31, "bzImage: rsi, rsp, cr3, gdt");

	bp = zero_page(&g);
	ok(!memcmp(&bp->hdr.header, "HdrS", 4) && bp->hdr.version == 0x020f &&
	   bp->hdr.boot_flag == 0xaa55 && bp->hdr.setup_sects == 4,
	   "zero page: setup header copied from the image");
	ok(bp->hdr.type_of_loader == 0xff, "zero page: type_of_loader 0xff");
	ok(bp->hdr.loadflags == (BP_LOADED_HIGH | BP_CAN_USE_HEAP |
				 BP_QUIET_FLAG),
	   "zero page: loadflags LOADED_HIGH|CAN_USE_HEAP, image bits kept (0x%x)",
	   bp->hdr.loadflags);
	ok(bp->hdr.heap_end_ptr == 0xfe00, "zero page: heap_end_ptr");
	ok(bp->hdr.code32_start == X86_KERNEL_ADDR, "zero page: code32_start");
	ok(bp->hdr.cmd_line_ptr == X86_CMDLINE_ADDR && bp->ext_cmd_line_ptr == 0 &&
	   guest_eq(&g, X86_CMDLINE_ADDR, cmdline, strlen(cmdline) + 1),
	   "zero page: cmd_line_ptr and NUL-terminated command line");
	ok(bp->hdr.ramdisk_image == 0 && bp->hdr.ramdisk_size == 0 &&
	   bs.initrd_size == 0, "zero page: no initrd");
	ok(e820_matches(bp, &g.map) && bp->e820_entries == 3,
	   "zero page: e820 table is the memory map");
	ok(bp->sentinel == 0 && bp->ext_ramdisk_image == 0 &&
	   bp->hdr.setup_data == 0 && bp->acpi_rsdp_addr == 0,
	   "zero page: rest left zero, setup_data 0, no RSDP");
	ok(rd64(g.ram + X86_PAGE_TABLES_ADDR) ==
	   ((X86_PAGE_TABLES_ADDR + 0x1000) | 3), "page tables: PML4[0]");
	in.acpi_rsdp = X86_ACPI_ADDR;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && rd64(g.ram + X86_ZERO_PAGE_ADDR + 0x70) == X86_ACPI_ADDR,
	   "zero page: acpi_rsdp_addr (0x070) is the RSDP given");
	guest_fini(&g);
	free(img);
}

static void test_bzimage_setup_sects_zero(void)
{
	struct bz_opts o = bz_default();
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	size_t len;
	u8 *img;
	int ret;

	o.setup_sects = 0;
	img = make_bzimage(&o, &len);
	guest_init(&g, TEST_RAM);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && guest_eq(&g, X86_KERNEL_ADDR, img + 5 * 512, o.pm_len),
	   "bzImage setup_sects 0: kernel taken from offset 5*512");
	ok(zero_page(&g)->hdr.setup_sects == 4,
	   "bzImage setup_sects 0: zero page says 4");
	guest_fini(&g);
	free(img);
}

static void test_bzimage_rejects(void)
{
	struct bz_opts o;
	size_t len;
	u8 *img;

	o = bz_default();
	o.version = 0x0205;
	img = make_bzimage(&o, &len);
	expect_unknown(img, len, "bzImage protocol 2.05");
	free(img);

	o = bz_default();
	o.version = 0x020b;
	img = make_bzimage(&o, &len);
	expect_unknown(img, len, "bzImage protocol 2.11 (no xloadflags)");
	free(img);

	o = bz_default();
	o.xloadflags = BP_XLF_ABOVE_4G;
	img = make_bzimage(&o, &len);
	expect_unknown(img, len, "bzImage without XLF_KERNEL_64");
	free(img);

	o = bz_default();
	o.setup_sects = 30;
	o.pm_len = 0x400;
	o.truncate_to = 4096;
	img = make_bzimage(&o, &len);
	expect_unknown(img, len, "bzImage with setup beyond the file");
	free(img);

	o = bz_default();
	o.truncate_to = 0x206;
	img = make_bzimage(&o, &len);
	expect_unknown(img, len, "bzImage cut inside the header");
	free(img);

	o = bz_default();
	o.pm_len = 0x200;
	img = make_bzimage(&o, &len);
	expect_unknown(img, len, "bzImage without room for the 64-bit entry");
	free(img);

	o = bz_default();
	o.jump_off = 0x20;
	img = make_bzimage(&o, &len);
	expect_unknown(img, len, "bzImage with a short setup header");
	free(img);
}

static int load_bz(struct test_guest *g, const struct bz_opts *o,
		   const u8 *initrd, size_t initrd_len, const char *cl,
		   struct boot_state *bs)
{
	struct boot_input in;
	size_t len;
	u8 *img = make_bzimage(o, &len);
	int ret;

	in = input(img, len);
	in.initrd = initrd;
	in.initrd_len = initrd_len;
	if (cl)
		in.cmdline = cl;
	ret = x86_load_kernel(&g->mem, &g->map, &in, bs);
	free(img);
	return ret;
}

static void test_bzimage_relocatable(void)
{
	struct bz_opts o = bz_default();
	struct test_guest g;
	struct boot_state bs;
	int ret;

	guest_init(&g, TEST_RAM);
	o.relocatable = 1;
	o.pref_address = 0x1000000;
	ret = load_bz(&g, &o, NULL, 0, NULL, &bs);
	ok(ret == 0 && bs.rip == 0x1000200 &&
	   zero_page(&g)->hdr.code32_start == 0x1000000,
	   "relocatable bzImage: loaded at pref_address 16 MiB");

	o.pref_address = 0x8000000;	/* 128 MiB, beyond RAM */
	ret = load_bz(&g, &o, NULL, 0, NULL, &bs);
	ok(ret == 0 && bs.rip == 0x200200,
	   "relocatable bzImage: pref_address beyond RAM -> 1 MiB aligned up to 2 MiB (rip 0x%llx)",
	   (unsigned long long)bs.rip);

	o.kernel_alignment = 0x1000;
	ret = load_bz(&g, &o, NULL, 0, NULL, &bs);
	ok(ret == 0 && bs.rip == 0x100200,
	   "relocatable bzImage: 4 KiB alignment -> 1 MiB");

	o.kernel_alignment = 0x300000;
	ret = load_bz(&g, &o, NULL, 0, NULL, &bs);
	ok(ret == -ENOEXEC && strstr(bs.error, "kernel_alignment"),
	   "relocatable bzImage: kernel_alignment not a power of two rejected (%s)",
	   bs.error);
	guest_fini(&g);
}

static void test_bzimage_too_big(void)
{
	struct bz_opts o = bz_default();
	struct test_guest g;
	struct boot_state bs;
	int ret;

	guest_init(&g, 4 * SZ_1M);
	o.pref_address = 0;
	o.pm_len = 3 * SZ_1M + 1;
	ret = load_bz(&g, &o, NULL, 0, NULL, &bs);
	ok(ret == -E2BIG && bs.error[0],
	   "bzImage bigger than RAM: -E2BIG (%s)", bs.error);

	o = bz_default();
	o.pref_address = 0;
	o.init_size = 3 * SZ_1M + 4096;
	ret = load_bz(&g, &o, NULL, 0, NULL, &bs);
	ok(ret == -E2BIG && strstr(bs.error, "init_size"),
	   "bzImage init_size beyond RAM: -E2BIG (%s)", bs.error);

	o = bz_default();
	o.pref_address = 0x1000000;	/* non-relocatable moves there */
	ret = load_bz(&g, &o, NULL, 0, NULL, &bs);
	ok(ret == -E2BIG,
	   "non-relocatable bzImage whose pref_address is beyond RAM: -E2BIG");

	o = bz_default();
	o.pref_address = 0;
	o.init_size = 3 * SZ_1M;
	ret = load_bz(&g, &o, NULL, 0, NULL, &bs);
	ok(ret == 0, "bzImage init_size exactly filling RAM loads (%s)",
	   bs.error);
	guest_fini(&g);
}

static void test_cmdline(void)
{
	struct bz_opts o = bz_default();
	struct test_guest g;
	struct boot_state bs;
	char *cl = malloc(X86_CMDLINE_MAX + 16);
	int ret;

	guest_init(&g, TEST_RAM);
	o.cmdline_size = 100;
	memset(cl, 'x', 100);
	cl[100] = '\0';
	ret = load_bz(&g, &o, NULL, 0, cl, &bs);
	ok(ret == 0 && bs.cmdline_addr == X86_CMDLINE_ADDR &&
	   guest_eq(&g, X86_CMDLINE_ADDR, cl, 101),
	   "cmdline of exactly cmdline_size bytes fits");
	cl[100] = 'y';
	cl[101] = '\0';
	ret = load_bz(&g, &o, NULL, 0, cl, &bs);
	ok(ret == -E2BIG && strstr(bs.error, "command line"),
	   "cmdline one byte over cmdline_size: -E2BIG (%s)", bs.error);

	o.cmdline_size = 0xffffffff;
	memset(cl, 'z', X86_CMDLINE_MAX);
	cl[X86_CMDLINE_MAX] = '\0';
	ret = load_bz(&g, &o, NULL, 0, cl, &bs);
	ok(ret == -E2BIG, "cmdline beyond the 64 KiB buffer: -E2BIG");
	cl[X86_CMDLINE_MAX - 1] = '\0';
	ret = load_bz(&g, &o, NULL, 0, cl, &bs);
	ok(ret == 0 && g.ram[X86_CMDLINE_ADDR + X86_CMDLINE_MAX - 1] == 0,
	   "cmdline filling the 64 KiB buffer with its NUL fits");

	ret = load_bz(&g, &o, NULL, 0, "", &bs);
	ok(ret == 0 && g.ram[X86_CMDLINE_ADDR] == 0, "empty cmdline");
	guest_fini(&g);
	free(cl);
}

static u8 *make_initrd(size_t len)
{
	u8 *b = malloc(len);
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = pattern(i, 9);
	return b;
}

static void test_initrd(void)
{
	struct bz_opts o = bz_default();
	struct test_guest g;
	struct boot_state bs;
	const struct boot_params *bp;
	size_t ilen = 300000;
	u8 *initrd = make_initrd(ilen);
	u64 expect;
	int ret;

	guest_init(&g, TEST_RAM);
	ret = load_bz(&g, &o, initrd, ilen, NULL, &bs);
	bp = zero_page(&g);
	expect = ALIGN_DOWN(TEST_RAM - ilen, SZ_4K);
	ok(ret == 0 && bs.initrd_start == expect && bs.initrd_size == ilen,
	   "initrd placed at the top of RAM, page aligned (0x%llx)",
	   (unsigned long long)bs.initrd_start);
	ok(bp->hdr.ramdisk_image == expect && bp->hdr.ramdisk_size == ilen &&
	   bp->ext_ramdisk_image == 0 && bp->ext_ramdisk_size == 0,
	   "zero page: ramdisk_image and ramdisk_size");
	ok(guest_eq(&g, expect, initrd, ilen), "initrd copied byte-exact");
	ok(guest_all(&g, expect + ilen, 0xaa, TEST_RAM - expect - ilen),
	   "nothing written after the initrd");

	o.initrd_addr_max = 0xffffff;	/* 16 MiB - 1 */
	ret = load_bz(&g, &o, initrd, ilen, NULL, &bs);
	expect = ALIGN_DOWN(0x1000000 - ilen, SZ_4K);
	ok(ret == 0 && bs.initrd_start == expect &&
	   bs.initrd_start + ilen <= 0x1000000,
	   "initrd below initrd_addr_max + 1 (0x%llx)",
	   (unsigned long long)bs.initrd_start);

	o.initrd_addr_max = 0x100fff;	/* only 4 KiB above 1 MiB */
	ret = load_bz(&g, &o, initrd, ilen, NULL, &bs);
	ok(ret == -E2BIG && strstr(bs.error, "initrd"),
	   "initrd_addr_max leaves no room: -E2BIG (%s)", bs.error);

	/* A non-relocatable kernel that moves itself near the top. */
	o = bz_default();
	o.pref_address = 20 * SZ_1M;
	o.init_size = 4 * SZ_1M;
	ret = load_bz(&g, &o, initrd, ilen, NULL, &bs);
	ok(ret == 0 && bs.initrd_start + ilen <= 20 * SZ_1M &&
	   bs.initrd_start >= X86_KERNEL_ADDR + o.pm_len &&
	   IS_ALIGNED(bs.initrd_start, SZ_4K),
	   "initrd kept clear of the kernel's init_size area (0x%llx)",
	   (unsigned long long)bs.initrd_start);
	guest_fini(&g);
	free(initrd);

	guest_init(&g, 4 * SZ_1M);
	o = bz_default();
	o.pref_address = 0;
	ilen = 3 * SZ_1M;
	initrd = make_initrd(ilen);
	ret = load_bz(&g, &o, initrd, ilen, NULL, &bs);
	ok(ret == -E2BIG, "initrd that does not fit beside the kernel: -E2BIG (%s)",
	   bs.error);
	guest_fini(&g);
	free(initrd);
}

static void test_bzimage_protocols(void)
{
	struct bz_opts o = bz_default();
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	size_t len;
	u8 *img = make_bzimage(&o, &len);

	guest_init(&g, TEST_RAM);
	in = input(img, len);
	in.protocol = BOOT_PROTO_PVH;
	ok(x86_load_kernel(&g.mem, &g.map, &in, &bs) == -ENOEXEC &&
	   strstr(bs.error, "PVH"), "bzImage with PVH forced: -ENOEXEC (%s)",
	   bs.error);
	in.protocol = BOOT_PROTO_LINUX64;
	ok(x86_load_kernel(&g.mem, &g.map, &in, &bs) == 0 &&
	   bs.mode == CPU_MODE_LONG64, "bzImage with linux64 forced loads");
	guest_fini(&g);
	free(img);
}

static void test_elf64(void)
{
	struct elf_opts o = elf_default(true);
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	const struct boot_params *bp;
	size_t len;
	u8 *img;
	int ret;

	elf_add(&o, elf_load(0x100000, 0x1800, 0x5000));
	elf_add(&o, elf_load(0x200000, 0x1000, 0x1000));
	o.entry = 0x100040;
	img = make_elf(&o, &len);
	ok(x86_kernel_detect(img, len, NULL) == KERNEL_FMT_ELF,
	   "ELF64: detected as vmlinux");
	guest_init(&g, TEST_RAM);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && bs.format == KERNEL_FMT_ELF &&
	   bs.mode == CPU_MODE_LONG64 && bs.rip == 0x100040,
	   "ELF64: loads, 64-bit entry at e_entry (%d %s)", ret, bs.error);
	ok(guest_eq(&g, 0x100000, img + 64 + 2 * 56, 0x1800) &&
	   guest_eq(&g, 0x200000, img + 64 + 2 * 56 + 0x1800, 0x1000),
	   "ELF64: segments at their physical addresses");
	ok(guest_all(&g, 0x101800, 0, 0x5000 - 0x1800),
	   "ELF64: bss zeroed");
	ok(g.ram[0x105000] == 0xaa && g.ram[0x201000] == 0xaa,
	   "ELF64: nothing written past the segments");
	ok(bs.kernel_start == 0x100000 && bs.kernel_end == 0x201000,
	   "ELF64: kernel span reported");
	bp = zero_page(&g);
	ok(!memcmp(&bp->hdr.header, "HdrS", 4) && bp->hdr.version == 0x020f &&
	   bp->hdr.type_of_loader == 0xff &&
	   (bp->hdr.loadflags & BP_LOADED_HIGH) &&
	   (bp->hdr.xloadflags & BP_XLF_KERNEL_64) &&
	   bp->hdr.cmd_line_ptr == X86_CMDLINE_ADDR &&
	   e820_matches(bp, &g.map), "ELF64: synthesized setup header and e820");
	ok(bs.rsi == X86_ZERO_PAGE_ADDR && bs.cr3 == X86_PAGE_TABLES_ADDR,
	   "ELF64: rsi and cr3");
	free(img);

	/* A vmlinux-like image: virtual link address, physical load. */
	o = elf_default(true);
	elf_add(&o, (struct elf_seg){ .type = PT_LOAD, .paddr = 0x1000000,
				      .vaddr = 0xffffffff81000000ULL,
				      .filesz = 0x800, .memsz = 0x800 });
	o.entry = 0xffffffff81000100ULL;
	img = make_elf(&o, &len);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && bs.rip == 0x1000100,
	   "ELF64: virtual e_entry translated to physical (0x%llx)",
	   (unsigned long long)bs.rip);
	free(img);

	/* With an initrd: placed below the synthesized initrd_addr_max. */
	o = elf_default(true);
	elf_add(&o, elf_load(0x100000, 0x800, 0x800));
	o.entry = 0x100000;
	img = make_elf(&o, &len);
	in = input(img, len);
	in.initrd = img;
	in.initrd_len = len;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && bs.initrd_start == ALIGN_DOWN(TEST_RAM - len, SZ_4K) &&
	   zero_page(&g)->hdr.ramdisk_size == len &&
	   guest_eq(&g, bs.initrd_start, img, len), "ELF64: initrd placed");
	guest_fini(&g);
	free(img);
}

static void test_elf_malformed(void)
{
	struct elf_opts o;
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	size_t len;
	u8 *img;
	int ret;

	o = elf_default(true);
	elf_add(&o, elf_load(0x100000, 0x100, 0x100));
	o.entry = 0x100000;
	o.machine = EM_AARCH64;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF64 for aarch64");
	free(img);

	o.machine = EM_X86_64;
	img = make_elf(&o, &len);
	expect_unknown(img, 40, "ELF64 cut inside the ELF header");
	expect_unknown(img, 64 + 20, "ELF64 cut inside the program headers");
	expect_unknown(img, len - 1, "ELF64 cut inside segment data");
	img[EI_DATA] = ELFDATA2MSB;
	expect_unknown(img, len, "big-endian ELF");
	img[EI_DATA] = ELFDATA2LSB;
	put16(img + 16, ET_DYN);
	expect_unknown(img, len, "ELF64 shared object");
	put16(img + 16, ET_EXEC);
	put64(img + 32, 0xffffffffffffff00ULL);
	expect_unknown(img, len, "ELF64 with e_phoff near 2^64");
	put64(img + 32, 64);
	put16(img + 56, 0);
	expect_unknown(img, len, "ELF64 without program headers");
	put16(img + 56, 1);
	put16(img + 54, 20);
	expect_unknown(img, len, "ELF64 with tiny e_phentsize");
	free(img);

	o = elf_default(true);
	elf_add(&o, elf_load(0x100000, 0x200, 0x100));
	o.entry = 0x100000;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF64 segment with filesz > memsz");
	free(img);

	o = elf_default(true);
	elf_add(&o, elf_load(0xfffffffffffff000ULL, 0x10, 0x2000));
	o.entry = 0xfffffffffffff000ULL;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF64 segment wrapping past 2^64");
	free(img);

	o = elf_default(true);
	elf_add(&o, elf_load(0x100000, 0x10, 0x10));
	o.segs[0].offset = 0xfffffffffffffff8ULL;
	o.entry = 0x100000;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF64 segment offset near 2^64");
	free(img);

	o = elf_default(true);
	elf_add(&o, elf_load(0x100000, 0x1000, 0x2000));
	elf_add(&o, elf_load(0x101000, 0x1000, 0x1000));
	o.entry = 0x100000;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF64 with overlapping segments");
	free(img);

	o = elf_default(true);
	elf_add(&o, (struct elf_seg){ .type = PT_NOTE, .filesz = 0 });
	o.entry = 0x100000;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF64 without loadable segments");
	free(img);

	o = elf_default(true);
	elf_add(&o, elf_load(0x100000, 0x100, 0x100));
	o.entry = 0x300000;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF64 entry outside its segments");
	free(img);

	o = elf_default(false);
	elf_add(&o, elf_load(0x100000, 0x100, 0x100));
	o.entry = 0x100000;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF32 without a PVH note");
	free(img);

	o = elf_default(false);
	elf_add(&o, elf_load(0x100000, 0x100, 0x100));
	o.machine = EM_ARM;
	img = make_elf(&o, &len);
	expect_unknown(img, len, "ELF32 for arm");
	free(img);

	/* Structurally fine, but not in RAM: -E2BIG. */
	guest_init(&g, TEST_RAM);
	o = elf_default(true);
	elf_add(&o, elf_load(0x8000000, 0x100, 0x100));
	o.entry = 0x8000000;
	img = make_elf(&o, &len);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == -E2BIG && strstr(bs.error, "outside RAM"),
	   "ELF64 segment beyond RAM: -E2BIG (%s)", bs.error);
	free(img);

	o = elf_default(true);
	elf_add(&o, elf_load(0x100000, 0x100, TEST_RAM));
	o.entry = 0x100000;
	img = make_elf(&o, &len);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == -E2BIG, "ELF64 bss running past RAM: -E2BIG");
	free(img);

	o = elf_default(true);
	elf_add(&o, elf_load(0x8000, 0x100, 0x100));
	o.entry = 0x8000;
	img = make_elf(&o, &len);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == -E2BIG && guest_all(&g, 0x8000, 0xaa, 0x100),
	   "ELF64 segment over the low-memory structures: -E2BIG, nothing written");
	free(img);
	guest_fini(&g);
}

/* ELF with a PVH note in a PT_NOTE segment (or a section). */
static u8 *make_pvh(bool is64, u32 desc, u32 align, bool in_section,
		    u64 entry, size_t *len)
{
	struct elf_opts o = elf_default(is64);
	static u8 note[128];
	size_t n;

	n = make_other_note(note, align);
	n += make_pvh_note(note + n, entry, desc, align);
	elf_add(&o, elf_load(0x100000, 0x2000, 0x3000));
	if (in_section) {
		o.note_sect = note;
		o.note_sect_len = n;
		o.note_sect_align = align;
	} else {
		elf_add(&o, (struct elf_seg){ .type = PT_NOTE, .filesz = n,
					      .memsz = n, .align = align,
					      .data = note });
	}
	o.entry = 0x100010;
	return make_elf(&o, len);
}

static void check_pvh_load(const char *name, bool is64, u32 desc, u32 align,
			   bool in_section)
{
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	const struct hvm_start_info *si;
	const struct hvm_memmap_table_entry *mm;
	const struct hvm_modlist_entry *mod;
	size_t len, ilen = 5000;
	u8 *img = make_pvh(is64, desc, align, in_section, 0x100800, &len);
	u8 *initrd = make_initrd(ilen);
	unsigned int i;
	bool mm_ok = true;
	int ret;

	ok(x86_kernel_detect(img, len, NULL) == KERNEL_FMT_ELF_PVH,
	   "%s: detected as PVH", name);
	guest_init(&g, TEST_RAM);
	in = input(img, len);
	in.initrd = initrd;
	in.initrd_len = ilen;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && bs.format == KERNEL_FMT_ELF_PVH &&
	   bs.mode == CPU_MODE_PROT32 && bs.rip == 0x100800 &&
	   bs.rbx == X86_PVH_INFO_ADDR,
	   "%s: 32-bit entry at the note's address, EBX = start info (%d %s)",
	   name, ret, bs.error);
	si = (const void *)(g.ram + X86_PVH_INFO_ADDR);
	ok(si->magic == 0x336ec578 && si->version == 1 && si->flags == 0 &&
	   si->rsdp_paddr == 0 && si->reserved == 0,
	   "%s: hvm_start_info magic and version 1", name);
	ok(si->cmdline_paddr == X86_CMDLINE_ADDR &&
	   guest_eq(&g, X86_CMDLINE_ADDR, cmdline, strlen(cmdline) + 1),
	   "%s: cmdline_paddr", name);
	ok(si->memmap_entries == g.map.nr && si->memmap_paddr &&
	   si->memmap_paddr + si->memmap_entries * sizeof(*mm) <=
	   X86_ZERO_PAGE_ADDR, "%s: memmap present", name);
	mm = (const void *)(g.ram + si->memmap_paddr);
	for (i = 0; i < g.map.nr && si->memmap_paddr < TEST_RAM; i++)
		mm_ok &= mm[i].addr == g.map.entries[i].addr &&
			 mm[i].size == g.map.entries[i].size &&
			 mm[i].type == g.map.entries[i].type &&
			 mm[i].reserved == 0;
	ok(mm_ok && mm[1].type == 2 && mm[2].type == 1,
	   "%s: memmap entries are the e820 map", name);
	mod = (const void *)(g.ram + si->modlist_paddr);
	ok(si->nr_modules == 1 && si->modlist_paddr &&
	   mod->paddr == bs.initrd_start && mod->size == ilen &&
	   mod->cmdline_paddr == 0 && guest_eq(&g, mod->paddr, initrd, ilen) &&
	   IS_ALIGNED(mod->paddr, SZ_4K),
	   "%s: modlist holds the initrd", name);
	ok(guest_all(&g, 0x102000, 0, 0x1000), "%s: bss zeroed", name);
	guest_fini(&g);
	free(img);
	free(initrd);
}

static void test_pvh(void)
{
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	const struct hvm_start_info *si;
	size_t len;
	u8 *img;
	int ret;

	check_pvh_load("PVH ELF64 note 4-byte desc", true, 4, 4, false);
	check_pvh_load("PVH ELF64 note 8-byte desc, 8-aligned", true, 8, 8,
		       false);
	check_pvh_load("PVH ELF32 note 4-byte desc", false, 4, 4, false);
	check_pvh_load("PVH ELF32 note 8-byte desc", false, 8, 4, false);
	check_pvh_load("PVH ELF64 note in a section", true, 4, 4, true);
	check_pvh_load("PVH ELF32 note in a section", false, 8, 4, true);

	img = make_pvh(true, 2, 4, false, 0x100800, &len);
	expect_unknown(img, len, "PVH note with a 2-byte descriptor");
	free(img);
	img = make_pvh(true, 4, 4, false, 0x900000, &len);
	expect_unknown(img, len, "PVH entry outside the segments");
	free(img);
	img = make_pvh(true, 8, 4, false, 0x100000100800ULL, &len);
	expect_unknown(img, len, "PVH entry above 4 GiB");
	free(img);

	guest_init(&g, TEST_RAM);
	img = make_pvh(true, 4, 4, false, 0x100800, &len);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	si = (const void *)(g.ram + X86_PVH_INFO_ADDR);
	ok(ret == 0 && si->nr_modules == 0 && si->modlist_paddr == 0 &&
	   bs.initrd_size == 0, "PVH without initrd: no modules");
	in.acpi_rsdp = X86_ACPI_ADDR;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && si->rsdp_paddr == X86_ACPI_ADDR,
	   "PVH: rsdp_paddr is the RSDP given");
	in.acpi_rsdp = 0;

	in.protocol = BOOT_PROTO_LINUX64;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && bs.mode == CPU_MODE_LONG64 && bs.rip == 0x100010 &&
	   bs.format == KERNEL_FMT_ELF && bs.rsi == X86_ZERO_PAGE_ADDR,
	   "PVH ELF64 with linux64 forced: 64-bit protocol at e_entry");
	in.protocol = BOOT_PROTO_PVH;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && bs.mode == CPU_MODE_PROT32,
	   "PVH ELF64 with pvh forced: PVH");
	free(img);

	img = make_pvh(false, 4, 4, false, 0x100800, &len);
	in = input(img, len);
	in.protocol = BOOT_PROTO_LINUX64;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == -ENOEXEC && bs.error[0],
	   "PVH ELF32 with linux64 forced: -ENOEXEC (%s)", bs.error);
	free(img);

	{
		struct elf_opts o = elf_default(true);

		elf_add(&o, elf_load(0x100000, 0x100, 0x100));
		o.entry = 0x100000;
		img = make_elf(&o, &len);
	}
	in = input(img, len);
	in.protocol = BOOT_PROTO_PVH;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == -ENOEXEC && strstr(bs.error, "PVH"),
	   "ELF64 without note, pvh forced: -ENOEXEC (%s)", bs.error);
	free(img);
	guest_fini(&g);
}

static void test_flat(void)
{
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	size_t len = X86_FLAT_MAX_SIZE;
	u8 *img = make_initrd(len + 1);
	u8 small[16] = { 0xf4 };
	int ret;

	ok(x86_kernel_detect(img, len, NULL) == KERNEL_FMT_FLAT,
	   "flat: 576 KiB detected as flat");
	expect_unknown(img, len + 1, "flat: 576 KiB + 1");
	ok(x86_kernel_detect(small, sizeof(small), NULL) == KERNEL_FMT_FLAT,
	   "flat: 16 bytes detected as flat");

	guest_init(&g, TEST_RAM);
	in = input(img, len);
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == 0 && bs.format == KERNEL_FMT_FLAT &&
	   bs.mode == CPU_MODE_REAL16 && bs.real_cs == 0x1000 &&
	   bs.rip == 0 && bs.rsp == 0xfffc,
	   "flat: real mode at 1000:0000, sp 0xfffc");
	ok(guest_eq(&g, X86_FLAT_LOAD_ADDR, img, len) &&
	   g.ram[X86_FLAT_LOAD_ADDR + len] == 0xaa &&
	   g.ram[X86_FLAT_LOAD_ADDR - 1] == 0xaa,
	   "flat: image at 0x10000 byte-exact, nothing around it");
	in.protocol = BOOT_PROTO_LINUX64;
	ok(x86_load_kernel(&g.mem, &g.map, &in, &bs) == -ENOEXEC,
	   "flat: linux64 forced: -ENOEXEC");
	in.protocol = BOOT_PROTO_AUTO;
	in.initrd = small;
	in.initrd_len = sizeof(small);
	ok(x86_load_kernel(&g.mem, &g.map, &in, &bs) == -EINVAL,
	   "flat: initrd refused");
	guest_fini(&g);
	free(img);

	expect_unknown(small, 0, "empty file");
	ok(!strcmp(x86_kernel_format_name(KERNEL_FMT_FLAT), "flat binary") &&
	   !strcmp(x86_kernel_format_name(KERNEL_FMT_UNKNOWN), "unknown"),
	   "format names");
}

/* Hostile images: byte flips of good ones must never crash or misload. */
static void test_fuzz(void)
{
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in;
	struct bz_opts bo = bz_default();
	size_t len, blen, i;
	u8 *elf = make_pvh(true, 4, 4, true, 0x100800, &len);
	u8 *bz = make_bzimage(&bo, &blen);
	u8 *copy = malloc(MAX(len, blen));
	unsigned int seed = 1, n, loaded = 0, rejected = 0, bad = 0;

	guest_init(&g, 8 * SZ_1M);
	for (n = 0; n < 4000; n++) {
		const u8 *src = n & 1 ? bz : elf;
		size_t l = n & 1 ? 0x300 : len;	/* flip header bytes */
		size_t total = n & 1 ? blen : len;
		int ret;

		memcpy(copy, src, total);
		for (i = 0; i < 3; i++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 8) % l] ^= (u8)(1 + (seed >> 20) % 255);
		}
		in = input(copy, total);
		ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
		if (!ret)
			loaded++;
		else if (ret == -ENOEXEC || ret == -E2BIG)
			rejected++;
		else
			bad++;
		if (ret && !bs.error[0])
			bad++;
	}
	ok(!bad && loaded && rejected,
	   "4000 corrupted images: %u loaded, %u rejected with a reason, %u odd",
	   loaded, rejected, bad);
	guest_fini(&g);
	free(elf);
	free(bz);
	free(copy);
}

/* Load and expect a refusal that left every byte of guest RAM as it was. */
static void expect_refused_untouched(const u8 *img, size_t len,
				     const u8 *initrd, size_t ilen,
				     const char *cl, const char *what)
{
	struct test_guest g;
	struct boot_state bs;
	struct boot_input in = input(img, len);
	int ret;

	guest_init(&g, 8 * SZ_1M);
	in.initrd = initrd;
	in.initrd_len = ilen;
	if (cl)
		in.cmdline = cl;
	ret = x86_load_kernel(&g.mem, &g.map, &in, &bs);
	ok(ret == -E2BIG && bs.error[0] && guest_all(&g, 0, 0xaa, g.size),
	   "%s: -E2BIG, and nothing written to guest RAM (%d: %s)", what,
	   ret, bs.error);
	guest_fini(&g);
}

/*
 * A kernel refused for its command line or initrd is refused before
 * anything lands in guest RAM (the kernel used to be copied first).
 */
static void test_refusals_write_nothing(void)
{
	struct bz_opts o = bz_default();
	struct elf_opts eo = elf_default(true);
	size_t len, ilen = 3 * SZ_1M;
	u8 *initrd = make_initrd(ilen), *img;
	char *cl = malloc(X86_CMDLINE_MAX + 1);

	memset(cl, 'c', X86_CMDLINE_MAX);
	cl[X86_CMDLINE_MAX] = '\0';
	o.cmdline_size = 8;
	o.pref_address = 0;
	img = make_bzimage(&o, &len);
	expect_refused_untouched(img, len, NULL, 0, NULL,
				 "bzImage, command line over cmdline_size");
	free(img);
	o = bz_default();
	o.pref_address = 0;
	o.initrd_addr_max = 0x100fff;
	img = make_bzimage(&o, &len);
	expect_refused_untouched(img, len, initrd, 4096, NULL,
				 "bzImage, initrd above initrd_addr_max");
	free(img);

	eo.entry = 0x100000;
	elf_add(&eo, elf_load(0x100000, 0x1000, 0x3000));
	img = make_elf(&eo, &len);
	expect_refused_untouched(img, len, NULL, 0, cl,
				 "ELF vmlinux, command line over 64 KiB");
	expect_refused_untouched(img, len, initrd, 8 * SZ_1M, NULL,
				 "ELF vmlinux, initrd larger than RAM");
	free(img);
	img = make_pvh(true, 4, 4, false, 0x100800, &len);
	expect_refused_untouched(img, len, initrd, 8 * SZ_1M, NULL,
				 "PVH ELF, initrd larger than RAM");
	expect_refused_untouched(img, len, NULL, 0, cl,
				 "PVH ELF, command line over 64 KiB");
	free(img);
	free(initrd);
	free(cl);
}

int main(void)
{
	test_bzimage_good();
	test_bzimage_setup_sects_zero();
	test_bzimage_rejects();
	test_bzimage_relocatable();
	test_bzimage_too_big();
	test_cmdline();
	test_initrd();
	test_refusals_write_nothing();
	test_bzimage_protocols();
	test_elf64();
	test_elf_malformed();
	test_pvh();
	test_flat();
	test_fuzz();
	return tap_done();
}
