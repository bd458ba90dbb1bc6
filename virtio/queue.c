// SPDX-License-Identifier: GPL-2.0
/*
 * Virtqueue common part: set-up and validation of the driver's ring areas,
 * the descriptor-to-iovec builder every chain goes through, indirect table
 * checks, violation handling and dispatch to the split/packed layouts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iov.h"
#include "virtio/core.h"
#include "virtio/queue-internal.h"

void virtq_init(struct virtq *vq, struct virtio_device *vdev,
		const struct guest_mem *mem, unsigned int index, u16 max_size)
{
	memset(vq, 0, sizeof(*vq));
	vq->vdev = vdev;
	vq->mem = mem;
	vq->index = index;
	vq->max_size = max_size;
	vq->size = max_size;
	pthread_mutex_init(&vq->lock, NULL);
}

void virtq_destroy(struct virtq *vq)
{
	pthread_mutex_destroy(&vq->lock);
}

void virtq_ring_start(struct virtq *vq, bool wrap)
{
	vq->last_avail = 0;
	vq->avail_wrap = wrap;
	vq->used_idx = 0;
	vq->used_wrap = wrap;
	vq->signalled_used = 0;
	vq->signalled_wrap = wrap;
}

int virtq_rings_unmapped(struct virtq *vq, const char *what)
{
	virtq_violation(vq, "%s areas 0x%llx/0x%llx/0x%llx (size %u) misaligned or not in RAM",
			what, (unsigned long long)vq->desc_gpa,
			(unsigned long long)vq->driver_gpa,
			(unsigned long long)vq->device_gpa, vq->size);
	return -EINVAL;
}

static void virtq_clear_ring_state(struct virtq *vq)
{
	vq->ready = false;
	vq->packed = false;
	vq->event_idx = false;
	vq->indirect = false;
	vq->broken = false;
	vq->notify_off = false;
	memset(&vq->split, 0, sizeof(vq->split));
	memset(&vq->pk, 0, sizeof(vq->pk));
	virtq_ring_start(vq, false);
	vq->used_since_signal = 0;
	vq->inflight = 0;
}

void virtq_reset(struct virtq *vq)
{
	virtq_clear_ring_state(vq);
	vq->gen++;
	vq->size = vq->max_size;
	vq->desc_gpa = 0;
	vq->driver_gpa = 0;
	vq->device_gpa = 0;
}

bool virtq_retire(struct virtq *vq)
{
	bool was = vq->ready;

	virtq_clear_ring_state(vq);
	vq->gen++;
	return was;
}

void virtq_violation(struct virtq *vq, const char *fmt, ...)
{
	char why[160];
	va_list ap;
	bool was_broken = vq->broken;

	vq->broken = true;
	if (was_broken)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pr_warn_ratelimited("%s: queue %u: %s; device needs reset",
			    vq->vdev ? vq->vdev->name : "virtio", vq->index,
			    why);
	if (vq->vdev)
		virtio_device_needs_reset(vq->vdev);
}

void *virtq_map_area(const struct virtq *vq, u64 gpa, u64 len, u64 align,
		     bool write)
{
	const struct mem_region *r;
	u64 off;

	if (!IS_ALIGNED(gpa, align) || !len)
		return NULL;
	r = guest_mem_region(vq->mem, gpa);
	if (!r || (write && r->readonly))
		return NULL;
	off = gpa - r->gpa;
	if (len > r->size - off)
		return NULL;
	return r->hva + off;
}

int virtq_enable(struct virtq *vq, u64 features)
{
	int ret;

	virtq_clear_ring_state(vq);
	vq->gen++;
	vq->packed = features & VIRTIO_BIT(VIRTIO_F_RING_PACKED);
	vq->event_idx = features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	vq->indirect = features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (vq->size == 0 || vq->size > vq->max_size) {
		virtq_violation(vq, "queue size %u (max %u)", vq->size,
				vq->max_size);
		return -EINVAL;
	}
	ret = vq->packed ? virtq_packed_enable(vq) : virtq_split_enable(vq);
	if (ret < 0)
		return ret;
	vq->ready = true;
	return 0;
}

void virtq_chain_init(struct virtq_chain *chain)
{
	memset(chain, 0, sizeof(*chain));
	chain->iov = chain->inline_iov;
	chain->cap = VIRTQ_CHAIN_INLINE;
}

void virtq_chain_destroy(struct virtq_chain *chain)
{
	if (chain->iov != chain->inline_iov)
		free(chain->iov);
	chain->iov = chain->inline_iov;
	chain->cap = VIRTQ_CHAIN_INLINE;
}

static int virtq_chain_grow(struct virtq_chain *chain)
{
	unsigned int cap = chain->cap * 2;
	struct iovec *iov;

	iov = malloc(cap * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	memcpy(iov, chain->iov, chain->cap * sizeof(*iov));
	if (chain->iov != chain->inline_iov)
		free(chain->iov);
	chain->iov = iov;
	chain->cap = cap;
	return 0;
}

int virtq_chain_add(struct virtq *vq, struct virtq_chain *chain, u64 addr,
		    u32 len, bool write)
{
	if (!write && chain->nr_in) {
		virtq_violation(vq, "readable descriptor after a writable one");
		return -EINVAL;
	}
	if (!len)
		return 0;
	if (addr + len - 1 < addr) {
		virtq_violation(vq, "buffer 0x%llx+0x%x wraps around",
				(unsigned long long)addr, len);
		return -EINVAL;
	}
	while (len) {
		const struct mem_region *r = guest_mem_region(vq->mem, addr);
		u64 off, n;
		struct iovec *iov;

		if (!r || (write && r->readonly)) {
			virtq_violation(vq, "buffer at 0x%llx is not %sguest RAM",
					(unsigned long long)addr,
					write ? "writable " : "");
			return -EINVAL;
		}
		if (chain->nr_out + chain->nr_in == chain->cap &&
		    virtq_chain_grow(chain))
			return -ENOMEM;
		off = addr - r->gpa;
		n = MIN(r->size - off, (u64)len);
		iov = &chain->iov[chain->nr_out + chain->nr_in];
		iov->iov_base = r->hva + off;
		iov->iov_len = n;
		if (write) {
			chain->nr_in++;
			chain->in_len += n;
		} else {
			chain->nr_out++;
			chain->out_len += n;
		}
		addr += n;
		len -= n;
	}
	return 0;
}

int virtq_chain_add_indirect_entry(struct virtq *vq, struct virtq_chain *chain,
				   u64 addr, u32 len, u16 flags, u32 *count)
{
	if (++*count > vq->size) {
		virtq_violation(vq, "indirect chain longer than the queue");
		return -EINVAL;
	}
	if (flags & VIRTQ_DESC_F_INDIRECT) {
		virtq_violation(vq, "indirect table inside an indirect table");
		return -EINVAL;
	}
	return virtq_chain_add(vq, chain, addr, len, flags & VIRTQ_DESC_F_WRITE);
}

const void *virtq_indirect_table(struct virtq *vq, u64 addr, u32 len,
				 u16 flags, u32 *entries)
{
	const void *table;

	if (!vq->indirect) {
		virtq_violation(vq, "INDIRECT descriptor not negotiated");
		return NULL;
	}
	if (flags & VIRTQ_DESC_F_NEXT) {
		virtq_violation(vq, "descriptor with both INDIRECT and NEXT");
		return NULL;
	}
	if (!len || len % 16 || len / 16 > vq->size) {
		virtq_violation(vq, "indirect table length %u", len);
		return NULL;
	}
	/*
	 * The spec gives no alignment for indirect tables; every allocator a
	 * driver uses returns at least 8-byte aligned memory (Linux's SLOB
	 * returns no more), which keeps each 64-bit field naturally aligned.
	 */
	table = virtq_map_area(vq, addr, len, 8, false);
	if (!table) {
		virtq_violation(vq, "indirect table 0x%llx+0x%x misaligned or not in one RAM region",
				(unsigned long long)addr, len);
		return NULL;
	}
	*entries = len / 16;
	return table;
}

