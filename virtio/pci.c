// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci modern transport: a PCI function on devices/pci.c whose BAR 4
 * carries the virtio structures, with MSI-X vectors for queues and config
 * changes and INTx + ISR without them. See include/virtio/pci.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio/pci.h"

static void put32(u8 *p, u32 v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

/* PCI class code by device type. */
static u32 virtio_pci_class(u32 id)
{
	switch (id) {
	case VIRTIO_ID_NET:
		return 0x020000;	/* network, ethernet */
	case VIRTIO_ID_BLOCK:
	case VIRTIO_ID_SCSI:
		return 0x018000;	/* mass storage, other */
	case VIRTIO_ID_CONSOLE:
		return 0x078000;	/* communication, other */
	default:
		return 0xff0000;	/* unassigned class */
	}
}

/* --- Interrupts --- */

static void vp_signal(struct virtio_pci *vp, int queue, u8 isr_bit)
{
	u16 vec;

	if (pci_msix_enabled(&vp->pci)) {
		pthread_mutex_lock(&vp->lock);
		vec = queue < 0 ? vp->config_vector : vp->queue_vector[queue];
		pthread_mutex_unlock(&vp->lock);
		if (vec != VIRTIO_MSI_NO_VECTOR)
			pci_msix_notify(&vp->pci, vec);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	vp->isr |= isr_bit;
	pci_dev_set_intx(&vp->pci, true);
	pthread_mutex_unlock(&vp->lock);
}

static void vp_signal_used(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_pci *vp = vdev->transport_priv;

	if (vq->index < vdev->nr_queues)
		vp_signal(vp, (int)vq->index, VIRTIO_PCI_ISR_QUEUE);
}

static void vp_signal_config(struct virtio_device *vdev)
{
	vp_signal(vdev->transport_priv, -1, VIRTIO_PCI_ISR_CONFIG);
}

static const struct virtio_transport_ops pci_transport = {
	.name = "pci",
	.signal_used = vp_signal_used,
	.signal_config = vp_signal_config,
};

/* --- Common configuration --- */

static u32 common_width(u32 off)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
	case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_GFSELECT:
	case VIRTIO_PCI_COMMON_GF:
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		return 4;
	case VIRTIO_PCI_COMMON_MSIX:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_Q_SELECT:
	case VIRTIO_PCI_COMMON_Q_SIZE:
	case VIRTIO_PCI_COMMON_Q_MSIX:
	case VIRTIO_PCI_COMMON_Q_ENABLE:
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return 2;
	case VIRTIO_PCI_COMMON_STATUS:
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return 1;
	default:
		return 0;
	}
}

static enum virtio_queue_area common_area(u32 off)
{
	if (off < VIRTIO_PCI_COMMON_Q_AVAILLO)
		return VIRTIO_AREA_DESC;
	if (off < VIRTIO_PCI_COMMON_Q_USEDLO)
		return VIRTIO_AREA_DRIVER;
	return VIRTIO_AREA_DEVICE;
}

static u32 vp_get(struct virtio_pci *vp, const u32 *field)
{
	u32 v;

	pthread_mutex_lock(&vp->lock);
	v = *field;
	pthread_mutex_unlock(&vp->lock);
	return v;
}

static u16 vp_queue_sel(struct virtio_pci *vp)
{
	u16 q;

	pthread_mutex_lock(&vp->lock);
	q = vp->queue_sel;
	pthread_mutex_unlock(&vp->lock);
	return q;
}

