// SPDX-License-Identifier: GPL-2.0
/* Device lifecycle: see include/vm-devices.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "types.h"
#include "vm-devices.h"

int vm_devices_add(struct vm_devices *devs, const char *name,
		   const struct vm_device_ops *ops, void *opaque)
{
	struct vm_device *d;
	char *copy;

	if (devs->nr == devs->cap) {
		unsigned int cap = devs->cap ? devs->cap * 2 : 16;

		d = reallocarray(devs->list, cap, sizeof(*d));
		if (!d)
			return -ENOMEM;
		devs->list = d;
		devs->cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	devs->list[devs->nr++] = (struct vm_device){
		.name = copy, .ops = ops, .opaque = opaque,
	};
	pr_debug("lifecycle: create %s", copy);
	return 0;
}

int vm_devices_add_or_destroy(struct vm_devices *devs, const char *name,
			      const struct vm_device_ops *ops, void *opaque)
{
	int err = vm_devices_add(devs, name, ops, opaque);

	if (err) {
		pr_err("cannot keep track of %s: %s", name, strerror(-err));
		if (ops->destroy)
			ops->destroy(opaque);
	}
	return err;
}

static void trace(struct vm_devices *devs, const char *op,
		  const struct vm_device *d)
{
	if (devs->trace)
		devs->trace(devs->trace_opaque, op, d->name);
}

void vm_devices_reset(struct vm_devices *devs)
{
	unsigned int i;

	for (i = 0; i < devs->nr; i++) {
		struct vm_device *d = &devs->list[i];

		trace(devs, "reset", d);
		if (d->ops->reset)
			d->ops->reset(d->opaque);
	}
}

void vm_devices_quiesce(struct vm_devices *devs)
{
	unsigned int i;

	for (i = devs->nr; i-- > 0;) {
		struct vm_device *d = &devs->list[i];

		if (d->quiesced)
			continue;
		d->quiesced = true;
		trace(devs, "quiesce", d);
		if (d->ops->quiesce)
			d->ops->quiesce(d->opaque);
	}
}

void vm_devices_destroy(struct vm_devices *devs)
{
	unsigned int i;

	vm_devices_quiesce(devs);
	for (i = devs->nr; i-- > 0;) {
		struct vm_device *d = &devs->list[i];

		trace(devs, "destroy", d);
		pr_debug("lifecycle: destroy %s", d->name);
		if (d->ops->destroy)
			d->ops->destroy(d->opaque);
		free((char *)d->name);
	}
	free(devs->list);
	devs->list = NULL;
	devs->nr = devs->cap = 0;
}
