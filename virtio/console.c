// SPDX-License-Identifier: GPL-2.0
/* virtio-console, one port on hvc0. See include/virtio/console.h. */
#include <endian.h>
#include <errno.h>
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
	/* One byte the driver does not wait for: kept up to the hard cap. */
	if (c->out) {
		term_out_write_all(c->out, &ch, 1);
		c->bytes_out++;
	}
}

/*
 * Move the held chain's bytes, from (tx_iov, tx_off), to the output
 * buffer. True when all of it went; false when the buffer is full.
 */
static bool console_tx_chain(struct virtio_console *c)
{
	struct virtq_chain *ch = &c->tx_chain;

	while (c->tx_iov < ch->nr_out) {
		const u8 *base = ch->iov[c->tx_iov].iov_base;
		size_t len = ch->iov[c->tx_iov].iov_len - c->tx_off;
		size_t n = len;

		if (c->tx_cb)
			c->tx_cb(c->tx_opaque, base + c->tx_off, len);
		else if (c->out)
			n = term_out_write(c->out, base + c->tx_off, len);

		c->bytes_out += n;
		c->tx_off += n;
		if (n < len)
			return false;
		c->tx_iov++;
		c->tx_off = 0;
	}
	return true;
}

/*
 * Transmit while the output buffer has room. A chain is given back only
 * once all its bytes are in the buffer; while the buffer is full the chain
 * being written stays held and the rest stay in the ring, so a guest whose
 * output nobody reads waits for used buffers (never blocking a thread)
 * until console_out_room() resumes. vq lock held.
 */
static void console_tx(struct virtio_console *c, struct virtq *vq)
{
	bool pushed = false;

	for (;;) {
		if (!c->tx_held) {
			if (c->out && !term_out_room(c->out))
				break;
			if (virtq_pop(vq, &c->tx_chain) != 1)
				break;
			c->tx_held = true;
			c->tx_iov = 0;
			c->tx_off = 0;
		}
		if (!console_tx_chain(c))
			break;
		virtq_push(vq, &c->tx_chain, 0);
		c->tx_held = false;
		pushed = true;
	}
	if (pushed)
		virtio_queue_signal(vq);
}

/* The output buffer has room again (I/O thread): resume transmitting. */
static void console_out_room(void *opaque)
{
	struct virtio_console *c = opaque;

	virtio_queue_notify(&c->vdev, VIRTIO_CONSOLE_TXQ);
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

/* Device reset (vdev->lock held): the held chain belongs to the old ring. */
static void console_reset(struct virtio_device *vdev)
{
	struct virtio_console *c = vdev->priv;
	struct virtq *vq = &vdev->vqs[VIRTIO_CONSOLE_TXQ];

	virtq_lock(vq);
	c->tx_held = false;
	virtq_unlock(vq);
}

/*
 * The transmit queue is being reset (vdev->lock held, vq retired): the
 * chain held while stdout was full belongs to the old ring; forget it.
 */
static void console_queue_reset(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_console *c = vdev->priv;

	if (vq->index != VIRTIO_CONSOLE_TXQ)
		return;
	virtq_lock(vq);
	c->tx_held = false;
	virtq_unlock(vq);
}

/* Output is the driver's work; input buffers wait for the terminal. */
static bool console_queue_pollable(struct virtio_device *vdev,
				   unsigned int idx)
{
	return idx == VIRTIO_CONSOLE_TXQ;
}

static const struct virtio_device_ops console_ops = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.get_features = console_features,
	.config_write = console_config_write,
	.queue_notify = console_notify,
	.queue_pollable = console_queue_pollable,
	.activate = console_activate,
	.reset = console_reset,
	.queue_reset = console_queue_reset,
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

void virtio_console_set_tx_cb(struct virtio_console *c,
			      void (*tx)(void *opaque, const u8 *buf,
					 size_t len),
			      void *opaque)
{
	c->tx_cb = tx;
	c->tx_opaque = opaque;
}

void virtio_console_set_room_cb(struct virtio_console *c,
				void (*room)(void *opaque), void *opaque)
{
	c->room = room;
	c->room_opaque = opaque;
}

int virtio_console_init(struct virtio_console *c, const struct guest_mem *mem,
			const char *name, struct term_out *out, int size_fd)
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
	c->out = out;
	if (out) {
		err = term_out_add_waiter(out, console_out_room, c);
		if (err) {
			virtio_device_destroy(&c->vdev);
			return err;
		}
	}
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