int virtq_pop(struct virtq *vq, struct virtq_chain *chain)
{
	int ret;

	virtq_chain_clear(chain);
	if (!vq->ready || vq->broken)
		return -EIO;
	ret = vq->packed ? virtq_packed_pop(vq, chain) :
			   virtq_split_pop(vq, chain);
	if (ret == 1) {
		chain->vq = vq;
		chain->gen = vq->gen;
	}
	return ret;
}

int virtq_push(struct virtq *vq, const struct virtq_chain *chain,
	       u32 written)
{
	if (!virtq_chain_current(vq, chain))
		return -ESTALE;
	if (!vq->ready || vq->broken)
		return -EIO;
	if (written > chain->in_len)
		written = chain->in_len;
	return vq->packed ? virtq_packed_push(vq, chain, written) :
			    virtq_split_push(vq, chain, written);
}

bool virtq_should_notify(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	return vq->packed ? virtq_packed_should_notify(vq) :
			    virtq_split_should_notify(vq);
}

void virtq_disable_notify(struct virtq *vq)
{
	if (!vq->ready || vq->broken || vq->notify_off)
		return;
	vq->notify_off = true;
	if (vq->packed)
		virtq_packed_set_notify(vq, false);
	else
		virtq_split_set_notify(vq, false);
}

/* Ready and not broken: publish where the driver notifies next, look. */
static bool virtq_publish_and_look(struct virtq *vq, bool publish)
{
	if (!vq->ready || vq->broken)
		return false;
	if (publish) {
		if (vq->packed)
			virtq_packed_set_notify(vq, true);
		else
			virtq_split_set_notify(vq, true);
	}
	vq_full_barrier();
	return virtq_has_avail(vq);
}

bool virtq_rearm(struct virtq *vq)
{
	return virtq_publish_and_look(vq, !vq->notify_off);
}

bool virtq_enable_notify(struct virtq *vq)
{
	if (vq->ready && !vq->broken)
		vq->notify_off = false;
	return virtq_publish_and_look(vq, true);
}

bool virtq_has_avail(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	return vq->packed ? virtq_packed_has_avail(vq) :
			    virtq_split_has_avail(vq);
}

size_t virtq_chain_read(const struct virtq_chain *chain, size_t offset,
			void *buf, size_t len)
{
	return iov_to_buf(chain->iov, chain->nr_out, offset, buf, len);
}

size_t virtq_chain_write(const struct virtq_chain *chain, size_t offset,
			 const void *buf, size_t len)
{
	return iov_from_buf(chain->iov + chain->nr_out, chain->nr_in, offset,
			    buf, len);
}
