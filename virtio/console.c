// SPDX-License-Identifier: GPL-2.0
/* virtio-console, one port on hvc0. See include/virtio/console.h. */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "virtio/console.h"

static u64 console_features(struct virtio_device *vdev)
{
	struct virtio_console *c = vdev->priv;
	u64 f = VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE);

	if (c->has_size)
		f |= VIRTIO_BIT(VIRTIO_CONSOLE_F_SIZE);
	return f;
}

/* Write all of buf to out_fd (waiting for a non-blocking fd briefly). */
static void console_output(struct virtio_console *c, const u8 *buf,
			   size_t len)
{
	while (len && c->out_fd >= 0) {
		ssize_t n = write(c->out_fd, buf, len);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			c->bytes_out += (u64)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = c->out_fd, .events = POLLOUT };

			if (poll(&p, 1, 1000) > 0)
				continue;
		}
		pr_warn_ratelimited("%s: output dropped: %s", c->vdev.name,
				    n < 0 ? strerror(errno) : "short write");
		return;
	}
}

static void console_config_write(struct virtio_device *vdev, u32 offset,
				 const void *buf, u32 len)
{
	struct virtio_console *c = vdev->priv;
	u8 ch;

	/* emerg_wr: the low byte of a 32-bit write is one character. */
	if (offset != VIRTIO_CONSOLE_CFG_EMERG_WR || !len ||
	    !virtio_has_feature(vdev, VIRTIO_CONSOLE_F_EMERG_WRITE))
		return;
	memcpy(&ch, buf, 1);
	console_output(c, &ch, 1);
}

static void console_tx(struct virtio_console *c, struct virtq *vq)
{
	struct virtq_chain *ch = &c->tx_chain;
	bool pushed = false;
	int r;

	while ((r = virtq_pop(vq, ch)) == 1) {
		unsigned int i;

		for (i = 0; i < ch->nr_out; i++)
			console_output(c, ch->iov[i].iov_base,
				       ch->iov[i].iov_len);
		virtq_push(vq, ch, 0);
		pushed = true;
	}
	if (pushed)
		virtio_queue_signal(vq);
}

static void console_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_console *c = vdev->priv;

	if (vq->index == VIRTIO_CONSOLE_TXQ)
		console_tx(c, vq);
	else if (vq->index == VIRTIO_CONSOLE_RXQ && c->room)
		c->room(c->room_opaque);	/* input may flow again */
}

/* DRIVER_OK: receive buffers posted before it may now be filled. */
static int console_activate(struct virtio_device *vdev)
{
	struct virtio_console *c = vdev->priv;

	if (c->room)
		c->room(c->room_opaque);
	return 0;
}

static const struct virtio_device_ops console_ops = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.get_features = console_features,
	.config_write = console_config_write,
	.queue_notify = console_notify,
	.activate = console_activate,
};

size_t virtio_console_sink(void *opaque, const u8 *buf, size_t len)
{
	struct virtio_console *c = opaque;
	struct virtio_device *vdev = &c->vdev;
	struct virtq *vq = &vdev->vqs[VIRTIO_CONSOLE_RXQ];
	struct virtq_chain *ch = &c->rx_chain;
	size_t taken = 0;
	bool pushed = false;

	if (!(virtio_get_status(vdev) & VIRTIO_STATUS_DRIVER_OK))
		return 0;
	virtq_lock(vq);
	while (taken < len && virtq_pop(vq, ch) == 1) {
		size_t n = virtq_chain_write(ch, 0, buf + taken, len - taken);

		virtq_push(vq, ch, (u32)n);
		pushed = true;
		taken += n;
	}
	if (pushed)
		virtio_queue_signal(vq);
	virtq_unlock(vq);
	c->bytes_in += taken;
	return taken;
}

void virtio_console_set_room_cb(struct virtio_console *c,
				void (*room)(void *opaque), void *opaque)
{
	c->room = room;
	c->room_opaque = opaque;
}

int virtio_console_init(struct virtio_console *c, const struct guest_mem *mem,
			const char *name, int out_fd, int size_fd)
{
	struct winsize ws = { 0 };
	u16 v16;
	u32 v32;
	int err;

	memset(c, 0, sizeof(*c));
	err = virtio_device_init(&c->vdev, &console_ops, c, mem, name, 2,
				 VIRTIO_CONSOLE_QUEUE_SIZE);
	if (err)
		return err;
	c->out_fd = out_fd;
	if (size_fd >= 0 && isatty(size_fd) &&
	    !ioctl(size_fd, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		c->has_size = true;
		v16 = htole16(ws.ws_col);
		memcpy(c->config + VIRTIO_CONSOLE_CFG_COLS, &v16, 2);
		v16 = htole16(ws.ws_row);
		memcpy(c->config + VIRTIO_CONSOLE_CFG_ROWS, &v16, 2);
	}
	v32 = htole32(1);
	memcpy(c->config + VIRTIO_CONSOLE_CFG_MAX_PORTS, &v32, 4);
	c->vdev.config = c->config;
	c->vdev.config_len = sizeof(c->config);
	virtq_chain_init(&c->rx_chain);
	virtq_chain_init(&c->tx_chain);
	return 0;
}

void virtio_console_destroy(struct virtio_console *c)
{
	virtio_device_destroy(&c->vdev);
	virtq_chain_destroy(&c->rx_chain);
	virtq_chain_destroy(&c->tx_chain);
}
