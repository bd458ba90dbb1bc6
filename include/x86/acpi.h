/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_ACPI_H
#define LKVM_X86_ACPI_H

#include "guest-mem.h"
#include "types.h"
#include "x86/boot.h"

struct aml;

/*
 * ACPI 6.3 tables describing an x86_64 lkvm VM, the machine the MP table
 * describes (vmm/x86_64/mptable.c) and more:
 *
 *   RSDP    at X86_ACPI_ADDR (found by a scan of 0xe0000-0xfffff, or given
 *           to the kernel in boot_params / hvm_start_info)
 *   XSDT    FADT, MADT, MCFG
 *   FADT    the full (not hardware-reduced) model: SCI on X86_IRQ_SCI,
 *           PM1a event and control blocks and the sleep registers of the
 *           ACPI PM device at X86_PORT_ACPI_PM, reset register 0xcf9, an
 *           8042, no VGA, MSI allowed, FACS and DSDT
 *   MADT    a local APIC per vCPU (APIC IDs 0..n-1), the IOAPIC (ID n,
 *           GSI 0..23), overrides for the SCI and the PCI INTx lines below
 *           16 (level, active-low), NMI on every local APIC's LINT1
 *   MCFG    the ECAM window for bus 0
 *   DSDT    what the devices contribute (struct x86_dsdt_node): with
 *           every PC device, \_S5, the PCI host bridge \_SB.PCI0 with its
 *           windows and _PRT, COM1-4, the RTC, the i8042's keyboard and
 *           mouse, and a motherboard-resources device reserving the ECAM
 *           and PM ports
 *
 * The tables fill at most X86_ACPI_SIZE bytes, which e820 reserves.
 */
struct x86_acpi_cfg;

/* Where a device's DSDT node goes (vmm/x86_64/acpi-dsdt.c). */
enum x86_dsdt_place {
	X86_DSDT_ROOT,		/* the root scope */
	X86_DSDT_BUS,		/* \_SB, before \_SB.MRES: host bridges */
	X86_DSDT_DEVICE,	/* \_SB, after \_SB.MRES */
};

/*
 * One device's part of the DSDT. Whoever makes the device hands its node
 * to the tables (vmm/x86_64/pc.c); no node, nothing in the DSDT.
 */
struct x86_dsdt_node {
	const char *name;	/* the device's, as on the lifecycle list */
	enum x86_dsdt_place place;
	/* Write its AML (NULL: none). */
	void (*describe)(struct aml *a, const struct x86_acpi_cfg *cfg,
			 const void *arg);
	/* Write the resource descriptors \_SB.MRES reserves for it. */
	void (*reserve)(struct aml *a, const void *arg);
	const void *arg;
};

/* The PC devices' nodes (vmm/x86_64/acpi-devs.c). */
#define X86_DSDT_NR_COMS	4
extern const struct x86_dsdt_node x86_dsdt_acpi_pm;	/* \_S5, PM ports */
extern const struct x86_dsdt_node x86_dsdt_pci_host;	/* PCI0, ECAM */
extern const struct x86_dsdt_node x86_dsdt_com[X86_DSDT_NR_COMS];
extern const struct x86_dsdt_node x86_dsdt_rtc;
extern const struct x86_dsdt_node x86_dsdt_i8042;	/* KBD, MOU */

struct x86_acpi_cfg {
	unsigned int nr_cpus;
	/* INTx lines (as for the MP table): the _PRT and the overrides. */
	const struct x86_mp_pci_irq *pci_irqs;
	unsigned int nr_pci_irqs;
	/* The DSDT's nodes, in the order the devices were made. */
	const struct x86_dsdt_node *dsdt;
	unsigned int nr_dsdt;
};

/* Offsets of the tables from X86_ACPI_ADDR, for tests and diagnostics. */
#define X86_ACPI_RSDP_OFF	0

/*
 * Build the tables into buf, which stands for guest memory from
 * X86_ACPI_ADDR (size bytes, at most X86_ACPI_SIZE); returns the bytes
 * used, -EINVAL for a bad configuration (no CPUs, a PCI line out of range
 * or twice), -E2BIG when they do not fit, -ENOMEM.
 */
long x86_acpi_build(const struct x86_acpi_cfg *cfg, u8 *buf, size_t size);

/* x86_acpi_build() into guest memory at X86_ACPI_ADDR. 0 or -errno. */
int x86_write_acpi(const struct guest_mem *mem,
		   const struct x86_acpi_cfg *cfg);

/* The DSDT's AML (after its header), for x86_acpi_build(). */
void x86_acpi_dsdt(struct aml *a, const struct x86_acpi_cfg *cfg);

#endif
