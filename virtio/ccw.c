// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ccw: the virtio transport on a channel-subsystem subchannel
 * (devices/css.c runs the channel programs and calls execute() per CCW).
 * Architecture-neutral: see include/virtio/ccw.h. Guest-visible blocks
 * are big-endian, virtio's feature words and config space excepted
 * (little-endian, per the spec).
 *
 * Locks: ccw->lock is a leaf around the indicators and the revision; the
 * subchannel's lock is never held while a command runs.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "unaligned.h"
#include "virtio/ccw.h"

static struct virtio_ccw *to_ccw(struct css_subchannel *sch)
{
	return container_of(sch, struct virtio_ccw, sch);
}

static struct ccw_status ccw_reject(const struct ccw_data *d)
{
	return ccw_status(CCW_UNIT_CHECK, d->count, SNS0_CMD_REJECT);
}

static struct ccw_status ccw_pgm_check(const struct ccw_data *d)
{
	return ccw_status(CCW_PROGRAM_CHECK, d->count, 0);
}

static struct ccw_status ccw_done(const struct ccw_data *d, u32 used)
{
	return ccw_status(CCW_DONE, d->count - used, 0);
}

/* Read the first `need` bytes of the data area; false: program check. */
static bool ccw_get(const struct ccw_data *d, void *buf, u32 need)
{
	return d->count >= need && ccw_data_read(d, 0, buf, need) == (int)need;
}

static bool ccw_put(const struct ccw_data *d, const void *buf, u32 len)
{
	return d->count >= len && ccw_data_write(d, 0, buf, len) == (int)len;
}

static struct ccw_status ccw_sense_id(struct virtio_ccw *ccw,
				      const struct ccw_data *d)
{
	u8 id[8] = { 0xff };
	u32 n = MIN((u32)d->count, (u32)sizeof(id));

	put_be16(id + 1, VIRTIO_CCW_CU_TYPE);
	id[3] = (u8)ccw->vdev->ops->device_id;	/* CU model: device ID */
	/* Device type and model 0; no CIWs. */
	if (n && ccw_data_write(d, 0, id, n) < 0)
		return ccw_pgm_check(d);
	return ccw_done(d, n);
}

static struct ccw_status ccw_set_rev(struct virtio_ccw *ccw,
				     const struct ccw_data *d)
{
	u8 buf[4];
	u16 rev, len;
	bool ok;

	if (!ccw_get(d, buf, sizeof(buf)))
		return ccw_pgm_check(d);
	rev = get_be16(buf);
	len = get_be16(buf + 2);
	/* Revisions 1 and 2 carry no data; 0 is legacy: not offered. */
	if (rev == 0 || rev > VIRTIO_CCW_MAX_REV || len)
		return ccw_reject(d);
	pthread_mutex_lock(&ccw->lock);
	ok = ccw->revision < 0 || ccw->revision == rev;
	if (ok)
		ccw->revision = rev;
	pthread_mutex_unlock(&ccw->lock);
	return ok ? ccw_done(d, sizeof(buf)) : ccw_reject(d);
}

/* An indicator area: the device sets bits there, so writable RAM. */
static bool ccw_gpa_ok(struct virtio_ccw *ccw, u64 gpa, u64 len)
{
	return gpa && guest_mem_ptr_rw(ccw->vdev->mem, gpa, len);
}

static struct ccw_status ccw_set_vq(struct virtio_ccw *ccw,
				    const struct ccw_data *d)
{
	struct virtio_device *vdev = ccw->vdev;
	u8 b[32];
	u64 desc, driver, device;
	u16 idx, num;

	if (!ccw_get(d, b, sizeof(b)))
		return ccw_pgm_check(d);
	desc = get_be64(b);
	idx = get_be16(b + 12);
	num = get_be16(b + 14);
	driver = get_be64(b + 16);
	device = get_be64(b + 24);
	if (idx >= virtio_num_queues(vdev))
		return ccw_reject(d);
	if (!desc) {
		/* Address 0: the driver gives the queue up. */
		virtio_queue_set_ready(vdev, idx, false);
		return ccw_done(d, sizeof(b));
	}
	if (!num || num > virtio_queue_max_size(vdev, idx))
		return ccw_reject(d);
	virtio_queue_set_size(vdev, idx, num);
	virtio_queue_set_addr(vdev, idx, VIRTIO_AREA_DESC, desc);
	virtio_queue_set_addr(vdev, idx, VIRTIO_AREA_DRIVER, driver);
	virtio_queue_set_addr(vdev, idx, VIRTIO_AREA_DEVICE, device);
	virtio_queue_set_ready(vdev, idx, true);
	if (!virtio_queue_get_ready(vdev, idx))
		return ccw_reject(d);
	return ccw_done(d, sizeof(b));
}

