// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio transport: registers (version 2, or 1 = legacy layout) onto
 * the generic virtio operations of virtio/core.c. See include/virtio/mmio.h.
 *
 * Lock use: m->lock is a leaf lock around the selectors and the interrupt
 * status. It is never held while calling into the core (which takes
 * vdev->lock and vq->lock), because the core's signal hooks, called with
 * vq->lock held, take m->lock.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/mmio.h"

#define LEGACY_DEFAULT_ALIGN 4096

static void mmio_irq_update(struct virtio_mmio *m)
{
	irq_line_set(m->irq, m->interrupt_status ? 1 : 0);
}

static void mmio_raise(struct virtio_mmio *m, u32 bits)
{
	pthread_mutex_lock(&m->lock);
	m->interrupt_status |= bits;
	mmio_irq_update(m);
	pthread_mutex_unlock(&m->lock);
}

static void mmio_signal_used(struct virtio_device *vdev, struct virtq *vq)
{
	mmio_raise(vdev->transport_priv, VIRTIO_MMIO_INT_VRING);
}

static void mmio_signal_config(struct virtio_device *vdev)
{
	mmio_raise(vdev->transport_priv, VIRTIO_MMIO_INT_CONFIG);
}

static const struct virtio_transport_ops mmio_transport = {
	.name = "mmio",
	.signal_used = mmio_signal_used,
	.signal_config = mmio_signal_config,
};

static u32 mmio_sel(struct virtio_mmio *m, u32 *sel)
{
	u32 v;

	pthread_mutex_lock(&m->lock);
	v = *sel;
	pthread_mutex_unlock(&m->lock);
	return v;
}

static void mmio_set_sel(struct virtio_mmio *m, u32 *sel, u32 v)
{
	pthread_mutex_lock(&m->lock);
	*sel = v;
	pthread_mutex_unlock(&m->lock);
}

/* Legacy: the three areas follow from the PFN with the old layout. */
static void mmio_legacy_set_pfn(struct virtio_mmio *m, u32 q, u32 pfn)
{
	struct virtio_device *vdev = m->vdev;
	u32 page, align;
	u64 desc, avail, used;
	u16 num;

	if (q >= vdev->nr_queues)
		return;
	pthread_mutex_lock(&m->lock);
	page = m->guest_page_size;
	align = m->queue_align[q] ? m->queue_align[q] : LEGACY_DEFAULT_ALIGN;
	pthread_mutex_unlock(&m->lock);
	if (!pfn) {
		virtio_queue_set_ready(vdev, q, false);
		pthread_mutex_lock(&m->lock);
		m->queue_pfn[q] = 0;
		pthread_mutex_unlock(&m->lock);
		return;
	}
	if (!page || (page & (page - 1)) || (align & (align - 1))) {
		pr_warn_ratelimited("%s: legacy queue %u: page size %u / align %u invalid",
				    vdev->name, q, page, align);
		virtio_device_needs_reset(vdev);
		return;
	}
	num = virtio_queue_get_size(vdev, q);
	desc = (u64)pfn * page;
	avail = desc + VIRTQ_SPLIT_DESC_SIZE(num);
	used = ALIGN_UP(avail + VIRTQ_SPLIT_AVAIL_SIZE(num), (u64)align);
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DESC, desc);
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DRIVER, avail);
	virtio_queue_set_addr(vdev, q, VIRTIO_AREA_DEVICE, used);
	virtio_queue_set_ready(vdev, q, true);
	if (!virtio_queue_get_ready(vdev, q))
		pfn = 0;
	pthread_mutex_lock(&m->lock);
	m->queue_pfn[q] = pfn;
	pthread_mutex_unlock(&m->lock);
}

/* The transport's own registers after a device reset. */
static void mmio_reset_regs(struct virtio_mmio *m)
{
	pthread_mutex_lock(&m->lock);
	m->interrupt_status = 0;
	m->device_features_sel = 0;
	m->driver_features_sel = 0;
	m->queue_sel = 0;
	if (m->legacy)
		memset(m->queue_pfn, 0, m->vdev->nr_queues *
		       sizeof(*m->queue_pfn));
	mmio_irq_update(m);
	pthread_mutex_unlock(&m->lock);
}

