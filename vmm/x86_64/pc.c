// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform devices of an x86_64 VM: COM1-4 (COM1 on the console),
 * RTC/CMOS, the i8042 controller, the test-exit port, the ACPI PM
 * registers (unless --no-acpi) and the ports a PC has but lkvm models as
 * doing nothing; PCI bus 0 with the virtio devices and the pvpanic
 * function.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "devices/acpi-pm.h"
#include "devices/debug-exit.h"
#include "devices/i8042.h"
#include "devices/ignored-ports.h"
#include "devices/irq-share.h"
#include "devices/pci.h"
#include "devices/pvpanic.h"
#include "devices/rtc.h"
#include "devices/serial8250.h"
#include "log.h"
#include "vm-virtio.h"
#include "vm.h"
#include "x86/layout.h"
#include "x86/pc.h"

#define PC_NR_UARTS 4
#define PC_IRQ_KBD 1
#define PC_IRQ_AUX 12

struct pc_devices {
	struct serial8250 uarts[PC_NR_UARTS];
	/* COM1/COM3 share IRQ 4, COM2/COM4 IRQ 3. */
	struct irq_line irq4, irq3, kbd_irq, aux_irq;
	struct irq_share irq4_share, irq3_share;
	struct rtc rtc;
	struct i8042 i8042;
	struct debug_exit debug_exit;
	struct acpi_pm acpi_pm;
	struct ignored_ports ignored;
	struct pci_host pci;
	struct pci_msi_ops msi;
	struct vm_virtio *virtio;
	struct pvpanic pvpanic;
};

static const struct {
	const char *name;
	u16 base;
	bool on_irq4;
	unsigned int share_input;
} pc_uarts[PC_NR_UARTS] = {
	{ "ttyS0", SERIAL8250_COM1_BASE, true, 0 },
	{ "ttyS1", SERIAL8250_COM2_BASE, false, 0 },
	{ "ttyS2", SERIAL8250_COM3_BASE, true, 1 },
	{ "ttyS3", SERIAL8250_COM4_BASE, false, 1 },
};

/* Console quit, PCI reset, ACPI S5: the VM ends with status 0. */
static void pc_stop_clean(void *opaque)
{
	vm_request_stop(opaque, 0);
}

static int pc_init_uarts(struct vm *vm, struct pc_devices *pc)
{
	unsigned int i;
	int err;

	vm_irq_line_init(vm, &pc->irq4, SERIAL8250_COM1_IRQ);
	vm_irq_line_init(vm, &pc->irq3, SERIAL8250_COM2_IRQ);
	err = irq_share_init(&pc->irq4_share, &pc->irq4, 2);
	if (!err)
		err = irq_share_init(&pc->irq3_share, &pc->irq3, 2);
	if (err)
		return err;
	for (i = 0; i < PC_NR_UARTS; i++) {
		struct irq_share *share = pc_uarts[i].on_irq4 ?
			&pc->irq4_share : &pc->irq3_share;

		err = serial8250_init(&pc->uarts[i], &vm->pio_bus,
				      pc_uarts[i].name, pc_uarts[i].base,
				      irq_share_input(share,
						      pc_uarts[i].share_input),
				      i == 0 ? &vm->term.out : NULL);
		if (err) {
			pr_err("cannot set up %s: %s", pc_uarts[i].name,
			       strerror(-err));
			return err;
		}
	}
	if (vm->cfg->console != CONSOLE_SERIAL)
		return 0;
	serial8250_set_room_cb(&pc->uarts[0], term_notify_room, &vm->term);
	err = term_attach(&vm->term, &vm->io, serial8250_sink, &pc->uarts[0],
			  pc_stop_clean, vm);
	if (err)
		pr_err("cannot attach the console: %s", strerror(-err));
	return err;
}

