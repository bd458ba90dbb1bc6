/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test scaffolding for the virtio core: a simulated guest memory of three
 * regions and a small driver-side simulator of both ring layouts, written
 * from the spec, that places descriptors and reads used entries through
 * guest-physical addresses.
 *
 * Memory map:
 *   R0  0x100000 - 0x200000  RAM (rings, tables, buffers)
 *   R1  0x200000 - 0x210000  RAM, contiguous in gpa with R0, separate host
 *                            allocation (buffers crossing it -> 2 iovecs)
 *   --  0x210000 - 0x400000  hole
 *   R2  0x400000 - 0x410000  read-only
 */
#ifndef LKVM_TESTS_VIRTIO_SIM_H
#define LKVM_TESTS_VIRTIO_SIM_H

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "guest-mem.h"
#include "virtio/core.h"
#include "virtio-drv.h"

#define SIM_R0 0x100000ULL
#define SIM_R0_SIZE 0x100000ULL
#define SIM_R1 0x200000ULL
#define SIM_R1_SIZE 0x10000ULL
#define SIM_HOLE 0x210000ULL
#define SIM_R2 0x400000ULL
#define SIM_R2_SIZE 0x10000ULL

/* Default ring placement and buffer area. */
#define SIM_DESC 0x100000ULL
#define SIM_AVAIL 0x140000ULL
#define SIM_USED 0x150000ULL
#define SIM_TABLES 0x160000ULL
#define SIM_BUFS 0x180000ULL

struct sim {
	struct guest_mem mem;
	u8 *r0, *r1, *r2;
	struct virtio_device vdev;
	struct virtq *vq;
	unsigned int signals_used;
	unsigned int signals_config;
	unsigned int notifies;
	/* split driver state */
	u16 size;
	u16 avail_idx;
	u16 last_used;
	/* packed driver state */
	u16 next;
	bool wrap;
	u16 used_next;
	bool used_wrap;
	u16 chain_len[VIRTQ_SIZE_MAX];
};

static inline void *sim_hva(struct sim *s, u64 gpa)
{
	u64 avail;

	return guest_mem_ptr_avail(&s->mem, gpa, &avail);
}

static inline void sim_w16(struct sim *s, u64 gpa, u16 v)
{
	v = htole16(v);
	memcpy(sim_hva(s, gpa), &v, 2);
}

static inline void sim_w16_release(struct sim *s, u64 gpa, u16 v)
{
	__atomic_store_n((u16 *)sim_hva(s, gpa), htole16(v), __ATOMIC_RELEASE);
}

static inline void sim_w32(struct sim *s, u64 gpa, u32 v)
{
	v = htole32(v);
	memcpy(sim_hva(s, gpa), &v, 4);
}

static inline void sim_w64(struct sim *s, u64 gpa, u64 v)
{
	v = htole64(v);
	memcpy(sim_hva(s, gpa), &v, 8);
}

static inline u16 sim_r16(struct sim *s, u64 gpa)
{
	u16 v;

	memcpy(&v, sim_hva(s, gpa), 2);
	return le16toh(v);
}

/* What the device publishes with a release store: a used idx, flags. */
static inline u16 sim_r16_acquire(struct sim *s, u64 gpa)
{
	return le16toh(__atomic_load_n((u16 *)sim_hva(s, gpa),
				       __ATOMIC_ACQUIRE));
}

static inline u32 sim_r32(struct sim *s, u64 gpa)
{
	u32 v;

	memcpy(&v, sim_hva(s, gpa), 4);
	return le32toh(v);
}

static void sim_signal_used(struct virtio_device *vdev, struct virtq *vq)
{
	struct sim *s = container_of(vdev, struct sim, vdev);

	s->signals_used++;
}

static void sim_signal_config(struct virtio_device *vdev)
{
	struct sim *s = container_of(vdev, struct sim, vdev);

	s->signals_config++;
}

static const struct virtio_transport_ops sim_transport = {
	.name = "sim",
	.signal_used = sim_signal_used,
	.signal_config = sim_signal_config,
};

static void sim_queue_notify(struct virtio_device *vdev, struct virtq *vq)
{
	struct sim *s = container_of(vdev, struct sim, vdev);

	s->notifies++;
}

static const struct virtio_device_ops sim_dev_ops = {
	.name = "sim",
	.device_id = VIRTIO_ID_RNG,
	.queue_notify = sim_queue_notify,
};

