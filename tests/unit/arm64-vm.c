// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/arm64/vm.c's pvpanic without KVM: arm64_pvpanic_init() puts the
 * register on the MMIO bus, arch_load_guest() describes it in the device
 * tree it writes to guest RAM (read back here with libfdt), and a guest's
 * store of PANICKED, handed over as a synthetic KVM_EXIT_MMIO, stops the
 * VM with status 3; without the device there is no node and the store
 * stops nothing. And the lifecycle: arch_devices_init() puts the UART, the
 * console attachment and pvpanic on the VM's list, and destroying the list
 * takes them down in reverse order, off the MMIO bus. Runs under
 * qemu-aarch64-static.
 */
#include <libfdt.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "arch.h"
#include "log.h"
#include "vcpu.h"
#include "vm-virtio.h"
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
	vm_devices_destroy(&m->vm.devs);
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

/* The order of the list's destroy calls. */
struct destroys {
	char names[8][32];
	unsigned int n;
};

static void rec_destroy(void *opaque, const char *op, const char *name)
{
	struct destroys *d = opaque;

	if (!strcmp(op, "destroy") && d->n < ARRAY_SIZE(d->names))
		snprintf(d->names[d->n++], sizeof(d->names[0]), "%s", name);
}

static void test_lifecycle(void)
{
	static const char *const made[] = { "ttyS0", "console", "pvpanic",
					    "virtio" };
	struct destroys d = { .n = 0 };
	struct machine m;
	unsigned int i, n;
	int in[2], out[2];
	bool same;

	machine_init(&m, true);
	m.cfg.console = CONSOLE_SERIAL;
	if (pipe(in) || pipe(out) || io_loop_init(&m.vm.io) ||
	    term_init(&m.vm.term, in[0], out[1]))
		abort();
	ok(arch_devices_init(&m.vm) == 0, "arch_devices_init without KVM");
	n = m.vm.devs.nr;
	same = n == ARRAY_SIZE(made);
	for (i = 0; same && i < n; i++)
		same = !strcmp(m.vm.devs.list[i].name, made[i]);
	ok(same, "on the list as made: ttyS0, console, pvpanic, virtio (%u entries)",
	   n);
	ok(m.vm.mmio_bus.nr_devs == 2 && m.vm.term.room_attached,
	   "the UART and pvpanic on the MMIO bus, the console attached");
	m.vm.devs.trace = rec_destroy;
	m.vm.devs.trace_opaque = &d;
	vm_devices_destroy(&m.vm.devs);
	same = d.n == ARRAY_SIZE(made);
	for (i = 0; same && i < d.n; i++)
		same = !strcmp(d.names[i], made[d.n - 1 - i]);
	ok(same, "destroyed in reverse order: virtio, pvpanic, console, ttyS0");
	ok(m.vm.mmio_bus.nr_devs == 0 && !m.vm.term.room_attached &&
	   !m.vm.term.in_attached && m.vm.devs.nr == 0,
	   "then nothing is left on the MMIO bus, the console is detached and the list is empty");
	term_destroy(&m.vm.term);
	io_loop_destroy(&m.vm.io);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	machine_fini(&m);
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
	test_lifecycle();
	return tap_done();
}
