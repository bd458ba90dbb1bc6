// SPDX-License-Identifier: GPL-2.0
/*
 * Packed virtqueue layout (virtio 1.1+, 2.8): one descriptor ring shared by
 * both sides, with wrap counters, and two event suppression structures.
 *
 * Positions: the device's next slot to read (last_avail, avail_wrap) and
 * to write used descriptors to (used_idx, used_wrap); both wrap counters
 * start at 1. For event index arithmetic a (slot, wrap) pair is mapped to
 * a linear position in [0, 2 * size): slot + (wrap ? 0 : size).
 */
#include <errno.h>

#include "virtio/queue-internal.h"

int virtq_packed_enable(struct virtq *vq)
{
	u16 n = vq->size;

	vq->pk.desc = virtq_map_area(vq, vq->desc_gpa,
				     VIRTQ_PACKED_DESC_SIZE(n),
				     VIRTQ_PACKED_DESC_ALIGN, true);
	vq->pk.driver = virtq_map_area(vq, vq->driver_gpa,
				       sizeof(struct virtq_event_suppress),
				       VIRTQ_PACKED_EVENT_ALIGN, false);
	vq->pk.device = virtq_map_area(vq, vq->device_gpa,
				       sizeof(struct virtq_event_suppress),
				       VIRTQ_PACKED_EVENT_ALIGN, true);
	if (!vq->pk.desc || !vq->pk.driver || !vq->pk.device)
		return virtq_rings_unmapped(vq, "packed ring");
	virtq_ring_start(vq, true);
	return 0;
}

static bool packed_desc_avail(u16 flags, bool wrap)
{
	return !!(flags & VIRTQ_DESC_F_AVAIL) == wrap &&
	       !!(flags & VIRTQ_DESC_F_USED) != wrap;
}

static u32 packed_linear(const struct virtq *vq, u16 slot, bool wrap)
{
	return slot + (wrap ? 0 : vq->size);
}

