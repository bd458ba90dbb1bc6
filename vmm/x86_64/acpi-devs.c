// SPDX-License-Identifier: GPL-2.0
/*
 * What each PC device contributes to the DSDT (include/x86/acpi.h,
 * struct x86_dsdt_node). vmm/x86_64/pc.c hands the node of every device
 * it made to the tables; a device it did not make has no node.
 *
 *   acpi-pm     \_S5 (the SLP_TYP it acts on) and its ports in \_SB.MRES
 *   pci-host    \_SB.PCI0 (PNP0A08, PNP0A03): bus 0, the 0xcf8 ports, the
 *               I/O and memory windows lkvm places BARs in, and a _PRT
 *               with the INTx lines lkvm wired (as in the MP table); the
 *               ECAM in \_SB.MRES (Linux wants it reserved before it
 *               trusts the MCFG)
 *   ttyS0-3     \_SB.COM1-4 (PNP0501), COM1/3 sharing IRQ 4, COM2/4 IRQ 3
 *   rtc         \_SB.RTC, the MC146818 (PNP0B00) on IRQ 8
 *   i8042       \_SB.KBD and \_SB.MOU, its two ports (PNP0303, PNP0F13)
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

static void dsdt_s5(struct aml *a, const struct x86_acpi_cfg *cfg,
		    const void *arg)
{
	aml_name(a, "\\_S5");
	aml_package_begin(a, 4);
	aml_integer(a, ACPI_PM_SLP_TYP_S5);	/* SLP_TYPa */
	aml_integer(a, ACPI_PM_SLP_TYP_S5);	/* SLP_TYPb (no PM1b) */
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a);
}

static void reserve_acpi_pm(struct aml *a, const void *arg)
{
	aml_res_io(a, X86_PORT_ACPI_PM, ACPI_PM_LEN);
}

const struct x86_dsdt_node x86_dsdt_acpi_pm = {
	.name = "acpi-pm", .place = X86_DSDT_ROOT,
	.describe = dsdt_s5, .reserve = reserve_acpi_pm,
};

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

static void dsdt_pci0(struct aml *a, const struct x86_acpi_cfg *cfg,
		      const void *arg)
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

static void reserve_ecam(struct aml *a, const void *arg)
{
	aml_res_mem32_fixed(a, (u32)X86_PCI_ECAM_START, X86_PCI_ECAM_SIZE);
}

const struct x86_dsdt_node x86_dsdt_pci_host = {
	.name = "pci-host", .place = X86_DSDT_BUS,
	.describe = dsdt_pci0, .reserve = reserve_ecam,
};

/* A device with a _CRS of I/O ports (len 0: none) and an ISA IRQ. */
struct dsdt_isa {
	const char *name, *hid;
	int uid;		/* -1: no _UID */
	u16 port;
	u8 len, irq, irq_flags;
};

static void dsdt_isa(struct aml *a, const struct dsdt_isa *d)
{
	aml_device_begin(a, d->name);
	aml_name_eisaid(a, "_HID", d->hid);
	if (d->uid >= 0)
		aml_name_integer(a, "_UID", (u64)d->uid);
	aml_name(a, "_CRS");
	aml_buffer_begin(a);
	if (d->len)
		aml_res_io(a, d->port, d->len);
	aml_res_irq(a, d->irq, d->irq_flags);
	aml_res_end(a);
	aml_end(a);
	aml_end(a);
}

static void dsdt_isa_node(struct aml *a, const struct x86_acpi_cfg *cfg,
			  const void *arg)
{
	dsdt_isa(a, arg);
}

/* COM1/COM3 and COM2/COM4 each share a line (devices/irq-share.c). */
#define COM_IRQ_FLAGS	(AML_IRQ_EDGE | AML_IRQ_SHARED)

static const struct dsdt_isa dsdt_coms[X86_DSDT_NR_COMS] = {
	{ "COM1", "PNP0501", 1, SERIAL8250_COM1_BASE, SERIAL8250_NR_REGS,
	  SERIAL8250_COM1_IRQ, COM_IRQ_FLAGS },
	{ "COM2", "PNP0501", 2, SERIAL8250_COM2_BASE, SERIAL8250_NR_REGS,
	  SERIAL8250_COM2_IRQ, COM_IRQ_FLAGS },
	{ "COM3", "PNP0501", 3, SERIAL8250_COM3_BASE, SERIAL8250_NR_REGS,
	  SERIAL8250_COM3_IRQ, COM_IRQ_FLAGS },
	{ "COM4", "PNP0501", 4, SERIAL8250_COM4_BASE, SERIAL8250_NR_REGS,
	  SERIAL8250_COM4_IRQ, COM_IRQ_FLAGS },
};

const struct x86_dsdt_node x86_dsdt_com[X86_DSDT_NR_COMS] = {
	{ "ttyS0", X86_DSDT_DEVICE, dsdt_isa_node, NULL, &dsdt_coms[0] },
	{ "ttyS1", X86_DSDT_DEVICE, dsdt_isa_node, NULL, &dsdt_coms[1] },
	{ "ttyS2", X86_DSDT_DEVICE, dsdt_isa_node, NULL, &dsdt_coms[2] },
	{ "ttyS3", X86_DSDT_DEVICE, dsdt_isa_node, NULL, &dsdt_coms[3] },
};

static const struct dsdt_isa dsdt_rtc = {
	"RTC", "PNP0B00", -1, RTC_PORT_BASE, 2, X86_IRQ_RTC, AML_IRQ_EDGE,
};

const struct x86_dsdt_node x86_dsdt_rtc = {
	.name = "rtc", .place = X86_DSDT_DEVICE,
	.describe = dsdt_isa_node, .arg = &dsdt_rtc,
};

static void dsdt_i8042(struct aml *a, const struct x86_acpi_cfg *cfg,
		       const void *arg)
{
	static const struct dsdt_isa mouse = {
		"MOU", "PNP0F13", -1, 0, 0, I8042_AUX_IRQ, AML_IRQ_EDGE,
	};

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
	dsdt_isa(a, &mouse);
}

const struct x86_dsdt_node x86_dsdt_i8042 = {
	.name = "i8042", .place = X86_DSDT_DEVICE, .describe = dsdt_i8042,
};
