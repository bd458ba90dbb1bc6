// SPDX-License-Identifier: GPL-2.0
/*
 * virtio/core.c: feature negotiation, the status sequence, reset, queue
 * configuration rules, config space and its generation counter,
 * DEVICE_NEEDS_RESET, and the device's queue_reset at a queue or device
 * reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "log.h"
#include "virtio/core.h"

#define DEV_FEATURE_A (1ULL << 3)
#define DEV_FEATURE_B (1ULL << 40)

struct tdev {
	struct virtio_device vdev;
	struct guest_mem mem;
	u8 *ram;
	u8 config[12];
	unsigned int activated, resets, notifies, sig_used, sig_config;
	/* queue_reset calls: per queue, and whether each saw the rules kept */
	unsigned int qresets[2], qreset_bad, resets_at_qreset;
	int activate_ret;
	bool veto_b;
	u64 seen_features;
};

static u64 t_features(struct virtio_device *vdev)
{
	return DEV_FEATURE_A | DEV_FEATURE_B;
}

static bool t_features_ok(struct virtio_device *vdev, u64 f)
{
	struct tdev *t = vdev->priv;

	return !(t->veto_b && (f & DEV_FEATURE_B));
}

static void t_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct tdev *t = vdev->priv;

	t->notifies++;
}

static int t_activate(struct virtio_device *vdev)
{
	struct tdev *t = vdev->priv;

	t->activated++;
	t->seen_features = vdev->features;
	return t->activate_ret;
}

static void t_reset(struct virtio_device *vdev)
{
	struct tdev *t = vdev->priv;

	t->resets++;
}

/*
 * Called with the queue already retired (not ready, new generation),
 * without vq->lock, before the device's reset.
 */
static void t_queue_reset(struct virtio_device *vdev, struct virtq *vq)
{
	struct tdev *t = vdev->priv;

	if (vq->ready || pthread_mutex_trylock(&vq->lock))
		t->qreset_bad++;
	else
		pthread_mutex_unlock(&vq->lock);
	t->qresets[vq->index]++;
	t->resets_at_qreset = t->resets;
}

static void t_config_write(struct virtio_device *vdev, u32 off,
			   const void *buf, u32 len)
{
	struct tdev *t = vdev->priv;

	memcpy(t->config + off, buf, len);
}

static const struct virtio_device_ops t_ops = {
	.name = "test",
	.device_id = VIRTIO_ID_BLOCK,
	.get_features = t_features,
	.features_ok = t_features_ok,
	.queue_notify = t_notify,
	.activate = t_activate,
	.reset = t_reset,
	.queue_reset = t_queue_reset,
	.config_write = t_config_write,
};

static void t_sig_used(struct virtio_device *vdev, struct virtq *vq)
{
	((struct tdev *)vdev->priv)->sig_used++;
}

static void t_sig_config(struct virtio_device *vdev)
{
	((struct tdev *)vdev->priv)->sig_config++;
}

static const struct virtio_transport_ops t_transport = {
	.name = "test",
	.signal_used = t_sig_used,
	.signal_config = t_sig_config,
};

static void t_init(struct tdev *t)
{
	memset(t, 0, sizeof(*t));
	t->ram = calloc(1, 0x100000);
	if (!t->ram || guest_mem_add(&t->mem, 0x100000, 0x100000, t->ram,
				     false))
		abort();
	if (virtio_device_init(&t->vdev, &t_ops, t, &t->mem, "test.0", 2,
			       128))
		abort();
	virtio_device_set_transport(&t->vdev, &t_transport, t);
	memcpy(t->config, "ABCDEFGHIJKL", 12);
	t->vdev.config = t->config;
	t->vdev.config_len = sizeof(t->config);
}

static void t_fini(struct tdev *t)
{
	virtio_device_destroy(&t->vdev);
	free(t->ram);
}

static u8 st(struct tdev *t)
{
	return virtio_get_status(&t->vdev);
}

static void t_accept(struct tdev *t, u64 f)
{
	virtio_set_driver_features(&t->vdev, 0, (u32)f);
	virtio_set_driver_features(&t->vdev, 1, (u32)(f >> 32));
}