/* PCI bus 0 (always there, as on a PC) and the virtio devices. */
static int pc_init_pci(struct vm *vm, struct pc_devices *pc)
{
	struct pci_host_options o = {
		.ecam_base = X86_PCI_ECAM_START,
		.bar_mem_base = X86_PCI_BAR_START,
		.bar_mem_size = X86_PCI_BAR_SIZE,
		.bar_io_base = X86_PCI_IO_START,
		.bar_io_size = X86_PCI_IO_SIZE,
		.msi = &pc->msi,
		.reset = pc_stop_clean,
		.reset_opaque = vm,
	};
	struct vm_virtio_layout layout = {
		.mmio_base = X86_VIRTIO_MMIO_START,
		.mmio_stride = X86_VIRTIO_MMIO_STRIDE,
		.mmio_max = (X86_PCI_ECAM_START - X86_VIRTIO_MMIO_START) /
			    X86_VIRTIO_MMIO_STRIDE,
	};

	struct pvpanic_ops panic_ops;
	int err;

	vm_pci_msi_ops(vm, &pc->msi);
	err = pci_host_init(&pc->pci, &vm->pio_bus, &vm->mmio_bus, &o);
	if (err) {
		pr_err("cannot set up the PCI host bridge: %s",
		       strerror(-err));
		return err;
	}
	err = vm_virtio_init(vm, &pc->pci, &layout, &pc->virtio);
	if (err || !vm->cfg->pvpanic)
		return err;
	/* After the virtio functions, which keep their slots. */
	vm_pvpanic_ops(vm, &panic_ops);
	err = pvpanic_pci_init(&pc->pvpanic, &pc->pci, &panic_ops);
	if (err)
		pr_err("cannot set up the pvpanic device: %s", strerror(-err));
	return err;
}

int arch_devices_init(struct vm *vm)
{
	struct pc_devices *pc;
	int err;

	pc = calloc(1, sizeof(*pc));
	if (!pc) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	vm->devices = pc;
	err = pc_init_uarts(vm, pc);
	if (err)
		return err;

	vm_irq_line_init(vm, &pc->kbd_irq, PC_IRQ_KBD);
	vm_irq_line_init(vm, &pc->aux_irq, PC_IRQ_AUX);
	err = rtc_init(&pc->rtc, &vm->pio_bus);
	if (!err)
		err = i8042_init(&pc->i8042, &vm->pio_bus, vm, &pc->kbd_irq,
				 &pc->aux_irq);
	if (!err)
		err = debug_exit_init(&pc->debug_exit, &vm->pio_bus, vm,
				      X86_PORT_DEBUG_EXIT);
	if (!err)
		err = ignored_ports_init(&pc->ignored, &vm->pio_bus, vm);
	if (!err && !vm->cfg->no_acpi) {
		const struct acpi_pm_ops pm_ops = {
			.power_off = pc_stop_clean, .opaque = vm,
		};

		err = acpi_pm_init(&pc->acpi_pm, &vm->pio_bus, X86_PORT_ACPI_PM,
				   &pm_ops);
	}
	if (err) {
		pr_err("cannot set up the PC devices: %s", strerror(-err));
		return err;
	}
	return pc_init_pci(vm, pc);
}

void pc_devices_free(struct vm *vm)
{
	struct pc_devices *pc = vm->devices;

	if (!pc)
		return;
	free(pc);
	vm->devices = NULL;
}

struct pc_irq_list {
	struct x86_mp_pci_irq *out;
	unsigned int n, max;
};

static void pc_add_irq(void *opaque, u8 slot, u8 pin, u32 gsi)
{
	struct pc_irq_list *l = opaque;

	if (l->n < l->max)
		l->out[l->n++] = (struct x86_mp_pci_irq){
			.dev = slot, .pin = pin, .gsi = (u8)gsi,
		};
}

unsigned int pc_pci_irqs(struct vm *vm, struct x86_mp_pci_irq *out,
			 unsigned int max)
{
	struct pc_devices *pc = vm->devices;
	struct pc_irq_list l = { out, 0, max };

	if (pc)
		pci_list_intx(&pc->pci, pc_add_irq, &l);
	return l.n;
}

const char *pc_cmdline_extra(struct vm *vm)
{
	struct pc_devices *pc = vm->devices;

	return pc ? vm_virtio_cmdline(pc->virtio) : "";
}
