// SPDX-License-Identifier: GPL-2.0
/*
 * lkvm sandbox's second and third console ports: two more virtio-console
 * devices after --console virtio's (hvc0: the command's stdin and
 * stdout). hvc1 carries the command's stderr to lkvm's, raw, through an
 * output buffer of its own; hvc2 the guest init's status line, which
 * lkvm reads itself (sandbox-status.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox-status.h"
#include "virtio/console.h"
#include "vm-virtio.h"
#include "vm.h"

#define PORT_STDERR	0
#define PORT_STATUS	1

struct sandbox_port {
	struct virtio_console con;
	struct vm *vm;
	struct term_out out;		/* PORT_STDERR: lkvm's stderr */
	bool out_ready;
	struct guest_status_parser parser;	/* PORT_STATUS */
};

static unsigned int port_count(const struct vm_config *cfg)
{
	return cfg->sandbox ? 2 : 0;
}

/* The status port's bytes (under the tx vq lock): keep the last status. */
static void port_status_tx(void *opaque, const u8 *buf, size_t len)
{
	struct sandbox_port *s = opaque;
	int v = guest_status_feed(&s->parser, buf, len);

	if (v >= 0) {
		atomic_store(&s->vm->guest_status, v);
		pr_info("the sandbox's command ended with status %d", v);
	}
}

static int port_create(struct vm *vm, struct vm_virtio_dev *d)
{
	struct sandbox_port *s = calloc(1, sizeof(*s));
	int err = 0;

	if (!s) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	s->vm = vm;
	if (d->index == PORT_STDERR) {
		err = term_out_init(&s->out, STDERR_FILENO);
		s->out_ready = !err;
		/*
		 * lkvm's lines share stderr with the command's; they go with
		 * its stdout instead when that is the same file too (a
		 * terminal session: all of it on hvc0; see vm.c).
		 */
		if (s->out_ready &&
		    !term_out_same_file(&vm->term.out, STDERR_FILENO))
			term_out_take_log(&s->out, STDERR_FILENO);
	}
	if (!err)
		err = virtio_console_init(&s->con, &vm->mem, d->name,
					  s->out_ready ? &s->out : NULL, -1);
	if (err) {
		pr_err("cannot set up %s: %s", d->name, strerror(-err));
		if (s->out_ready)
			term_out_destroy(&s->out);
		free(s);
		return err;
	}
	if (d->index == PORT_STATUS)
		virtio_console_set_tx_cb(&s->con, port_status_tx, s);
	d->vdev = &s->con.vdev;
	d->priv = s;
	return 0;
}

static int port_attached(struct vm *vm, struct vm_virtio_dev *d)
{
	struct sandbox_port *s = d->priv;

	return s->out_ready ? term_out_attach(&s->out, &vm->io) : 0;
}

/* vCPUs stopped: what the command wrote last reaches stderr. */
static void port_quiesce(struct vm_virtio_dev *d)
{
	struct sandbox_port *s = d->priv;

	if (s->out_ready)
		term_out_finish(&s->out, TERM_OUT_FINISH_IDLE_MS);
}

static void port_destroy(struct vm_virtio_dev *d)
{
	struct sandbox_port *s = d->priv;

	virtio_console_destroy(&s->con);
	if (s->out_ready)
		term_out_destroy(&s->out);
	free(s);
}

const struct vm_virtio_kind dev_sandbox_port_kind = {
	.name = "sandbox-port",
	.count = port_count,
	.create = port_create,
	.attached = port_attached,
	.quiesce = port_quiesce,
	.destroy = port_destroy,
};
