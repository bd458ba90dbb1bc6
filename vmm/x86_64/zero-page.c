// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux 64-bit boot protocol's zero page (struct boot_params), and the
 * command line and initrd placement it shares with PVH.
 */
#include <errno.h>
#include <string.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

int x86_check_cmdline(const char *cmdline, u64 max_len,
		      struct boot_state *out)
{
	size_t len = strnlen(cmdline, X86_CMDLINE_MAX);

	max_len = MIN(max_len, X86_CMDLINE_MAX - 1);
	if (len > max_len)
		return x86_load_fail(out, -E2BIG,
				     "command line too long: %zu%s bytes, the kernel accepts %llu",
				     len, len >= X86_CMDLINE_MAX ? "+" : "",
				     (unsigned long long)max_len);
	return 0;
}

int x86_place_cmdline(const struct guest_mem *mem, const char *cmdline,
		      u64 max_len, struct boot_state *out)
{
	int ret = x86_check_cmdline(cmdline, max_len, out);

	if (ret)
		return ret;
	out->cmdline_addr = X86_CMDLINE_ADDR;
	return x86_guest_write(mem, X86_CMDLINE_ADDR, cmdline,
			       strlen(cmdline) + 1, out, "command line");
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 bend)
{
	return a < bend && b < a + alen;
}

int x86_plan_initrd(const struct x86_mem_map *map,
		    const struct boot_input *in, u64 limit,
		    const struct x86_kernel_area *ka, struct boot_state *out)
{
	u64 size = in->initrd_len, top, addr;
	unsigned int i, tries;

	out->initrd_start = 0;
	out->initrd_size = 0;
	if (!in->initrd || !size)
		return 0;
	top = MIN(limit, x86_map_low_ram_end(map));
	if (size > top)
		goto too_big;
	addr = ALIGN_DOWN(top - size, SZ_4K);
	/* Each kernel area it hits moves it below that area. */
	for (tries = 0; tries <= ka->nr; tries++) {
		for (i = 0; i < ka->nr; i++)
			if (overlaps(addr, size, ka->start[i], ka->end[i]))
				break;
		if (i == ka->nr)
			break;
		if (ka->start[i] < size)
			goto too_big;
		addr = ALIGN_DOWN(ka->start[i] - size, SZ_4K);
	}
	if (tries > ka->nr || !x86_map_loadable(map, addr, size))
		goto too_big;
	out->initrd_start = addr;
	out->initrd_size = size;
	return 0;

too_big:
	return x86_load_fail(out, -E2BIG,
			     "initrd (0x%llx bytes) does not fit in RAM below 0x%llx next to the kernel",
			     (unsigned long long)size,
			     (unsigned long long)MIN(limit,
						     x86_map_low_ram_end(map)));
}

int x86_write_initrd(const struct guest_mem *mem,
		     const struct boot_input *in, struct boot_state *out)
{
	return x86_guest_write(mem, out->initrd_start, in->initrd,
			       out->initrd_size, out, "initrd");
}

int x86_setup_zero_page(const struct guest_mem *mem,
			const struct x86_mem_map *map,
			const struct boot_input *in,
			const struct bp_setup_header *hdr,
			const struct x86_kernel_area *ka,
			struct boot_state *out)
{
	struct boot_params bp;
	u64 cmdline_max, initrd_limit;
	unsigned int i;
	int ret;

	/* What can refuse the image, before anything is written. */
	cmdline_max = hdr->version >= 0x0206 ? hdr->cmdline_size :
					       BP_CMDLINE_SIZE_OLD;
	initrd_limit = hdr->version >= 0x0203 ? (u64)hdr->initrd_addr_max + 1 :
						(u64)BP_INITRD_MAX_OLD + 1;
	ret = x86_check_cmdline(in->cmdline, cmdline_max, out);
	if (!ret)
		ret = x86_plan_initrd(map, in, initrd_limit, ka, out);
	if (ret)
		return ret;

	memset(&bp, 0, sizeof(bp));
	bp.hdr = *hdr;
	bp.hdr.type_of_loader = BP_LOADER_UNDEFINED;
	bp.hdr.loadflags |= BP_LOADED_HIGH | BP_CAN_USE_HEAP;
	bp.hdr.heap_end_ptr = BP_HEAP_END_PTR;
	/* Loader-written fields lkvm does not use: none, not the image's. */
	bp.hdr.setup_data = 0;
	bp.hdr.hardware_subarch = 0;
	bp.hdr.hardware_subarch_data = 0;
	bp.hdr.ext_loader_ver = 0;
	bp.hdr.ext_loader_type = 0;

	ret = x86_place_cmdline(mem, in->cmdline, cmdline_max, out);
	if (!ret)
		ret = x86_write_initrd(mem, in, out);
	if (ret)
		return ret;
	bp.hdr.cmd_line_ptr = (u32)out->cmdline_addr;
	bp.hdr.ramdisk_image = (u32)out->initrd_start;
	bp.hdr.ramdisk_size = (u32)out->initrd_size;

	for (i = 0; i < map->nr && i < BP_E820_MAX; i++) {
		bp.e820_table[i].addr = map->entries[i].addr;
		bp.e820_table[i].size = map->entries[i].size;
		bp.e820_table[i].type = map->entries[i].type;
	}
	bp.e820_entries = (u8)i;
	bp.acpi_rsdp_addr = in->acpi_rsdp;

	ret = x86_guest_write(mem, X86_ZERO_PAGE_ADDR, &bp, sizeof(bp), out,
			      "zero page");
	if (ret)
		return ret;
	ret = x86_setup_gdt(mem, out);
	if (ret)
		return ret;
	ret = x86_setup_page_tables(mem, out);
	if (ret)
		return ret;
	out->mode = CPU_MODE_LONG64;
	out->rsi = X86_ZERO_PAGE_ADDR;
	out->rsp = X86_BOOT_STACK_TOP;
	return 0;
}