static void ccw_thinint_changed(struct virtio_ccw *ccw)
{
	struct css *css = ccw->sch.css;

	if (css->irq.thinint_changed)
		css->irq.thinint_changed(css->irq.opaque, ccw);
}

static struct ccw_status ccw_set_ind_adapter(struct virtio_ccw *ccw,
					     const struct ccw_data *d)
{
	unsigned int nq = virtio_num_queues(ccw->vdev);
	u8 b[25];		/* be64 summary, be64 indicator, be64 bit, isc */
	u64 summary, ind, bit;
	u8 isc;
	bool ok;

	if (!ccw_get(d, b, sizeof(b)))
		return ccw_pgm_check(d);
	summary = get_be64(b);
	ind = get_be64(b + 8);
	bit = get_be64(b + 16);
	isc = b[24];
	if (isc > 7 || bit > VIRTIO_CCW_MAX_ADAPTER_BIT ||
	    !ccw_gpa_ok(ccw, summary, 1) ||
	    !ccw_gpa_ok(ccw, ind, (bit + nq + 7) / 8))
		return ccw_reject(d);
	pthread_mutex_lock(&ccw->lock);
	ok = !ccw->indicators;		/* not both kinds */
	if (ok) {
		ccw->thinint = true;
		ccw->summary_indicator = summary;
		ccw->adapter_indicators = ind;
		ccw->adapter_bit = bit;
		ccw->adapter_isc = isc;
	}
	pthread_mutex_unlock(&ccw->lock);
	if (!ok)
		return ccw_reject(d);
	ccw_thinint_changed(ccw);
	return ccw_done(d, sizeof(b));
}

static struct ccw_status ccw_set_ind(struct virtio_ccw *ccw,
				     const struct ccw_data *d, bool conf)
{
	u8 b[8];
	u64 gpa;
	bool ok = true;

	if (!ccw_get(d, b, sizeof(b)))
		return ccw_pgm_check(d);
	gpa = get_be64(b);
	if (!ccw_gpa_ok(ccw, gpa, 8))
		return ccw_reject(d);
	pthread_mutex_lock(&ccw->lock);
	if (conf) {
		ccw->conf_indicator = gpa;
	} else {
		ok = !ccw->thinint;
		if (ok)
			ccw->indicators = gpa;
	}
	pthread_mutex_unlock(&ccw->lock);
	return ok ? ccw_done(d, sizeof(b)) : ccw_reject(d);
}

static void ccw_forget_indicators(struct virtio_ccw *ccw)
{
	bool thin;

	pthread_mutex_lock(&ccw->lock);
	thin = ccw->thinint;
	ccw->indicators = 0;
	ccw->conf_indicator = 0;
	ccw->thinint = false;
	ccw->summary_indicator = 0;
	ccw->adapter_indicators = 0;
	pthread_mutex_unlock(&ccw->lock);
	if (thin)
		ccw_thinint_changed(ccw);
}

static struct ccw_status ccw_features(struct virtio_ccw *ccw,
				      const struct ccw_data *d, bool write)
{
	u8 b[5];

	if (!ccw_get(d, b, sizeof(b)))
		return ccw_pgm_check(d);
	/* Feature words are little-endian, unlike the rest of ccw. */
	if (write) {
		virtio_set_driver_features(ccw->vdev, b[4], get_le32(b));
		return ccw_done(d, sizeof(b));
	}
	put_le32(b, virtio_get_device_features(ccw->vdev, b[4]));
	if (!ccw_put(d, b, sizeof(b)))
		return ccw_pgm_check(d);
	return ccw_done(d, sizeof(b));
}

