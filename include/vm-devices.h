/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device lifecycle: every device and transport the VM builds registers
 * here as it is created, and the VM resets, quiesces and destroys them
 * through this list: reset in order of creation, quiesce and destroy in
 * reverse order, on every arch and at every exit (a failed set-up too).
 * The vmm code that creates a device registers it; devices themselves
 * never see struct vm.
 */
#ifndef LKVM_VM_DEVICES_H
#define LKVM_VM_DEVICES_H

#include <stdbool.h>

struct vm;

struct vm_device_ops {
	/* Back to the power-on state (a guest reset); vCPUs are stopped. */
	void (*reset)(void *opaque);
	/*
	 * Stop taking work from the guest and finish or cancel what is in
	 * flight; nothing of the device runs afterwards. Called once, after
	 * the vCPUs and the I/O thread have stopped.
	 */
	void (*quiesce)(void *opaque);
	/* Release everything the device holds (after quiesce, if it ran). */
	void (*destroy)(void *opaque);
	/* Room for save/load (snapshot) later. */
};

struct vm_device {
	const char *name;	/* "serial0", "virtio-pci 00:03.0", ... */
	const struct vm_device_ops *ops;
	void *opaque;
	bool quiesced;
};

struct vm_devices {
	struct vm_device *list;	/* in order of creation */
	unsigned int nr, cap;
	/* Tests: told of each lifecycle call (op is "reset", ...). */
	void (*trace)(void *opaque, const char *op, const char *name);
	void *trace_opaque;
};

/* Add a device (name is copied); any op may be NULL. -ENOMEM. */
int vm_devices_add(struct vm_devices *devs, const char *name,
		   const struct vm_device_ops *ops, void *opaque);
/*
 * Add a device just made; if that fails, destroy it here (ops->destroy)
 * and say so, so the caller only returns the error.
 */
int vm_devices_add_or_destroy(struct vm_devices *devs, const char *name,
			      const struct vm_device_ops *ops, void *opaque);
/* Reset every device, in order of creation. */
void vm_devices_reset(struct vm_devices *devs);
/* Quiesce every device not yet quiesced, in reverse order. */
void vm_devices_quiesce(struct vm_devices *devs);
/* Quiesce what is left, destroy all in reverse order, empty the list. */
void vm_devices_destroy(struct vm_devices *devs);

#endif
