// SPDX-License-Identifier: GPL-2.0
/*
 * PVH entry: hvm_start_info (version 1) at X86_PVH_INFO_ADDR, followed by
 * its memory map and module list (the initrd, when given). The kernel
 * starts in flat 32-bit protected mode, paging off, EBX = start info.
 */
#include <errno.h>
#include <string.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

#define PVH_MEMMAP_ADDR	ALIGN_UP(X86_PVH_INFO_ADDR + \
				 sizeof(struct hvm_start_info), 8)

int x86_setup_pvh(const struct guest_mem *mem, const struct x86_mem_map *map,
		  const struct boot_input *in,
		  const struct x86_kernel_area *ka, struct boot_state *out)
{
	struct hvm_memmap_table_entry mm[E820_MAX_ENTRIES];
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	u64 modlist_addr;
	unsigned int i;
	int ret;

	/* What can refuse the image, before anything is written. */
	ret = x86_check_cmdline(in->cmdline, X86_CMDLINE_MAX - 1, out);
	if (!ret)
		ret = x86_plan_initrd(map, in, X86_MMIO_HOLE_END, ka, out);
	if (!ret)
		ret = x86_place_cmdline(mem, in->cmdline, X86_CMDLINE_MAX - 1,
					out);
	if (!ret)
		ret = x86_write_initrd(mem, in, out);
	if (ret)
		return ret;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < map->nr && i < E820_MAX_ENTRIES; i++) {
		mm[i].addr = map->entries[i].addr;
		mm[i].size = map->entries[i].size;
		mm[i].type = map->entries[i].type == E820_TYPE_RAM ?
			     HVM_MEMMAP_TYPE_RAM : HVM_MEMMAP_TYPE_RESERVED;
	}
	modlist_addr = PVH_MEMMAP_ADDR + i * sizeof(mm[0]);
	static_assert(PVH_MEMMAP_ADDR + sizeof(mm) + sizeof(mod) <=
		      X86_ZERO_PAGE_ADDR, "PVH info overlaps the zero page");

	memset(&si, 0, sizeof(si));
	si.magic = HVM_START_MAGIC;
	si.version = HVM_START_VERSION;
	si.cmdline_paddr = out->cmdline_addr;
	si.rsdp_paddr = in->acpi_rsdp;
	si.memmap_paddr = PVH_MEMMAP_ADDR;
	si.memmap_entries = i;
	if (out->initrd_size) {
		memset(&mod, 0, sizeof(mod));
		mod.paddr = out->initrd_start;
		mod.size = out->initrd_size;
		si.nr_modules = 1;
		si.modlist_paddr = modlist_addr;
		ret = x86_guest_write(mem, modlist_addr, &mod, sizeof(mod),
				      out, "PVH module list");
		if (ret)
			return ret;
	}
	ret = x86_guest_write(mem, PVH_MEMMAP_ADDR, mm, i * sizeof(mm[0]), out,
			      "PVH memory map");
	if (!ret)
		ret = x86_guest_write(mem, X86_PVH_INFO_ADDR, &si, sizeof(si),
				      out, "hvm_start_info");
	if (!ret)
		ret = x86_setup_gdt(mem, out);
	if (ret)
		return ret;
	out->mode = CPU_MODE_PROT32;
	out->rbx = X86_PVH_INFO_ADDR;
	out->rsp = X86_BOOT_STACK_TOP;
	return 0;
}