static struct ccw_status ccw_config(struct virtio_ccw *ccw,
				    const struct ccw_data *d, bool write)
{
	u8 buf[4096];
	u32 n = MIN((u32)d->count, ccw->vdev->config_len);

	n = MIN(n, (u32)sizeof(buf));
	if (!n)
		return ccw_done(d, 0);
	if (write) {
		if (ccw_data_read(d, 0, buf, n) != (int)n)
			return ccw_pgm_check(d);
		virtio_config_write(ccw->vdev, 0, buf, n);
	} else {
		virtio_config_read(ccw->vdev, 0, buf, n);
		if (ccw_data_write(d, 0, buf, n) != (int)n)
			return ccw_pgm_check(d);
	}
	return ccw_done(d, n);
}

static struct ccw_status ccw_write_status(struct virtio_ccw *ccw,
					  const struct ccw_data *d)
{
	u8 status;

	if (!ccw_get(d, &status, 1))
		return ccw_pgm_check(d);
	if (!status)
		ccw_forget_indicators(ccw);
	virtio_set_status(ccw->vdev, status);
	/* FEATURES_OK that did not stick: say so (revision 1 cannot read). */
	if ((status & VIRTIO_STATUS_FEATURES_OK) &&
	    !(virtio_get_status(ccw->vdev) & VIRTIO_STATUS_FEATURES_OK))
		return ccw_reject(d);
	return ccw_done(d, 1);
}

static struct ccw_status ccw_read_vq_conf(struct virtio_ccw *ccw,
					  const struct ccw_data *d)
{
	u8 b[4];
	u16 idx;

	if (!ccw_get(d, b, sizeof(b)))
		return ccw_pgm_check(d);
	idx = get_be16(b);
	put_be16(b + 2, idx < virtio_num_queues(ccw->vdev) ?
			virtio_queue_max_size(ccw->vdev, idx) : 0);
	if (!ccw_put(d, b, sizeof(b)))
		return ccw_pgm_check(d);
	return ccw_done(d, sizeof(b));
}

static struct ccw_status virtio_ccw_execute(struct css_subchannel *sch,
					    const struct ccw_data *d)
{
	struct virtio_ccw *ccw = to_ccw(sch);
	u8 status;
	int rev;

	if (d->cmd == CCW_CMD_SENSE_ID)
		return ccw_sense_id(ccw, d);
	if (d->cmd == CCW_CMD_SET_VIRTIO_REV)
		return ccw_set_rev(ccw, d);
	pthread_mutex_lock(&ccw->lock);
	rev = ccw->revision;
	pthread_mutex_unlock(&ccw->lock);
	/* Until a revision is chosen the device is a legacy one: refused. */
	if (rev < 1)
		return ccw_reject(d);

	switch (d->cmd) {
	case CCW_CMD_READ_FEAT:
		return ccw_features(ccw, d, false);
	case CCW_CMD_WRITE_FEAT:
		return ccw_features(ccw, d, true);
	case CCW_CMD_READ_CONF:
		return ccw_config(ccw, d, false);
	case CCW_CMD_WRITE_CONF:
		return ccw_config(ccw, d, true);
	case CCW_CMD_WRITE_STATUS:
		return ccw_write_status(ccw, d);
	case CCW_CMD_READ_STATUS:
		if (rev < 2)
			return ccw_reject(d);
		status = virtio_get_status(ccw->vdev);
		if (!ccw_put(d, &status, 1))
			return ccw_pgm_check(d);
		return ccw_done(d, 1);
	case CCW_CMD_SET_VQ:
		return ccw_set_vq(ccw, d);
	case CCW_CMD_VDEV_RESET:
		ccw_forget_indicators(ccw);
		virtio_set_status(ccw->vdev, 0);
		return ccw_done(d, 0);
	case CCW_CMD_SET_IND:
		return ccw_set_ind(ccw, d, false);
	case CCW_CMD_SET_CONF_IND:
		return ccw_set_ind(ccw, d, true);
	case CCW_CMD_SET_IND_ADAPTER:
		return ccw_set_ind_adapter(ccw, d);
	case CCW_CMD_READ_VQ_CONF:
		return ccw_read_vq_conf(ccw, d);
	default:
		return ccw_reject(d);
	}
}

