/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-ccw: the virtio transport (virtio 1.x spec 4.3) on a subchannel
 * of the channel subsystem (include/devices/css.h), mapped onto
 * virtio/core.h. Architecture-neutral like the CSS; the s390x arch code
 * decodes DIAGNOSE 0x500 and calls virtio_ccw_diag_notify().
 */
#ifndef LKVM_VIRTIO_CCW_H
#define LKVM_VIRTIO_CCW_H

#include <pthread.h>

#include "devices/css.h"
#include "types.h"
#include "virtio/core.h"

/* virtio-ccw commands (virtio spec 4.3.2). */
#define VIRTIO_CCW_CU_TYPE		0x3832
#define CCW_CMD_SET_VQ			0x13
#define CCW_CMD_VDEV_RESET		0x33
#define CCW_CMD_SET_IND			0x43
#define CCW_CMD_SET_CONF_IND		0x53
#define CCW_CMD_SET_IND_ADAPTER		0x73
#define CCW_CMD_READ_FEAT		0x12
#define CCW_CMD_WRITE_FEAT		0x11
#define CCW_CMD_READ_CONF		0x22
#define CCW_CMD_WRITE_CONF		0x21
#define CCW_CMD_WRITE_STATUS		0x31
#define CCW_CMD_READ_VQ_CONF		0x32
#define CCW_CMD_SET_VIRTIO_REV		0x83
#define CCW_CMD_READ_STATUS		0x72

#define VIRTIO_CCW_MAX_REV		2
/* Adapter indicator bits lkvm accepts (a 128 KiB indicator area). */
#define VIRTIO_CCW_MAX_ADAPTER_BIT	(1u << 20)

/* DIAGNOSE 0x500 subcode 3 (virtio-ccw notification). */
#define DIAG500_VIRTIO_CCW_NOTIFY	3

struct virtio_ccw {
	struct css_subchannel sch;
	struct virtio_device *vdev;
	pthread_mutex_t lock;		/* leaf: indicators, revision */
	int revision;			/* -1 until SET_VIRTIO_REV */
	u64 indicators;			/* classic: 64-bit queue bit mask */
	u64 conf_indicator;
	bool thinint;			/* SET_IND_ADAPTER done */
	u64 summary_indicator;
	u64 adapter_indicators;
	u64 adapter_bit;
	u8 adapter_isc;
	bool broken_logged;
	/*
	 * Per-queue irqfds for adapter interrupts (nr_queues of them, -1 =
	 * none), owned by the arch; NULL: the transport sets the indicator
	 * bits itself and asks for an adapter interrupt.
	 */
	int *irqfds;
	/*
	 * Queues whose notifications KVM answers (ioeventfd); the transport
	 * then does not offer VIRTIO_F_NOTIFICATION_DATA.
	 */
	bool ioeventfd;
};

/*
 * Put vdev on a new subchannel of css with device number devno; attaches
 * itself as vdev's transport. -ENOSPC when the CSS is full.
 */
int virtio_ccw_init(struct virtio_ccw *ccw, struct css *css,
		    struct virtio_device *vdev, u16 devno);
/*
 * The transport's state to power-on (a system reset; the device is reset
 * by its owner): no indicators, no revision negotiated.
 */
void virtio_ccw_reset(struct virtio_ccw *ccw);
void virtio_ccw_destroy(struct virtio_ccw *ccw);
/*
 * Install (fds: nr_queues eventfds) or remove (NULL) the adapter irqfds;
 * returns the previous array for the caller to release.
 */
int *virtio_ccw_set_irqfds(struct virtio_ccw *ccw, int *fds);
/* Adapter indicator state, for the arch's routes: false if none. */
bool virtio_ccw_thinint(struct virtio_ccw *ccw, u64 *summary, u64 *ind,
			u64 *first_bit, u8 *isc);

/* KVM will answer the notifications: stop offering NOTIFICATION_DATA. */
void virtio_ccw_set_ioeventfd(struct virtio_ccw *ccw, bool on);

/*
 * DIAGNOSE 0x500 subcode 3: sid from register 2 (upper 32 bits ignored),
 * notification data from register 3, the cookie from register 4. Returns
 * the value for register 2: a non-negative cookie, or -EINVAL.
 */
s64 virtio_ccw_diag_notify(struct css *css, u64 r2, u64 r3, u64 r4);

#endif
