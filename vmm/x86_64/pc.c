// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform devices of an x86_64 VM: COM1-4 (COM1 on the console),
 * RTC/CMOS, the i8042 controller, the test-exit port, the ACPI PM
 * registers (unless --no-acpi) and the ports a PC has but lkvm models as
 * doing nothing; PCI bus 0 with the virtio devices and the pvpanic
 * function. Each goes on the VM's lifecycle list (include/vm-devices.h)
 * as it is made, so they are torn down in reverse order at every exit.
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
#include "platform-ops.h"
#include "sandbox-status.h"
#include "vm-virtio.h"
#include "vm.h"
#include "x86/acpi.h"
#include "x86/layout.h"
#include "x86/pc.h"

#define PC_NR_UARTS 4
#define PC_IRQ_KBD 1
#define PC_IRQ_AUX 12
#define PC_MAX_DSDT 16

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
	/* The DSDT nodes of the devices made, in order (acpi-devs.c). */
	struct x86_dsdt_node dsdt[PC_MAX_DSDT];
	unsigned int nr_dsdt;
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

/* The lifecycle list's view of each device: its own functions. */
static void pc_irq_share_destroy(void *s)
{
	irq_share_destroy(s);
}

static void pc_rtc_reset(void *rtc)
{
	rtc_reset(rtc);
}

static void pc_rtc_destroy(void *rtc)
{
	rtc_exit(rtc);
}

static void pc_i8042_reset(void *k)
{
	i8042_reset(k);
}

static void pc_i8042_destroy(void *k)
{
	i8042_exit(k);
}

static void pc_debug_exit_destroy(void *de)
{
	debug_exit_exit(de);
}

static void pc_ignored_reset(void *ip)
{
	ignored_ports_reset(ip);
}

static void pc_ignored_destroy(void *ip)
{
	ignored_ports_exit(ip);
}

static void pc_acpi_pm_reset(void *pm)
{
	acpi_pm_reset(pm);
}

static void pc_acpi_pm_destroy(void *pm)
{
	acpi_pm_exit(pm);
}

static void pc_pci_destroy(void *h)
{
	pci_host_destroy(h);
}

static const struct vm_device_ops pc_irq_share_ops = {
	.destroy = pc_irq_share_destroy,
};
static const struct vm_device_ops pc_rtc_ops = {
	.reset = pc_rtc_reset, .destroy = pc_rtc_destroy,
};
static const struct vm_device_ops pc_i8042_ops = {
	.reset = pc_i8042_reset, .destroy = pc_i8042_destroy,
};
static const struct vm_device_ops pc_debug_exit_ops = {
	.destroy = pc_debug_exit_destroy,
};
static const struct vm_device_ops pc_ignored_ops = {
	.reset = pc_ignored_reset, .destroy = pc_ignored_destroy,
};
static const struct vm_device_ops pc_acpi_pm_ops = {
	.reset = pc_acpi_pm_reset, .destroy = pc_acpi_pm_destroy,
};
static void pc_pci_reset(void *h)
{
	pci_host_reset(h);
}

/* Before the functions' own resets (they come after it on the list). */
static const struct vm_device_ops pc_pci_ops = {
	.reset = pc_pci_reset, .destroy = pc_pci_destroy,
};

/* The device just made appears in the DSDT through this node. */
static void pc_describe(struct pc_devices *pc,
			const struct x86_dsdt_node *node)
{
	if (pc->nr_dsdt < PC_MAX_DSDT)
		pc->dsdt[pc->nr_dsdt++] = *node;
	else
		pr_warn("no room for %s in the DSDT", node->name);
}

/*
 * Console quit, PCI reset, i8042 or port 0x92 reset, ACPI S5: lkvm has no
 * reboot, so the VM ends with status 0.
 */
static void pc_stop_clean(void *opaque)
{
	vm_request_stop(opaque, 0);
}

/*
 * The test-exit port: lkvm exits with the guest's verdict (lkvm run); in
 * the sandbox a power-off, the command's status coming from hvc2 only.
 */
static void pc_stop_status(void *opaque, int status)
{
	struct vm *vm = opaque;

	if (vm->cfg->sandbox)
		pr_warn("debug-exit: the sandbox takes no status from the test-exit port: stopping as a power-off");
	vm_request_stop(vm, test_exit_stop_status(vm->cfg->sandbox, status));
}

