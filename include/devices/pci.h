/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI bus 0 behind a host bridge: configuration mechanism #1 (ports
 * 0xcf8/0xcfc, with the reset control register at 0xcf9) and ECAM, both
 * decoding into 256-byte conventional configuration spaces; BARs that move
 * on the port or MMIO bus when the guest programs them (and vanish while
 * the command register disables their decoding); INTx lines; and MSI-X
 * (table and PBA in a BAR, per-vector masking, one irqfd per vector).
 *
 * A device fills in struct pci_dev (IDs and capabilities through the
 * helpers below, BARs with pci_dev_add_bar()) and calls
 * pci_register_device(). The host never interprets a device's BAR
 * contents: each BAR is a bus_dev whose access callback is the device's.
 *
 * Threads and locks: configuration cycles come from vCPU threads. dev->lock
 * guards the configuration bytes and BAR state; it is not held while the
 * cfg_read/cfg_write hooks run (they may call into virtio, which takes its
 * own locks), but is held around bar_moved (which must only re-point
 * ioeventfds and the like).
 * INTx and MSI-X state have their own leaf locks, so a device may raise an
 * interrupt from any thread, with its own locks held.
 */
#ifndef LKVM_DEVICES_PCI_H
#define LKVM_DEVICES_PCI_H

#include <pthread.h>

#include "bus.h"
#include "irq.h"
#include "types.h"

#define PCI_CFG_SIZE		256
#define PCI_MAX_SLOTS		32
#define PCI_NR_BARS		6

/* Configuration space header (type 0) offsets and bits. */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define  PCI_STATUS_INTERRUPT	0x0008
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_CAP_START		0x40

#define PCI_BAR_IO_FLAG		0x1
#define PCI_BAR_MEM_64		0x4

#define PCI_CAP_ID_VNDR		0x09
#define PCI_CAP_ID_MSIX		0x11

/* MSI-X capability (12 bytes) and table entries (16 bytes). */
#define PCI_MSIX_FLAGS		2	/* message control, from the cap */
#define  PCI_MSIX_FLAGS_QSIZE	0x07ff
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		4
#define PCI_MSIX_PBA		8
#define PCI_MSIX_CAP_SIZE	12
#define PCI_MSIX_ENTRY_SIZE	16
#define PCI_MSIX_ENTRY_ADDR_LO	0
#define PCI_MSIX_ENTRY_ADDR_HI	4
#define PCI_MSIX_ENTRY_DATA	8
#define PCI_MSIX_ENTRY_CTRL	12
#define  PCI_MSIX_ENTRY_MASKED	0x1
#define PCI_MSIX_MAX_VECTORS	2048

/* The host bridge at 00.0. */
#define PCI_HOST_VENDOR		0x1b36	/* Red Hat, Inc. */
#define PCI_HOST_DEVICE		0x0008	/* PCIe host bridge */
#define PCI_CLASS_BRIDGE_HOST	0x060000

/* Port addresses of configuration mechanism #1 and reset control. */
#define PCI_CONF1_ADDR_PORT	0xcf8
#define PCI_CONF1_LEN		8	/* 0xcf8-0xcff, 0xcf9 included */
#define PCI_RESET_CTRL_OFF	1	/* 0xcf9 */
#define  PCI_RESET_CTRL_RESET	0x04

/*
 * How the host delivers MSIs; the VM glue points these at vm-irq.h, unit
 * tests at recorders. Return a GSI / 0 or -errno.
 */
struct pci_msi_ops {
	int (*route_add)(void *opaque, u64 addr, u32 data);
	int (*route_update)(void *opaque, u32 gsi, u64 addr, u32 data);
	int (*irqfd_add)(void *opaque, u32 gsi, int fd);
	int (*irqfd_del)(void *opaque, u32 gsi, int fd);
	int (*signal)(void *opaque, u64 addr, u32 data);
	void *opaque;
};

struct pci_host_options {
	u64 ecam_base;			/* 0: no ECAM window */
	u64 bar_mem_base, bar_mem_size;	/* where memory BARs are placed */
	u64 bar_io_base, bar_io_size;	/* where I/O BARs are placed */
	const struct pci_msi_ops *msi;
	/* A write of 0xcf9 with the reset bit; NULL: ignored. */
	void (*reset)(void *opaque);
	void *reset_opaque;
};

struct pci_dev;

enum pci_bar_kind { PCI_BAR_UNUSED, PCI_BAR_MEM32, PCI_BAR_MEM64, PCI_BAR_IO };

struct pci_bar {
	enum pci_bar_kind kind;
	u64 size;			/* power of two */
	struct bus_dev bus_dev;		/* base is valid while mapped */
	bool mapped;
};

struct pci_msix_vector {
	u32 addr_lo, addr_hi, data, ctrl;	/* the guest's table entry */
	bool pending;				/* PBA bit */
	int gsi;				/* MSI route, -1 none */
	int fd;					/* its irqfd, -1 none */
};

struct pci_msix {
	pthread_mutex_t lock;
	unsigned int nr;
	struct pci_msix_vector *v;
	u8 cap;				/* capability offset, 0 = none */
	u8 bar;
	bool enabled, masked;		/* copies of message control */
	bool told;			/* a change of enabled was logged */
	const struct pci_msi_ops *ops;
	const char *name;
};

