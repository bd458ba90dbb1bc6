// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the x86_64 kernel loaders (vmm/x86_64/loader*.c,
 * zero-page.c, pvh.c): a hostile kernel image (bzImage through the 64-bit
 * boot protocol, ELF vmlinux, ELF with a PVH note, flat binary) with a
 * command line, an initrd and a memory map the input chooses.
 *
 * Input:
 *   u8 flags   bits 0-1: protocol (0 auto, 1 linux64, 2 pvh, 3 auto);
 *              bit 2: a reserved hole in the RAM above 1 MiB;
 *              bit 3: a bzImage's payload decompressed by lkvm (else
 *              --guest-decompress)
 *   u8 ram     guest RAM is 2 + ram % 7 MiB
 *   u8 hole    the hole's start: 1 MiB + (hole % 64) * 64 KiB, 256 KiB long
 *   u8 clen    command line length (bytes from the input, NULs made 'x')
 *   le32 ilen  initrd length (ilen % 2 MiB; its bytes are a pattern)
 *   then clen bytes of command line, then the kernel image.
 *
 * Guest RAM is one host buffer covering the whole map, reserved ranges
 * included, filled with a marker before each load. Invariants (abort =
 * finding):
 * - a rejected image: -ENOEXEC, -E2BIG or -EINVAL with a reason in
 *   out.error, and no byte of guest memory changed;
 * - an accepted one: every changed byte lies in the kernel, initrd,
 *   command line or the loader's low structures (GDT, PVH info, zero
 *   page, page tables), the kernel and initrd each inside one RAM entry at
 *   or above 1 MiB, apart, and below 4 GiB; nothing in a reserved range
 *   changed (a flat binary may cover the EBDA, as documented);
 * - the entry point lies in the loaded kernel; the kernel bytes are the
 *   image's (the protected-mode part of a bzImage, each ELF segment with
 *   its bss zeroed); the command line and initrd arrive intact;
 * - a bzImage is one whose setup header says protocol 2.12+ with a 64-bit
 *   entry, the setup code inside the file and, when relocatable, a power of
 *   two alignment the load address keeps; its zero page carries that header
 *   with the loader's fields (cmd_line_ptr, ramdisk, code32_start,
 *   type_of_loader) and the e820 map; the command line fits cmdline_size
 *   and the initrd ends below initrd_addr_max;
 * - a bzImage whose payload lkvm decompressed: the payload lies inside the
 *   file, decompresses to the size the loader reports, spans no more than
 *   the header's init_size, and what is in
 *   guest memory is that ELF's segments (as for an ELF), entered at its
 *   entry; the zero page carries the image's header version;
 * - PVH: hvm_start_info with its magic, the command line, the memory map
 *   and the initrd as module; EBX points at it.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ram-mark.h"
#include "unaligned.h"
#include "x86/boot.h"
#include "x86/bootparam.h"
#include "x86/bzimage-payload.h"
#include "x86/layout.h"

#define MARK		RAM_MARK
#define MAX_RAM		(8ULL << 20)
#define HOLE_SIZE	(256ULL << 10)
#define MAX_INITRD	(2U << 20)
#define GDT_BYTES	32	/* vmm/x86_64/loader.h: 4 entries */

/* The last load's outcome, for the standalone replay's report. */
static char last_result[200];

struct fz {
	u8 *ram;		/* MAX_RAM bytes, guest-physical 0 up */
	u64 ram_size;
	struct guest_mem mem;
	struct x86_mem_map map;
	u8 *initrd;
	char cmdline[256];
};

