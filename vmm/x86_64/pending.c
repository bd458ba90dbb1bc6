// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY (removed before the first working boot is committed): weak
 * fallbacks so lkvm links while the loaders and the bus land in parallel.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "bus.h"
#include "x86/boot.h"

__attribute__((weak)) void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

__attribute__((weak)) void bus_destroy(struct bus *bus)
{
	(void)bus;
}

__attribute__((weak)) bool bus_access(struct bus *bus, struct vcpu *vcpu,
				      u64 addr, u8 *data, u32 len,
				      bool is_write)
{
	return false;
}

__attribute__((weak)) void x86_build_mem_map(u64 ram_size,
					     struct x86_mem_map *map)
{
	memset(map, 0, sizeof(*map));
}

__attribute__((weak)) int x86_load_kernel(const struct guest_mem *mem,
					  const struct x86_mem_map *map,
					  const struct boot_input *in,
					  struct boot_state *out)
{
	strcpy(out->error, "loaders not built yet");
	return -ENOSYS;
}

__attribute__((weak)) const char *x86_kernel_format_name(enum kernel_format f)
{
	return "?";
}

__attribute__((weak)) int x86_write_mptable(const struct guest_mem *mem,
					    unsigned int nr_cpus)
{
	return -ENOSYS;
}

__attribute__((weak)) void x86_boot_regs(const struct boot_state *bs,
					 struct kvm_regs *regs,
					 struct kvm_sregs *sregs)
{
}

__attribute__((weak)) int arch_devices_init(struct vm *vm)
{
	return 0;
}
