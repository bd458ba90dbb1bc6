// SPDX-License-Identifier: GPL-2.0
/*
 * The DSDT of an x86_64 VM: what is there besides the CPUs and interrupt
 * controllers (MADT), in the namespace an OS walks once ACPI is on.
 *
 *   \_S5         SLP_TYP for soft off, which the ACPI PM device acts on
 *   \_SB.PCI0    the PCI host (PNP0A08, PNP0A03): bus 0, the 0xcf8 ports,
 *                the I/O and memory windows lkvm places BARs in, and a
 *                _PRT with the INTx lines lkvm wired (as in the MP table)
 *   \_SB.MRES    motherboard resources (PNP0C02): the ECAM (which Linux
 *                wants reserved before it trusts the MCFG) and the ACPI
 *                PM ports
 *   \_SB.COM1-4  the 16550As (PNP0501), COM1/3 sharing IRQ 4, COM2/4 IRQ 3
 *   \_SB.RTC     the MC146818 (PNP0B00) on IRQ 8
 *   \_SB.KBD, \_SB.MOU   the i8042's two ports (PNP0303, PNP0F13)
 *
 * virtio-mmio windows are not here: lkvm passes them on the kernel command
 * line (virtio_mmio.device=), which also works with acpi=off and kernels
 * without ACPI; describing them here as well would make Linux register
 * each window twice.
 */
#include "devices/acpi-pm.h"
#include "devices/i8042.h"
#include "devices/pci.h"
#include "devices/rtc.h"
#include "devices/serial8250.h"
#include "x86/acpi.h"
#include "x86/aml.h"
#include "x86/layout.h"

#define PCI_ANY_FUNCTION	0xffff

static void dsdt_s5(struct aml *a)
{
	aml_name(a, "\\_S5");
	aml_package_begin(a, 4);
	aml_integer(a, ACPI_PM_SLP_TYP_S5);	/* SLP_TYPa */
	aml_integer(a, ACPI_PM_SLP_TYP_S5);	/* SLP_TYPb (no PM1b) */
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a);
}

/* _PRT: one Package (4) { address, pin, 0, GSI } per INTx line. */
static void dsdt_prt(struct aml *a, const struct x86_acpi_cfg *cfg)
{
	unsigned int i;

	aml_name(a, "_PRT");
	aml_package_begin(a, (u8)cfg->nr_pci_irqs);
	for (i = 0; i < cfg->nr_pci_irqs; i++) {
		const struct x86_mp_pci_irq *p = &cfg->pci_irqs[i];

		aml_package_begin(a, 4);
		aml_integer(a, (u64)p->dev << 16 | PCI_ANY_FUNCTION);
		aml_integer(a, p->pin);
		aml_integer(a, 0);		/* no link device: a GSI */
		aml_integer(a, p->gsi);
		aml_end(a);
	}
	aml_end(a);
}

static void dsdt_pci0(struct aml *a, const struct x86_acpi_cfg *cfg)
{
	aml_device_begin(a, "PCI0");
	aml_name_eisaid(a, "_HID", "PNP0A08");
	aml_name_eisaid(a, "_CID", "PNP0A03");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	aml_buffer_begin(a);
	aml_res_bus_window(a, 0, 0);
	aml_res_io(a, PCI_CONF1_ADDR_PORT, PCI_CONF1_LEN);
	aml_res_io_window(a, X86_PCI_IO_START, X86_PCI_IO_SIZE);
	aml_res_mem_window(a, (u32)X86_PCI_BAR_START, X86_PCI_BAR_SIZE);
	aml_res_end(a);
	aml_end(a);
	dsdt_prt(a, cfg);
	aml_end(a);
}

static void dsdt_mres(struct aml *a)
{
	aml_device_begin(a, "MRES");
	aml_name_eisaid(a, "_HID", "PNP0C02");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	aml_buffer_begin(a);
	aml_res_mem32_fixed(a, (u32)X86_PCI_ECAM_START, X86_PCI_ECAM_SIZE);
	aml_res_io(a, X86_PORT_ACPI_PM, ACPI_PM_LEN);
	aml_res_end(a);
	aml_end(a);
	aml_end(a);
}

/* A device with a _CRS of I/O ports (len 0: none) and an ISA IRQ. */
static void dsdt_isa(struct aml *a, const char *name, const char *hid,
		     int uid, u16 port, u8 len, u8 irq, u8 irq_flags)
{
	aml_device_begin(a, name);
	aml_name_eisaid(a, "_HID", hid);
	if (uid >= 0)
		aml_name_integer(a, "_UID", (u64)uid);
	aml_name(a, "_CRS");
	aml_buffer_begin(a);
	if (len)
		aml_res_io(a, port, len);
	aml_res_irq(a, irq, irq_flags);
	aml_res_end(a);
	aml_end(a);
	aml_end(a);
}

static void dsdt_i8042(struct aml *a)
{
	aml_device_begin(a, "KBD");
	aml_name_eisaid(a, "_HID", "PNP0303");
	aml_name(a, "_CRS");
	aml_buffer_begin(a);
	aml_res_io(a, I8042_DATA_PORT, 1);
	aml_res_io(a, I8042_CMD_PORT, 1);
	aml_res_irq(a, I8042_KBD_IRQ, AML_IRQ_EDGE);
	aml_res_end(a);
	aml_end(a);
	aml_end(a);
	dsdt_isa(a, "MOU", "PNP0F13", -1, 0, 0, I8042_AUX_IRQ, AML_IRQ_EDGE);
}

void x86_acpi_dsdt(struct aml *a, const struct x86_acpi_cfg *cfg)
{
	/* COM1/COM3 and COM2/COM4 each share a line (devices/irq-share.c). */
	const u8 com_irq_flags = AML_IRQ_EDGE | AML_IRQ_SHARED;

	dsdt_s5(a);
	aml_scope_begin(a, "\\_SB");
	dsdt_pci0(a, cfg);
	dsdt_mres(a);
	dsdt_isa(a, "COM1", "PNP0501", 1, SERIAL8250_COM1_BASE,
		 SERIAL8250_NR_REGS, SERIAL8250_COM1_IRQ, com_irq_flags);
	dsdt_isa(a, "COM2", "PNP0501", 2, SERIAL8250_COM2_BASE,
		 SERIAL8250_NR_REGS, SERIAL8250_COM2_IRQ, com_irq_flags);
	dsdt_isa(a, "COM3", "PNP0501", 3, SERIAL8250_COM3_BASE,
		 SERIAL8250_NR_REGS, SERIAL8250_COM3_IRQ, com_irq_flags);
	dsdt_isa(a, "COM4", "PNP0501", 4, SERIAL8250_COM4_BASE,
		 SERIAL8250_NR_REGS, SERIAL8250_COM4_IRQ, com_irq_flags);
	dsdt_isa(a, "RTC", "PNP0B00", -1, RTC_PORT_BASE, 2, X86_IRQ_RTC,
		 AML_IRQ_EDGE);
	dsdt_i8042(a);
	aml_end(a);
}
