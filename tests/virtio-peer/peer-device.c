// SPDX-License-Identifier: GPL-2.0
/*
 * The device side of the virtio peer test: lkvm's virtio core driving one
 * queue whose rings and buffers the kernel's virtio_ring.c (driver side,
 * other thread) allocated from the arena. The arena is registered as guest
 * RAM at gpa == host address. Notifications: the driver kicks the eventfd
 * of lkvm's own queue notifier (lib/queue-notifier.c), which lkvm's I/O
 * loop polls on its thread, with or without polling the ring too, as for
 * an ioeventfd; our used-buffer interrupt is an eventfd the driver thread
 * polls (an irqfd).
 */
#include <endian.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest-mem.h"
#include "io-loop.h"
#include "queue-notifier.h"
#include "log.h"
#include "virtio/core.h"
#include "peer.h"
#include "../bench/halt-poll.h"

struct peer_dev {
	struct guest_mem mem;
	struct virtio_device vdev;
	struct virtq_chain chain;
	enum peer_dev_mode mode;
	int call_fd;
	unsigned int irq_pending;	/* raised before call_fd is written */
	struct io_loop loop;
	struct queue_notifier kick;
	u8 *scratch;
	size_t scratch_len;
	struct peer_dev_result res;
	atomic_uint config_signals;
};

