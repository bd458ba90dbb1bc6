/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-rng (virtio 1.x spec 5.4): one request queue whose device-writable
 * buffers are filled from getrandom(2), as fast as the guest asks.
 */
#ifndef LKVM_VIRTIO_RNG_H
#define LKVM_VIRTIO_RNG_H

#include "types.h"
#include "virtio/core.h"

#define VIRTIO_RNG_QUEUE_SIZE	64
/* At most this much entropy per request; the driver asks again. */
#define VIRTIO_RNG_MAX_REQUEST	(64 * 1024)

struct virtio_rng {
	struct virtio_device vdev;
	struct virtq_chain chain;	/* under the vq lock */
	u64 bytes;
};

int virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem,
		    const char *name);
void virtio_rng_destroy(struct virtio_rng *r);

#endif