static void virtio_ccw_disable(struct css_subchannel *sch)
{
	struct virtio_ccw *ccw = to_ccw(sch);

	/* Offline: the next driver negotiates a revision afresh. */
	pthread_mutex_lock(&ccw->lock);
	ccw->revision = -1;
	pthread_mutex_unlock(&ccw->lock);
}

void virtio_ccw_reset(struct virtio_ccw *ccw)
{
	ccw_forget_indicators(ccw);
	pthread_mutex_lock(&ccw->lock);
	ccw->revision = -1;
	pthread_mutex_unlock(&ccw->lock);
}

static const struct css_device_ops virtio_ccw_css_ops = {
	.execute = virtio_ccw_execute,
	.disable = virtio_ccw_disable,
};

/* Set a byte's bits in guest memory atomically (the guest clears them). */
static bool ccw_set_bits(struct virtio_ccw *ccw, u64 gpa, u8 bits)
{
	u8 *p = guest_mem_ptr_rw(ccw->vdev->mem, gpa, 1);

	if (!p)
		return false;
	__atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST);
	return true;
}

/* Bit n of a big-endian 64-bit indicator word. */
static bool ccw_set_ind_bit(struct virtio_ccw *ccw, u64 gpa, unsigned int n)
{
	return n < 64 && ccw_set_bits(ccw, gpa + 7 - n / 8, 1u << (n % 8));
}

static void ccw_signal_used(struct virtio_device *vdev, struct virtq *vq)
{
	struct virtio_ccw *ccw = vdev->transport_priv;
	struct css *css = ccw->sch.css;
	unsigned int idx = vq - vdev->vqs;
	u64 ind, summary = 0, bit;
	bool thin;
	u8 isc = 0;

	pthread_mutex_lock(&ccw->lock);
	thin = ccw->thinint;
	if (thin && ccw->irqfds && ccw->irqfds[idx] >= 0) {
		/* KVM sets the indicator bits and injects: one write. */
		u64 one = 1;

		if (write(ccw->irqfds[idx], &one, sizeof(one)) < 0)
			pr_warn_ratelimited("%s: irqfd: %s", vdev->name,
					    strerror(errno));
		pthread_mutex_unlock(&ccw->lock);
		return;
	}
	ind = thin ? ccw->adapter_indicators : ccw->indicators;
	bit = thin ? ccw->adapter_bit + idx : idx;
	if (thin) {
		summary = ccw->summary_indicator;
		isc = ccw->adapter_isc;
	}
	pthread_mutex_unlock(&ccw->lock);
	if (!ind)
		return;
	if (thin) {
		/* Adapter indicators are numbered from the leftmost bit. */
		if (!ccw_set_bits(ccw, ind + bit / 8, 0x80 >> (bit % 8)) ||
		    !ccw_set_bits(ccw, summary, 0x01))
			return;
		if (css->irq.adapter_interrupt)
			css->irq.adapter_interrupt(css->irq.opaque, isc);
		return;
	}
	if (ccw_set_ind_bit(ccw, ind, bit))
		css_notify_alert(&ccw->sch);
}

static void ccw_signal_config(struct virtio_device *vdev)
{
	struct virtio_ccw *ccw = vdev->transport_priv;
	u64 conf;

	pthread_mutex_lock(&ccw->lock);
	conf = ccw->conf_indicator;
	pthread_mutex_unlock(&ccw->lock);
	if (conf && ccw_set_ind_bit(ccw, conf, 0))
		css_notify_alert(&ccw->sch);
}

static const struct virtio_transport_ops ccw_transport = {
	.name = "ccw",
	.signal_used = ccw_signal_used,
	.signal_config = ccw_signal_config,
};

int virtio_ccw_init(struct virtio_ccw *ccw, struct css *css,
		    struct virtio_device *vdev, u16 devno)
{
	int err;