static bool in_range(u64 a, u64 start, u64 len)
{
	return a >= start && a - start < len;
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* [addr, addr + len) inside one RAM entry, >= 1 MiB, below 4 GiB. */
static bool in_high_ram(const struct x86_mem_map *map, u64 addr, u64 len)
{
	unsigned int i;

	if (addr < X86_KERNEL_ADDR || addr + len < addr ||
	    addr + len > X86_MMIO_HOLE_END)
		return false;
	for (i = 0; i < map->nr; i++) {
		const struct e820_entry *e = &map->entries[i];

		if (e->type == E820_TYPE_RAM && addr >= e->addr &&
		    addr + len <= e->addr + e->size)
			return true;
	}
	return false;
}

static bool in_reserved(const struct x86_mem_map *map, u64 a)
{
	unsigned int i;

	for (i = 0; i < map->nr; i++)
		if (map->entries[i].type != E820_TYPE_RAM &&
		    in_range(a, map->entries[i].addr, map->entries[i].size))
			return true;
	return false;
}

static void make_map(struct fz *f, u8 flags, u8 ram, u8 hole)
{
	u64 hole_start = X86_KERNEL_ADDR + (u64)(hole % 64) * SZ_64K;
	struct x86_mem_map *map = &f->map;

	f->ram_size = (2ULL + ram % 7) << 20;
	x86_build_mem_map(f->ram_size, map);
	if (!(flags & 4) || hole_start + HOLE_SIZE >= f->ram_size)
		return;
	/* Split the RAM above 1 MiB around a reserved hole. */
	map->nr = 2;
	map->entries[map->nr++] = (struct e820_entry){
		X86_KERNEL_ADDR, hole_start - X86_KERNEL_ADDR, E820_TYPE_RAM };
	map->entries[map->nr++] = (struct e820_entry){
		hole_start, HOLE_SIZE, E820_TYPE_RESERVED };
	map->entries[map->nr++] = (struct e820_entry){
		hole_start + HOLE_SIZE, f->ram_size - hole_start - HOLE_SIZE,
		E820_TYPE_RAM };
	if (map->entries[2].size == 0) {
		map->entries[2] = map->entries[3];
		map->entries[3] = map->entries[4];
		map->nr--;
	}
}

/* What an accepted bzImage must look like. */
static void check_bzimage(const struct fz *f, const u8 *k, size_t len,
			  const struct boot_input *in,
			  const struct boot_state *bs)
{
	const struct boot_params *bp =
		(const struct boot_params *)(f->ram + X86_ZERO_PAGE_ADDR);
	u8 sects = k[BP_SETUP_HEADER_OFF] ?: BP_SETUP_DEFAULT_SECTS;
	u64 setup = (u64)(sects + 1) * BP_SECTOR_SIZE, load, pm_len;
	u64 runtime, init_size;
	u16 version = get_le16(k + 0x206);
	u32 align = get_le32(k + 0x230);
	unsigned int i;

	if (get_le32(k + BP_HDRS_OFF) != BP_HDRS_MAGIC ||
	    version < 0x020c || !(get_le16(k + 0x236) & BP_XLF_KERNEL_64) ||
	    setup + BP_ENTRY64_OFF >= len ||
	    BP_JUMP_OFF + 2 + k[BP_JUMP_OFF + 1] < 0x264)
		abort();
	load = bs->rip - BP_ENTRY64_OFF;
	pm_len = len - setup;
	if (k[0x234] && (!align || (align & (align - 1)) || load % align))
		abort();
	/* Where it decompresses to: init_size bytes, apart from the initrd. */
	runtime = k[0x234] ? load : get_le64(k + 0x258) ?: X86_KERNEL_ADDR;
	init_size = MAX((u64)get_le32(k + 0x260), pm_len);
	if (!in_high_ram(&f->map, runtime, init_size) ||
	    overlaps(bs->initrd_start, bs->initrd_size, load, pm_len) ||
	    overlaps(bs->initrd_start, bs->initrd_size, runtime, init_size))
		abort();
	if (!in_high_ram(&f->map, load, pm_len) ||
	    memcmp(f->ram + load, k + setup, pm_len) ||
	    load < bs->kernel_start || load + pm_len > bs->kernel_end)
		abort();
	if (bp->hdr.header != BP_HDRS_MAGIC || bp->hdr.version != version ||
	    bp->hdr.type_of_loader != BP_LOADER_UNDEFINED ||
	    !(bp->hdr.loadflags & BP_LOADED_HIGH) ||
	    bp->hdr.code32_start != load ||
	    bp->hdr.cmd_line_ptr != bs->cmdline_addr ||
	    bp->hdr.ramdisk_image != bs->initrd_start ||
	    bp->hdr.ramdisk_size != bs->initrd_size ||
	    bp->hdr.setup_data != 0 || bp->acpi_rsdp_addr != in->acpi_rsdp)
		abort();
	if (strlen(in->cmdline) > bp->hdr.cmdline_size)
		abort();
	if (bs->initrd_size &&
	    bs->initrd_start + bs->initrd_size - 1 > bp->hdr.initrd_addr_max)
		abort();
	if (bp->e820_entries != f->map.nr)
		abort();
	for (i = 0; i < f->map.nr; i++)
		if (bp->e820_table[i].addr != f->map.entries[i].addr ||
		    bp->e820_table[i].size != f->map.entries[i].size ||
		    bp->e820_table[i].type != f->map.entries[i].type)
			abort();
}

/* An ELF's PT_LOAD segments, read here independently of the loader. */
static void check_elf(const struct fz *f, const u8 *k, size_t len,
		      const struct boot_state *bs)
{
	bool is64 = k[EI_CLASS] == ELFCLASS64, entry_in = false;
	u64 phoff = is64 ? get_le64(k + 32) : get_le32(k + 28);
	u16 phentsize = get_le16(k + (is64 ? 54 : 42));
	u16 phnum = get_le16(k + (is64 ? 56 : 44));
	unsigned int i, nr = 0;

	/* The loader accepted it: its program headers are in the file. */
	if (len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)) ||
	    phentsize < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    phoff > len || (u64)phnum * phentsize > len - phoff)
		abort();
	for (i = 0; i < phnum; i++) {
		const u8 *p = k + phoff + (u64)i * phentsize;
		u64 off, paddr, filesz, memsz, j;

		if (get_le32(p) != PT_LOAD)
			continue;
		off = is64 ? get_le64(p + 8) : get_le32(p + 4);
		paddr = is64 ? get_le64(p + 24) : get_le32(p + 12);
		filesz = is64 ? get_le64(p + 32) : get_le32(p + 16);
		memsz = is64 ? get_le64(p + 40) : get_le32(p + 20);
		if (!memsz)
			continue;
		nr++;
		if (filesz > memsz || off > len || filesz > len - off ||
		    !in_high_ram(&f->map, paddr, memsz) ||
		    paddr < bs->kernel_start || paddr + memsz > bs->kernel_end ||
		    overlaps(bs->initrd_start, bs->initrd_size, paddr, memsz) ||
		    memcmp(f->ram + paddr, k + off, filesz))
			abort();
		for (j = filesz; j < memsz; j++)
			if (f->ram[paddr + j])
				abort();
		entry_in |= in_range(bs->rip, paddr, memsz);
	}
	if (!nr || !entry_in)
		abort();
}

