// SPDX-License-Identifier: GPL-2.0
/* The VM's virtio-blk devices. See include/vm-disks.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/blk.h"
#include "vm-disks.h"
#include "vm.h"

_Static_assert(LKVM_DISK_SERIAL_MAX == VIRTIO_BLK_ID_BYTES,
	       "-d's serial= is the virtio-blk ID");

/* The disks the shutdown path drains and flushes. */
struct vm_disks {
	struct vm_shutdown_hook hook;
	struct virtio_blk **blks;
	unsigned int nr;
};

/*
 * Shutdown: the vCPUs and the I/O thread have stopped. Wait for requests
 * the engines still hold, then make written data stable, so that a guest
 * that wrote without flushing finds its data after a clean exit too.
 */
static void vm_disks_shutdown(struct vm *vm, void *opaque)
{
	struct vm_disks *d = opaque;
	unsigned int i;

	for (i = 0; i < d->nr; i++) {
		struct disk *disk = virtio_blk_disk(d->blks[i]);
		int err;

		virtio_blk_drain(d->blks[i]);
		if (disk->readonly)
			continue;
		err = disk->ops->flush(disk);
		if (err)
			pr_err("cannot flush disk '%s': %s",
			       vm->cfg->disks[i].path,
			       strerror(-err));
	}
}

int vm_disks_create(struct vm *vm, struct vm_virtio *v, vm_disks_add_fn add)
{
	struct vm_disks *disks;
	const struct vm_config *cfg = vm->cfg;
	unsigned int i;
	int err;

	if (!cfg->nr_disks)
		return 0;
	disks = calloc(1, sizeof(*disks));
	if (!disks) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	disks->blks = calloc(cfg->nr_disks, sizeof(*disks->blks));
	if (!disks->blks) {
		free(disks);
		pr_err("out of memory");
		return -ENOMEM;
	}
	disks->hook = (struct vm_shutdown_hook){ .fn = vm_disks_shutdown,
						 .opaque = disks };
	for (i = 0; i < cfg->nr_disks; i++) {
		const struct disk_config *dc = &cfg->disks[i];
		struct virtio_blk_options o = {
			.path = dc->path,
			.readonly = dc->readonly,
			.direct = dc->direct,
			.serial = dc->serial,
			.format = dc->format,
			.backing_any = dc->backing_any,
			.backing_follow = dc->backing_follow,
			.backing_path = dc->backing_path,
			.num_queues = MIN(cfg->nr_cpus,
					  (unsigned int)VIRTIO_BLK_MAX_QUEUES),
			.loop = &vm->io,
			.index = i,
		};
		struct virtio_blk *blk;
		char msg[512];

		err = virtio_blk_create(&blk, &vm->mem, &o, msg, sizeof(msg));
		if (err) {
			pr_err("%s", msg);
			goto fail;
		}
		err = add(v, virtio_blk_vdev(blk));
		if (err) {
			pr_err("cannot add disk '%s': %s", cfg->disks[i].path,
			       err == -ENOSPC ? "no free virtio slot" :
			       strerror(-err));
			virtio_blk_destroy(blk);
			goto fail;
		}
		disks->blks[disks->nr++] = blk;
	}
	vm_on_shutdown(vm, &disks->hook);
	return 0;

fail:
	/* lkvm is about to exit: the transports never ran these devices. */
	while (disks->nr)
		virtio_blk_destroy(disks->blks[--disks->nr]);
	free(disks->blks);
	free(disks);
	return err;
}
