/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device behind the transport fuzz targets (virtio-mmio-regs,
 * virtio-ccw-program, virtio-pci-regs): on every notification it pops up
 * to 64 chains, copies what it can read into what it can write, pushes
 * them and signals; a config write changes the config space and says so.
 * What a hostile driver reaches through the transport is then the whole
 * of the virtio core: status, features, queues, rings, interrupts.
 */
#ifndef LKVM_FUZZ_ECHO_DEVICE_H
#define LKVM_FUZZ_ECHO_DEVICE_H

#include <stdlib.h>
#include <string.h>

#include "virtio/core.h"

struct fz_echo {
	struct virtio_device vdev;
	struct virtq_chain chain;
	u64 features;
	u8 config[16];
};

static void fz_echo_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct fz_echo *e = vdev->priv;
	u8 buf[256];
	unsigned int n = 0;

	while (n++ < 64 && virtq_pop(vq, &e->chain) == 1) {
		size_t got = virtq_chain_read(&e->chain, 0, buf, sizeof(buf));

		virtq_push(vq, &e->chain,
			   virtq_chain_write(&e->chain, 0, buf, got));
	}
	virtio_queue_signal(vq);
}

static void fz_echo_config_write(struct virtio_device *vdev, u32 off,
				 const void *buf, u32 len)
{
	struct fz_echo *e = vdev->priv;

	memcpy(e->config + off, buf, len);
	virtio_config_changed(vdev);
}

static u64 fz_echo_features(struct virtio_device *vdev)
{
	return ((struct fz_echo *)vdev->priv)->features;
}

static const struct virtio_device_ops fz_echo_ops = {
	.name = "fuzz-echo",
	.device_id = VIRTIO_ID_CONSOLE,
	.get_features = fz_echo_features,
	.config_write = fz_echo_config_write,
	.queue_notify = fz_echo_notify,
};

/* An echo device with nr_queues queues of queue_size; aborts on failure. */
static inline void fz_echo_init(struct fz_echo *e, const struct guest_mem *mem,
				unsigned int nr_queues, u16 queue_size,
				u64 features)
{
	memset(e, 0, sizeof(*e));
	e->features = features;
	virtq_chain_init(&e->chain);
	if (virtio_device_init(&e->vdev, &fz_echo_ops, e, mem, "fuzz-echo",
			       nr_queues, queue_size))
		abort();
	e->vdev.config = e->config;
	e->vdev.config_len = sizeof(e->config);
}

static inline void fz_echo_destroy(struct fz_echo *e)
{
	virtio_device_destroy(&e->vdev);
	virtq_chain_destroy(&e->chain);
}

/*
 * A ready queue has a valid size (split: a power of 2) and each of its
 * areas, whole and aligned, inside one region of RAM, the ones the device
 * writes in writable RAM; else abort.
 */
static inline void fz_echo_check_queues(const struct fz_echo *e,
					const struct guest_mem *mem)
{
	unsigned int q;

	for (q = 0; q < e->vdev.nr_queues; q++) {
		const struct virtq *vq = &e->vdev.vqs[q];
		u64 n = vq->size;
		bool bad;

		if (!vq->ready)
			continue;
		if (!n || n > vq->max_size)
			abort();
		if (vq->packed)
			bad = vq->desc_gpa % VIRTQ_PACKED_DESC_ALIGN ||
			      vq->driver_gpa % VIRTQ_PACKED_EVENT_ALIGN ||
			      vq->device_gpa % VIRTQ_PACKED_EVENT_ALIGN ||
			      !guest_mem_ptr_rw(mem, vq->desc_gpa,
						VIRTQ_PACKED_DESC_SIZE(n)) ||
			      !guest_mem_ptr(mem, vq->driver_gpa, 4) ||
			      !guest_mem_ptr_rw(mem, vq->device_gpa, 4);
		else
			bad = (n & (n - 1)) ||
			      vq->desc_gpa % VIRTQ_SPLIT_DESC_ALIGN ||
			      vq->driver_gpa % VIRTQ_SPLIT_AVAIL_ALIGN ||
			      vq->device_gpa % VIRTQ_SPLIT_USED_ALIGN ||
			      !guest_mem_ptr(mem, vq->desc_gpa,
					     VIRTQ_SPLIT_DESC_SIZE(n)) ||
			      !guest_mem_ptr(mem, vq->driver_gpa,
					     VIRTQ_SPLIT_AVAIL_SIZE(n)) ||
			      !guest_mem_ptr_rw(mem, vq->device_gpa,
						VIRTQ_SPLIT_USED_SIZE(n));
		if (bad)
			abort();
	}
}

#endif
