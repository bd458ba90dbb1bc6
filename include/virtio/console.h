/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-console (virtio 1.x spec 5.3), one port: receiveq 0 carries host
 * input to the guest (hvc0), transmitq 1 the guest's output to the
 * console's output buffer (term-out.h), held back while it is full.
 * Offers VIRTIO_CONSOLE_F_SIZE with the terminal's size when size_fd is a
 * terminal, and VIRTIO_CONSOLE_F_EMERG_WRITE.
 *
 * Input: virtio_console_sink() is a term_sink_fn (term.h) called on the
 * I/O thread; it returns a short count while the guest has no receive
 * buffers, and the device calls the room callback when the guest adds some.
 */
#ifndef LKVM_VIRTIO_CONSOLE_H
#define LKVM_VIRTIO_CONSOLE_H

#include "term-out.h"
#include "types.h"
#include "virtio/core.h"

#define VIRTIO_CONSOLE_F_SIZE		0
#define VIRTIO_CONSOLE_F_MULTIPORT	1
#define VIRTIO_CONSOLE_F_EMERG_WRITE	2

/* Config space: le16 cols, le16 rows, le32 max_nr_ports, le32 emerg_wr. */
#define VIRTIO_CONSOLE_CFG_COLS		0
#define VIRTIO_CONSOLE_CFG_ROWS		2
#define VIRTIO_CONSOLE_CFG_MAX_PORTS	4
#define VIRTIO_CONSOLE_CFG_EMERG_WR	8
#define VIRTIO_CONSOLE_CFG_SIZE		12

#define VIRTIO_CONSOLE_RXQ		0
#define VIRTIO_CONSOLE_TXQ		1
#define VIRTIO_CONSOLE_QUEUE_SIZE	128

struct virtio_console {
	struct virtio_device vdev;
	struct term_out *out;		/* NULL: output dropped */
	bool has_size;
	u8 config[VIRTIO_CONSOLE_CFG_SIZE];
	struct virtq_chain rx_chain;	/* I/O thread, under the rx vq lock */
	struct virtq_chain tx_chain;	/* under the tx vq lock */
	/*
	 * tx_chain popped, partly written (up to iov tx_iov, offset tx_off),
	 * waiting for room in the output buffer; under the tx vq lock.
	 */
	bool tx_held;
	unsigned int tx_iov;
	size_t tx_off;
	void (*room)(void *opaque);
	void *room_opaque;
	/* Set: the guest's output goes here instead (under the tx vq lock). */
	void (*tx_cb)(void *opaque, const u8 *buf, size_t len);
	void *tx_opaque;
	u64 bytes_in, bytes_out;
};

/*
 * Output goes to `out` (NULL: dropped), held back while it is full; if
 * size_fd is a terminal its size is offered (TIOCGWINSZ), else F_SIZE is
 * not. name: "virtio-console.0" style. Returns 0 or -errno.
 */
int virtio_console_init(struct virtio_console *c, const struct guest_mem *mem,
			const char *name, struct term_out *out, int size_fd);
void virtio_console_destroy(struct virtio_console *c);

/* Called (any thread) when the guest posts receive buffers. */
void virtio_console_set_room_cb(struct virtio_console *c,
				void (*room)(void *opaque), void *opaque);

/*
 * The guest's output to tx (called on the thread that serves the transmit
 * queue, under its lock) instead of an output buffer: a port lkvm reads
 * itself. Set before the guest runs.
 */
void virtio_console_set_tx_cb(struct virtio_console *c,
			      void (*tx)(void *opaque, const u8 *buf,
					 size_t len),
			      void *opaque);

/* term_sink_fn: input for the guest; returns how much it took. */
size_t virtio_console_sink(void *opaque, const u8 *buf, size_t len);

#endif