static void check_pvh(const struct fz *f, const struct boot_state *bs)
{
	const struct hvm_start_info *si =
		(const struct hvm_start_info *)(f->ram + X86_PVH_INFO_ADDR);
	const struct hvm_memmap_table_entry *mm;
	unsigned int i;

	if (bs->mode != CPU_MODE_PROT32 || bs->rbx != X86_PVH_INFO_ADDR ||
	    si->magic != HVM_START_MAGIC || si->version < 1 ||
	    si->cmdline_paddr != bs->cmdline_addr ||
	    si->memmap_entries != f->map.nr ||
	    si->memmap_paddr + f->map.nr * sizeof(*mm) > X86_ZERO_PAGE_ADDR ||
	    si->memmap_paddr < X86_PVH_INFO_ADDR + sizeof(*si))
		abort();
	mm = (const void *)(f->ram + si->memmap_paddr);
	for (i = 0; i < f->map.nr; i++)
		if (mm[i].addr != f->map.entries[i].addr ||
		    mm[i].size != f->map.entries[i].size)
			abort();
	if (si->nr_modules != (bs->initrd_size ? 1 : 0))
		abort();
	if (si->nr_modules) {
		const struct hvm_modlist_entry *mod =
			(const void *)(f->ram + si->modlist_paddr);

		if (si->modlist_paddr + sizeof(*mod) > X86_ZERO_PAGE_ADDR ||
		    mod->paddr != bs->initrd_start ||
		    mod->size != bs->initrd_size)
			abort();
	}
}