static void peer_signal_used(struct virtio_device *vdev, struct virtq *vq)
{
	struct peer_dev *d = vdev->priv;
	u64 one = 1;

	halt_poll_raise(&d->irq_pending);
	if (write(d->call_fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

static void peer_signal_config(struct virtio_device *vdev)
{
	struct peer_dev *d = vdev->priv;

	atomic_fetch_add(&d->config_signals, 1);
}

static const struct virtio_transport_ops peer_transport = {
	.name = "peer",
	.signal_used = peer_signal_used,
	.signal_config = peer_signal_config,
};

static bool peer_scratch(struct peer_dev *d, size_t len)
{
	if (len <= d->scratch_len)
		return true;
	free(d->scratch);
	d->scratch = malloc(len);
	d->scratch_len = d->scratch ? len : 0;
	return d->scratch != NULL;
}

/*
 * Verify mode: the readable bytes are a 4-byte little-endian seed followed
 * by peer_pattern(seed, i) for every byte i from 4 on; the reply fills the
 * writable bytes with peer_reply(seed, i).
 */
static u32 peer_handle(struct peer_dev *d, struct virtq_chain *c)
{
	size_t out = c->out_len, in = c->in_len, i;
	u32 seed = 0;

	if (!peer_scratch(d, MAX(out, in) + 1))
		abort();
	virtq_chain_read(c, 0, d->scratch, out);
	d->res.bytes_out += out;
	d->res.bytes_in += in;
	if (d->mode == PEER_COPY) {
		virtq_chain_write(c, 0, d->scratch, MIN(out, in));
		return (u32)in;
	}
	if (out < 4) {
		d->res.bad_chains++;
		return 0;
	}
	memcpy(&seed, d->scratch, 4);
	seed = le32toh(seed);
	for (i = 4; i < out; i++) {
		if (d->scratch[i] != peer_pattern(seed, i)) {
			d->res.bad_chains++;
			break;
		}
	}
	for (i = 0; i < in; i++)
		d->scratch[i] = peer_reply(seed, i);
	virtq_chain_write(c, 0, d->scratch, in);
	return (u32)in;
}

static void peer_drain(struct peer_dev *d, struct virtq *vq)
{
	while (virtq_pop(vq, &d->chain) == 1) {
		virtq_push(vq, &d->chain, peer_handle(d, &d->chain));
		d->res.chains++;
		/* Hand back in batches so the driver can refill meanwhile. */
		if ((d->res.chains & 15) == 0)
			virtio_queue_signal(vq);
	}
	virtio_queue_signal(vq);
}

/*
 * ops->queue_notify: vq->lock is held. Either pop until empty (the pop
 * re-arms the driver's notifications itself), or -- the batching pattern
 * -- ask the driver not to notify while draining and re-enable after,
 * going round again if buffers arrived in between.
 */
static void peer_queue_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct peer_dev *d = vdev->priv;

	if (d->mode != PEER_VERIFY_BATCH) {
		peer_drain(d, vq);
		return;
	}
	do {
		virtq_disable_notify(vq);
		peer_drain(d, vq);
	} while (virtq_enable_notify(vq));
}

static const struct virtio_device_ops peer_ops = {
	.name = "peer",
	.device_id = VIRTIO_ID_RNG,
	.queue_notify = peer_queue_notify,
	/* The driver's requests: the I/O loop may look at the ring. */
	.queue_pollable = virtio_queue_pollable_all,
};

/* What a transport does for the driver's probe, through the core. */
static int peer_bringup(struct peer_dev *d, unsigned long long features,
			unsigned int qsize, unsigned long long desc,
			unsigned long long driver, unsigned long long device,
			char *err, size_t errlen)
{
	u8 st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	virtio_set_status(&d->vdev, 0);
	virtio_set_status(&d->vdev, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_set_status(&d->vdev, st);
	virtio_set_driver_features(&d->vdev, 0, (u32)features);
	virtio_set_driver_features(&d->vdev, 1, (u32)(features >> 32));
	virtio_set_status(&d->vdev, st |= VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_get_status(&d->vdev) & VIRTIO_STATUS_FEATURES_OK)) {
		snprintf(err, errlen, "features 0x%llx refused", features);
		return -EINVAL;
	}
	virtio_queue_set_size(&d->vdev, 0, qsize);
	virtio_queue_set_addr(&d->vdev, 0, VIRTIO_AREA_DESC, desc);
	virtio_queue_set_addr(&d->vdev, 0, VIRTIO_AREA_DRIVER, driver);
	virtio_queue_set_addr(&d->vdev, 0, VIRTIO_AREA_DEVICE, device);
	virtio_queue_set_ready(&d->vdev, 0, true);
	if (!virtio_queue_get_ready(&d->vdev, 0)) {
		snprintf(err, errlen, "queue refused (status 0x%x)",
			 virtio_get_status(&d->vdev));
		return -EINVAL;
	}
	virtio_set_status(&d->vdev, st | VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

unsigned int peer_default_poll_us(void)
{
	return IO_POLL_DEFAULT_US;
}

struct peer_dev *peer_dev_create(unsigned long long features,
				 unsigned int qsize, unsigned long long desc,
				 unsigned long long driver,
				 unsigned long long device, int call_fd,
				 enum peer_dev_mode mode,
				 unsigned int poll_us, char *err, size_t errlen)
{
	struct peer_dev *d = calloc(1, sizeof(*d));
	int r;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->mode = mode;
	d->call_fd = call_fd;
	virtq_chain_init(&d->chain);
	r = guest_mem_add(&d->mem, (u64)(uintptr_t)peer_arena_base(),
			  peer_arena_size(), peer_arena_base(), false);
	if (!r)
		r = virtio_device_init(&d->vdev, &peer_ops, d, &d->mem,
				       "virtio-peer", 1, VIRTQ_SIZE_MAX);
	if (r) {
		snprintf(err, errlen, "device init: %s", strerror(-r));
		free(d);
		return NULL;
	}
	virtio_device_set_transport(&d->vdev, &peer_transport, d);
	if (peer_bringup(d, features, qsize, desc, driver, device, err,
			 errlen))
		goto fail;
	r = io_loop_init(&d->loop);
	if (r) {
		snprintf(err, errlen, "I/O loop: %s", strerror(-r));
		goto fail;
	}
	io_loop_set_poll(&d->loop, poll_us * 1000);
	/*
	 * The checks poll whatever the host's load (no /proc/loadavg), so
	 * that they run the polling paths (a quiet ring, woken before the
	 * loop sleeps) on a busy machine too; the bench polls as lkvm does.
	 */
	if (mode != PEER_COPY && d->loop.loadavg_fd >= 0) {
		close(d->loop.loadavg_fd);
		d->loop.loadavg_fd = -1;
	}
	queue_notifier_init(&d->kick, &d->vdev, 0);
	r = queue_notifier_open(&d->kick, &d->loop);
	if (!r)
		r = io_loop_start(&d->loop);
	if (r) {
		snprintf(err, errlen, "I/O loop: %s", strerror(-r));
		queue_notifier_close(&d->kick);
		io_loop_destroy(&d->loop);
		goto fail;
	}
	return d;
fail:
	virtio_device_destroy(&d->vdev);
	virtq_chain_destroy(&d->chain);
	free(d);
	return NULL;
}

unsigned int *peer_dev_irq_pending(struct peer_dev *d)
{
	return &d->irq_pending;
}

int peer_dev_kick_fd(struct peer_dev *d)
{
	return d->kick.handler.fd;
}

void peer_dev_reset(struct peer_dev *d)
{
	virtio_set_status(&d->vdev, 0);
}

int peer_dev_setup(struct peer_dev *d, unsigned long long features,
		   unsigned int qsize, unsigned long long desc,
		   unsigned long long driver, unsigned long long device,
		   char *err, size_t errlen)
{
	return peer_bringup(d, features, qsize, desc, driver, device, err,
			    errlen);
}

unsigned int peer_dev_status(struct peer_dev *d)
{
	return virtio_get_status(&d->vdev);
}

void peer_dev_notify(struct peer_dev *d)
{
	virtio_queue_notify(&d->vdev, 0);
}

void peer_dev_destroy(struct peer_dev *d, struct peer_dev_result *res)
{
	io_loop_stop(&d->loop);
	queue_notifier_close(&d->kick);
	io_loop_destroy(&d->loop);
	*res = d->res;
	res->status = virtio_get_status(&d->vdev);
	res->config_signals = atomic_load(&d->config_signals);
	virtio_device_destroy(&d->vdev);
	virtq_chain_destroy(&d->chain);
	free(d->scratch);
	free(d);
}
