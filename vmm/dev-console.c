// SPDX-License-Identifier: GPL-2.0
/* --console virtio: one virtio-console on the VM's terminal. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/console.h"
#include "vm-virtio.h"
#include "vm.h"

static unsigned int console_count(const struct vm_config *cfg)
{
	return cfg->console == CONSOLE_VIRTIO;
}

static int console_create(struct vm *vm, struct vm_virtio_dev *d)
{
	struct virtio_console *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	err = virtio_console_init(c, &vm->mem, d->name, &vm->term.out,
				  vm->term.out_fd);
	if (err) {
		pr_err("cannot set up %s: %s", d->name, strerror(-err));
		free(c);
		return err;
	}
	d->vdev = &c->vdev;
	d->priv = c;
	return 0;
}

static void console_quit(void *opaque)
{
	vm_request_stop(opaque, 0);
}

static int console_attached(struct vm *vm, struct vm_virtio_dev *d)
{
	/* lkvm sandbox without a terminal session: input goes to hvc3. */
	if (vm->cfg->sandbox && !vm->cfg->sandbox_tty)
		return 0;
	virtio_console_set_room_cb(d->priv, term_notify_room, &vm->term);
	return term_attach(&vm->term, &vm->io, virtio_console_sink, d->priv,
			   console_quit, vm);
}

static void console_destroy(struct vm_virtio_dev *d)
{
	/* The terminal must not feed a freed device. */
	term_detach(&d->vm->term);
	virtio_console_destroy(d->priv);
	free(d->priv);
}

const struct vm_virtio_kind dev_console_kind = {
	.name = "virtio-console",
	.count = console_count,
	.create = console_create,
	.attached = console_attached,
	.destroy = console_destroy,
};
