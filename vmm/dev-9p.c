// SPDX-License-Identifier: GPL-2.0
/* --9p DIR,TAG: one virtio-9p device per share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fd-budget.h"
#include "fd-limit.h"
#include "log.h"
#include "virtio/9p.h"
#include "vm-virtio.h"
#include "vm.h"

struct dev_9p {
	struct p9fs *fs;
	struct virtio_9p dev;
};

static unsigned int p9_count(const struct vm_config *cfg)
{
	return cfg->nr_shares_9p;
}

static int p9_create(struct vm *vm, struct vm_virtio_dev *d)
{
	const struct p9_share_config *sc = &vm->cfg->shares_9p[d->index];
	struct p9fs_options opt = {
		.dir = sc->dir,
		.readonly = sc->flags & P9_SHARE_RO,
		.model = (sc->flags & P9_SHARE_PASSTHROUGH) ?
			 P9FS_MODEL_PASSTHROUGH : P9FS_MODEL_MAPPED,
	};
	struct dev_9p *p = calloc(1, sizeof(*p));
	struct vm_fd_budget budget;
	const char *why = NULL;
	int err;

	if (!p) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	err = p9fs_open_share(&opt, &p->fs, &why);
	if (err) {
		pr_err("9p share '%s': %s", sc->dir, why ? why : strerror(-err));
		free(p);
		return err;
	}
	err = virtio_9p_init(&p->dev, p->fs, sc->tag, &vm->mem, d->name);
	if (err) {
		pr_err("cannot set up %s: %s", d->name, strerror(-err));
		p9fs_close_share(p->fs);
		free(p);
		return err;
	}
	/* Every share's fids together stay within the descriptor budget. */
	vm_fd_budget(vm->cfg, fd_limit_current(), &budget);
	p9_server_limit_fids(&p->dev.srv, budget.share_fids);
	d->vdev = &p->dev.vdev;
	d->priv = p;
	return 0;
}

static void p9_quiesce(struct vm_virtio_dev *d)
{
	struct dev_9p *p = d->priv;

	if (virtio_9p_drain(&p->dev, P9_STUCK_MS))
		pr_err("%s: a request is stuck in the host's file system; lkvm exits without it",
		       d->name);
}

static void p9_destroy(struct vm_virtio_dev *d)
{
	struct dev_9p *p = d->priv;

	/* Stuck: its worker still uses the device and the share. */
	if (virtio_9p_destroy(&p->dev, P9_STUCK_MS))
		return;
	p9fs_close_share(p->fs);
	free(p);
}

const struct vm_virtio_kind dev_9p_kind = {
	.name = "virtio-9p",
	.count = p9_count,
	.create = p9_create,
	.quiesce = p9_quiesce,
	.destroy = p9_destroy,
};
