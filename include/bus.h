/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_BUS_H
#define LKVM_BUS_H

#include <pthread.h>

#include "types.h"

struct bus_dev;
struct vcpu;

/*
 * Called on the vCPU thread that took the exit. `offset` is relative to the
 * device's base; `data` holds `len` bytes (1, 2, 4 or 8; little-endian as
 * the guest sees them). For reads the callback fills `data`; the bus has
 * pre-filled it with 0xff so an access a device ignores reads all-ones.
 */
typedef void (*bus_access_fn)(struct bus_dev *dev, struct vcpu *vcpu,
			      u64 offset, u8 *data, u32 len, bool is_write);

struct bus_dev {
	const char *name;
	u64 base;
	u64 len;
	bus_access_fn access;
	void *priv;
};

/*
 * An address space (port I/O or MMIO): a sorted table of non-overlapping
 * ranges. Devices register before vCPUs start; PCI BAR moves re-register at
 * run time, hence the lock.
 */
struct bus {
	const char *name;
	pthread_rwlock_t lock;
	struct bus_dev **devs;
	unsigned int nr_devs;
	unsigned int cap;
};

void bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);

/* -EBUSY if the range overlaps a registered one, -EINVAL if empty/wraps. */
int bus_register(struct bus *bus, struct bus_dev *dev);
/* -ENOENT if dev is not registered on this bus. */
int bus_unregister(struct bus *bus, struct bus_dev *dev);
/* Move a registered device to a new base (PCI BAR writes). */
int bus_move(struct bus *bus, struct bus_dev *dev, u64 new_base);

/*
 * Dispatch an access. Returns false when no device covers the whole
 * [addr, addr + len) range; reads then leave all-ones in data.
 */
bool bus_access(struct bus *bus, struct vcpu *vcpu, u64 addr, u8 *data,
		u32 len, bool is_write);

#endif