/* Indirect table: entries are consecutive, NEXT is not used. */
static int packed_walk_indirect(struct virtq *vq, struct virtq_chain *chain,
				u64 addr, u32 len, u16 flags, u32 *count)
{
	const struct virtq_packed_desc *table;
	u32 entries, i;

	table = virtq_indirect_table(vq, addr, len, flags, &entries);
	if (!table)
		return -EINVAL;
	for (i = 0; i < entries; i++) {
		const struct virtq_packed_desc *d = &table[i];
		int ret;

		ret = virtq_chain_add_indirect_entry(vq, chain,
						     vq_ld64(&d->addr),
						     vq_ld32(&d->len),
						     vq_ld16(&d->flags), count);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * With EVENT_IDX: ask for a notification when the next slot is made
 * available. Only before the device stops looking (a pop that finds the
 * ring empty, re-enabling notifications), not after every buffer: while
 * the device is busy, the event it published last lies behind the
 * driver's old position, so the driver does not notify (2.8.10) and the
 * device finds the new buffers on its next pop. Publishing on every pop
 * wrote the device area twice a buffer, and made the driver notify a
 * device that was still draining whenever it had caught up for a moment.
 * A device stops popping with buffers left only when it will come back by
 * itself (console or tap output full), never to wait for a kick; blk runs
 * out of request slots only with the whole ring in flight (one slot per
 * ring entry), when no buffer can be left.
 * The flags are written only when they change (DISABLE -> DESC).
 */
static void packed_publish_avail_event(struct virtq *vq)
{
	struct virtq_event_suppress *ev = vq->pk.device;

	vq_st16(&ev->off_wrap, vq->last_avail |
		(vq->avail_wrap << VIRTQ_EVENT_WRAP_SHIFT));
	if (vq_ld16(&ev->flags) != VIRTQ_EVENT_F_DESC)
		vq_st16_release(&ev->flags, VIRTQ_EVENT_F_DESC);
}

int virtq_packed_pop(struct virtq *vq, struct virtq_chain *chain)
{
	u16 size = vq->size, slot = vq->last_avail, flags, id = 0;
	bool wrap = vq->avail_wrap;
	u32 count = 0, nslots = 0;
	int ret;

	/* Acquire: the head's flags are written last by the driver. */
	flags = vq_ld16_acquire(&vq->pk.desc[slot].flags);
	if (!packed_desc_avail(flags, wrap)) {
		if (!vq->event_idx || vq->notify_off)
			return 0;
		packed_publish_avail_event(vq);
		vq_full_barrier();
		flags = vq_ld16_acquire(&vq->pk.desc[slot].flags);
		if (!packed_desc_avail(flags, wrap))
			return 0;
	}
	for (;;) {
		const struct virtq_packed_desc *d = &vq->pk.desc[slot];

		if (++nslots > size || ++count > size) {
			virtq_violation(vq, "descriptor chain longer than the queue");
			return -EIO;
		}
		id = vq_ld16(&d->id);
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			count--;
			ret = packed_walk_indirect(vq, chain, vq_ld64(&d->addr),
						   vq_ld32(&d->len), flags,
						   &count);
			if (ret)
				return ret == -ENOMEM ? ret : -EIO;
		} else {
			ret = virtq_chain_add(vq, chain, vq_ld64(&d->addr),
					      vq_ld32(&d->len),
					      flags & VIRTQ_DESC_F_WRITE);
			if (ret)
				return ret == -ENOMEM ? ret : -EIO;
		}
		if (++slot == size) {
			slot = 0;
			wrap = !wrap;
		}
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		/* Ordered by the head's acquire: written before it. */
		flags = vq_ld16(&vq->pk.desc[slot].flags);
		if (!packed_desc_avail(flags, wrap)) {
			virtq_violation(vq, "chain continues into a descriptor that is not available");
			return -EIO;
		}
	}
	if (vq->inflight + nslots > size) {
		virtq_violation(vq, "more descriptors in flight than the queue holds");
		return -EIO;
	}
	chain->id = id;
	chain->ndescs = nslots;
	vq->last_avail = slot;
	vq->avail_wrap = wrap;
	vq->inflight += nslots;
	return 1;
}

int virtq_packed_push(struct virtq *vq, const struct virtq_chain *chain,
		      u32 written)
{
	struct virtq_packed_desc *d = &vq->pk.desc[vq->used_idx];
	u16 flags = vq->used_wrap ? VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED : 0;
	u32 n = chain->ndescs, pos;

	/*
	 * A chain took 1 to size slots of this ring; anything else did not
	 * come from it and would move used_idx off the ring.
	 */
	if (!n || n > vq->size) {
		virtq_violation(vq, "device pushed a chain of %u slots into a queue of %u",
				n, vq->size);
		return -EINVAL;
	}
	if (written)
		flags |= VIRTQ_DESC_F_WRITE;
	vq_st16(&d->id, chain->id);
	vq_st32(&d->len, written);
	/* Release: id and len are visible before the flags that hand over. */
	vq_st16_release(&d->flags, flags);
	/* The wrap counter flips once per pass over the ring. */
	pos = (u32)vq->used_idx + n;
	if ((pos / vq->size) & 1)
		vq->used_wrap = !vq->used_wrap;
	vq->used_idx = pos % vq->size;
	vq->inflight = vq->inflight >= n ? vq->inflight - n : 0;
	vq->used_since_signal++;
	return 0;
}

bool virtq_packed_should_notify(struct virtq *vq)
{
	struct virtq_event_suppress *ev = vq->pk.driver;
	u32 old = packed_linear(vq, vq->signalled_used, vq->signalled_wrap);
	u32 new = packed_linear(vq, vq->used_idx, vq->used_wrap);
	u32 two = 2u * vq->size, pushed = vq->used_since_signal, event;
	u16 flags, off_wrap;

	if (!pushed)
		return false;
	vq->signalled_used = vq->used_idx;
	vq->signalled_wrap = vq->used_wrap;
	vq->used_since_signal = 0;
	vq_full_barrier();
	flags = vq_ld16(&ev->flags);
	if (flags == VIRTQ_EVENT_F_DISABLE)
		return false;
	if (flags != VIRTQ_EVENT_F_DESC || !vq->event_idx || pushed >= vq->size)
		return true;
	off_wrap = vq_ld16(&ev->off_wrap);
	event = packed_linear(vq, (off_wrap & 0x7fff) % vq->size,
			      off_wrap >> VIRTQ_EVENT_WRAP_SHIFT);
	/* Notify iff the event slot is among those written: [old, new). */
	return (event + two - old) % two < (new + two - old) % two;
}

void virtq_packed_set_notify(struct virtq *vq, bool enable)
{
	if (!enable) {
		vq_st16(&vq->pk.device->flags, VIRTQ_EVENT_F_DISABLE);
		return;
	}
	if (vq->event_idx)
		packed_publish_avail_event(vq);
	else
		vq_st16(&vq->pk.device->flags, VIRTQ_EVENT_F_ENABLE);
}

bool virtq_packed_has_avail(struct virtq *vq)
{
	u16 flags = vq_ld16_acquire(&vq->pk.desc[vq->last_avail].flags);

	return packed_desc_avail(flags, vq->avail_wrap);
}