/* ACK | DRIVER, accept f, try FEATURES_OK; returns the status read back. */
static u8 t_negotiate(struct tdev *t, u64 f)
{
	virtio_set_status(&t->vdev, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_set_status(&t->vdev, VIRTIO_STATUS_ACKNOWLEDGE |
			  VIRTIO_STATUS_DRIVER);
	t_accept(t, f);
	virtio_set_status(&t->vdev, VIRTIO_STATUS_ACKNOWLEDGE |
			  VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return st(t);
}

static void t_queue(struct tdev *t, unsigned int q, u16 size)
{
	virtio_queue_set_size(&t->vdev, q, size);
	virtio_queue_set_addr(&t->vdev, q, VIRTIO_AREA_DESC, 0x100000);
	virtio_queue_set_addr(&t->vdev, q, VIRTIO_AREA_DRIVER, 0x110000);
	virtio_queue_set_addr(&t->vdev, q, VIRTIO_AREA_DEVICE, 0x120000);
	virtio_queue_set_ready(&t->vdev, q, true);
}

#define V1 VIRTIO_BIT(VIRTIO_F_VERSION_1)
#define OK_BITS (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
		 VIRTIO_STATUS_FEATURES_OK)

static void test_features(void)
{
	struct tdev t;
	u64 off;

	t_init(&t);
	off = virtio_get_device_features(&t.vdev, 0) |
	      (u64)virtio_get_device_features(&t.vdev, 1) << 32;
	ok(off == (VIRTIO_CORE_FEATURES | DEV_FEATURE_A | DEV_FEATURE_B),
	   "features: offered = core bits + device bits (0x%llx)",
	   (unsigned long long)off);
	ok(virtio_get_device_features(&t.vdev, 2) == 0,
	   "features: words past 1 read 0");
	ok(t_negotiate(&t, V1 | DEV_FEATURE_A) == OK_BITS &&
	   t.vdev.features == (V1 | DEV_FEATURE_A),
	   "features: subset with VERSION_1 accepted, FEATURES_OK sticks");
	t_accept(&t, V1 | DEV_FEATURE_B);
	ok(t.vdev.features == (V1 | DEV_FEATURE_A) &&
	   virtio_get_driver_features(&t.vdev, 1) == (u32)(V1 >> 32),
	   "features: writes after FEATURES_OK ignored");
	t_fini(&t);

	t_init(&t);
	ok(t_negotiate(&t, V1 | (1ULL << 5)) ==
	   (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER) &&
	   t.vdev.features == 0,
	   "features: bit not offered -> FEATURES_OK cleared");
	virtio_set_status(&t.vdev, 0);
	ok(t_negotiate(&t, DEV_FEATURE_A) ==
	   (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER),
	   "features: no VERSION_1 -> FEATURES_OK cleared");
	virtio_set_status(&t.vdev, 0);
	t.veto_b = true;
	ok(t_negotiate(&t, V1 | DEV_FEATURE_B) ==
	   (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER),
	   "features: device veto -> FEATURES_OK cleared");
	t_accept(&t, V1 | DEV_FEATURE_A);
	virtio_set_status(&t.vdev, OK_BITS);
	ok(st(&t) == OK_BITS,
	   "features: corrected features accepted on a retry");
	virtio_set_status(&t.vdev, 0);
	virtio_set_status(&t.vdev, VIRTIO_STATUS_ACKNOWLEDGE);
	t_accept(&t, V1);
	virtio_set_status(&t.vdev, VIRTIO_STATUS_ACKNOWLEDGE |
			  VIRTIO_STATUS_FEATURES_OK);
	ok(!(st(&t) & VIRTIO_STATUS_FEATURES_OK),
	   "features: FEATURES_OK without DRIVER refused");
	t_fini(&t);

	t_init(&t);
	t.vdev.features_mask_out = VIRTIO_BIT(VIRTIO_F_RING_PACKED);
	off = (u64)virtio_get_device_features(&t.vdev, 1) << 32;
	ok(!(off & VIRTIO_BIT(VIRTIO_F_RING_PACKED)) &&
	   t_negotiate(&t, V1 | VIRTIO_BIT(VIRTIO_F_RING_PACKED)) ==
	   (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER),
	   "features: masked-out bit neither offered nor accepted");
	t_fini(&t);
}

static void test_status(void)
{
	struct tdev t;

	t_init(&t);
	virtio_set_status(&t.vdev, VIRTIO_STATUS_ACKNOWLEDGE |
			  VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	ok(!(st(&t) & VIRTIO_STATUS_DRIVER_OK) && !t.activated,
	   "status: DRIVER_OK without FEATURES_OK refused");
	t_negotiate(&t, V1 | DEV_FEATURE_A);
	t_queue(&t, 0, 64);
	ok(virtio_queue_get_ready(&t.vdev, 0) && !t.notifies,
	   "status: queue enabled after FEATURES_OK");
	virtio_queue_notify(&t.vdev, 0);
	ok(!t.notifies, "status: notify before DRIVER_OK not delivered");
	virtio_set_status(&t.vdev, OK_BITS | VIRTIO_STATUS_DRIVER_OK);
	ok(st(&t) == (OK_BITS | VIRTIO_STATUS_DRIVER_OK) && t.activated == 1 &&
	   t.seen_features == (V1 | DEV_FEATURE_A),
	   "status: DRIVER_OK activates once with the negotiated features");
	virtio_queue_notify(&t.vdev, 0);
	virtio_queue_notify(&t.vdev, 1);
	virtio_queue_notify(&t.vdev, 7);
	ok(t.notifies == 1,
	   "status: notify reaches the device for the ready queue only");
	virtio_set_status(&t.vdev, VIRTIO_STATUS_ACKNOWLEDGE);
	ok(st(&t) == (OK_BITS | VIRTIO_STATUS_DRIVER_OK),
	   "status: clearing bits without a reset is ignored");
	virtio_set_status(&t.vdev, OK_BITS | VIRTIO_STATUS_DRIVER_OK |
			  VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	ok(!(st(&t) & VIRTIO_STATUS_DEVICE_NEEDS_RESET),
	   "status: the driver cannot set DEVICE_NEEDS_RESET");
	virtio_queue_set_size(&t.vdev, 0, 16);
	virtio_queue_set_addr(&t.vdev, 0, VIRTIO_AREA_DESC, 0x180000);
	ok(virtio_queue_get_size(&t.vdev, 0) == 64 &&
	   virtio_queue_get_addr(&t.vdev, 0, VIRTIO_AREA_DESC) == 0x100000,
	   "status: queue configuration writes ignored while ready");

	/* Reset. */
	virtio_set_status(&t.vdev, 0);
	ok(st(&t) == 0 && t.resets == 1, "reset: status 0, device reset called");
	ok(!virtio_queue_get_ready(&t.vdev, 0) &&
	   virtio_queue_get_size(&t.vdev, 0) == 128 &&
	   virtio_queue_get_addr(&t.vdev, 0, VIRTIO_AREA_DESC) == 0 &&
	   virtio_queue_get_addr(&t.vdev, 0, VIRTIO_AREA_DEVICE) == 0,
	   "reset: queues not ready, size back to max, addresses 0");
	ok(virtio_get_driver_features(&t.vdev, 0) == 0 && t.vdev.features == 0,
	   "reset: driver features forgotten");
	virtio_queue_notify(&t.vdev, 0);
	ok(t.notifies == 1, "reset: no notifications delivered after reset");
	t_fini(&t);
}

static void test_needs_reset(void)
{
	struct tdev t;

	t_init(&t);
	t_negotiate(&t, V1);
	virtio_queue_set_size(&t.vdev, 0, 100);
	t_queue(&t, 0, 100);
	ok(!virtio_queue_get_ready(&t.vdev, 0) &&
	   (st(&t) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && !t.sig_config,
	   "needs reset: bad queue before DRIVER_OK: flagged, no interrupt");
	virtio_set_status(&t.vdev, 0);
	t_negotiate(&t, V1);
	t_queue(&t, 0, 64);
	virtio_set_status(&t.vdev, OK_BITS | VIRTIO_STATUS_DRIVER_OK);
	virtio_device_needs_reset(&t.vdev);
	virtio_device_needs_reset(&t.vdev);
	ok((st(&t) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && t.sig_config == 1,
	   "needs reset: after DRIVER_OK one config interrupt");
	virtio_set_status(&t.vdev, 0);
	ok(st(&t) == 0, "needs reset: cleared by reset");
	t_fini(&t);

	t_init(&t);
	virtio_set_status(&t.vdev, VIRTIO_STATUS_ACKNOWLEDGE |
			  VIRTIO_STATUS_DRIVER);
	t_queue(&t, 1, 64);
	ok(!virtio_queue_get_ready(&t.vdev, 1) &&
	   (st(&t) & VIRTIO_STATUS_DEVICE_NEEDS_RESET),
	   "needs reset: queue enabled before FEATURES_OK");
	t_fini(&t);

	t_init(&t);
	t.activate_ret = -ENOSPC;
	t_negotiate(&t, V1);
	virtio_set_status(&t.vdev, OK_BITS | VIRTIO_STATUS_DRIVER_OK);
	ok((st(&t) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && t.sig_config == 1,
	   "needs reset: failed activation");
	t_fini(&t);
}

static void test_queue_config(void)
{
	struct tdev t;

	t_init(&t);
	ok(virtio_num_queues(&t.vdev) == 2 &&
	   virtio_queue_max_size(&t.vdev, 1) == 128 &&
	   virtio_queue_max_size(&t.vdev, 2) == 0,
	   "queues: count and max size; 0 for a queue that does not exist");
	virtio_queue_set_addr_half(&t.vdev, 1, VIRTIO_AREA_DRIVER, false,
				   0x89abcdef);
	virtio_queue_set_addr_half(&t.vdev, 1, VIRTIO_AREA_DRIVER, true, 0x1);
	ok(virtio_queue_get_addr(&t.vdev, 1, VIRTIO_AREA_DRIVER) ==
	   0x189abcdefULL, "queues: 32-bit halves compose the address");
	virtio_queue_set_addr(&t.vdev, 5, VIRTIO_AREA_DESC, 1);
	virtio_queue_set_ready(&t.vdev, 5, true);
	ok(!virtio_queue_get_ready(&t.vdev, 5) && st(&t) == 0,
	   "queues: operations on a missing queue are ignored");
	t_negotiate(&t, V1);
	t_queue(&t, 0, 32);
	virtio_queue_set_ready(&t.vdev, 0, false);
	ok(!virtio_queue_get_ready(&t.vdev, 0) &&
	   virtio_queue_get_size(&t.vdev, 0) == 32 &&
	   virtio_queue_get_addr(&t.vdev, 0, VIRTIO_AREA_DEVICE) == 0x120000,
	   "queues: disabling keeps the configuration, stops the queue");
	virtio_queue_set_ready(&t.vdev, 0, true);
	ok(virtio_queue_get_ready(&t.vdev, 0) && t.vdev.vqs[0].used_idx == 0,
	   "queues: re-enabled from index 0");
	t_fini(&t);
}

static void test_config(void)
{
	struct tdev t;
	u8 buf[16];
	u32 gen;

	t_init(&t);
	virtio_config_read(&t.vdev, 2, buf, 4);
	ok(!memcmp(buf, "CDEF", 4), "config: read from the device's storage");
	memset(buf, 0xaa, sizeof(buf));
	virtio_config_read(&t.vdev, 10, buf, 4);
	ok(buf[0] == 0 && buf[3] == 0, "config: read past the end gives zeros");
	virtio_config_read(&t.vdev, 0xfffffffe, buf, 4);
	ok(buf[0] == 0, "config: offset+len wrap refused");
	virtio_config_write(&t.vdev, 8, "wxyz", 4);
	virtio_config_write(&t.vdev, 10, "!!!!", 4);
	ok(!memcmp(t.config + 8, "wxyz", 4),
	   "config: write in range delivered, out of range dropped");
	gen = virtio_config_generation(&t.vdev);
	virtio_config_changed(&t.vdev);
	ok(virtio_config_generation(&t.vdev) == gen + 1 && !t.sig_config,
	   "config: generation increments; no interrupt before DRIVER_OK");
	t_negotiate(&t, V1);
	virtio_set_status(&t.vdev, OK_BITS | VIRTIO_STATUS_DRIVER_OK);
	virtio_config_changed(&t.vdev);
	ok(virtio_config_generation(&t.vdev) == gen + 2 && t.sig_config == 1,
	   "config: change after DRIVER_OK interrupts the driver");
	t_fini(&t);
}

static void test_queue_reset(void)
{
	struct tdev t;
	u64 gen;

	t_init(&t);
	t_negotiate(&t, V1);
	t_queue(&t, 0, 32);
	virtio_set_status(&t.vdev, OK_BITS | VIRTIO_STATUS_DRIVER_OK);
	gen = t.vdev.vqs[0].gen;
	virtio_queue_set_ready(&t.vdev, 0, false);
	ok(t.qresets[0] == 1 && !t.qresets[1] && !t.qreset_bad &&
	   t.vdev.vqs[0].gen != gen,
	   "queue reset: the device's queue_reset runs once, queue retired, vq->lock free");
	virtio_queue_set_ready(&t.vdev, 0, false);
	virtio_queue_set_ready(&t.vdev, 1, false);
	ok(t.qresets[0] == 1 && !t.qresets[1],
	   "queue reset: not called for a queue that is not ready");
	virtio_queue_set_ready(&t.vdev, 0, true);
	ok(virtio_queue_get_ready(&t.vdev, 0) && t.vdev.vqs[0].gen != gen,
	   "queue reset: re-enabled in a new generation");
	t_queue(&t, 1, 16);
	virtio_set_status(&t.vdev, 0);
	ok(t.qresets[0] == 2 && t.qresets[1] == 1 && !t.qreset_bad &&
	   t.resets_at_qreset == 0 && t.resets == 1,
	   "device reset: queue_reset for each ready queue, before the device's reset");
	t_fini(&t);
}

/* The VMM's lifecycle calls: reset as the driver's status 0, quiesce keeps status. */
static void test_lifecycle(void)
{
	struct tdev t;

	t_init(&t);
	t_negotiate(&t, V1);
	t_queue(&t, 0, 32);
	t_queue(&t, 1, 16);
	virtio_set_status(&t.vdev, OK_BITS | VIRTIO_STATUS_DRIVER_OK);
	virtio_device_quiesce(&t.vdev);
	ok(t.qresets[0] == 1 && t.qresets[1] == 1 && !t.qreset_bad &&
	   !t.resets && st(&t) == (OK_BITS | VIRTIO_STATUS_DRIVER_OK),
	   "quiesce: queue_reset for each ready queue; status and device kept");
	ok(!virtio_queue_get_ready(&t.vdev, 0) &&
	   !virtio_queue_get_ready(&t.vdev, 1),
	   "quiesce: no queue is ready afterwards");
	virtio_queue_notify(&t.vdev, 0);
	ok(!t.notifies, "quiesce: a late notify reaches nothing");
	virtio_device_quiesce(&t.vdev);
	ok(t.qresets[0] == 1 && t.qresets[1] == 1,
	   "quiesce twice: no second queue_reset");

	t_queue(&t, 0, 32);
	virtio_device_reset(&t.vdev);
	ok(t.qresets[0] == 2 && t.qresets[1] == 1 && t.resets == 1 &&
	   !st(&t) && !t.vdev.features && !virtio_queue_get_ready(&t.vdev, 0),
	   "reset: ready queues through queue_reset, device reset, status and features 0");
	t_fini(&t);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_features();
	test_status();
	test_needs_reset();
	test_queue_config();
	test_config();
	test_queue_reset();
	test_lifecycle();
	return tap_done();
}
