/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic: the guest kernel tells the host it panicked. One byte-wide
 * event register at offset 0 of the device's window: a read gives the
 * events the device knows (PANICKED, CRASH_LOADED), a write reports
 * them. Two ways to reach it, the register the same in both:
 *   - a PCI function (1b36:0011, class 088000, revision 1) whose BAR0 is
 *     the window, which Linux's pvpanic-pci driver binds;
 *   - an MMIO window on a bus, which a device tree describes as
 *     "qemu,pvpanic-mmio" (Linux's pvpanic-mmio driver).
 *
 * PANICKED calls ops->panicked once (the VM then stops); CRASH_LOADED
 * (a kdump kernel takes over) is logged and the guest goes on; other bits
 * are ignored. Accesses other than 1 or 2 bytes at offset 0 are ignored
 * (reads give 0); every ignored access or bit costs one rate-limited line.
 */
#ifndef LKVM_DEVICES_PVPANIC_H
#define LKVM_DEVICES_PVPANIC_H

#include <stdatomic.h>

#include "bus.h"
#include "devices/pci.h"
#include "types.h"

/* Event bits (Linux's include/uapi/misc/pvpanic.h). */
#define PVPANIC_PANICKED	0x01
#define PVPANIC_CRASH_LOADED	0x02
#define PVPANIC_EVENTS		(PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

#define PVPANIC_PCI_VENDOR	0x1b36	/* Red Hat, Inc. */
#define PVPANIC_PCI_DEVICE	0x0011
#define PVPANIC_PCI_CLASS	0x088000	/* system peripheral, other */
#define PVPANIC_PCI_REVISION	1
/* The smallest memory BAR; only its first byte is the register. */
#define PVPANIC_PCI_BAR_SIZE	16
/* The MMIO window: the event byte and a reserved byte (a 16-bit register). */
#define PVPANIC_MMIO_SIZE	2

struct pvpanic_ops {
	/* The guest reported PANICKED: stop the VM at once. Any vCPU thread. */
	void (*panicked)(void *opaque);
	void *opaque;
};

/* Private fields. */
struct pvpanic {
	struct pvpanic_ops ops;
	atomic_bool panicked;		/* ops->panicked was called */
	atomic_uint nr_crash_loaded;
	atomic_uint nr_ignored;		/* accesses or bits ignored */
	/* One of these, as attached. */
	struct pci_host *host;
	struct pci_dev pci;
	struct bus *bus;
	struct bus_dev mmio;
};

/*
 * Put the PCI function on host h (BAR0 placed by the host, decoding off
 * until the guest enables it). 0 or -errno.
 */
int pvpanic_pci_init(struct pvpanic *p, struct pci_host *h,
		     const struct pvpanic_ops *ops);

/* Put the window at base (PVPANIC_MMIO_SIZE bytes) on bus. 0 or -errno. */
int pvpanic_mmio_init(struct pvpanic *p, struct bus *bus, u64 base,
		      const struct pvpanic_ops *ops);

/* Take the device off its host or bus. Call after the vCPUs stopped. */
void pvpanic_destroy(struct pvpanic *p);

/*
 * A machine reset: a later PANICKED calls ops->panicked again. The
 * counters stay (they are lkvm's, not the guest's).
 */
void pvpanic_reset(struct pvpanic *p);

#endif
