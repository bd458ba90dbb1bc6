/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64: the memory map, the Image header, the device tree and what the
 * vmm/arm64 files share. The pure parts (Image parsing, placement, the
 * device tree) take plain descriptions so that the tests run them under
 * qemu-aarch64-static without KVM.
 */
#ifndef LKVM_ARM64_H
#define LKVM_ARM64_H

#include <stdio.h>

#include "guest-mem.h"
#include "types.h"

struct vm_virtio_window;

/* Memory map: devices below 2 GiB, RAM from 2 GiB. */
#define ARM64_IOPORT_BASE	0x00000000ULL	/* 8250 at 0x3f8, as a PC */
#define ARM64_UART_BASE		0x3f8ULL
#define ARM64_UART_SIZE		8
#define ARM64_GIC_DIST_BASE	0x08000000ULL
#define ARM64_GIC_DIST_SIZE	0x10000ULL
#define ARM64_GIC_CPU_BASE	0x08010000ULL	/* GICv2 */
#define ARM64_GIC_CPU_SIZE	0x2000ULL
#define ARM64_GIC_REDIST_BASE	0x080a0000ULL	/* GICv3 */
#define ARM64_GIC_REDIST_SIZE	0x20000ULL	/* per vCPU */
#define ARM64_PVPANIC_BASE	0x09000000ULL	/* after 64 redistributors */
#define ARM64_VIRTIO_MMIO_BASE	0x0a000000ULL
#define ARM64_VIRTIO_MMIO_STRIDE 0x200ULL
#define ARM64_VIRTIO_MMIO_MAX	32
#define ARM64_RAM_BASE		0x80000000ULL
#define ARM64_MAX_CPUS		64

/* Interrupts: SPI n is INTID 32 + n; the UART has SPI 0. */
#define ARM64_SPI_BASE		32
#define ARM64_UART_SPI		0
#define ARM64_FIRST_DEVICE_SPI	1
#define ARM64_NR_SPIS		96
/* Architected timer PPIs (INTID - 16): secure, non-secure, virt, hyp. */
#define ARM64_TIMER_PPI_SEC	13
#define ARM64_TIMER_PPI_NS	14
#define ARM64_TIMER_PPI_VIRT	11
#define ARM64_TIMER_PPI_HYP	10

/* KVM_IRQ_LINE's encoding of an SPI (type 1 in bits 24-31, INTID). */
#define ARM64_IRQ_LINE_SPI(spi)	((1u << 24) | (ARM64_SPI_BASE + (spi)))
/* The SPI number of a KVM_IRQ_LINE encoding, -1 if not an SPI. */
int arm64_irq_line_spi(u32 line);

/* The arm64 Image header (Documentation/arm64/booting). */
#define ARM64_IMAGE_MAGIC	0x644d5241u	/* "ARM\x64" */
#define ARM64_IMAGE_HDR_SIZE	64
#define ARM64_IMAGE_DEFAULT_TEXT 0x80000ULL

struct arm64_image {
	u64 text_offset;
	u64 image_size;		/* bytes from the load address, incl. BSS */
	u64 flags;
	bool big_endian;
	unsigned int page_size_kb;	/* 0: unspecified */
	bool anywhere;		/* flags bit 3: placement anywhere in RAM */
};

/* 0, or -EINVAL with a reason in why. */
int arm64_image_parse(const u8 *data, size_t len, struct arm64_image *img,
		      const char **why);

/* Where everything goes in RAM. */
struct arm64_boot {
	u64 kernel_start, kernel_end;	/* kernel_end incl. image_size */
	u64 entry;
	u64 dtb_start;
	u64 initrd_start, initrd_size;
	char error[128];
};

/*
 * Place and copy the Image and initrd into RAM [ram_base, ram_base +
 * ram_size); reserve dtb_max bytes (2 MiB aligned, at most 2 MiB) for the
 * device tree. 0 or -errno with boot->error.
 */
int arm64_load_image(const struct guest_mem *mem, u64 ram_base,
		     u64 ram_size, const u8 *kernel, size_t kernel_len,
		     const u8 *initrd, size_t initrd_len,
		     struct arm64_boot *boot);

/* The device tree's description of the machine. */

struct arm64_fdt_config {
	u64 ram_base, ram_size;
	unsigned int nr_cpus;
	int gic_version;		/* 2 or 3 */
	const char *bootargs;
	u64 initrd_start, initrd_size;	/* size 0: none */
	bool uart;
	/* A "qemu,pvpanic-mmio" node: pvpanic_size bytes at pvpanic_base. */
	u64 pvpanic_base, pvpanic_size;	/* size 0: none */
	/* The virtio-mmio transport's windows; irq: an SPI line encoding. */
	unsigned int nr_virtio;
	const struct vm_virtio_window *virtio;
};

/* Build the device tree into buf; 0 or -errno (-ENOSPC: buf too small). */
int arm64_fdt_build(const struct arm64_fdt_config *cfg, void *buf,
		    size_t size);


#endif