static int pc_init_uarts(struct vm *vm, struct pc_devices *pc)
{
	unsigned int i;
	int err;

	vm_irq_line_init(vm, &pc->irq4, SERIAL8250_COM1_IRQ);
	vm_irq_line_init(vm, &pc->irq3, SERIAL8250_COM2_IRQ);
	err = irq_share_init(&pc->irq4_share, &pc->irq4, 2);
	if (!err)
		err = vm_devices_add_or_destroy(&vm->devs, "irq4-share", &pc_irq_share_ops,
				  &pc->irq4_share);
	if (!err)
		err = irq_share_init(&pc->irq3_share, &pc->irq3, 2);
	if (!err)
		err = vm_devices_add_or_destroy(&vm->devs, "irq3-share", &pc_irq_share_ops,
				  &pc->irq3_share);
	if (err)
		return err;
	for (i = 0; i < PC_NR_UARTS; i++) {
		struct irq_share *share = pc_uarts[i].on_irq4 ?
			&pc->irq4_share : &pc->irq3_share;

		err = serial8250_init(&pc->uarts[i], &vm->pio_bus,
				      pc_uarts[i].name, pc_uarts[i].base,
				      irq_share_input(share,
						      pc_uarts[i].share_input),
				      i == 0 ? vm->serial_out : NULL);
		if (err) {
			pr_err("cannot set up %s: %s", pc_uarts[i].name,
			       strerror(-err));
			return err;
		}
		err = vm_devices_add_or_destroy(&vm->devs, pc_uarts[i].name, &platform_uart_ops,
				  &pc->uarts[i]);
		if (err)
			return err;
		pc_describe(pc, &x86_dsdt_com[i]);
	}
	if (vm->cfg->console != CONSOLE_SERIAL)
		return 0;
	serial8250_set_room_cb(&pc->uarts[0], term_notify_room, &vm->term);
	err = term_attach(&vm->term, &vm->io, serial8250_sink, &pc->uarts[0],
			  pc_stop_clean, vm);
	if (err) {
		pr_err("cannot attach the console: %s", strerror(-err));
		return err;
	}
	vm->console_uart = &pc->uarts[0];
	return vm_devices_add_or_destroy(&vm->devs, "console", &platform_console_ops, &vm->term);
}

/* PCI bus 0: always there, as on a PC. */
static int pc_init_pci_host(struct vm *vm, struct pc_devices *pc)
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
	int err;

	vm_pci_msi_ops(vm, &pc->msi);
	err = pci_host_init(&pc->pci, &vm->pio_bus, &vm->mmio_bus, &o);
	if (err) {
		pr_err("cannot set up the PCI host bridge: %s",
		       strerror(-err));
		return err;
	}
	/*
	 * The host's destroy takes off the functions still on it; the
	 * virtio block itself is freed by pc_devices_free(), later.
	 */
	return vm_devices_add_or_destroy(&vm->devs, "pci-host", &pc_pci_ops,
					 &pc->pci);
}

/* The virtio devices on bus 0 (or virtio-mmio). */
static int pc_init_virtio(struct vm *vm, struct pc_devices *pc)
{
	struct vm_virtio_layout layout = {
		.mmio_base = X86_VIRTIO_MMIO_START,
		.mmio_stride = X86_VIRTIO_MMIO_STRIDE,
		.mmio_max = (X86_PCI_ECAM_START - X86_VIRTIO_MMIO_START) /
			    X86_VIRTIO_MMIO_STRIDE,
	};

	return vm_virtio_init(vm, &pc->pci, &layout, &pc->virtio);
}

/* After the virtio functions, which keep their slots. */
static int pc_init_pvpanic(struct vm *vm, struct pc_devices *pc)
{
	struct pvpanic_ops panic_ops;
	int err;

	vm_pvpanic_ops(vm, &panic_ops);
	err = pvpanic_pci_init(&pc->pvpanic, &pc->pci, &panic_ops);
	if (err) {
		pr_err("cannot set up the pvpanic device: %s", strerror(-err));
		return err;
	}
	return vm_devices_add_or_destroy(&vm->devs, "pvpanic",
					 &platform_pvpanic_ops, &pc->pvpanic);
}

static int pc_init_rtc(struct vm *vm, struct pc_devices *pc)
{
	int err = rtc_init(&pc->rtc, &vm->pio_bus);

	if (err)
		return err;
	return vm_devices_add_or_destroy(&vm->devs, "rtc", &pc_rtc_ops,
					 &pc->rtc);
}

static int pc_init_i8042(struct vm *vm, struct pc_devices *pc)
{
	const struct i8042_ops ops = { .reset = pc_stop_clean, .opaque = vm };
	int err;

	vm_irq_line_init(vm, &pc->kbd_irq, PC_IRQ_KBD);
	vm_irq_line_init(vm, &pc->aux_irq, PC_IRQ_AUX);
	err = i8042_init(&pc->i8042, &vm->pio_bus, &ops, &pc->kbd_irq,
			 &pc->aux_irq);
	if (err)
		return err;
	return vm_devices_add_or_destroy(&vm->devs, "i8042", &pc_i8042_ops,
					 &pc->i8042);
}

