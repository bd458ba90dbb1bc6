// SPDX-License-Identifier: GPL-2.0
/*
 * --vsock CID[,path=SOCK]: one virtio-vsock, its host side on UNIX socket
 * SOCK ($LKVM_HOME/<name>.vsock without path=), served by the VM's I/O
 * thread.
 */
#include <errno.h>
#include <string.h>

#include "control.h"
#include "log.h"
#include "main-helper.h"
#include "virtio/vsock.h"
#include "vm-virtio.h"
#include "vm.h"

static unsigned int vsock_count(const struct vm_config *cfg)
{
	return cfg->vsock_cid != 0;
}

static int vsock_create(struct vm *vm, struct vm_virtio_dev *d)
{
	struct virtio_vsock_options o = {
		.guest_cid = vm->cfg->vsock_cid,
		.path = vm->cfg->vsock_path,
		.loop = &vm->io,
		.unlink = main_helper_unlink,
		.unlink_ctx = &vm->helper,
	};
	char path[CONTROL_PATH_MAX], msg[256];
	struct virtio_vsock *v;
	int err;

	if (!o.path) {
		err = control_path(vm->name, ".vsock", path, sizeof(path), true);
		if (err) {
			pr_err("%s: no socket path for '%s': %s; give --vsock CID,path=SOCK",
			       d->name, vm->name, strerror(-err));
			return err;
		}
		o.path = path;
	}
	err = virtio_vsock_create(&v, &vm->mem, d->name, &o, msg, sizeof(msg));
	if (err) {
		pr_err("%s", msg);
		return err;
	}
	/* Removed at teardown by the main thread's helper (Landlock). */
	err = main_helper_keep(&vm->helper, o.path);
	if (err)
		pr_debug("%s: '%s' not kept for the helper: %s", d->name,
			 o.path, strerror(-err));
	pr_info("%s: guest CID %llu, host socket %s", d->name,
		(unsigned long long)o.guest_cid, o.path);
	d->vdev = virtio_vsock_vdev(v);
	d->priv = v;
	return 0;
}

static void vsock_destroy(struct vm_virtio_dev *d)
{
	virtio_vsock_destroy(d->priv);
}

const struct vm_virtio_kind dev_vsock_kind = {
	.name = "virtio-vsock",
	.count = vsock_count,
	.create = vsock_create,
	.destroy = vsock_destroy,
};
