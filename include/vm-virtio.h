/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's virtio devices: a table of device kinds (vm_virtio_kinds[],
 * vmm/dev-registry.c; one vmm/dev-<kind>.c each) says what the
 * configuration asks for, and every device is put on the VM's one virtio
 * transport (PCI, virtio-mmio or virtio-ccw: struct vm_virtio_transport)
 * the same way on every arch. Devices are allocated as they come; the only
 * limits are the transport's (PCI slots on bus 0, the arch's virtio-mmio
 * windows and interrupt lines, CSS subchannels), each reported as one
 * "lkvm: no free ... for <device> (...)" line.
 *
 * Lifecycle: the transport and then each device register on vm->devs
 * (vm-devices.h) as they are made, so they are quiesced and destroyed in
 * reverse order: a device before its transport.
 */
#ifndef LKVM_VM_VIRTIO_H
#define LKVM_VM_VIRTIO_H

#include <stddef.h>

#include "devices/pci.h"
#include "types.h"
#include "virtio/core.h"

struct vm;
struct vm_config;
struct vm_virtio;

/* --- Device kinds --- */

struct vm_virtio_dev;

struct vm_virtio_kind {
	const char *name;	/* "virtio-blk": devices are virtio-blk.<i> */
	/* How many the configuration asks for. */
	unsigned int (*count)(const struct vm_config *cfg);
	/*
	 * Build device d->index: set d->vdev (and d->priv). Prints its
	 * "lkvm: ..." line on failure; -errno.
	 */
	int (*create)(struct vm *vm, struct vm_virtio_dev *d);
	/* Optional: the device is on its transport (e.g. join the terminal). */
	int (*attached)(struct vm *vm, struct vm_virtio_dev *d);
	/* Optional: vCPUs and I/O thread stopped; finish in-flight work. */
	void (*quiesce)(struct vm_virtio_dev *d);
	/* Free what create() made (after the transport let go of it). */
	void (*destroy)(struct vm_virtio_dev *d);
};

struct vm_virtio_dev {
	const struct vm_virtio_kind *kind;
	struct vm *vm;
	unsigned int index;		/* among the devices of its kind */
	char name[32];			/* "virtio-blk.3" */
	struct virtio_device *vdev;	/* create() */
	void *priv;			/* create()'s */
	struct vm_virtio_transport *transport;
	void *handle;			/* the transport's, after attach */
};

/* The table, NULL-terminated: adding a device is a file and a row. */
extern const struct vm_virtio_kind *const vm_virtio_kinds[];

/* The kinds (vmm/dev-<kind>.c). */
extern const struct vm_virtio_kind dev_console_kind;	/* --console virtio */
extern const struct vm_virtio_kind dev_rng_kind;	/* --rng */
extern const struct vm_virtio_kind dev_sandbox_port_kind; /* lkvm sandbox */
extern const struct vm_virtio_kind dev_blk_kind;	/* -d, --disk */
extern const struct vm_virtio_kind dev_net_kind;	/* -n, --network */
extern const struct vm_virtio_kind dev_9p_kind;		/* --9p */
extern const struct vm_virtio_kind dev_balloon_kind;	/* --balloon */
extern const struct vm_virtio_kind dev_vsock_kind;	/* --vsock */

/* --- Transports --- */

/* A virtio-mmio window: what the guest is told (command line or DT). */
struct vm_virtio_window {
	u64 base, size;
	u32 irq;		/* the interrupt line (the arch's encoding) */
};

struct vm_virtio_transport {
	const char *name;	/* "pci", "mmio", "mmio-legacy", "ccw" */
	/*
	 * Put d->vdev on the transport: its place (slot, window,
	 * subchannel), interrupt and ioeventfd doorbells. On failure, msg
	 * says why ("no free PCI slot for virtio-blk.20 (32 slots on bus
	 * 0)"); -ENOSPC for a transport limit, else -errno.
	 */
	int (*attach)(struct vm_virtio_transport *t, struct vm_virtio_dev *d,
		      char *msg, size_t len);
	/*
	 * Optional: the transport's registers for d back to power-on (a
	 * system reset, vCPUs stopped; the device itself is reset already).
	 */
	void (*reset)(struct vm_virtio_transport *t, struct vm_virtio_dev *d);
	/* Undo attach (I/O loop stopped). */
	void (*detach)(struct vm_virtio_transport *t, struct vm_virtio_dev *d);
	/* Free the transport, after every device is detached. */
	void (*destroy)(struct vm_virtio_transport *t);
	/*
	 * How the guest learns of the devices, if not by enumeration (PCI)
	 * or the channel subsystem (ccw): the virtio-mmio windows.
	 */
	const struct vm_virtio_window *windows;
	unsigned int nr_windows;
};

/* Where the arch puts virtio-mmio windows. */
struct vm_virtio_layout {
	u64 mmio_base;
	u64 mmio_stride;
	unsigned int mmio_max;
};

/*
 * Make the PCI (on pci) or virtio-mmio (in layout) transport, as
 * vm->cfg->virtio_transport says. -errno, with the "lkvm: ..." line.
 */
int vm_virtio_pci_transport(struct vm *vm, struct pci_host *pci,
			    struct vm_virtio_transport **out);
int vm_virtio_mmio_transport(struct vm *vm,
			     const struct vm_virtio_layout *layout,
			     struct vm_virtio_transport **out);

/*
 * Create the configured devices (none is fine) on t, which the VM then
 * owns (it is destroyed through vm->devs, even on failure). Prints one
 * "lkvm: ..." line on failure; -errno.
 */
int vm_virtio_start(struct vm *vm, struct vm_virtio_transport *t,
		    struct vm_virtio **out);

/* x86 and arm64: PCI on pci (if given and asked for), else virtio-mmio. */
int vm_virtio_init(struct vm *vm, struct pci_host *pci,
		   const struct vm_virtio_layout *layout,
		   struct vm_virtio **out);

/* The devices' virtio-mmio windows (none on PCI and ccw). */
const struct vm_virtio_window *vm_virtio_windows(const struct vm_virtio *v,
						 unsigned int *nr);

/*
 * What the guest kernel's command line needs for virtio-mmio devices
 * (virtio_mmio.device=... for each), "" when nothing.
 */
const char *vm_virtio_cmdline(const struct vm_virtio *v);

/* How many devices are on the transport. */
unsigned int vm_virtio_nr_devices(const struct vm_virtio *v);

/* MSI delivery for a PCI host through the VM's routes and irqfds. */
void vm_pci_msi_ops(struct vm *vm, struct pci_msi_ops *ops);

/* The VM's ioeventfd registration (KVM_IOEVENTFD), for the transports. */
void vm_virtio_ioeventfd_ops(struct vm *vm, struct virtio_ioeventfd_ops *ops);

#endif