/* Every changed byte is in something the loader was entitled to write. */
static void check_writes(const struct fz *f, const struct boot_input *in,
			 const struct boot_state *bs)
{
	u64 a, clen = strlen(in->cmdline) + 1;

	for (a = 0; a < f->ram_size; a++) {
		bool ok;

		if (a % SZ_4K == 0 && ram_untouched(f->ram + a, SZ_4K)) {
			a += SZ_4K - 1;
			continue;
		}
		if (f->ram[a] == MARK)
			continue;
		if (bs->format == KERNEL_FMT_FLAT) {
			ok = in_range(a, X86_FLAT_LOAD_ADDR, in->kernel_len);
		} else {
			ok = in_range(a, bs->kernel_start,
				      bs->kernel_end - bs->kernel_start) ||
			     in_range(a, bs->initrd_start, bs->initrd_size) ||
			     in_range(a, bs->cmdline_addr, clen) ||
			     in_range(a, X86_GDT_ADDR, GDT_BYTES) ||
			     in_range(a, X86_PVH_INFO_ADDR,
				      X86_BOOT_STACK_TOP - X86_PVH_INFO_ADDR) ||
			     in_range(a, X86_PAGE_TABLES_ADDR,
				      X86_FLAT_LOAD_ADDR - X86_PAGE_TABLES_ADDR);
			ok = ok && !in_reserved(&f->map, a);
		}
		if (!ok)
			abort();
		/* Skip the rest of a range known good, for speed. */
		if (in_range(a, bs->kernel_start,
			     bs->kernel_end - bs->kernel_start))
			a = bs->kernel_end - 1;
		else if (in_range(a, bs->initrd_start, bs->initrd_size))
			a = bs->initrd_start + bs->initrd_size - 1;
	}
}

/* The ELF lkvm took out of a bzImage is what guest memory holds. */
static void check_decompressed(const struct fz *f, const struct boot_input *in,
			       const struct boot_state *bs)
{
	const u8 *k = in->kernel;
	const struct boot_params *bp = (const void *)(f->ram +
						      X86_ZERO_PAGE_ADDR);
	u64 setup = ((u64)(k[BP_SETUP_HEADER_OFF] ?: 4) + 1) * 512;
	u32 off = get_le32(k + 0x248), plen = get_le32(k + 0x24c);
	const char *why;
	size_t elf_len;
	u8 *elf;

	if (in->guest_decompress || get_le16(k + 0x206) < 0x0208 || !plen ||
	    setup > in->kernel_len || off > in->kernel_len - setup ||
	    plen > in->kernel_len - setup - off)
		abort();
	if (bz_payload_decompress(k + setup + off, plen, SIZE_MAX, &elf,
				  &elf_len, &why) ||
	    elf_len != bs->decompressed_size)
		abort();
	check_elf(f, elf, elf_len, bs);
	if (bs->kernel_end - bs->kernel_start > get_le32(k + 0x260))
		abort();
	if (bp->hdr.header != BP_HDRS_MAGIC ||
	    bp->hdr.version != get_le16(k + 0x206) ||
	    (bp->hdr.loadflags & BP_KASLR_FLAG))
		abort();
	free(elf);
}

