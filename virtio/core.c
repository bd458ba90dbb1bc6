// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio device model shared by every transport: status and feature
 * negotiation, queue configuration, config space with its generation
 * counter, reset and DEVICE_NEEDS_RESET. See include/virtio/core.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/core.h"
#include "virtio/queue-internal.h"

int virtio_device_init(struct virtio_device *vdev,
		       const struct virtio_device_ops *ops, void *priv,
		       const struct guest_mem *mem, const char *name,
		       unsigned int nr_queues, u16 max_queue_size)
{
	unsigned int i;

	if (!ops || !ops->queue_notify || !mem || !nr_queues ||
	    nr_queues > 1024 || !max_queue_size ||
	    max_queue_size > VIRTQ_SIZE_MAX)
		return -EINVAL;
	memset(vdev, 0, sizeof(*vdev));
	vdev->vqs = calloc(nr_queues, sizeof(*vdev->vqs));
	if (!vdev->vqs)
		return -ENOMEM;
	vdev->ops = ops;
	vdev->priv = priv;
	vdev->mem = mem;
	vdev->nr_queues = nr_queues;
	snprintf(vdev->name, sizeof(vdev->name), "%s",
		 name ? name : ops->name);
	pthread_mutex_init(&vdev->lock, NULL);
	atomic_init(&vdev->status, 0);
	atomic_init(&vdev->config_generation, 0);
	for (i = 0; i < nr_queues; i++)
		virtq_init(&vdev->vqs[i], vdev, mem, i, max_queue_size);
	return 0;
}

void virtio_device_destroy(struct virtio_device *vdev)
{
	unsigned int i;

	if (!vdev->vqs)
		return;
	for (i = 0; i < vdev->nr_queues; i++)
		virtq_destroy(&vdev->vqs[i]);
	free(vdev->vqs);
	vdev->vqs = NULL;
	pthread_mutex_destroy(&vdev->lock);
}

void virtio_device_set_transport(struct virtio_device *vdev,
				 const struct virtio_transport_ops *ops,
				 void *priv)
{
	vdev->transport = ops;
	vdev->transport_priv = priv;
}

static u64 virtio_offered(struct virtio_device *vdev)
{
	u64 f = VIRTIO_CORE_FEATURES;

	if (vdev->ops->get_features)
		f |= vdev->ops->get_features(vdev);
	return f & ~vdev->features_mask_out;
}

static void virtio_signal_config(struct virtio_device *vdev)
{
	if (vdev->transport && vdev->transport->signal_config)
		vdev->transport->signal_config(vdev);
}