static inline bool sim_needs_reset(struct sim *s)
{
	return virtio_get_status(&s->vdev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/*
 * Memory, a one-queue device, negotiated `features` (VERSION_1 is added),
 * queue 0 of `size` entries at the default areas, DRIVER_OK. Returns false
 * if the queue did not become ready (then check sim_needs_reset()).
 */
static bool sim_setup_at(struct sim *s, u64 features, u16 size, u16 max,
			 u64 desc, u64 drv, u64 dev)
{
	bool ready;

	memset(s, 0, sizeof(*s));
	s->r0 = calloc(1, SIM_R0_SIZE);
	s->r1 = calloc(1, SIM_R1_SIZE);
	s->r2 = calloc(1, SIM_R2_SIZE);
	if (!s->r0 || !s->r1 || !s->r2)
		abort();
	if (guest_mem_add(&s->mem, SIM_R0, SIM_R0_SIZE, s->r0, false) ||
	    guest_mem_add(&s->mem, SIM_R1, SIM_R1_SIZE, s->r1, false) ||
	    guest_mem_add(&s->mem, SIM_R2, SIM_R2_SIZE, s->r2, true))
		abort();
	if (virtio_device_init(&s->vdev, &sim_dev_ops, s, &s->mem, "sim",
			       1, max))
		abort();
	virtio_device_set_transport(&s->vdev, &sim_transport, s);
	s->vq = &s->vdev.vqs[0];
	features |= VIRTIO_BIT(VIRTIO_F_VERSION_1);
	ready = vdrv_probe(&s->vdev, features, size, desc, drv, dev);
	s->size = size;
	s->wrap = true;
	s->used_wrap = true;
	return ready;
}

static inline bool sim_setup(struct sim *s, u64 features, u16 size)
{
	return sim_setup_at(s, features, size, 256, SIM_DESC, SIM_AVAIL,
			    SIM_USED);
}

static inline void sim_teardown(struct sim *s)
{
	virtio_device_destroy(&s->vdev);
	free(s->r0);
	free(s->r1);
	free(s->r2);
}

/* --- split driver --- */

static inline void sim_split_desc(struct sim *s, u64 table, u16 i, u64 addr,
				  u32 len, u16 flags, u16 next)
{
	u64 d = table + 16ULL * i;

	sim_w64(s, d, addr);
	sim_w32(s, d + 8, len);
	sim_w16(s, d + 12, flags);
	sim_w16(s, d + 14, next);
}

static inline void sim_split_avail(struct sim *s, u16 head)
{
	sim_w16(s, SIM_AVAIL + 4 + 2 * (s->avail_idx & (s->size - 1)), head);
	s->avail_idx++;
	sim_w16_release(s, SIM_AVAIL + 2, s->avail_idx);
}

static inline void sim_split_set_avail_idx(struct sim *s, u16 idx)
{
	s->avail_idx = idx;
	sim_w16_release(s, SIM_AVAIL + 2, idx);
}

/* Next used entry: true with id/len, false if none. */
static inline bool sim_split_used(struct sim *s, u32 *id, u32 *len)
{
	u64 e;

	if (sim_r16_acquire(s, SIM_USED + 2) == s->last_used)
		return false;
	e = SIM_USED + 4 + 8 * (s->last_used & (s->size - 1));
	*id = sim_r32(s, e);
	*len = sim_r32(s, e + 4);
	s->last_used++;
	return true;
}

static inline void sim_split_used_event(struct sim *s, u16 v)
{
	sim_w16(s, SIM_AVAIL + 4 + 2 * s->size, v);
}

static inline u16 sim_split_avail_event(struct sim *s)
{
	return sim_r16(s, SIM_USED + 4 + 8 * s->size);
}

/* --- packed driver --- */

struct sim_pdesc {
	u64 addr;
	u32 len;
	u16 flags;	/* NEXT/WRITE/INDIRECT; avail/used bits added */
};

static inline void sim_packed_write(struct sim *s, u64 table, u16 slot,
				    u64 addr, u32 len, u16 id, u16 flags)
{
	u64 d = table + 16ULL * slot;

	sim_w64(s, d, addr);
	sim_w32(s, d + 8, len);
	sim_w16(s, d + 12, id);
	sim_w16(s, d + 14, flags);
}

static inline u16 sim_packed_wrapflags(bool wrap)
{
	return wrap ? VIRTQ_DESC_F_AVAIL : VIRTQ_DESC_F_USED;
}

/* Make n descriptors available as one chain with buffer id `id`. */
static inline void sim_packed_add(struct sim *s, const struct sim_pdesc *d,
				  unsigned int n, u16 id)
{
	u16 head = s->next, head_flags = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		u16 f = d[i].flags | sim_packed_wrapflags(s->wrap);

		if (i + 1 < n)
			f |= VIRTQ_DESC_F_NEXT;
		if (i == 0) {
			head_flags = f;
			sim_packed_write(s, SIM_DESC, s->next, d[i].addr,
					 d[i].len, id, 0);
			sim_w16(s, SIM_DESC + 16ULL * s->next + 14,
				sim_packed_wrapflags(!s->wrap));
		} else {
			sim_packed_write(s, SIM_DESC, s->next, d[i].addr,
					 d[i].len, id, f);
		}
		if (++s->next == s->size) {
			s->next = 0;
			s->wrap = !s->wrap;
		}
	}
	s->chain_len[id] = n;
	sim_w16_release(s, SIM_DESC + 16ULL * head + 14, head_flags);
}

static inline bool sim_packed_used(struct sim *s, u16 *id, u32 *len)
{
	u64 d = SIM_DESC + 16ULL * s->used_next;
	u16 f = sim_r16_acquire(s, d + 14);
	bool a = f & VIRTQ_DESC_F_AVAIL, u = f & VIRTQ_DESC_F_USED;

	if (a != u || u != s->used_wrap)
		return false;
	*id = sim_r16(s, d + 12);
	*len = sim_r32(s, d + 8);
	s->used_next += s->chain_len[*id];
	if (s->used_next >= s->size) {
		s->used_next -= s->size;
		s->used_wrap = !s->used_wrap;
	}
	return true;
}

#endif
