// SPDX-License-Identifier: GPL-2.0
/* The VM's virtio-blk devices. See include/vm-disks.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/blk.h"
#include "vm-disks.h"
#include "vm.h"

int vm_disks_create(struct vm *vm, struct vm_virtio *v, vm_disks_add_fn add)
{
	const struct vm_config *cfg = vm->cfg;
	unsigned int i;
	int err;

	for (i = 0; i < cfg->nr_disks; i++) {
		struct virtio_blk_options o = { 0 };
		struct virtio_blk *blk;
		char msg[512], *buf = NULL;

		err = virtio_blk_parse_arg(cfg->disks[i], &o, &buf, msg,
					   sizeof(msg));
		if (!err) {
			o.num_queues = MIN(cfg->nr_cpus,
					   (unsigned int)VIRTIO_BLK_MAX_QUEUES);
			o.loop = &vm->io;
			o.index = i;
			err = virtio_blk_create(&blk, &vm->mem, &o, msg,
						sizeof(msg));
		}
		free(buf);
		if (err) {
			pr_err("%s", msg);
			return err;
		}
		err = add(v, virtio_blk_vdev(blk));
		if (err) {
			pr_err("cannot add disk '%s': %s", cfg->disks[i],
			       err == -ENOSPC ? "no free virtio slot" :
			       strerror(-err));
			virtio_blk_destroy(blk);
			return err;
		}
	}
	return 0;
}
