// SPDX-License-Identifier: GPL-2.0
/*
 * lkvm sandbox's other console ports: more virtio-console devices after
 * --console virtio's (hvc0: the command's stdout, or its terminal
 * session). hvc1 carries the command's stderr to lkvm's, raw, through an
 * output buffer of its own; hvc2 the guest init's status line, which
 * lkvm reads itself (sandbox-status.h), and, without a terminal session,
 * the stdin handshake of guest-job.h: the init's "stdin=ready" releases
 * lkvm's input to hvc3, and lkvm's "eof=N" tells where it ends. hvc3
 * (without a terminal session only) takes lkvm's input to the init's
 * relay; only the init has it open, so no termios the command sets on
 * its stdout (hvc0) can change or drop a byte of it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "guest-job.h"
#include "log.h"
#include "sandbox-status.h"
#include "virtio/console.h"
#include "vm-virtio.h"
#include "vm.h"

#define PORT_STDERR	0
#define PORT_STATUS	1
#define PORT_STDIN	2	/* without a terminal session */

struct sandbox_port {
	struct virtio_console con;
	struct vm *vm;
	struct term_out out;		/* PORT_STDERR: lkvm's stderr */
	bool out_ready;
	struct guest_status_parser parser;	/* PORT_STATUS */
	bool stdin_released;

	/*
	 * "eof=N\n" and how much of it the guest has not taken yet; pushed
	 * on the I/O thread (room_fd: the guest added buffers, told under
	 * the queue's lock, which the push takes).
	 */
	pthread_mutex_t eof_lock;
	char eof_msg[GUEST_JOB_EOF_LINE_MAX];
	size_t eof_off, eof_len;
	int room_fd;
	struct io_handler room_h;
	bool room_attached;
};

static unsigned int port_count(const struct vm_config *cfg)
{
	if (!cfg->sandbox)
		return 0;
	return cfg->sandbox_tty ? 2 : 3;
}

/* The status port's bytes (under the tx vq lock): keep the last status. */
static void port_status_tx(void *opaque, const u8 *buf, size_t len)
{
	struct sandbox_port *s = opaque;
	int v = guest_status_feed(&s->parser, buf, len);

	if (v >= 0) {
		atomic_store(&s->vm->guest_status, v);
		guest_status_tell(&s->parser, v);
	}
	if (s->parser.stdin_ready && !s->stdin_released) {
		s->stdin_released = true;
		term_release_input(&s->vm->term);
	}
}

/* Offer what is left of "eof=N\n" to the guest (any thread). */
static void port_eof_push(struct sandbox_port *s)
{
	pthread_mutex_lock(&s->eof_lock);
	while (s->eof_off < s->eof_len) {
		size_t n = virtio_console_sink(&s->con,
					       (const u8 *)s->eof_msg +
					       s->eof_off,
					       s->eof_len - s->eof_off);

		if (!n)
			break;	/* again when the guest adds buffers */
		s->eof_off += n;
	}
	pthread_mutex_unlock(&s->eof_lock);
}

/* lkvm's input is over and all `sent` bytes are in hvc3's queue. */
static void port_stdin_eof(void *opaque, u64 sent)
{
	struct sandbox_port *s = opaque;
	int n;

	pthread_mutex_lock(&s->eof_lock);
	n = snprintf(s->eof_msg, sizeof(s->eof_msg), GUEST_JOB_STDIN_EOF "%llu\n",
		     (unsigned long long)sent);
	s->eof_off = 0;
	s->eof_len = n > 0 ? (size_t)n : 0;
	pthread_mutex_unlock(&s->eof_lock);
	pr_debug("sandbox: end of input after %llu bytes",
		 (unsigned long long)sent);
	port_eof_push(s);
}

/* The guest added receive buffers on hvc2 (its rx queue locked). */
static void port_status_room(void *opaque)
{
	struct sandbox_port *s = opaque;
	u64 one = 1;

	if (s->room_fd >= 0 && write(s->room_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		pr_warn_ratelimited("%s: cannot wake the I/O thread: %s",
				    s->con.vdev.name, strerror(errno));
}

static void port_room_event(struct io_handler *h, u32 events)
{
	struct sandbox_port *s = h->opaque;
	u64 n;

	if (read(s->room_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		pr_warn_ratelimited("%s: room eventfd: %s", s->con.vdev.name,
				    strerror(errno));
	port_eof_push(s);
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
	s->room_fd = -1;
	err = pthread_mutex_init(&s->eof_lock, NULL);
	if (err) {
		pr_err("cannot set up %s: %s", d->name, strerror(err));
		free(s);
		return -err;
	}
	if (d->index == PORT_STDERR) {
		err = term_out_init(&s->out, STDERR_FILENO);
		s->out_ready = !err;
		/*
		 * lkvm's lines share stderr with the command's; they go with
		 * its stdout instead when that is the same file too (see
		 * vm.c), and start a line after a partial one of either.
		 */
		if (s->out_ready &&
		    !term_out_same_file(&vm->term.out, STDERR_FILENO))
			term_out_take_log(&s->out, STDERR_FILENO);
		else if (s->out_ready)
			term_out_share_line(&s->out, &vm->term.out);
	}
	if (!err)
		err = virtio_console_init(&s->con, &vm->mem, d->name,
					  s->out_ready ? &s->out : NULL, -1);
	if (err) {
		pr_err("cannot set up %s: %s", d->name, strerror(-err));
		if (s->out_ready)
			term_out_destroy(&s->out);
		pthread_mutex_destroy(&s->eof_lock);
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
	int err;

	if (d->index == PORT_STDERR)
		return s->out_ready ? term_out_attach(&s->out, &vm->io) : 0;
	if (d->index == PORT_STDIN) {
		/* After PORT_STATUS: the end's callback is set already. */
		virtio_console_set_room_cb(&s->con, term_notify_room,
					   &vm->term);
		return term_attach(&vm->term, &vm->io, virtio_console_sink,
				   &s->con, NULL, NULL);
	}
	if (vm->cfg->sandbox_tty)
		return 0;
	s->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->room_fd < 0) {
		err = -errno;
		pr_err("cannot set up %s: %s", d->name, strerror(-err));
		return err;
	}
	s->room_h.fd = s->room_fd;
	s->room_h.fn = port_room_event;
	s->room_h.opaque = s;
	err = io_loop_add(&vm->io, &s->room_h, EPOLLIN);
	if (err) {
		pr_err("cannot set up %s: %s", d->name, strerror(-err));
		return err;
	}
	s->room_attached = true;
	virtio_console_set_room_cb(&s->con, port_status_room, s);
	/* Input is held until the guest's "stdin=ready": set in time. */
	term_set_eof_cb(&vm->term, port_stdin_eof, s);
	return 0;
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

	/* The console's input must not feed a freed port. */
	if (d->index == PORT_STDIN)
		term_detach(&d->vm->term);
	if (s->room_attached)
		io_loop_del(&d->vm->io, &s->room_h);
	/* The console's input must not tell a freed port of its end. */
	if (s->room_fd >= 0)
		term_set_eof_cb(&d->vm->term, NULL, NULL);
	virtio_console_destroy(&s->con);
	if (s->room_fd >= 0)
		close(s->room_fd);
	if (s->out_ready)
		term_out_destroy(&s->out);
	pthread_mutex_destroy(&s->eof_lock);
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