struct pci_dev_ops {
	/*
	 * After a configuration write the host handled (bytes already
	 * stored), and to override bytes of a read. Optional; called
	 * without dev->lock.
	 */
	void (*cfg_write)(struct pci_dev *dev, u32 off, u32 len);
	void (*cfg_read)(struct pci_dev *dev, u32 off, u8 *data, u32 len);
	/* A BAR was mapped (at base) or unmapped (mapped false). */
	void (*bar_moved)(struct pci_dev *dev, unsigned int bar, bool mapped,
			  u64 base);
};

struct pci_dev {
	const char *name;
	const struct pci_dev_ops *ops;
	void *priv;
	struct pci_host *host;
	u8 slot;			/* device number on bus 0 */

	pthread_mutex_t lock;
	u8 cfg[PCI_CFG_SIZE];
	u8 wmask[PCI_CFG_SIZE];		/* guest-writable bits */
	u8 cfg_power_on[PCI_CFG_SIZE];	/* cfg as registered (reset) */
	u8 next_cap;			/* where pci_dev_add_cap() appends */
	u8 *last_cap_next;
	struct pci_bar bars[PCI_NR_BARS];

	/* INTx (pin INTA#), with its own lock. */
	struct irq_line *intx;
	pthread_mutex_t intx_lock;
	bool intx_level, intx_disabled, intx_msix;

	struct pci_msix msix;
};

struct pci_host {
	struct bus *pio, *mmio;
	struct pci_host_options opts;
	pthread_mutex_t lock;		/* conf1 address, reset ctrl, slots */
	u32 conf1_addr;
	u8 reset_ctrl;
	struct pci_dev *slots[PCI_MAX_SLOTS];
	u64 next_mem, next_io;
	struct pci_dev bridge;
	struct bus_dev conf1_dev, ecam_dev;
};

/* The host bridge at 00.0 and the config windows on the buses. */
int pci_host_init(struct pci_host *h, struct bus *pio, struct bus *mmio,
		  const struct pci_host_options *opts);
/*
 * A system reset (vCPUs stopped): every function's config space back to
 * what it was when it was registered (BARs at lkvm's addresses, decoding,
 * INTx and MSI-X off, every MSI-X entry masked), the host's config
 * address and reset control cleared. The functions' own state is theirs.
 */
void pci_host_reset(struct pci_host *h);
void pci_host_destroy(struct pci_host *h);

/*
 * Prepare a device: header with these IDs and class (24 bits), INTA# on
 * intx when not NULL (its GSI becomes the interrupt line register).
 */
void pci_dev_init(struct pci_dev *dev, const char *name, u16 vendor,
		  u16 device, u32 class, u8 revision,
		  const struct pci_dev_ops *ops, void *priv,
		  struct irq_line *intx);
void pci_dev_set_subsystem(struct pci_dev *dev, u16 vendor, u16 id);

/*
 * Append a capability of len bytes (id and next pointer included) and
 * return its offset, or 0 when it does not fit. Bytes after the first two
 * start zero and read-only; set dev->cfg / dev->wmask as needed.
 */
u8 pci_dev_add_cap(struct pci_dev *dev, u8 id, u8 len);

/*
 * Declare BAR bar (a 64-bit one takes bar and bar + 1) of size bytes (a
 * power of two, at least 16, or 4 for I/O) served by access(priv). The
 * host assigns an initial address from its window at registration.
 */
int pci_dev_add_bar(struct pci_dev *dev, unsigned int bar,
		    enum pci_bar_kind kind, u64 size, bus_access_fn access,
		    void *priv);

/*
 * MSI-X with nr vectors, table at offset 0 and PBA at table_size of BAR
 * bar (which the host creates: 32-bit memory). -EINVAL / -ENOSPC.
 */
int pci_dev_add_msix(struct pci_dev *dev, unsigned int bar, unsigned int nr);

/* Put the device at the first free slot (or -ENOSPC); maps nothing yet. */
int pci_register_device(struct pci_host *h, struct pci_dev *dev);
void pci_unregister_device(struct pci_host *h, struct pci_dev *dev);

/* Set INTA#'s level (honours the command register's INTx disable). */
void pci_dev_set_intx(struct pci_dev *dev, bool level);

/* Is MSI-X enabled by the driver? */
bool pci_msix_enabled(struct pci_dev *dev);
/*
 * Signal vector n: delivered now, or left pending while masked.
 * -EINVAL for a vector out of range, -ENODEV when MSI-X is disabled.
 */
int pci_msix_notify(struct pci_dev *dev, unsigned int n);

/* For the firmware tables: every INTx user as (slot, pin 0 = A, gsi). */
typedef void (*pci_intx_fn)(void *opaque, u8 slot, u8 pin, u32 gsi);
unsigned int pci_list_intx(struct pci_host *h, pci_intx_fn fn,
			       void *opaque);

/* Configuration accessors (mechanism #1 and ECAM use these; tests too). */
void pci_cfg_access(struct pci_host *h, u8 slot, u8 fn, u32 off, u8 *data,
		    u32 len, bool is_write);

#endif
