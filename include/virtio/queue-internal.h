/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between virtio/queue.c (common: validation, the chain builder,
 * dispatch) and the two ring layouts (queue-split.c, queue-packed.c).
 * Not for devices or transports: they use queue.h.
 */
#ifndef LKVM_VIRTIO_QUEUE_INTERNAL_H
#define LKVM_VIRTIO_QUEUE_INTERNAL_H

#include <endian.h>

#include "log.h"
#include "virtio/queue.h"

/*
 * Guest ring fields change under our feet: every field is fetched exactly
 * once, with an atomic load (relaxed unless ordering is needed), and then
 * converted from little-endian.
 */
static inline u16 vq_ld16(const le16 *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline u16 vq_ld16_acquire(const le16 *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_ACQUIRE));
}

static inline u32 vq_ld32(const le32 *p)
{
	return le32toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline u64 vq_ld64(const le64 *p)
{
	return le64toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void vq_st16(le16 *p, u16 v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELAXED);
}

static inline void vq_st16_release(le16 *p, u16 v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELEASE);
}

static inline void vq_st32(le32 *p, u32 v)
{
	__atomic_store_n(p, htole32(v), __ATOMIC_RELAXED);
}

/* Between publishing used entries and reading the driver's event fields. */
static inline void vq_full_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Mark the queue broken, log once (rate-limited), device needs reset. */
void virtq_violation(struct virtq *vq, const char *fmt, ...) __printf(2, 3);

/*
 * Ring indices to their start: 0, and the wrap counters to wrap (packed
 * rings start at 1, split rings have none).
 */
void virtq_ring_start(struct virtq *vq, bool wrap);

/* A ring area did not map: report the three addresses (what: "ring"). */
int virtq_rings_unmapped(struct virtq *vq, const char *what);

/*
 * Host pointer for a ring area: aligned, wholly inside one RAM region,
 * writable if `write`. NULL otherwise.
 */
void *virtq_map_area(const struct virtq *vq, u64 gpa, u64 len, u64 align,
		     bool write);

/*
 * Append one descriptor's buffer to the chain (split into one iovec per
 * memory region it covers). 0, -EINVAL after reporting a violation, or
 * -ENOMEM.
 */
int virtq_chain_add(struct virtq *vq, struct virtq_chain *chain, u64 addr,
		    u32 len, bool write);

/*
 * Append one entry of an indirect table: an entry may not point at another
 * indirect table, and *count (the chain's descriptors so far, counted
 * here) may not pass the queue size. Same returns as virtq_chain_add().
 */
int virtq_chain_add_indirect_entry(struct virtq *vq, struct virtq_chain *chain,
				   u64 addr, u32 len, u16 flags, u32 *count);

/*
 * Common checks of a descriptor pointing at an indirect table; returns the
 * table (host pointer) and its entry count, or NULL after reporting.
 */
const void *virtq_indirect_table(struct virtq *vq, u64 addr, u32 len,
				 u16 flags, u32 *entries);

static inline void virtq_chain_clear(struct virtq_chain *chain)
{
	chain->nr_out = 0;
	chain->nr_in = 0;
	chain->out_len = 0;
	chain->in_len = 0;
	chain->id = 0;
	chain->ndescs = 0;
	chain->vq = NULL;
	chain->gen = 0;
}

int virtq_split_enable(struct virtq *vq);
int virtq_split_pop(struct virtq *vq, struct virtq_chain *chain);
int virtq_split_push(struct virtq *vq, const struct virtq_chain *chain,
		     u32 written);
bool virtq_split_should_notify(struct virtq *vq);
void virtq_split_set_notify(struct virtq *vq, bool enable);
bool virtq_split_has_avail(struct virtq *vq);

int virtq_packed_enable(struct virtq *vq);
int virtq_packed_pop(struct virtq *vq, struct virtq_chain *chain);
int virtq_packed_push(struct virtq *vq, const struct virtq_chain *chain,
		      u32 written);
bool virtq_packed_should_notify(struct virtq *vq);
void virtq_packed_set_notify(struct virtq *vq, bool enable);
bool virtq_packed_has_avail(struct virtq *vq);

#endif
