// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/arm64/vm.c's pvpanic without KVM: arm64_pvpanic_init() puts the
 * register on the MMIO bus, arch_load_guest() describes it in the device
 * tree it writes to guest RAM (read back here with libfdt), and a guest's
 * store of PANICKED, handed over as a synthetic KVM_EXIT_MMIO, stops the
 * VM with status 3; without the device there is no node and the store
 * stops nothing. Runs under qemu-aarch64-static.
 */
#include <libfdt.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "arch.h"
#include "log.h"
#include "vcpu.h"
#include "arm64/arm64-vm.h"

#define RAM_SIZE (16 * SZ_1M)
#define IMAGE_LEN 0x10000

struct machine {
	struct vm_config cfg;
	struct arm64_vm a;
	struct vm vm;
	struct vcpu vcpu;
	struct kvm_run *run;
	u8 *ram, *image;
};

static void machine_init(struct machine *m, bool pvpanic)
{
	memset(m, 0, sizeof(*m));
	m->cfg = (struct vm_config){
		.nr_cpus = 1, .ram_size = RAM_SIZE, .cmdline = "panic=-1",
		.pvpanic = pvpanic,
	};
	m->a.gic_fd = -1;
	m->a.gic_version = 3;
	m->vm.cfg = &m->cfg;
	m->vm.arch = &m->a;
	m->ram = calloc(1, RAM_SIZE);
	m->image = calloc(1, IMAGE_LEN);
	m->run = calloc(1, sizeof(*m->run));
	if (!m->ram || !m->image || !m->run ||
	    guest_mem_add(&m->vm.mem, ARM64_RAM_BASE, RAM_SIZE, m->ram, false))
		abort();
	/* An Image header: text_offset 0, image_size 1 MiB, "ARM\x64". */
	m->image[18] = 0x10;
	memcpy(m->image + 56, "ARM\x64", 4);
	m->vm.kernel = (struct mapped_file){ m->image, IMAGE_LEN };
	bus_init(&m->vm.mmio_bus, "mmio");
	m->vcpu = (struct vcpu){ .vm = &m->vm, .fd = -1, .run = m->run };
}

static void machine_fini(struct machine *m)
{
	if (m->a.has_pvpanic)
		pvpanic_destroy(&m->a.pvpanic);
	bus_destroy(&m->vm.mmio_bus);
	free(m->run);
	free(m->image);
	free(m->ram);
}

/* A guest access handed over as KVM would; the exit handlers' result. */
static int mmio_exit(struct machine *m, u64 addr, u8 len, bool is_write,
		     u8 value)
{
	int r;

	memset(m->run, 0, sizeof(*m->run));
	m->run->exit_reason = KVM_EXIT_MMIO;
	m->run->mmio.phys_addr = addr;
	m->run->mmio.len = len;
	m->run->mmio.is_write = is_write;
	m->run->mmio.data[0] = value;
	r = arch_handle_exit(&m->vcpu);
	return r ? r : vcpu_handle_exit(&m->vcpu);
}

static const void *tree(struct machine *m)
{
	return m->ram + (m->a.boot.dtb_start - ARM64_RAM_BASE);
}

int main(void)
{
	struct machine m;
	const fdt64_t *reg;
	const char *compat;
	const void *fdt;
	int off, len;

	log_set_level(LOG_ERROR);
	machine_init(&m, true);
	ok(arm64_pvpanic_init(&m.vm) == 0 && m.a.has_pvpanic,
	   "arm64_pvpanic_init: the register on the MMIO bus");
	ok(arch_load_guest(&m.vm) == 0, "arch_load_guest writes the tree");
	fdt = tree(&m);
	off = fdt_path_offset(fdt, "/pvpanic@9000000");
	compat = off < 0 ? NULL : fdt_getprop(fdt, off, "compatible", &len);
	ok(fdt_check_header(fdt) == 0 && compat &&
	   !strcmp(compat, "qemu,pvpanic-mmio"),
	   "the guest's device tree has pvpanic@9000000, qemu,pvpanic-mmio");
	reg = off < 0 ? NULL : fdt_getprop(fdt, off, "reg", &len);
	ok(reg && len == 16 && fdt64_to_cpu(reg[0]) == ARM64_PVPANIC_BASE &&
	   fdt64_to_cpu(reg[1]) == PVPANIC_MMIO_SIZE,
	   "its reg: <0x%llx %u>, where the register is",
	   (unsigned long long)ARM64_PVPANIC_BASE, PVPANIC_MMIO_SIZE);
	ok(mmio_exit(&m, ARM64_PVPANIC_BASE, 1, false, 0) == 1 &&
	   m.run->mmio.data[0] == PVPANIC_EVENTS,
	   "a byte load from it (MMIO exit) gives the events, 0x03");
	ok(mmio_exit(&m, ARM64_PVPANIC_BASE, 1, true, PVPANIC_CRASH_LOADED)
	   == 1 && !vm_stop_requested(&m.vm),
	   "a store of CRASH_LOADED: the VM goes on");
	ok(mmio_exit(&m, ARM64_PVPANIC_BASE, 1, true, PVPANIC_PANICKED) == 1 &&
	   vm_stop_requested(&m.vm) &&
	   atomic_load(&m.vm.exit_status) == LKVM_STATUS_PANIC,
	   "a store of PANICKED requests a stop with status 3");
	machine_fini(&m);

	machine_init(&m, false);
	ok(arch_load_guest(&m.vm) == 0 &&
	   fdt_path_offset(tree(&m), "/pvpanic@9000000") ==
	   -FDT_ERR_NOTFOUND, "--no-pvpanic: no node in the device tree");
	ok(mmio_exit(&m, ARM64_PVPANIC_BASE, 1, true, PVPANIC_PANICKED) == 1 &&
	   !vm_stop_requested(&m.vm),
	   "--no-pvpanic: the store reaches nothing, no stop");
	machine_fini(&m);
	return tap_done();
}
