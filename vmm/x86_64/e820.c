// SPDX-License-Identifier: GPL-2.0
/* The guest's e820 memory map, and queries the loaders make on it. */
#include <string.h>

#include "x86/boot.h"
#include "x86/layout.h"
#include "loader.h"

static void map_add(struct x86_mem_map *map, u64 addr, u64 size, u32 type)
{
	if (!size || map->nr >= E820_MAX_ENTRIES)
		return;
	map->entries[map->nr++] = (struct e820_entry){
		.addr = addr, .size = size, .type = type,
	};
}

void x86_build_mem_map(u64 ram_size, struct x86_mem_map *map)
{
	u64 below_hole = MIN(ram_size, X86_MMIO_HOLE_START);

	memset(map, 0, sizeof(*map));
	map_add(map, 0, MIN(ram_size, X86_EBDA_ADDR), E820_TYPE_RAM);
	map_add(map, X86_EBDA_ADDR, X86_BIOS_END - X86_EBDA_ADDR,
		E820_TYPE_RESERVED);
	if (below_hole > X86_BIOS_END)
		map_add(map, X86_BIOS_END, below_hole - X86_BIOS_END,
			E820_TYPE_RAM);
	if (ram_size > X86_MMIO_HOLE_START)
		map_add(map, X86_MMIO_HOLE_END,
			ram_size - X86_MMIO_HOLE_START, E820_TYPE_RAM);
}

bool x86_map_loadable(const struct x86_mem_map *map, u64 addr, u64 len)
{
	unsigned int i;

	if (addr < X86_KERNEL_ADDR || addr >= X86_MMIO_HOLE_END ||
	    len > X86_MMIO_HOLE_END - addr)
		return false;
	for (i = 0; i < map->nr && i < E820_MAX_ENTRIES; i++) {
		const struct e820_entry *e = &map->entries[i];

		if (e->type != E820_TYPE_RAM)
			continue;
		if (addr >= e->addr && addr - e->addr <= e->size &&
		    len <= e->size - (addr - e->addr))
			return true;
	}
	return false;
}

u64 x86_map_low_ram_end(const struct x86_mem_map *map)
{
	unsigned int i;

	for (i = 0; i < map->nr && i < E820_MAX_ENTRIES; i++) {
		const struct e820_entry *e = &map->entries[i];

		if (e->type == E820_TYPE_RAM && e->addr <= X86_KERNEL_ADDR &&
		    X86_KERNEL_ADDR - e->addr < e->size)
			return e->size > X86_MMIO_HOLE_END - e->addr ?
			       X86_MMIO_HOLE_END : e->addr + e->size;
	}
	return 0;
}
