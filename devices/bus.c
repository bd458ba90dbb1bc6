// SPDX-License-Identifier: GPL-2.0
/*
 * An address space (port I/O or MMIO) as a table of non-overlapping ranges
 * kept sorted by base, so a lookup is a binary search.
 *
 * Locking: the table is guarded by a rwlock. bus_access() holds it for the
 * lookup only and calls the device with the lock released: a device may
 * itself move or register devices on the same bus (a PCI BAR write arriving
 * through the config space device on the port bus moves an I/O BAR on that
 * very bus), which would deadlock on a held read lock. The price is that a
 * struct bus_dev must stay valid until no vCPU can reach it any more, i.e.
 * devices are only freed after the vCPUs stopped; unregistering merely hides
 * a device from later lookups.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "log.h"

#define BUS_MAX_ACCESS 8

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	pthread_rwlock_init(&bus->lock, NULL);
}

void bus_destroy(struct bus *bus)
{
	free(bus->devs);
	bus->devs = NULL;
	bus->nr_devs = 0;
	bus->cap = 0;
	pthread_rwlock_destroy(&bus->lock);
}

/* Last address of a range; callers have checked len != 0 and no wrap. */
static inline u64 range_last(u64 base, u64 len)
{
	return base + (len - 1);
}

/* Index of the first device whose base is greater than addr. */
static unsigned int bus_upper_bound(const struct bus *bus, u64 addr)
{
	unsigned int lo = 0, hi = bus->nr_devs;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (bus->devs[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Device covering addr, or NULL. Caller holds the lock. */
static struct bus_dev *bus_find(const struct bus *bus, u64 addr)
{
	unsigned int i = bus_upper_bound(bus, addr);
	struct bus_dev *dev;

	if (i == 0)
		return NULL;
	dev = bus->devs[i - 1];
	if (addr > range_last(dev->base, dev->len))
		return NULL;
	return dev;
}

/*
 * Can [base, base + len) go into the table, ignoring `self` (the device
 * being moved)? Returns the insertion index or -EBUSY.
 */
static int bus_slot(const struct bus *bus, u64 base, u64 len,
		    const struct bus_dev *self)
{
	unsigned int i = bus_upper_bound(bus, base);
	u64 last = range_last(base, len);
	unsigned int j;

	/* Neighbour below: must end before base. */
	for (j = i; j > 0; j--) {
		const struct bus_dev *d = bus->devs[j - 1];

		if (d == self)
			continue;
		if (range_last(d->base, d->len) >= base)
			return -EBUSY;
		break;
	}
	/* Neighbour above: must start after last. */
	for (j = i; j < bus->nr_devs; j++) {
		const struct bus_dev *d = bus->devs[j];

		if (d == self)
			continue;
		if (d->base <= last)
			return -EBUSY;
		break;
	}
	return (int)i;
}

static int bus_index_of(const struct bus *bus, const struct bus_dev *dev)
{
	unsigned int i;

	for (i = 0; i < bus->nr_devs; i++)
		if (bus->devs[i] == dev)
			return (int)i;
	return -ENOENT;
}

static void bus_remove_at(struct bus *bus, unsigned int i)
{
	memmove(&bus->devs[i], &bus->devs[i + 1],
		(bus->nr_devs - i - 1) * sizeof(bus->devs[0]));
	bus->nr_devs--;
}

static void bus_insert_at(struct bus *bus, unsigned int i,
			  struct bus_dev *dev)
{
	memmove(&bus->devs[i + 1], &bus->devs[i],
		(bus->nr_devs - i) * sizeof(bus->devs[0]));
	bus->devs[i] = dev;
	bus->nr_devs++;
}

static bool range_valid(u64 base, u64 len)
{
	return len != 0 && base + (len - 1) >= base;
}

int bus_register(struct bus *bus, struct bus_dev *dev)
{
	int slot, err = 0;

	if (!dev || !dev->access || !range_valid(dev->base, dev->len))
		return -EINVAL;

	pthread_rwlock_wrlock(&bus->lock);
	if (bus_index_of(bus, dev) >= 0) {
		err = -EEXIST;
		goto out;
	}
	slot = bus_slot(bus, dev->base, dev->len, NULL);
	if (slot < 0) {
		err = slot;
		goto out;
	}
	if (bus->nr_devs == bus->cap) {
		unsigned int cap = bus->cap ? bus->cap * 2 : 16;
		struct bus_dev **devs;

		devs = realloc(bus->devs, cap * sizeof(*devs));
		if (!devs) {
			err = -ENOMEM;
			goto out;
		}
		bus->devs = devs;
		bus->cap = cap;
	}
	bus_insert_at(bus, (unsigned int)slot, dev);
out:
	pthread_rwlock_unlock(&bus->lock);
	if (err == -EBUSY)
		pr_debug("%s bus: %s at 0x%llx+0x%llx overlaps a device",
			 bus->name, dev->name ? dev->name : "?",
			 (unsigned long long)dev->base,
			 (unsigned long long)dev->len);
	return err;
}

int bus_unregister(struct bus *bus, struct bus_dev *dev)
{
	int i;

	pthread_rwlock_wrlock(&bus->lock);
	i = bus_index_of(bus, dev);
	if (i >= 0)
		bus_remove_at(bus, (unsigned int)i);
	pthread_rwlock_unlock(&bus->lock);
	return i < 0 ? i : 0;
}

int bus_move(struct bus *bus, struct bus_dev *dev, u64 new_base)
{
	int i, slot, err = 0;

	pthread_rwlock_wrlock(&bus->lock);
	i = bus_index_of(bus, dev);
	if (i < 0) {
		err = i;
		goto out;
	}
	if (!range_valid(new_base, dev->len)) {
		err = -EINVAL;
		goto out;
	}
	slot = bus_slot(bus, new_base, dev->len, dev);
	if (slot < 0) {
		err = slot;
		goto out;
	}
	/* Remove, then re-insert: the slot index shifts if it was above. */
	bus_remove_at(bus, (unsigned int)i);
	if (slot > i)
		slot--;
	dev->base = new_base;
	bus_insert_at(bus, (unsigned int)slot, dev);
out:
	pthread_rwlock_unlock(&bus->lock);
	return err;
}

bool bus_access(struct bus *bus, struct vcpu *vcpu, u64 addr, u8 *data,
		u32 len, bool is_write)
{
	struct bus_dev *dev;
	u64 base = 0;

	if (!is_write && len <= BUS_MAX_ACCESS)
		memset(data, 0xff, len);
	if (len == 0 || len > BUS_MAX_ACCESS || !range_valid(addr, len))
		return false;

	pthread_rwlock_rdlock(&bus->lock);
	dev = bus_find(bus, addr);
	if (dev && range_last(addr, len) > range_last(dev->base, dev->len))
		dev = NULL;
	if (dev)
		base = dev->base;
	pthread_rwlock_unlock(&bus->lock);

	if (!dev)
		return false;
	dev->access(dev, vcpu, addr - base, data, len, is_write);
	return true;
}
