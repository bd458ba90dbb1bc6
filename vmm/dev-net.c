// SPDX-License-Identifier: GPL-2.0
/*
 * -n/--network: one virtio-net per NIC (mode=none ones make none), over
 * a tap or libslirp; the backends' descriptors are polled by the VM's I/O
 * thread. Queue pairs: queues=N, else one per vCPU up to what the
 * backend gives (a tap made without multiqueue gives one).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fd-budget.h"
#include "fd-limit.h"
#include "log.h"
#include "virtio/net.h"
#include "vm-virtio.h"
#include "vm.h"

/* The index-th NIC that makes a device, in *def for the default one. */
static const struct net_config *net_nth(const struct vm_config *cfg,
					unsigned int index,
					struct net_config *def)
{
	unsigned int i;

	if (cfg->default_nic && !cfg->nr_nets && !index) {
		net_config_default(def);
		return def;
	}
	for (i = 0; i < cfg->nr_nets; i++)
		if (cfg->nets[i].mode != NET_MODE_NONE && !index--)
			return &cfg->nets[i];
	return NULL;
}

static unsigned int net_count(const struct vm_config *cfg)
{
	unsigned int i, n = 0;

	if (cfg->default_nic && !cfg->nr_nets)
		return 1;
	for (i = 0; i < cfg->nr_nets; i++)
		n += cfg->nets[i].mode != NET_MODE_NONE;
	return n;
}

static int net_open_tap(const struct vm_config *cfg,
			const struct net_config *nc, struct net_backend **be,
			char *msg, size_t len)
{
	struct net_tap_options o = {
		.ifname = nc->tapif,
		.fd = nc->fd,
		.queues = nc->queues,
		.script = nc->script,
		.downscript = nc->downscript,
		.host_ip = nc->host_ip_arg,
		.host_mac = nc->has_host_mac ? nc->host_mac : NULL,
	};
	int err;

	if (nc->queues || nc->fd >= 0 || cfg->nr_cpus == 1)
		return net_tap_open(be, &o, msg, len);
	/* One pair per vCPU, unless the tap cannot have several queues. */
	o.queues = MIN(cfg->nr_cpus, (unsigned int)NET_BACKEND_MAX_QUEUES);
	err = net_tap_open(be, &o, msg, len);
	if (err == -EINVAL || err == -EBUSY) {
		o.queues = 1;
		err = net_tap_open(be, &o, msg, len);
	}
	return err;
}

static int net_create(struct vm *vm, struct vm_virtio_dev *d)
{
	const struct vm_config *cfg = vm->cfg;
	struct net_config def;
	const struct net_config *nc = net_nth(cfg, d->index, &def);
	struct virtio_net_options o = { .loop = &vm->io };
	struct net_user_options uo;
	struct vm_fd_budget budget;
	struct net_backend *be = NULL;
	struct virtio_net *net;
	char msg[512];
	int err;

	if (!nc)
		return -EINVAL;
	if (nc->mode == NET_MODE_TAP) {
		err = net_open_tap(cfg, nc, &be, msg, sizeof(msg));
	} else {
		vm_fd_budget(cfg, fd_limit_current(), &budget);
		uo = (struct net_user_options){
			.host = nc->host_ip, .guest = nc->guest_ip,
			.fwd = nc->fwd, .nr_fwd = nc->nr_fwd,
			.lazy = cfg->default_nic && !cfg->nr_nets &&
				!nc->nr_fwd,
			.max_sockets = budget.nic_sockets,
		};
		err = net_user_open(&be, &uo, msg, sizeof(msg));
	}
	if (err) {
		pr_err("%s (-n %s): %s", d->name, nc->arg, msg);
		return err;
	}
	if (nc->has_mac)
		memcpy(o.mac, nc->guest_mac, 6);
	else
		virtio_net_default_mac(vm->name, d->index, o.mac);
	o.pairs = be->nr_queues;
	err = virtio_net_create(&net, &vm->mem, d->name, be, &o, msg,
				sizeof(msg));
	if (err) {
		pr_err("%s", msg);
		net_backend_close(be);
		return err;
	}
	d->vdev = virtio_net_vdev(net);
	d->priv = net;
	return 0;
}

static void net_destroy(struct vm_virtio_dev *d)
{
	virtio_net_destroy(d->priv);
}

const struct vm_virtio_kind dev_net_kind = {
	.name = "virtio-net",
	.count = net_count,
	.create = net_create,
	.destroy = net_destroy,
};