static void check_loaded(const struct fz *f, const struct boot_input *in,
			 const struct boot_state *bs)
{
	check_writes(f, in, bs);
	if (bs->format == KERNEL_FMT_FLAT) {
		if (bs->mode != CPU_MODE_REAL16 ||
		    memcmp(f->ram + X86_FLAT_LOAD_ADDR, in->kernel,
			   in->kernel_len))
			abort();
		return;
	}
	if (bs->kernel_end <= bs->kernel_start ||
	    bs->kernel_start < X86_KERNEL_ADDR ||
	    bs->kernel_end > X86_MMIO_HOLE_END ||
	    !in_range(bs->rip, bs->kernel_start,
		      bs->kernel_end - bs->kernel_start))
		abort();
	if (strcmp((const char *)f->ram + bs->cmdline_addr, in->cmdline))
		abort();
	if (bs->initrd_size != in->initrd_len)
		abort();
	if (bs->initrd_size) {
		if (!in_high_ram(&f->map, bs->initrd_start, bs->initrd_size) ||
		    bs->initrd_start % SZ_4K ||
		    memcmp(f->ram + bs->initrd_start, in->initrd,
			   in->initrd_len))
			abort();
	}
	switch (bs->format) {
	case KERNEL_FMT_BZIMAGE:
		if (bs->mode != CPU_MODE_LONG64 ||
		    bs->rsi != X86_ZERO_PAGE_ADDR)
			abort();
		if (bs->decompressed)
			check_decompressed(f, in, bs);
		else
			check_bzimage(f, in->kernel, in->kernel_len, in, bs);
		break;
	case KERNEL_FMT_ELF:
		if (bs->mode != CPU_MODE_LONG64 ||
		    bs->rsi != X86_ZERO_PAGE_ADDR ||
		    in->protocol == BOOT_PROTO_PVH)
			abort();
		check_elf(f, in->kernel, in->kernel_len, bs);
		break;
	case KERNEL_FMT_ELF_PVH:
		if (in->protocol == BOOT_PROTO_LINUX64)
			abort();
		check_elf(f, in->kernel, in->kernel_len, bs);
		check_pvh(f, bs);
		break;
	default:
		abort();
	}
	if (!ram_untouched(f->ram + X86_EBDA_ADDR, X86_BIOS_END - X86_EBDA_ADDR))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	struct boot_input in;
	struct boot_state bs;
	size_t clen, i;
	int ret;

	if (size < 8)
		return 0;
	log_set_level(LOG_ERROR);
	loader_buffers(&f.ram, MAX_RAM, &f.initrd, MAX_INITRD);
	make_map(&f, data[0], data[1], data[2]);
	memset(&f.mem, 0, sizeof(f.mem));
	if (guest_mem_add(&f.mem, 0, f.ram_size, f.ram, false))
		abort();
	memset(f.ram, MARK, f.ram_size);

	memset(&in, 0, sizeof(in));
	in.protocol = (enum boot_protocol)(data[0] & 3);
	if (in.protocol > BOOT_PROTO_PVH)
		in.protocol = BOOT_PROTO_AUTO;
	clen = MIN((size_t)data[3], size - 8);
	in.initrd_len = get_le32(data + 4) % MAX_INITRD;
	in.initrd = in.initrd_len ? f.initrd : NULL;
	for (i = 0; i < clen; i++)
		f.cmdline[i] = data[8 + i] ? (char)data[8 + i] : 'x';
	f.cmdline[clen] = '\0';
	in.cmdline = f.cmdline;
	in.kernel = data + 8 + clen;
	in.kernel_len = size - 8 - clen;
	in.acpi_rsdp = X86_ACPI_ADDR;
	in.guest_decompress = !(data[0] & 8);

	ret = x86_load_kernel(&f.mem, &f.map, &in, &bs);
	snprintf(last_result, sizeof(last_result), "%s",
		 ret ? bs.error : x86_kernel_format_name(bs.format));
	if (ret) {
		if ((ret != -ENOEXEC && ret != -E2BIG && ret != -EINVAL &&
		     ret != -ENOMEM) ||
		    !bs.error[0])
			abort();
		if (!ram_untouched(f.ram, f.ram_size))
			abort();
		return 0;
	}
	check_loaded(&f, &in, &bs);
	return 0;
}

#define FUZZ_REPLAY_AFTER(path) printf("%s: %s\n", path, last_result)
#include "replay.h"