void virtio_mmio_reset(struct virtio_mmio *m)
{
	mmio_reset_regs(m);
}

static u32 mmio_read_reg(struct virtio_mmio *m, u64 off)
{
	struct virtio_device *vdev = m->vdev;
	u32 q;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return m->legacy ? 1 : 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return vdev->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return virtio_get_device_features(vdev,
			mmio_sel(m, &m->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return virtio_queue_max_size(vdev, mmio_sel(m, &m->queue_sel));
	case VIRTIO_MMIO_QUEUE_PFN:
		if (!m->legacy)
			return 0;
		q = mmio_sel(m, &m->queue_sel);
		return q < vdev->nr_queues ? mmio_sel(m, &m->queue_pfn[q]) : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		if (m->legacy)
			return 0;
		return virtio_queue_get_ready(vdev, mmio_sel(m, &m->queue_sel));
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return mmio_sel(m, &m->interrupt_status);
	case VIRTIO_MMIO_STATUS:
		return virtio_get_status(vdev);
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: {
		static const enum virtio_queue_area area[] = {
			VIRTIO_AREA_DESC, VIRTIO_AREA_DRIVER,
			VIRTIO_AREA_DEVICE };
		u64 a;

		if (m->legacy)
			return 0;
		a = virtio_queue_get_addr(vdev, mmio_sel(m, &m->queue_sel),
					  area[(off - 0x80) / 0x10]);
		return (off & 4) ? (u32)(a >> 32) : (u32)a;
	}
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffff;	/* no shared memory regions */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return virtio_config_generation(vdev);
	default:
		/* Write-only and reserved registers read as 0. */
		return 0;
	}
}

static void mmio_write_reg(struct virtio_mmio *m, u64 off, u32 v)
{
	struct virtio_device *vdev = m->vdev;
	u32 q;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		mmio_set_sel(m, &m->device_features_sel, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_set_driver_features(vdev,
			mmio_sel(m, &m->driver_features_sel), v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		mmio_set_sel(m, &m->driver_features_sel, v);
		break;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		if (m->legacy)
			mmio_set_sel(m, &m->guest_page_size, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		mmio_set_sel(m, &m->queue_sel, v);
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		virtio_queue_set_size(vdev, mmio_sel(m, &m->queue_sel),
				      v > 0xffff ? 0 : v);
		break;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		q = mmio_sel(m, &m->queue_sel);
		if (m->legacy && q < vdev->nr_queues)
			mmio_set_sel(m, &m->queue_align[q], v);
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		if (m->legacy)
			mmio_legacy_set_pfn(m, mmio_sel(m, &m->queue_sel), v);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!m->legacy)
			virtio_queue_set_ready(vdev, mmio_sel(m, &m->queue_sel),
					       v & 1);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Without NOTIFICATION_DATA the value is the queue index. */
		virtio_queue_notify(vdev, v & 0xffff);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		pthread_mutex_lock(&m->lock);
		m->interrupt_status &= ~v;
		mmio_irq_update(m);
		pthread_mutex_unlock(&m->lock);
		break;
	case VIRTIO_MMIO_STATUS:
		virtio_set_status(vdev, v & 0xff);
		if ((v & 0xff) == 0)
			mmio_reset_regs(m);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: {
		static const enum virtio_queue_area area[] = {
			VIRTIO_AREA_DESC, VIRTIO_AREA_DRIVER,
			VIRTIO_AREA_DEVICE };

		if (!m->legacy)
			virtio_queue_set_addr_half(vdev,
				mmio_sel(m, &m->queue_sel),
				area[(off - 0x80) / 0x10], off & 4, v);
		break;
	}
	case VIRTIO_MMIO_SHM_SEL:
		break;
	default:
		pr_warn_ratelimited("%s: write 0x%x to read-only or reserved mmio register 0x%llx",
				    vdev->name, v, (unsigned long long)off);
		break;
	}
}

void virtio_mmio_access(struct bus_dev *dev, struct vcpu *vcpu, u64 offset,
			u8 *data, u32 len, bool is_write)
{
	struct virtio_mmio *m = dev->priv;
	u32 v;

	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (is_write)
			virtio_config_write(m->vdev,
					    offset - VIRTIO_MMIO_CONFIG, data,
					    len);
		else
			virtio_config_read(m->vdev,
					   offset - VIRTIO_MMIO_CONFIG, data,
					   len);
		return;
	}
	/* The spec allows only aligned 32-bit accesses to registers. */
	if (len != 4 || offset & 3) {
		pr_warn_ratelimited("%s: %u-byte %s at mmio register 0x%llx ignored",
				    m->vdev->name, len,
				    is_write ? "write" : "read",
				    (unsigned long long)offset);
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	if (is_write) {
		memcpy(&v, data, 4);
		mmio_write_reg(m, offset, le32toh(v));
	} else {
		v = htole32(mmio_read_reg(m, offset));
		memcpy(data, &v, 4);
	}
}

int virtio_mmio_init(struct virtio_mmio *m, struct virtio_device *vdev,
		     u64 base, struct irq_line *irq,
		     const struct virtio_mmio_options *opts)
{
	unsigned int i;

	if (!vdev || !vdev->nr_queues)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->vdev = vdev;
	m->irq = irq;
	m->legacy = opts && opts->legacy;
	m->queue_align = calloc(vdev->nr_queues, sizeof(*m->queue_align));
	m->queue_pfn = calloc(vdev->nr_queues, sizeof(*m->queue_pfn));
	m->notifiers = calloc(vdev->nr_queues, sizeof(*m->notifiers));
	if (!m->queue_align || !m->queue_pfn || !m->notifiers) {
		free(m->queue_align);
		free(m->queue_pfn);
		free(m->notifiers);
		return -ENOMEM;
	}
	for (i = 0; i < vdev->nr_queues; i++)
		queue_notifier_init(&m->notifiers[i], vdev, i);
	pthread_mutex_init(&m->lock, NULL);
	m->bus_dev = (struct bus_dev){
		.name = vdev->name,
		.base = base,
		.len = VIRTIO_MMIO_SIZE,
		.access = virtio_mmio_access,
		.priv = m,
	};
	virtio_device_set_transport(vdev, &mmio_transport, m);
	return 0;
}

int virtio_mmio_setup_ioeventfds(struct virtio_mmio *m,
				 const struct virtio_ioeventfd_ops *ops,
				 struct io_loop *loop)
{
	u64 addr = m->bus_dev.base + VIRTIO_MMIO_QUEUE_NOTIFY;
	unsigned int q, routed = 0;

	if (!ops || !ops->add || !ops->del || !loop)
		return -EINVAL;
	for (q = 0; q < m->vdev->nr_queues; q++) {
		struct queue_notifier *n = &m->notifiers[q];
		int r;

		if (n->registered) {
			routed++;
			continue;
		}
		r = queue_notifier_open(n, loop);
		if (!r)
			r = queue_notifier_register(n, ops, addr, 4, q, false);
		if (r) {
			pr_warn("%s: queue %u: no ioeventfd (%s), notifications trap",
				m->vdev->name, q, strerror(-r));
			queue_notifier_close(n);
			continue;
		}
		routed++;
	}
	return routed;
}

void virtio_mmio_destroy(struct virtio_mmio *m)
{
	unsigned int q;

	if (!m->vdev)
		return;
	for (q = 0; q < m->vdev->nr_queues; q++)
		queue_notifier_close(&m->notifiers[q]);
	free(m->notifiers);
	free(m->queue_align);
	free(m->queue_pfn);
	pthread_mutex_destroy(&m->lock);
	virtio_device_set_transport(m->vdev, NULL, NULL);
	m->vdev = NULL;
}

int virtio_mmio_cmdline(const struct virtio_mmio *m, char *buf, size_t len)
{
	return snprintf(buf, len, "virtio_mmio.device=0x%x@0x%llx:%u",
			VIRTIO_MMIO_SIZE, (unsigned long long)m->bus_dev.base,
			m->irq ? m->irq->gsi : 0);
}
