// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue layout (virtio 1.x, 2.7): descriptor table, avail ring
 * (driver area), used ring (device area).
 */
#include <errno.h>

#include "virtio/queue-internal.h"

static le16 *split_used_event(struct virtq *vq)
{
	return &vq->split.avail->ring[vq->size];
}

static le16 *split_avail_event(struct virtq *vq)
{
	return (le16 *)&vq->split.used->ring[vq->size];
}

int virtq_split_enable(struct virtq *vq)
{
	u16 n = vq->size;

	if (n & (n - 1)) {
		virtq_violation(vq, "split queue size %u not a power of 2", n);
		return -EINVAL;
	}
	vq->split.desc = virtq_map_area(vq, vq->desc_gpa,
					VIRTQ_SPLIT_DESC_SIZE(n),
					VIRTQ_SPLIT_DESC_ALIGN, false);
	vq->split.avail = virtq_map_area(vq, vq->driver_gpa,
					 VIRTQ_SPLIT_AVAIL_SIZE(n),
					 VIRTQ_SPLIT_AVAIL_ALIGN, false);
	vq->split.used = virtq_map_area(vq, vq->device_gpa,
					VIRTQ_SPLIT_USED_SIZE(n),
					VIRTQ_SPLIT_USED_ALIGN, true);
	if (!vq->split.desc || !vq->split.avail || !vq->split.used)
		return virtq_rings_unmapped(vq, "ring");
	/* The driver starts both rings at index 0 (2.7.13/2.7.14). */
	virtq_ring_start(vq, false);
	return 0;
}

/* Walk an indirect table: entry 0 first, then its NEXT links. */
static int split_walk_indirect(struct virtq *vq, struct virtq_chain *chain,
			       u64 addr, u32 len, u16 flags, u32 *count)
{
	const struct virtq_desc *table;
	u32 entries, i = 0, seen = 0;

	table = virtq_indirect_table(vq, addr, len, flags, &entries);
	if (!table)
		return -EINVAL;
	for (;;) {
		const struct virtq_desc *d = &table[i];
		u16 f = vq_ld16(&d->flags);
		int ret;

		if (++seen > entries) {
			virtq_violation(vq, "indirect chain loops");
			return -EINVAL;
		}
		ret = virtq_chain_add_indirect_entry(vq, chain,
						     vq_ld64(&d->addr),
						     vq_ld32(&d->len), f, count);
		if (ret)
			return ret;
		if (!(f & VIRTQ_DESC_F_NEXT))
			return 0;
		i = vq_ld16(&d->next);
		if (i >= entries) {
			virtq_violation(vq, "indirect next %u >= table size %u",
					i, entries);
			return -EINVAL;
		}
	}
}

/*
 * With EVENT_IDX: publish avail_event = last_avail, only before the device
 * stops looking (a pop finding the ring empty, re-enabling notifications):
 * see packed_publish_avail_event() for why not after every buffer.
 */
static bool split_avail_event_update(struct virtq *vq)
{
	if (!vq->event_idx || vq->notify_off)
		return false;
	vq_st16(split_avail_event(vq), vq->last_avail);
	return true;
}

int virtq_split_pop(struct virtq *vq, struct virtq_chain *chain)
{
	u16 size = vq->size, avail_idx, pending, head, idx;
	u32 count = 0;
	int ret;

	/* Acquire: the ring entry and descriptors are read after idx. */
	avail_idx = vq_ld16_acquire(&vq->split.avail->idx);
	if (avail_idx == vq->last_avail) {
		/*
		 * Empty. Republish avail_event and look again after a full
		 * barrier so a buffer added meanwhile is not missed: the
		 * driver stores idx, then reads avail_event.
		 */
		if (!split_avail_event_update(vq))
			return 0;
		vq_full_barrier();
		avail_idx = vq_ld16_acquire(&vq->split.avail->idx);
		if (avail_idx == vq->last_avail)
			return 0;
	}
	pending = avail_idx - vq->last_avail;
	if (pending > size) {
		virtq_violation(vq, "avail idx moved by %u (queue size %u)",
				pending, size);
		return -EIO;
	}
	if (vq->inflight >= size) {
		virtq_violation(vq, "more chains in flight than the queue holds");
		return -EIO;
	}
	head = vq_ld16(&vq->split.avail->ring[vq->last_avail & (size - 1)]);
	idx = head;
	for (;;) {
		const struct virtq_desc *d;
		u16 flags;

		if (idx >= size) {
			virtq_violation(vq, "descriptor index %u >= queue size %u",
					idx, size);
			return -EIO;
		}
		if (++count > size) {
			virtq_violation(vq, "descriptor chain loops or is longer than the queue");
			return -EIO;
		}
		d = &vq->split.desc[idx];
		flags = vq_ld16(&d->flags);
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			count--;	/* the table's entries count instead */
			ret = split_walk_indirect(vq, chain, vq_ld64(&d->addr),
						  vq_ld32(&d->len), flags,
						  &count);
			if (ret)
				return ret == -ENOMEM ? ret : -EIO;
			break;
		}
		ret = virtq_chain_add(vq, chain, vq_ld64(&d->addr),
				      vq_ld32(&d->len),
				      flags & VIRTQ_DESC_F_WRITE);
		if (ret)
			return ret == -ENOMEM ? ret : -EIO;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		idx = vq_ld16(&d->next);
	}
	chain->id = head;
	chain->ndescs = 1;
	vq->last_avail++;
	vq->inflight++;
	return 1;
}

int virtq_split_push(struct virtq *vq, const struct virtq_chain *chain,
		     u32 written)
{
	struct virtq_used_elem *e;

	if (chain->id >= vq->size) {
		virtq_violation(vq, "device pushed head %u into a queue of %u",
				chain->id, vq->size);
		return -EINVAL;
	}
	e = &vq->split.used->ring[vq->used_idx & (vq->size - 1)];
	vq_st32(&e->id, chain->id);
	vq_st32(&e->len, written);
	vq->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	vq_st16_release(&vq->split.used->idx, vq->used_idx);
	if (vq->inflight)
		vq->inflight--;
	vq->used_since_signal++;
	return 0;
}

bool virtq_split_should_notify(struct virtq *vq)
{
	u16 old = vq->signalled_used, new = vq->used_idx;
	u32 pushed = vq->used_since_signal;

	if (!pushed)
		return false;
	vq->signalled_used = new;
	vq->used_since_signal = 0;
	/* Our used idx store must be visible before we read the driver's. */
	vq_full_barrier();
	if (vq->event_idx)
		return pushed >= 0x8000 ||
		       virtq_need_event(vq_ld16(split_used_event(vq)), new,
					old);
	return !(vq_ld16(&vq->split.avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

void virtq_split_set_notify(struct virtq *vq, bool enable)
{
	if (vq->event_idx) {
		/*
		 * Disabling: an avail_event behind the driver's index, which
		 * its next additions do not cross (2.7.10: it notifies when
		 * its new index passes avail_event) for 64 K buffers; pops
		 * leave it there until notifications are enabled again.
		 */
		vq_st16(split_avail_event(vq),
			enable ? vq->last_avail : (u16)(vq->last_avail - 1));
		return;
	}
	vq_st16(&vq->split.used->flags, enable ? 0 : VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_split_has_avail(struct virtq *vq)
{
	return vq_ld16_acquire(&vq->split.avail->idx) != vq->last_avail;
}
