/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CONFIG_H
#define LKVM_CONFIG_H

#include "log.h"
#include "types.h"
#include "x86/boot.h"

#define LKVM_DEFAULT_RAM (256 * SZ_1M)
#define LKVM_MAX_CPUS 255	/* APIC IDs in the MP table */
#define LKVM_MAX_DISKS 64	/* -d options; the transport has the real limit */

enum emulation_assist {
	EMULATION_ASSIST_AUTO,	/* on when the host emulates guest CPL0 */
	EMULATION_ASSIST_ON,
	EMULATION_ASSIST_OFF,
};

enum console_kind {
	CONSOLE_SERIAL,
	CONSOLE_VIRTIO,
};

/* How virtio devices reach the guest (--virtio-transport). */
enum virtio_transport {
	VIRTIO_TRANSPORT_PCI,
	VIRTIO_TRANSPORT_MMIO,
	VIRTIO_TRANSPORT_MMIO_LEGACY,
};

/* Everything `lkvm run` was asked to do, parsed and validated. */
struct vm_config {
	const char *kernel_path;
	const char *initrd_path;
	const char *cmdline;
	const char *name;
	const char *dev_path;		/* /dev/kvm */
	const char *hugetlbfs_path;
	u64 ram_size;
	unsigned int nr_cpus;
	enum console_kind console;
	enum virtio_transport virtio_transport;
	bool rng;			/* --rng: a virtio-rng device */
	bool pvpanic;			/* a pvpanic device; --no-pvpanic */
	bool no_acpi;			/* --no-acpi: no ACPI tables (x86) */
	/* -d/--disk PATH[,ro][,direct][,serial=S], as given (virtio-blk). */
	const char *disks[LKVM_MAX_DISKS];
	unsigned int nr_disks;
	enum boot_protocol boot_protocol;
	enum log_level loglevel;
	enum emulation_assist emulation_assist;
	bool debug_ioport;
	bool debug_mmio;
	bool debug_single_step;
};

#endif
