// SPDX-License-Identifier: GPL-2.0
/*
 * -d/--disk: one virtio-blk per disk, num_queues = vCPUs, completions on
 * the VM's I/O thread. Quiesce drains and flushes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/blk.h"
#include "vm-virtio.h"
#include "vm.h"

_Static_assert(LKVM_DISK_SERIAL_MAX == VIRTIO_BLK_ID_BYTES,
	       "-d's serial= is the virtio-blk ID");

static unsigned int blk_count(const struct vm_config *cfg)
{
	return cfg->nr_disks;
}

static int blk_create(struct vm *vm, struct vm_virtio_dev *d)
{
	const struct vm_config *cfg = vm->cfg;
	const struct disk_config *dc = &cfg->disks[d->index];
	struct virtio_blk_options o = {
		.path = dc->path,
		.readonly = dc->readonly,
		.direct = dc->direct,
		.vcpu_io = dc->vcpu_io,
		.vcpu_io_budget_us = dc->vcpu_io_auto ?
				     VIRTIO_BLK_AUTO_BUDGET_US : 0,
		.serial = dc->serial,
		.format = dc->format,
		.backing_any = dc->backing_any,
		.backing_follow = dc->backing_follow,
		.backing_path = dc->backing_path,
		.num_queues = MIN(cfg->nr_cpus,
				  (unsigned int)VIRTIO_BLK_MAX_QUEUES),
		.loop = &vm->io,
		.index = d->index,
	};
	struct virtio_blk *blk;
	char msg[512];
	int err;

	err = virtio_blk_create(&blk, &vm->mem, &o, msg, sizeof(msg));
	if (err) {
		pr_err("%s", msg);
		return err;
	}
	d->vdev = virtio_blk_vdev(blk);
	d->priv = blk;
	return 0;
}

/*
 * The vCPUs and the I/O thread have stopped. Wait for requests the
 * engines still hold, then make written data stable, so that a guest that
 * wrote without flushing finds its data after a clean exit too.
 */
static void blk_quiesce(struct vm_virtio_dev *d)
{
	struct disk *disk = virtio_blk_disk(d->priv);
	int err;

	virtio_blk_drain(d->priv);
	if (disk->readonly)
		return;
	err = disk->ops->flush(disk);
	if (err)
		pr_err("cannot flush disk '%s': %s",
		       d->vm->cfg->disks[d->index].path, strerror(-err));
}

static void blk_destroy(struct vm_virtio_dev *d)
{
	virtio_blk_destroy(d->priv);
}

const struct vm_virtio_kind dev_blk_kind = {
	.name = "virtio-blk",
	.count = blk_count,
	.create = blk_create,
	.quiesce = blk_quiesce,
	.destroy = blk_destroy,
};
