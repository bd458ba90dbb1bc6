/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio 1.x ABI as the OASIS specification (virtio v1.1/1.2) defines
 * it: status bits, feature bit numbers, device IDs and the layouts of the
 * split and packed virtqueues in guest memory.
 *
 * Written here rather than taken from <linux/virtio_*.h>: the uapi headers
 * describe Linux's driver view (legacy vring_init() with its alignment
 * rules, __virtio16 types whose byte order depends on a legacy flag, names
 * such as VIRTIO_RING_F_* that differ from the spec), and older
 * linux-libc-dev releases lack the packed ring. lkvm is a device and only
 * speaks 1.x, where every guest-visible field is little-endian; the types
 * below say so and every access goes through le16toh()/htole16() & co.
 * The names follow the spec (virtq_*, VIRTQ_*) so they never clash with
 * Linux's (vring_*, VRING_*) in a test that sees both.
 */
#ifndef LKVM_VIRTIO_SPEC_H
#define LKVM_VIRTIO_SPEC_H

#include "types.h"

/* Little-endian guest fields: plain integers, converted at each access. */
typedef u16 le16;
typedef u32 le32;
typedef u64 le64;

/* Device status field (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Reserved (device-independent) feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34
#define VIRTIO_F_IN_ORDER		35
#define VIRTIO_F_ORDER_PLATFORM		36
#define VIRTIO_F_SR_IOV			37
#define VIRTIO_F_NOTIFICATION_DATA	38
#define VIRTIO_F_RING_RESET		40

#define VIRTIO_BIT(nr)			(1ULL << (nr))

/* Device IDs (5). */
#define VIRTIO_ID_NET			1
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_CONSOLE		3
#define VIRTIO_ID_RNG			4
#define VIRTIO_ID_BALLOON		5
#define VIRTIO_ID_SCSI			8
#define VIRTIO_ID_9P			9
#define VIRTIO_ID_GPU			16
#define VIRTIO_ID_INPUT			18
#define VIRTIO_ID_VSOCK			19
#define VIRTIO_ID_CRYPTO		20
#define VIRTIO_ID_FS			26

/* Largest queue size either layout allows (2.7 / 2.8). */
#define VIRTQ_SIZE_MAX			32768

/* Descriptor flags, shared by both layouts (2.7.5, 2.8.2). */
#define VIRTQ_DESC_F_NEXT		0x0001
#define VIRTQ_DESC_F_WRITE		0x0002
#define VIRTQ_DESC_F_INDIRECT		0x0004
/* Packed layout only: bits 7 and 15. */
#define VIRTQ_DESC_F_AVAIL		0x0080
#define VIRTQ_DESC_F_USED		0x8000

/* Split virtqueue (2.7). */
struct virtq_desc {
	le64 addr;
	le32 len;
	le16 flags;
	le16 next;
};

#define VIRTQ_AVAIL_F_NO_INTERRUPT	0x0001

/* Followed by le16 used_event when VIRTIO_F_EVENT_IDX is negotiated. */
struct virtq_avail {
	le16 flags;
	le16 idx;
	le16 ring[];
};

struct virtq_used_elem {
	le32 id;
	le32 len;
};

#define VIRTQ_USED_F_NO_NOTIFY		0x0001

/* Followed by le16 avail_event when VIRTIO_F_EVENT_IDX is negotiated. */
struct virtq_used {
	le16 flags;
	le16 idx;
	struct virtq_used_elem ring[];
};

/* Alignment and size of the three split areas for a queue of n entries. */
#define VIRTQ_SPLIT_DESC_ALIGN		16
#define VIRTQ_SPLIT_AVAIL_ALIGN		2
#define VIRTQ_SPLIT_USED_ALIGN		4
#define VIRTQ_SPLIT_DESC_SIZE(n)	(16ULL * (n))
#define VIRTQ_SPLIT_AVAIL_SIZE(n)	(6ULL + 2ULL * (n))
#define VIRTQ_SPLIT_USED_SIZE(n)	(6ULL + 8ULL * (n))

/* Packed virtqueue (2.8). */
struct virtq_packed_desc {
	le64 addr;
	le32 len;
	le16 id;
	le16 flags;
};

/* Event suppression structure: driver area and device area. */
struct virtq_event_suppress {
	le16 off_wrap;	/* bits 0-14 descriptor offset, bit 15 wrap counter */
	le16 flags;
};

#define VIRTQ_EVENT_F_ENABLE		0x0
#define VIRTQ_EVENT_F_DISABLE		0x1
#define VIRTQ_EVENT_F_DESC		0x2
#define VIRTQ_EVENT_WRAP_SHIFT		15

#define VIRTQ_PACKED_DESC_ALIGN		16
#define VIRTQ_PACKED_EVENT_ALIGN	4
#define VIRTQ_PACKED_DESC_SIZE(n)	(16ULL * (n))

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc layout");
_Static_assert(sizeof(struct virtq_packed_desc) == 16, "packed desc layout");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used elem layout");
_Static_assert(sizeof(struct virtq_avail) == 4, "avail header layout");
_Static_assert(sizeof(struct virtq_used) == 4, "used header layout");
_Static_assert(sizeof(struct virtq_event_suppress) == 4, "event layout");

/*
 * The event index rule (2.7.7.2, 2.7.10): having moved an index from old to
 * new, notify iff the other side's event index lies in [old, new).
 */
static inline bool virtq_need_event(u16 event_idx, u16 new_idx, u16 old_idx)
{
	return (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old_idx);
}

#endif
