// SPDX-License-Identifier: GPL-2.0
/*
 * The DSDT of an x86_64 VM: what is there besides the CPUs and interrupt
 * controllers (MADT), in the namespace an OS walks once ACPI is on. It
 * knows no device: it lays out the nodes the devices contributed
 * (x86_acpi_cfg.dsdt, from vmm/x86_64/acpi-devs.c):
 *
 *   the X86_DSDT_ROOT nodes, in the root scope (\_S5)
 *   Scope (\_SB) {
 *     the X86_DSDT_BUS nodes (\_SB.PCI0)
 *     \_SB.MRES, motherboard resources (PNP0C02), with every node's
 *       reserved ranges (the ECAM, the ACPI PM ports); left out when no
 *       node reserves anything
 *     the X86_DSDT_DEVICE nodes (\_SB.COM1-4, \_SB.RTC, \_SB.KBD ...)
 *   }
 *
 * each group in the order of the list, which is the order the devices
 * were made in.
 *
 * virtio-mmio windows are not here: lkvm passes them on the kernel command
 * line (virtio_mmio.device=), which also works with acpi=off and kernels
 * without ACPI; describing them here as well would make Linux register
 * each window twice.
 */
#include "x86/acpi.h"
#include "x86/aml.h"

static void dsdt_place(struct aml *a, const struct x86_acpi_cfg *cfg,
		       enum x86_dsdt_place place)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_dsdt; i++) {
		const struct x86_dsdt_node *n = &cfg->dsdt[i];

		if (n->place == place && n->describe)
			n->describe(a, cfg, n->arg);
	}
}

static void dsdt_mres(struct aml *a, const struct x86_acpi_cfg *cfg)
{
	unsigned int i;
	bool any = false;

	for (i = 0; i < cfg->nr_dsdt; i++)
		any |= cfg->dsdt[i].reserve != NULL;
	if (!any)
		return;
	aml_device_begin(a, "MRES");
	aml_name_eisaid(a, "_HID", "PNP0C02");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	aml_buffer_begin(a);
	for (i = 0; i < cfg->nr_dsdt; i++)
		if (cfg->dsdt[i].reserve)
			cfg->dsdt[i].reserve(a, cfg->dsdt[i].arg);
	aml_res_end(a);
	aml_end(a);
	aml_end(a);
}

void x86_acpi_dsdt(struct aml *a, const struct x86_acpi_cfg *cfg)
{
	dsdt_place(a, cfg, X86_DSDT_ROOT);
	aml_scope_begin(a, "\\_SB");
	dsdt_place(a, cfg, X86_DSDT_BUS);
	dsdt_mres(a, cfg);
	dsdt_place(a, cfg, X86_DSDT_DEVICE);
	aml_end(a);
}
