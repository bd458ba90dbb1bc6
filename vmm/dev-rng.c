// SPDX-License-Identifier: GPL-2.0
/* --rng: one virtio-rng fed by getrandom(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/rng.h"
#include "vm-virtio.h"
#include "vm.h"

static unsigned int rng_count(const struct vm_config *cfg)
{
	return cfg->rng;
}

static int rng_create(struct vm *vm, struct vm_virtio_dev *d)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));
	int err;

	if (!r) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	err = virtio_rng_init(r, &vm->mem, d->name);
	if (err) {
		pr_err("cannot set up %s: %s", d->name, strerror(-err));
		free(r);
		return err;
	}
	d->vdev = &r->vdev;
	d->priv = r;
	return 0;
}

static void rng_destroy(struct vm_virtio_dev *d)
{
	virtio_rng_destroy(d->priv);
	free(d->priv);
}

const struct vm_virtio_kind dev_rng_kind = {
	.name = "virtio-rng",
	.count = rng_count,
	.create = rng_create,
	.destroy = rng_destroy,
};