static u64 common_read(struct virtio_pci *vp, u32 off, u32 len)
{
	struct virtio_device *vdev = vp->vdev;
	u16 q = vp_queue_sel(vp);
	u64 v = 0;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return vp_get(vp, &vp->dfselect);
	case VIRTIO_PCI_COMMON_DF:
		return virtio_get_device_features(vdev,
						  vp_get(vp, &vp->dfselect));
	case VIRTIO_PCI_COMMON_GFSELECT:
		return vp_get(vp, &vp->gfselect);
	case VIRTIO_PCI_COMMON_GF:
		return virtio_get_driver_features(vdev,
						  vp_get(vp, &vp->gfselect));
	case VIRTIO_PCI_COMMON_MSIX:
		pthread_mutex_lock(&vp->lock);
		v = vp->config_vector;
		pthread_mutex_unlock(&vp->lock);
		return v;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (q >= vdev->nr_queues)
			return VIRTIO_MSI_NO_VECTOR;
		pthread_mutex_lock(&vp->lock);
		v = vp->queue_vector[q];
		pthread_mutex_unlock(&vp->lock);
		return v;
	case VIRTIO_PCI_COMMON_NUMQ:
		return vdev->nr_queues;
	case VIRTIO_PCI_COMMON_STATUS:
		return virtio_get_status(vdev);
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return (u8)virtio_config_generation(vdev);
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return q;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return q < vdev->nr_queues ? virtio_queue_get_size(vdev, q) : 0;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return q < vdev->nr_queues && virtio_queue_get_ready(vdev, q);
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return q < vdev->nr_queues ? q : 0;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
		if (q >= vdev->nr_queues)
			return 0;
		v = virtio_queue_get_addr(vdev, q, common_area(off));
		return len == 8 ? v : (u32)v;
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		if (q >= vdev->nr_queues)
			return 0;
		return virtio_queue_get_addr(vdev, q, common_area(off)) >> 32;
	}
	return 0;
}

/* A vector the table has, or NO_VECTOR (which the driver reads back). */
static u16 vp_vector(struct virtio_pci *vp, u64 v)
{
	if (v != VIRTIO_MSI_NO_VECTOR && v >= vp->pci.msix.nr) {
		pr_warn_ratelimited("%s: MSI-X vector %llu out of range (%u)",
				    vp->name, (unsigned long long)v,
				    vp->pci.msix.nr);
		return VIRTIO_MSI_NO_VECTOR;
	}
	return (u16)v;
}

static void vp_reset(struct virtio_pci *vp)
{
	unsigned int q;

	pthread_mutex_lock(&vp->lock);
	vp->isr = 0;
	vp->queue_sel = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (q = 0; q < vp->vdev->nr_queues; q++)
		vp->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
	pci_dev_set_intx(&vp->pci, false);
	pthread_mutex_unlock(&vp->lock);
}

void virtio_pci_reset(struct virtio_pci *vp)
{
	vp_reset(vp);
}

static void common_write(struct virtio_pci *vp, u32 off, u32 len, u64 v)
{
	struct virtio_device *vdev = vp->vdev;
	u16 q = vp_queue_sel(vp);
	bool qok = q < vdev->nr_queues;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		pthread_mutex_lock(&vp->lock);
		vp->dfselect = (u32)v;
		pthread_mutex_unlock(&vp->lock);
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		pthread_mutex_lock(&vp->lock);
		vp->gfselect = (u32)v;
		pthread_mutex_unlock(&vp->lock);
		break;
	case VIRTIO_PCI_COMMON_GF:
		virtio_set_driver_features(vdev, vp_get(vp, &vp->gfselect),
					   (u32)v);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		v = vp_vector(vp, v);
		pthread_mutex_lock(&vp->lock);
		vp->config_vector = (u16)v;
		pthread_mutex_unlock(&vp->lock);
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (!qok)
			break;
		v = vp_vector(vp, v);
		pthread_mutex_lock(&vp->lock);
		vp->queue_vector[q] = (u16)v;
		pthread_mutex_unlock(&vp->lock);
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		virtio_set_status(vdev, (u8)v);
		if (!(u8)v)
			vp_reset(vp);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		pthread_mutex_lock(&vp->lock);
		vp->queue_sel = (u16)v;
		pthread_mutex_unlock(&vp->lock);
		break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if (qok)
			virtio_queue_set_size(vdev, q, (u16)v);
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/* Only 1 may be written (4.1.4.3.2). */
		if (qok && v == 1)
			virtio_queue_set_ready(vdev, q, true);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
		if (!qok)
			break;
		if (len == 8)
			virtio_queue_set_addr(vdev, q, common_area(off), v);
		else
			virtio_queue_set_addr_half(vdev, q, common_area(off),
						   false, (u32)v);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		if (qok)
			virtio_queue_set_addr_half(vdev, q, common_area(off),
						   true, (u32)v);
		break;
	default:
		pr_warn_ratelimited("%s: write to read-only common config 0x%x ignored",
				    vp->name, off);
		break;
	}
	if (!qok && off >= VIRTIO_PCI_COMMON_Q_SIZE &&
	    off != VIRTIO_PCI_COMMON_Q_NOFF)
		pr_warn_ratelimited("%s: queue %u selected, device has %u: write ignored",
				    vp->name, q, vdev->nr_queues);
}