	memset(ccw, 0, sizeof(*ccw));
	ccw->vdev = vdev;
	ccw->revision = -1;
	ccw->sch.ops = &virtio_ccw_css_ops;
	ccw->sch.priv = ccw;
	err = css_add_subchannel(css, &ccw->sch, devno);
	if (err)
		return err;
	pthread_mutex_init(&ccw->lock, NULL);
	virtio_device_set_transport(vdev, &ccw_transport, ccw);
	return 0;
}

void virtio_ccw_destroy(struct virtio_ccw *ccw)
{
	css_subchannel_destroy(&ccw->sch);
	pthread_mutex_destroy(&ccw->lock);
}

int *virtio_ccw_set_irqfds(struct virtio_ccw *ccw, int *fds)
{
	int *old;

	pthread_mutex_lock(&ccw->lock);
	old = ccw->irqfds;
	ccw->irqfds = fds;
	pthread_mutex_unlock(&ccw->lock);
	return old;
}

bool virtio_ccw_thinint(struct virtio_ccw *ccw, u64 *summary, u64 *ind,
			u64 *first_bit, u8 *isc)
{
	bool thin;

	pthread_mutex_lock(&ccw->lock);
	thin = ccw->thinint;
	*summary = ccw->summary_indicator;
	*ind = ccw->adapter_indicators;
	*first_bit = ccw->adapter_bit;
	*isc = ccw->adapter_isc;
	pthread_mutex_unlock(&ccw->lock);
	return thin;
}

void virtio_ccw_set_ioeventfd(struct virtio_ccw *ccw, bool on)
{
	/* KVM's datamatch compares all of register 3: no extra data. */
	pthread_mutex_lock(&ccw->vdev->lock);
	if (on)
		ccw->vdev->features_mask_out |=
			VIRTIO_BIT(VIRTIO_F_NOTIFICATION_DATA);
	pthread_mutex_unlock(&ccw->vdev->lock);
	ccw->ioeventfd = on;
}

static s64 ccw_notify_fail(struct css *css, struct virtio_ccw *ccw,
			   const char *why)
{
	if (ccw) {
		bool first;

		pthread_mutex_lock(&ccw->lock);
		first = !ccw->broken_logged;
		ccw->broken_logged = true;
		pthread_mutex_unlock(&ccw->lock);
		if (first)
			pr_warn("%s: virtio-ccw notification refused: %s",
				ccw->vdev->name, why);
	} else if (!atomic_exchange(&css->bad_notify_logged, true)) {
		pr_warn("virtio-ccw notification refused: %s (logged once)",
			why);
	}
	return -EINVAL;
}

s64 virtio_ccw_diag_notify(struct css *css, u64 r2, u64 r3, u64 r4)
{
	struct css_subchannel *sch;
	struct virtio_ccw *ccw;
	struct virtio_device *vdev;
	u64 idx = r3;
	bool enabled;

	(void)r4;	/* every lookup is already direct */
	if (css_sid_schno((u32)r2) < 0)
		return ccw_notify_fail(css, NULL, "malformed subchannel ID");
	sch = css_find(css, (u32)r2);
	if (!sch || sch->ops != &virtio_ccw_css_ops)
		return ccw_notify_fail(css, NULL, "no such subchannel");
	ccw = to_ccw(sch);
	vdev = ccw->vdev;
	pthread_mutex_lock(&sch->lock);
	enabled = sch->enabled;
	pthread_mutex_unlock(&sch->lock);
	if (!enabled)
		return ccw_notify_fail(css, ccw, "subchannel not enabled");
	/* NOTIFICATION_DATA: index in bits 0-15, next avail/offset above. */
	if (virtio_has_feature(vdev, VIRTIO_F_NOTIFICATION_DATA))
		idx = r3 & 0xffff;
	if (idx >= virtio_num_queues(vdev))
		return ccw_notify_fail(css, ccw, "queue index out of range");
	if (!virtio_queue_get_ready(vdev, idx))
		return ccw_notify_fail(css, ccw, "queue not set up");
	virtio_queue_notify(vdev, idx);
	/* The cookie: which subchannel and queue, plus one (0 = none). */
	return ((s64)sch->schno << 16 | (s64)idx) + 1;
}
