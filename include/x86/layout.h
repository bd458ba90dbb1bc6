/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_LAYOUT_H
#define LKVM_X86_LAYOUT_H

/*
 * Guest-physical layout of an x86_64 lkvm VM.
 *
 * Low memory, used by the loaders and firmware tables:
 *   0x00000000  real-mode IVT and BIOS data area (left zero)
 *   0x00000500  GDT for protected/long mode entry
 *   0x00006000  PVH hvm_start_info, then its memory map
 *   0x00007000  Linux zero page (struct boot_params)
 *   0x00008000  initial stack top for 64-bit entry (grows down)
 *   0x00009000  identity-map page tables (PML4, PDPT, 4 PDs: 0x9000-0xEFFF)
 *   0x00010000  flat binaries load here, real mode CS:IP = 0x1000:0
 *   0x00020000  kernel command line (up to 64 KiB)
 *   0x0009fc00  EBDA (MP floating pointer and table live here)
 *   0x000a0000  VGA hole and BIOS area, reserved in e820 up to 1 MiB
 *   0x000e0000  ACPI tables, RSDP first (where the BIOS-area scan looks)
 *   0x00100000  kernels load here (or at a bzImage's pref_address)
 *
 * Above RAM in the 32-bit space, a hole for devices:
 *   0xc0000000  start of the hole; RAM beyond this resumes at 4 GiB
 *   0xc0000000  PCI BAR window (256 MiB)
 *   0xd0000000  virtio-mmio devices, 0x200 apart
 *   0xe0000000  PCI ECAM for bus 0 (1 MiB)
 *   0xfec00000  IOAPIC
 *   0xfee00000  local APIC
 *   0xfffbc000  KVM's TSS (three pages) and identity map page
 */
#define X86_GDT_ADDR		0x00000500ULL
#define X86_PVH_INFO_ADDR	0x00006000ULL
#define X86_ZERO_PAGE_ADDR	0x00007000ULL
#define X86_BOOT_STACK_TOP	0x00008000ULL
#define X86_PAGE_TABLES_ADDR	0x00009000ULL
#define X86_FLAT_LOAD_ADDR	0x00010000ULL
#define X86_FLAT_MAX_SIZE	(576 * 1024ULL)
#define X86_CMDLINE_ADDR	0x00020000ULL
#define X86_CMDLINE_MAX		0x00010000ULL
#define X86_EBDA_ADDR		0x0009fc00ULL
#define X86_ACPI_ADDR		0x000e0000ULL
#define X86_ACPI_SIZE		(X86_BIOS_END - X86_ACPI_ADDR)
#define X86_BIOS_END		0x00100000ULL
#define X86_KERNEL_ADDR		0x00100000ULL

#define X86_MMIO_HOLE_START	0xc0000000ULL
#define X86_MMIO_HOLE_END	0x100000000ULL
#define X86_PCI_BAR_START	0xc0000000ULL
#define X86_PCI_BAR_SIZE	0x10000000ULL
/* I/O BARs (none of lkvm's devices has one yet), above the PC's ports. */
#define X86_PCI_IO_START	0xc000
#define X86_PCI_IO_SIZE		0x1000
#define X86_VIRTIO_MMIO_START	0xd0000000ULL
#define X86_VIRTIO_MMIO_STRIDE	0x200ULL
#define X86_PCI_ECAM_START	0xe0000000ULL
#define X86_PCI_ECAM_SIZE	0x00100000ULL
#define X86_IOAPIC_ADDR		0xfec00000ULL
#define X86_LAPIC_ADDR		0xfee00000ULL
#define X86_TSS_ADDR		0xfffbc000ULL
#define X86_IDENTITY_MAP_ADDR	0xfffbf000ULL

/* Legacy ISA interrupt lines wired through the in-kernel PIC/IOAPIC. */
#define X86_IRQ_COM1		4
#define X86_IRQ_COM2		3
#define X86_IRQ_RTC		8
#define X86_IRQ_SCI		9	/* ACPI; never raised, kept free */
/* First GSI handed to virtio/PCI devices (IOAPIC has 24 pins). */
#define X86_IRQ_DEVICE_BASE	5

/* Ports. */
#define X86_PORT_DEBUG_EXIT	0xf4	/* write status: lkvm exits with it */
#define X86_PORT_ACPI_PM	0x600	/* ACPI PM1a blocks, sleep registers */
#define X86_PORT_PCI_RESET	0xcf9	/* the FADT's reset register */

#endif