static void common_access(struct virtio_pci *vp, u32 off, u8 *data, u32 len,
			  bool is_write)
{
	u32 w = common_width(off);
	bool ok = len == w || (len == 8 && w == 4 &&
			       (off == VIRTIO_PCI_COMMON_Q_DESCLO ||
				off == VIRTIO_PCI_COMMON_Q_AVAILLO ||
				off == VIRTIO_PCI_COMMON_Q_USEDLO));
	u64 v = 0;

	if (!ok) {
		pr_warn_ratelimited("%s: %u-byte access to common config 0x%x ignored",
				    vp->name, len, off);
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	if (is_write) {
		memcpy(&v, data, len);
		common_write(vp, off, len, le64toh(v));
	} else {
		v = htole64(common_read(vp, off, len));
		memcpy(data, &v, len);
	}
}

/* --- BAR 4 --- */

static void vp_bar_access(struct virtio_pci *vp, u64 off, u8 *data, u32 len,
			  bool is_write)
{
	struct virtio_device *vdev = vp->vdev;

	if (off + len <= VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_SIZE) {
		common_access(vp, (u32)off, data, len, is_write);
	} else if (off == VIRTIO_PCI_ISR_OFF) {
		if (is_write)
			return;
		memset(data, 0, len);
		/* Reading clears it and lowers INTx (4.1.4.5). */
		pthread_mutex_lock(&vp->lock);
		data[0] = vp->isr;
		vp->isr = 0;
		pci_dev_set_intx(&vp->pci, false);
		pthread_mutex_unlock(&vp->lock);
	} else if (off >= VIRTIO_PCI_DEVICE_OFF &&
		   off + len <= VIRTIO_PCI_DEVICE_OFF + VIRTIO_PCI_REGION_SIZE) {
		if (is_write)
			virtio_config_write(vdev, off - VIRTIO_PCI_DEVICE_OFF,
					    data, len);
		else
			virtio_config_read(vdev, off - VIRTIO_PCI_DEVICE_OFF,
					   data, len);
	} else if (off >= VIRTIO_PCI_NOTIFY_OFF && is_write) {
		u64 q = (off - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT;

		if (q < vdev->nr_queues)
			virtio_queue_notify(vdev, (unsigned int)q);
		else
			pr_warn_ratelimited("%s: notify for queue %llu of %u ignored",
					    vp->name, (unsigned long long)q,
					    vdev->nr_queues);
	} else if (!is_write) {
		memset(data, 0, len);
	}
}

void virtio_pci_bar_access(struct bus_dev *dev, struct vcpu *vcpu,
			   u64 offset, u8 *data, u32 len, bool is_write)
{
	struct virtio_pci *vp = dev->priv;

	if (offset >= VIRTIO_PCI_BAR_SIZE || len > 8 ||
	    len > VIRTIO_PCI_BAR_SIZE - offset) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	vp_bar_access(vp, offset, data, len, is_write);
}

/* --- Notifications through ioeventfds --- */

/* map_lock held: follow BAR 4 with the ioeventfds. */
static void notifiers_follow(struct virtio_pci *vp)
{
	unsigned int q;
	int r;

	if (!vp->ioeventfd)
		return;
	for (q = 0; q < vp->vdev->nr_queues; q++) {
		struct queue_notifier *n = &vp->notifiers[q];
		u64 addr = vp->bar_base + VIRTIO_PCI_NOTIFY_OFF +
			   (u64)q * VIRTIO_PCI_NOTIFY_MULT;

		queue_notifier_unregister(n);
		if (!vp->bar_mapped || !n->polled)
			continue;
		r = queue_notifier_register(n, vp->ioeventfd, addr, 2, q,
					    false);
		if (r)
			pr_warn_ratelimited("%s: queue %u: no ioeventfd at 0x%llx (%s), notifications trap",
					    vp->name, q,
					    (unsigned long long)addr,
					    strerror(-r));
	}
}

static void vp_bar_moved(struct pci_dev *dev, unsigned int bar, bool mapped,
			 u64 base)
{
	struct virtio_pci *vp = dev->priv;

	if (bar != VIRTIO_PCI_BAR)
		return;
	pthread_mutex_lock(&vp->map_lock);
	vp->bar_mapped = mapped;
	vp->bar_base = base;
	notifiers_follow(vp);
	pthread_mutex_unlock(&vp->map_lock);
}

int virtio_pci_setup_ioeventfds(struct virtio_pci *vp,
				const struct virtio_ioeventfd_ops *ops,
				struct io_loop *loop)
{
	unsigned int q, routed = 0;
	int err = 0;

	if (!ops || !ops->add || !ops->del || !loop)
		return -EINVAL;
	pthread_mutex_lock(&vp->map_lock);
	vp->ioeventfd = ops;
	for (q = 0; q < vp->vdev->nr_queues; q++) {
		err = queue_notifier_open(&vp->notifiers[q], loop);
		if (err)
			break;
		routed++;
	}
	notifiers_follow(vp);
	pthread_mutex_unlock(&vp->map_lock);
	return routed ? (int)routed : err;
}

/* --- Configuration space: the PCI_CFG window --- */

/* Where the window points, if it is a valid access to BAR 4. */
static bool cfg_window(struct virtio_pci *vp, u32 *off, u32 *len)
{
	struct pci_dev *dev = &vp->pci;
	u8 c = vp->pci_cfg_cap, bar;

	pthread_mutex_lock(&dev->lock);
	bar = dev->cfg[c + VIRTIO_PCI_CAP_BAR];
	*off = get32(dev->cfg + c + VIRTIO_PCI_CAP_OFFSET);
	*len = get32(dev->cfg + c + VIRTIO_PCI_CAP_LENGTH);
	pthread_mutex_unlock(&dev->lock);
	if (bar != VIRTIO_PCI_BAR || (*len != 1 && *len != 2 && *len != 4) ||
	    *off >= VIRTIO_PCI_BAR_SIZE || *off % *len) {
		pr_warn_ratelimited("%s: PCI_CFG window bar %u offset 0x%x length %u ignored",
				    vp->name, bar, *off, *len);
		return false;
	}
	return true;
}

static bool overlaps_data(struct virtio_pci *vp, u32 off, u32 len)
{
	u32 d = vp->pci_cfg_cap + VIRTIO_PCI_CAP_CFG_DATA;

	return vp->pci_cfg_cap && off < d + 4 && off + len > d;
}

static void vp_cfg_write(struct pci_dev *dev, u32 off, u32 len)
{
	struct virtio_pci *vp = dev->priv;
	u32 woff, wlen;
	u8 buf[4];

	if (!overlaps_data(vp, off, len) || !cfg_window(vp, &woff, &wlen))
		return;
	pthread_mutex_lock(&dev->lock);
	memcpy(buf, dev->cfg + vp->pci_cfg_cap + VIRTIO_PCI_CAP_CFG_DATA, 4);
	pthread_mutex_unlock(&dev->lock);
	vp_bar_access(vp, woff, buf, wlen, true);
}

static void vp_cfg_read(struct pci_dev *dev, u32 off, u8 *data, u32 len)
{
	struct virtio_pci *vp = dev->priv;
	u32 d = vp->pci_cfg_cap + VIRTIO_PCI_CAP_CFG_DATA, woff, wlen, i;
	u8 buf[4] = { 0 };

	if (!overlaps_data(vp, off, len))
		return;
	if (cfg_window(vp, &woff, &wlen))
		vp_bar_access(vp, woff, buf, wlen, false);
	for (i = 0; i < len; i++)
		if (off + i >= d && off + i < d + 4)
			data[i] = buf[off + i - d];
}

static const struct pci_dev_ops vp_pci_ops = {
	.cfg_write = vp_cfg_write,
	.cfg_read = vp_cfg_read,
	.bar_moved = vp_bar_moved,
};

static u8 add_vcap(struct pci_dev *dev, u8 type, u8 len, u32 off,
		   u32 length)
{
	u8 c = pci_dev_add_cap(dev, PCI_CAP_ID_VNDR, len);

	if (!c)
		return 0;
	dev->cfg[c + VIRTIO_PCI_CAP_LEN] = len;
	dev->cfg[c + VIRTIO_PCI_CAP_CFG_TYPE] = type;
	dev->cfg[c + VIRTIO_PCI_CAP_BAR] = type == VIRTIO_PCI_CAP_PCI_CFG ?
					   0 : VIRTIO_PCI_BAR;
	put32(dev->cfg + c + VIRTIO_PCI_CAP_OFFSET, off);
	put32(dev->cfg + c + VIRTIO_PCI_CAP_LENGTH, length);
	return c;
}

static int vp_build(struct virtio_pci *vp)
{
	struct virtio_device *vdev = vp->vdev;
	struct pci_dev *dev = &vp->pci;
	u8 c;
	int err;

	err = pci_dev_add_bar(dev, VIRTIO_PCI_BAR, PCI_BAR_MEM64,
			      VIRTIO_PCI_BAR_SIZE, virtio_pci_bar_access, vp);
	if (!err)
		err = pci_dev_add_msix(dev, VIRTIO_PCI_MSIX_BAR,
				       vdev->nr_queues + 1);
	if (err)
		return err;
	if (!add_vcap(dev, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_SIZE,
		      VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_SIZE) ||
	    !add_vcap(dev, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_SIZE,
		      VIRTIO_PCI_ISR_OFF, 1) ||
	    !add_vcap(dev, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_CAP_SIZE,
		      VIRTIO_PCI_DEVICE_OFF, MAX(vdev->config_len, 1u)))
		return -ENOSPC;
	c = add_vcap(dev, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_CAP_SIZE + 4,
		     VIRTIO_PCI_NOTIFY_OFF,
		     vdev->nr_queues * VIRTIO_PCI_NOTIFY_MULT);
	if (!c)
		return -ENOSPC;
	put32(dev->cfg + c + VIRTIO_PCI_CAP_NOTIFY_MULT,
	      VIRTIO_PCI_NOTIFY_MULT);
	c = add_vcap(dev, VIRTIO_PCI_CAP_PCI_CFG, VIRTIO_PCI_CAP_SIZE + 4, 0,
		     0);
	if (!c)
		return -ENOSPC;
	/* bar, offset, length and data are the driver's to write. */
	dev->wmask[c + VIRTIO_PCI_CAP_BAR] = 0xff;
	memset(dev->wmask + c + VIRTIO_PCI_CAP_OFFSET, 0xff, 12);
	vp->pci_cfg_cap = c;
	return 0;
}

int virtio_pci_init(struct virtio_pci *vp, struct virtio_device *vdev,
		    struct pci_host *host, struct irq_line *intx)
{
	u32 id;
	unsigned int q;
	int err;

	if (!vdev || !host || !vdev->nr_queues ||
	    vdev->nr_queues > VIRTIO_PCI_MAX_QUEUES ||
	    vdev->config_len > VIRTIO_PCI_REGION_SIZE)
		return -EINVAL;
	memset(vp, 0, sizeof(*vp));
	vp->vdev = vdev;
	id = vdev->ops->device_id;
	snprintf(vp->name, sizeof(vp->name), "%s", vdev->name);
	vp->queue_vector = calloc(vdev->nr_queues, sizeof(*vp->queue_vector));
	vp->notifiers = calloc(vdev->nr_queues, sizeof(*vp->notifiers));
	if (!vp->queue_vector || !vp->notifiers) {
		free(vp->queue_vector);
		free(vp->notifiers);
		return -ENOMEM;
	}
	for (q = 0; q < vdev->nr_queues; q++) {
		vp->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
		queue_notifier_init(&vp->notifiers[q], vdev, q);
	}
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	pthread_mutex_init(&vp->lock, NULL);
	pthread_mutex_init(&vp->map_lock, NULL);

	pci_dev_init(&vp->pci, vp->name, VIRTIO_PCI_VENDOR,
		     (u16)(VIRTIO_PCI_DEVICE_BASE + id), virtio_pci_class(id),
		     VIRTIO_PCI_REVISION, &vp_pci_ops, vp, intx);
	pci_dev_set_subsystem(&vp->pci, VIRTIO_PCI_VENDOR, (u16)(0x40 + id));
	err = vp_build(vp);
	if (!err)
		err = pci_register_device(host, &vp->pci);
	if (err) {
		free(vp->pci.msix.v);
		free(vp->queue_vector);
		free(vp->notifiers);
		vp->vdev = NULL;
		return err;
	}
	virtio_device_set_transport(vdev, &pci_transport, vp);
	return 0;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	unsigned int q;

	if (!vp->vdev)
		return;
	if (vp->pci.host)
		pci_unregister_device(vp->pci.host, &vp->pci);
	pthread_mutex_lock(&vp->map_lock);
	for (q = 0; q < vp->vdev->nr_queues; q++)
		queue_notifier_close(&vp->notifiers[q]);
	pthread_mutex_unlock(&vp->map_lock);
	free(vp->notifiers);
	free(vp->queue_vector);
	virtio_device_set_transport(vp->vdev, NULL, NULL);
	vp->vdev = NULL;
}
