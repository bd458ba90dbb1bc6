/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A driver's probe of a one-queue virtio device, through the core's
 * transport-facing calls (what a transport does for the guest's register
 * writes): ACKNOWLEDGE, DRIVER, the features, FEATURES_OK, queue 0 of
 * `size` entries at desc/driver/device, ready, DRIVER_OK. Shared by the
 * host-side test drivers (unit tests, 9p client, blk bench and fuzz
 * targets).
 */
#ifndef LKVM_TESTS_VIRTIO_DRV_H
#define LKVM_TESTS_VIRTIO_DRV_H

#include "virtio/core.h"

/*
 * ACKNOWLEDGE, DRIVER, the features, FEATURES_OK: the status written so
 * far, for the caller to add DRIVER_OK to once its queues are set.
 */
static inline u8 vdrv_negotiate(struct virtio_device *v, u64 features)
{
	u8 st = 0;

	virtio_set_status(v, st |= VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_set_status(v, st |= VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(v, 0, (u32)features);
	virtio_set_driver_features(v, 1, (u32)(features >> 32));
	virtio_set_status(v, st |= VIRTIO_STATUS_FEATURES_OK);
	return st;
}

/* True if queue 0 became ready. */
static inline bool vdrv_probe(struct virtio_device *v, u64 features,
			      u16 size, u64 desc, u64 driver, u64 device)
{
	u8 st = vdrv_negotiate(v, features);

	virtio_queue_set_size(v, 0, size);
	virtio_queue_set_addr(v, 0, VIRTIO_AREA_DESC, desc);
	virtio_queue_set_addr(v, 0, VIRTIO_AREA_DRIVER, driver);
	virtio_queue_set_addr(v, 0, VIRTIO_AREA_DEVICE, device);
	virtio_queue_set_ready(v, 0, true);
	virtio_set_status(v, st |= VIRTIO_STATUS_DRIVER_OK);
	return virtio_queue_get_ready(v, 0);
}

#endif