static int pc_init_debug_exit(struct vm *vm, struct pc_devices *pc)
{
	const struct debug_exit_ops ops = {
		.exit = pc_stop_status, .opaque = vm,
	};
	int err;

	err = debug_exit_init(&pc->debug_exit, &vm->pio_bus,
			      X86_PORT_DEBUG_EXIT, &ops);
	if (err)
		return err;
	return vm_devices_add_or_destroy(&vm->devs, "debug-exit",
					 &pc_debug_exit_ops, &pc->debug_exit);
}

static int pc_init_ignored(struct vm *vm, struct pc_devices *pc)
{
	const struct ignored_ports_ops ops = {
		.reset = pc_stop_clean, .opaque = vm,
	};
	int err = ignored_ports_init(&pc->ignored, &vm->pio_bus, &ops);

	if (err)
		return err;
	return vm_devices_add_or_destroy(&vm->devs, "ignored-ports",
					 &pc_ignored_ops, &pc->ignored);
}

static int pc_init_acpi_pm(struct vm *vm, struct pc_devices *pc)
{
	const struct acpi_pm_ops ops = {
		.power_off = pc_stop_clean, .opaque = vm,
	};
	int err;

	err = acpi_pm_init(&pc->acpi_pm, &vm->pio_bus, X86_PORT_ACPI_PM, &ops);
	if (err)
		return err;
	return vm_devices_add_or_destroy(&vm->devs, "acpi-pm",
					 &pc_acpi_pm_ops, &pc->acpi_pm);
}

static bool pc_want_acpi(const struct vm_config *cfg)
{
	return !cfg->no_acpi;
}

static bool pc_want_pvpanic(const struct vm_config *cfg)
{
	return cfg->pvpanic;
}

/*
 * The PC's device kinds, made in this order (and torn down in the
 * reverse): whether the configuration wants one, how it is made (it puts
 * itself on vm->devs), and its DSDT node, the way the guest learns of it
 * where it does not enumerate it (the UARTs add one node each; PCI
 * functions are found on the bus). A new platform device is a row.
 */
struct pc_device_kind {
	const char *name;
	bool (*wanted)(const struct vm_config *cfg);	/* NULL: always */
	int (*create)(struct vm *vm, struct pc_devices *pc);
	const struct x86_dsdt_node *dsdt;
	bool quiet;	/* create() says what failed itself */
};

static const struct pc_device_kind pc_device_kinds[] = {
	/* The bus first, so its DSDT node and ECAM come first. */
	{ "pci-host", NULL, pc_init_pci_host, &x86_dsdt_pci_host, true },
	{ "uarts", NULL, pc_init_uarts, NULL, true },
	{ "rtc", NULL, pc_init_rtc, &x86_dsdt_rtc },
	{ "i8042", NULL, pc_init_i8042, &x86_dsdt_i8042 },
	{ "debug-exit", NULL, pc_init_debug_exit, NULL },
	{ "ignored-ports", NULL, pc_init_ignored, NULL },
	{ "acpi-pm", pc_want_acpi, pc_init_acpi_pm, &x86_dsdt_acpi_pm },
	{ "virtio", NULL, pc_init_virtio, NULL, true },
	{ "pvpanic", pc_want_pvpanic, pc_init_pvpanic, NULL, true },
};

int arch_devices_init(struct vm *vm)
{
	struct pc_devices *pc;
	unsigned int i;
	int err;

	pc = calloc(1, sizeof(*pc));
	if (!pc) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	vm->devices = pc;
	for (i = 0; i < ARRAY_SIZE(pc_device_kinds); i++) {
		const struct pc_device_kind *k = &pc_device_kinds[i];

		if (k->wanted && !k->wanted(vm->cfg))
			continue;
		err = k->create(vm, pc);
		if (err) {
			if (!k->quiet)
				pr_err("cannot set up %s: %s", k->name,
				       strerror(-err));
			return err;
		}
		if (k->dsdt)
			pc_describe(pc, k->dsdt);
	}
	return 0;
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

const struct x86_dsdt_node *pc_dsdt_nodes(struct vm *vm, unsigned int *nr)
{
	struct pc_devices *pc = vm->devices;

	*nr = pc ? pc->nr_dsdt : 0;
	return pc ? pc->dsdt : NULL;
}

const char *pc_cmdline_extra(struct vm *vm)
{
	struct pc_devices *pc = vm->devices;

	return pc ? vm_virtio_cmdline(pc->virtio) : "";
}