void virtio_device_needs_reset(struct virtio_device *vdev)
{
	u8 old = atomic_fetch_or(&vdev->status,
				 VIRTIO_STATUS_DEVICE_NEEDS_RESET);

	if ((old & VIRTIO_STATUS_DRIVER_OK) &&
	    !(old & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
		virtio_signal_config(vdev);
}

u8 virtio_get_status(struct virtio_device *vdev)
{
	return atomic_load(&vdev->status);
}

/*
 * Retire queue vq (nothing reaches the device for it, nothing popped before
 * can be pushed) and have the device quiesce its work on it. vdev->lock
 * held, vq->lock not.
 */
static void virtio_queue_quiesce(struct virtio_device *vdev, struct virtq *vq)
{
	bool was_ready;

	virtq_lock(vq);
	was_ready = virtq_retire(vq);
	virtq_unlock(vq);
	if (was_ready && vdev->ops->queue_reset)
		vdev->ops->queue_reset(vdev, vq);
}

/* Called with vdev->lock held. */
static void virtio_reset_locked(struct virtio_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->nr_queues; i++)
		virtio_queue_quiesce(vdev, &vdev->vqs[i]);
	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
	for (i = 0; i < vdev->nr_queues; i++) {
		struct virtq *vq = &vdev->vqs[i];

		virtq_lock(vq);
		virtq_reset(vq);
		virtq_unlock(vq);
	}
	vdev->driver_features = 0;
	vdev->features = 0;
	atomic_store(&vdev->status, 0);
}

void virtio_device_reset(struct virtio_device *vdev)
{
	pthread_mutex_lock(&vdev->lock);
	virtio_reset_locked(vdev);
	pthread_mutex_unlock(&vdev->lock);
}

void virtio_device_quiesce(struct virtio_device *vdev)
{
	unsigned int i;

	pthread_mutex_lock(&vdev->lock);
	for (i = 0; i < vdev->nr_queues; i++)
		virtio_queue_quiesce(vdev, &vdev->vqs[i]);
	pthread_mutex_unlock(&vdev->lock);
}

static bool virtio_features_acceptable(struct virtio_device *vdev)
{
	u64 f = vdev->driver_features;

	vdev->device_features = virtio_offered(vdev);
	if (f & ~vdev->device_features) {
		pr_warn_ratelimited("%s: driver accepted features 0x%llx that were not offered",
				    vdev->name,
				    (unsigned long long)(f & ~vdev->device_features));
		return false;
	}
	if (!(f & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		pr_warn_ratelimited("%s: driver did not accept VERSION_1 (legacy drivers are not supported)",
				    vdev->name);
		return false;
	}
	if (vdev->ops->features_ok && !vdev->ops->features_ok(vdev, f))
		return false;
	return true;
}

void virtio_set_status(struct virtio_device *vdev, u8 status)
{
	u8 old, set;

	pthread_mutex_lock(&vdev->lock);
	if (status == 0) {
		virtio_reset_locked(vdev);
		goto out;
	}
	old = atomic_load(&vdev->status);
	/* NEEDS_RESET belongs to the device: the driver can't set it. */
	status &= ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	set = status & ~old;
	if (old & ~status & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
		pr_warn_ratelimited("%s: driver cleared status bits 0x%x without a reset",
				    vdev->name,
				    old & ~status & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET);
		status |= old & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	}
	if (set & VIRTIO_STATUS_FEATURES_OK) {
		if (!(status & VIRTIO_STATUS_DRIVER) ||
		    !virtio_features_acceptable(vdev)) {
			/* Not set: the driver reads the status back. */
			status &= ~VIRTIO_STATUS_FEATURES_OK;
			set &= ~VIRTIO_STATUS_FEATURES_OK;
		} else {
			vdev->features = vdev->driver_features;
		}
	}
	if ((set & VIRTIO_STATUS_DRIVER_OK) &&
	    !(status & VIRTIO_STATUS_FEATURES_OK)) {
		pr_warn_ratelimited("%s: DRIVER_OK without FEATURES_OK",
				    vdev->name);
		status &= ~VIRTIO_STATUS_DRIVER_OK;
		set &= ~VIRTIO_STATUS_DRIVER_OK;
	}
	/* Keep a NEEDS_RESET the device may have raised meanwhile. */
	atomic_fetch_or(&vdev->status, status);
	if ((set & VIRTIO_STATUS_DRIVER_OK) && vdev->ops->activate) {
		int ret = vdev->ops->activate(vdev);

		if (ret < 0) {
			pr_warn_ratelimited("%s: activation failed: %s",
					    vdev->name, strerror(-ret));
			virtio_device_needs_reset(vdev);
		}
	}
out:
	pthread_mutex_unlock(&vdev->lock);
}

u32 virtio_get_device_features(struct virtio_device *vdev, u32 sel)
{
	u64 f;

	pthread_mutex_lock(&vdev->lock);
	vdev->device_features = virtio_offered(vdev);
	f = vdev->device_features;
	pthread_mutex_unlock(&vdev->lock);
	if (sel > 1)
		return 0;
	return (u32)(f >> (32 * sel));
}

void virtio_set_driver_features(struct virtio_device *vdev, u32 sel,
				u32 value)
{
	u8 status;

	if (sel > 1) {
		if (value)
			pr_warn_ratelimited("%s: driver accepted features 0x%x in word %u",
					    vdev->name, value, sel);
		return;
	}
	pthread_mutex_lock(&vdev->lock);
	status = atomic_load(&vdev->status);
	if (status & VIRTIO_STATUS_FEATURES_OK) {
		pthread_mutex_unlock(&vdev->lock);
		pr_warn_ratelimited("%s: feature write after FEATURES_OK ignored",
				    vdev->name);
		return;
	}
	vdev->driver_features &= ~(0xffffffffULL << (32 * sel));
	vdev->driver_features |= (u64)value << (32 * sel);
	pthread_mutex_unlock(&vdev->lock);
}

u32 virtio_get_driver_features(struct virtio_device *vdev, u32 sel)
{
	u64 f;

	if (sel > 1)
		return 0;
	pthread_mutex_lock(&vdev->lock);
	f = vdev->driver_features;
	pthread_mutex_unlock(&vdev->lock);
	return (u32)(f >> (32 * sel));
}

unsigned int virtio_num_queues(struct virtio_device *vdev)
{
	return vdev->nr_queues;
}

static struct virtq *virtio_vq(struct virtio_device *vdev, unsigned int idx)
{
	return idx < vdev->nr_queues ? &vdev->vqs[idx] : NULL;
}

u16 virtio_queue_max_size(struct virtio_device *vdev, unsigned int idx)
{
	struct virtq *vq = virtio_vq(vdev, idx);

	return vq ? vq->max_size : 0;
}

u16 virtio_queue_get_size(struct virtio_device *vdev, unsigned int idx)
{
	struct virtq *vq = virtio_vq(vdev, idx);
	u16 size;

	if (!vq)
		return 0;
	pthread_mutex_lock(&vdev->lock);
	size = vq->size;
	pthread_mutex_unlock(&vdev->lock);
	return size;
}

/*
 * Lock the device and, if the queue exists and is not ready, the queue:
 * the configuration may then change. Returns NULL (nothing locked) else.
 */
static struct virtq *virtio_vq_config_lock(struct virtio_device *vdev,
					   unsigned int idx)
{
	struct virtq *vq = virtio_vq(vdev, idx);

	if (!vq)
		return NULL;
	pthread_mutex_lock(&vdev->lock);
	virtq_lock(vq);
	if (vq->ready) {
		virtq_unlock(vq);
		pthread_mutex_unlock(&vdev->lock);
		pr_warn_ratelimited("%s: queue %u configuration written while enabled; ignored",
				    vdev->name, idx);
		return NULL;
	}
	return vq;
}

static void virtio_vq_config_unlock(struct virtio_device *vdev,
				    struct virtq *vq)
{
	virtq_unlock(vq);
	pthread_mutex_unlock(&vdev->lock);
}

void virtio_queue_set_size(struct virtio_device *vdev, unsigned int idx,
			   u16 size)
{
	struct virtq *vq = virtio_vq_config_lock(vdev, idx);

	if (!vq)
		return;
	/* Validated when the queue is enabled. */
	vq->size = size;
	virtio_vq_config_unlock(vdev, vq);
}

static u64 *virtio_area(struct virtq *vq, enum virtio_queue_area area)
{
	switch (area) {
	case VIRTIO_AREA_DESC:
		return &vq->desc_gpa;
	case VIRTIO_AREA_DRIVER:
		return &vq->driver_gpa;
	case VIRTIO_AREA_DEVICE:
		return &vq->device_gpa;
	}
	return NULL;
}

u64 virtio_queue_get_addr(struct virtio_device *vdev, unsigned int idx,
			  enum virtio_queue_area area)
{
	struct virtq *vq = virtio_vq(vdev, idx);
	u64 *p, v = 0;

	if (!vq)
		return 0;
	pthread_mutex_lock(&vdev->lock);
	p = virtio_area(vq, area);
	if (p)
		v = *p;
	pthread_mutex_unlock(&vdev->lock);
	return v;
}

void virtio_queue_set_addr(struct virtio_device *vdev, unsigned int idx,
			   enum virtio_queue_area area, u64 gpa)
{
	struct virtq *vq = virtio_vq_config_lock(vdev, idx);
	u64 *p;

	if (!vq)
		return;
	p = virtio_area(vq, area);
	if (p)
		*p = gpa;
	virtio_vq_config_unlock(vdev, vq);
}

void virtio_queue_set_addr_half(struct virtio_device *vdev, unsigned int idx,
				enum virtio_queue_area area, bool high,
				u32 value)
{
	struct virtq *vq = virtio_vq_config_lock(vdev, idx);
	u64 *p;

	if (!vq)
		return;
	p = virtio_area(vq, area);
	if (p) {
		if (high)
			*p = (*p & 0xffffffffULL) | ((u64)value << 32);
		else
			*p = (*p & ~0xffffffffULL) | value;
	}
	virtio_vq_config_unlock(vdev, vq);
}

bool virtio_queue_get_ready(struct virtio_device *vdev, unsigned int idx)
{
	struct virtq *vq = virtio_vq(vdev, idx);
	bool ready;

	if (!vq)
		return false;
	pthread_mutex_lock(&vdev->lock);
	ready = vq->ready;
	pthread_mutex_unlock(&vdev->lock);
	return ready;
}

void virtio_queue_set_ready(struct virtio_device *vdev, unsigned int idx,
			    bool ready)
{
	struct virtq *vq = virtio_vq(vdev, idx);
	u8 status;

	if (!vq)
		return;
	pthread_mutex_lock(&vdev->lock);
	if (!ready) {
		/*
		 * 1.x has no queue disable outside RING_RESET: reset it, its
		 * work in the device first; the configuration stays.
		 */
		virtio_queue_quiesce(vdev, vq);
		pthread_mutex_unlock(&vdev->lock);
		return;
	}
	virtq_lock(vq);
	status = atomic_load(&vdev->status);
	if (!vq->ready) {
		if (!(status & VIRTIO_STATUS_FEATURES_OK))
			virtq_violation(vq, "queue enabled before FEATURES_OK");
		else
			virtq_enable(vq, vdev->features);
	}
	virtq_unlock(vq);
	pthread_mutex_unlock(&vdev->lock);
}

void virtio_queue_notify(struct virtio_device *vdev, unsigned int idx)
{
	struct virtq *vq = virtio_vq(vdev, idx);

	if (!vq) {
		pr_warn_ratelimited("%s: notification for queue %u of %u",
				    vdev->name, idx, vdev->nr_queues);
		return;
	}
	if (!(atomic_load(&vdev->status) & VIRTIO_STATUS_DRIVER_OK))
		return;
	virtq_lock(vq);
	if (vq->ready && !vq->broken)
		vdev->ops->queue_notify(vdev, vq);
	virtq_unlock(vq);
}

bool virtio_queue_pollable_all(struct virtio_device *vdev, unsigned int idx)
{
	return true;
}

bool virtio_queue_pollable(struct virtio_device *vdev, unsigned int idx)
{
	return idx < vdev->nr_queues && vdev->ops->queue_pollable &&
	       vdev->ops->queue_pollable(vdev, idx);
}

bool virtio_queue_poll(struct virtio_device *vdev, unsigned int idx)
{
	struct virtq *vq = virtio_vq(vdev, idx);
	bool took = false;

	if (!vq || !(atomic_load(&vdev->status) & VIRTIO_STATUS_DRIVER_OK))
		return false;
	virtq_lock(vq);
	if (virtq_has_avail(vq)) {
		u16 slot = vq->last_avail;
		bool wrap = vq->avail_wrap;
		u64 gen = vq->gen;

		vdev->ops->queue_notify(vdev, vq);
		took = vq->last_avail != slot || vq->avail_wrap != wrap ||
		       vq->gen != gen;
	}
	virtq_unlock(vq);
	return took;
}

void virtio_queue_quiet(struct virtio_device *vdev, unsigned int idx,
			bool quiet)
{
	struct virtq *vq = virtio_vq(vdev, idx);

	if (!vq)
		return;
	virtq_lock(vq);
	/* The device writes its area of the ring only once the driver runs. */
	if (!quiet && vq->notify_off)
		virtq_enable_notify(vq);
	else if (quiet &&
		 (atomic_load(&vdev->status) & VIRTIO_STATUS_DRIVER_OK))
		virtq_disable_notify(vq);
	virtq_unlock(vq);
}

void virtio_queue_signal(struct virtq *vq)
{
	struct virtio_device *vdev = vq->vdev;

	if (!virtq_should_notify(vq))
		return;
	if (vdev->transport && vdev->transport->signal_used)
		vdev->transport->signal_used(vdev, vq);
}

void virtio_config_read(struct virtio_device *vdev, u32 offset, void *buf,
			u32 len)
{
	memset(buf, 0, len);
	if (offset > vdev->config_len || len > vdev->config_len - offset) {
		pr_warn_ratelimited("%s: config read 0x%x+%u beyond %u bytes",
				    vdev->name, offset, len, vdev->config_len);
		return;
	}
	pthread_mutex_lock(&vdev->lock);
	if (vdev->ops->config_read)
		vdev->ops->config_read(vdev, offset, buf, len);
	else if (vdev->config)
		memcpy(buf, (u8 *)vdev->config + offset, len);
	pthread_mutex_unlock(&vdev->lock);
}

void virtio_config_write(struct virtio_device *vdev, u32 offset,
			 const void *buf, u32 len)
{
	if (offset > vdev->config_len || len > vdev->config_len - offset) {
		pr_warn_ratelimited("%s: config write 0x%x+%u beyond %u bytes",
				    vdev->name, offset, len, vdev->config_len);
		return;
	}
	pthread_mutex_lock(&vdev->lock);
	/* Without a handler the config space is read-only to the driver. */
	if (vdev->ops->config_write)
		vdev->ops->config_write(vdev, offset, buf, len);
	pthread_mutex_unlock(&vdev->lock);
}

u32 virtio_config_generation(struct virtio_device *vdev)
{
	return atomic_load(&vdev->config_generation);
}

void virtio_config_changed(struct virtio_device *vdev)
{
	atomic_fetch_add(&vdev->config_generation, 1);
	if (atomic_load(&vdev->status) & VIRTIO_STATUS_DRIVER_OK)
		virtio_signal_config(vdev);
}
